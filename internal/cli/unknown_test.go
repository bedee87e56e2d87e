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

// TestUnknownKeysBeyondCap gates a release that changes 100 architecture
// keys a suppression covers, then 180 keys no rule knows: the findings
// list is capped at 100 (the suppressed ones come first), so every key no
// rule knows stands in the remainder. The report still counts all 180, in
// text, JSON and markdown, lists the first 100 with the rules that would
// classify them, and says how many more there are.
func TestUnknownKeysBeyondCap(t *testing.T) {
	dir := t.TempDir()
	gitInit(t, dir)
	manifest := func(version string, v int) string {
		var b strings.Builder
		fmt.Fprintf(&b, "model: wide-v%s\narchitecture:\n", version)
		for i := range 100 {
			fmt.Fprintf(&b, "  a_%03d: %d\n", i, v+i)
		}
		for i := range 180 {
			fmt.Fprintf(&b, "  b_%03d: %d\n", i, v+i)
		}
		return b.String()
	}
	writeFile(t, dir, ".modelgate.yaml", "suppress:\n  - rule: arch-unclassified\n    path: architecture.a_*\n    reason: read by nothing\n")
	writeFile(t, dir, "manifest.yaml", manifest("1.0.0", 0))
	gitCommitAll(t, dir, "release")
	git(t, dir, "tag", "-a", "wide-v1.0.0", "-m", "release")
	writeFile(t, dir, "manifest.yaml", manifest("2.0.0", 1))
	writeFile(t, dir, "releases/v2.0.0.md", "Wider.\n\n## Migration\n\nNothing to convert.\n")
	gitCommitAll(t, dir, "wider")

	run := func(args ...string) string {
		var stdout, stderr bytes.Buffer
		if code := cli.Run(context.Background(), append(args, "--repo", dir), nil, &stdout, &stderr); code == 2 {
			t.Fatalf("modelgate %q: exit 2: %s", args, stderr.String())
		}
		return stdout.String()
	}

	text := run("check")
	var listed []string
	for i := range 100 {
		listed = append(listed, fmt.Sprintf("architecture.b_%03d", i))
	}
	for _, want := range []string{
		"required: major bump from 1.0.0 -> 2.0.0, conservatively: 180 keys no rule knows; declared 2.0.0\n",
		"  keys no rule knows: " + strings.Join(listed, ", ") + "\n",
		"  and 80 more, not listed: a report lists 100\n",
		"      b-099-key:\n        match: \"architecture.b_099\"\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("check lacks %q:\n%s", want, clip(text[max(0, len(text)-3000):]))
		}
	}
	if strings.Contains(text, "b-100-key") || strings.Contains(text, "a-000-key") {
		t.Errorf("the snippet proposes a rule for a key it does not list, or for a suppressed one")
	}

	var report struct {
		Models []struct {
			Conservative bool `json:"conservative"`
			UnknownKeys  *struct {
				Count  int      `json:"count"`
				Listed []string `json:"listed"`
			} `json:"unknown_keys"`
		} `json:"models"`
	}
	if err := json.Unmarshal([]byte(run("check", "--format", "json")), &report); err != nil {
		t.Fatal(err)
	}
	u := report.Models[0].UnknownKeys
	if u == nil || u.Count != 180 || strings.Join(u.Listed, ", ") != strings.Join(listed, ", ") || !report.Models[0].Conservative {
		t.Errorf("json unknown_keys = %+v, conservative %v; want count 180, b_000..b_099 listed, conservative", u, report.Models[0].Conservative)
	}

	md := run("check", "--format", "markdown")
	if !strings.Contains(md, "The major bump is conservative: it rests on 180 keys no rule knows.") || !strings.Contains(md, "`architecture.b_099`, and 80 more, not listed;") {
		t.Errorf("markdown does not count 180 keys and 80 more:\n%s", clip(md))
	}
}
