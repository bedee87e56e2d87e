package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/modelgate/modelgate/internal/cli"
)

// TestFindingsCapped gates a release that changes 250 architecture keys no
// rule knows: every format lists 100 of them and one remainder that counts
// the other 150, the counts say 250, and the verdict is the one of all 250.
func TestFindingsCapped(t *testing.T) {
	dir := t.TempDir()
	gitInit(t, dir)
	manifest := func(version string, v int) string {
		var b strings.Builder
		fmt.Fprintf(&b, "model: wide-v%s\narchitecture:\n", version)
		for i := range 250 {
			fmt.Fprintf(&b, "  extra_%03d: %d\n", i, v+i)
		}
		return b.String()
	}
	writeFile(t, dir, "manifest.yaml", manifest("1.0.0", 0))
	gitCommitAll(t, dir, "release")
	git(t, dir, "tag", "-a", "wide-v1.0.0", "-m", "release")
	writeFile(t, dir, "manifest.yaml", manifest("1.1.0", 1))
	writeFile(t, dir, "releases/v1.1.0.md", "Wider.\n")
	gitCommitAll(t, dir, "wider")

	run := func(args ...string) (string, int) {
		var stdout, stderr bytes.Buffer
		code := cli.Run(context.Background(), append(args, "--repo", dir), nil, &stdout, &stderr)
		if code == 2 {
			t.Fatalf("modelgate %q: %s", args, stderr.String())
		}
		return stdout.String(), code
	}
	text, code := run("check")
	remainder := "  major  manifest.yaml:103  150 more arch-unclassified findings, not listed: a report lists 100 of each rule  [arch-unclassified]\n" +
		"         unclassified key; add a rule to .modelgate.yaml\n"
	if code != 1 || strings.Count(text, "[arch-unclassified]") != 101 || !strings.Contains(text, remainder) ||
		!strings.Contains(text, "required: major bump from 1.0.0 -> 2.0.0, conservatively: 100 keys no rule knows; declared 1.1.0") || !strings.Contains(text, "FAIL wide: 250 findings, 2 errors, 0 warnings\n") {
		t.Errorf("check: exit %d, want 1, 100 findings and the remainder\n%s\nthe verdict on all 250:\n%s", code, remainder, clip(text[max(0, len(text)-1500):]))
	}
	if !strings.Contains(text, "extra_099: 99 -> 100") || strings.Contains(text, "extra_100:") {
		t.Errorf("check lists other findings than the first 100")
	}

	out, _ := run("check", "--format", "json")
	var report struct {
		Models []struct {
			RequiredBump string `json:"required_bump"`
			Findings     []struct {
				Path  string `json:"path"`
				Count int    `json:"count"`
			} `json:"findings"`
		} `json:"models"`
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatal(err)
	}
	fs := report.Models[0].Findings
	if len(fs) != 101 || fs[100].Path != "(150 more)" || fs[100].Count != 150 || report.Models[0].RequiredBump != "major" {
		t.Errorf("json: %d findings, last %+v, required %s; want 101, (150 more) with count 150, major", len(fs), fs[len(fs)-1], report.Models[0].RequiredBump)
	}

	md, _ := run("check", "--format", "markdown")
	if strings.Count(md, "| major | `arch-unclassified` |") != 101 || !strings.Contains(md, "| major | `arch-unclassified` | 150 more arch-unclassified findings, not listed: a report lists 100 of each rule |  |  | `manifest.yaml:103` |") {
		t.Errorf("markdown lacks 100 rows and the remainder row:\n%s", clip(md[max(0, len(md)-1200):]))
	}
	next, _ := run("next")
	if next != "wide-v2.0.0\n" {
		t.Errorf("next = %q, want wide-v2.0.0", next)
	}
}
