package action

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/modelgate/modelgate/check"
)

// bigReport is a report of two models with n findings each whose values
// are size bytes long, and one problem.
func bigReport(n, size int) *check.Report {
	r := &check.Report{Passed: false}
	for _, name := range []string{"alpha", "beta"} {
		m := &check.ModelReport{Name: name, Passed: name == "alpha", RequiredBump: check.BumpMajor, Findings: []check.Finding{}, Notices: []string{}}
		for i := range n {
			m.Findings = append(m.Findings, check.Finding{Rule: "arch-unclassified", Bump: check.BumpMajor, Path: fmt.Sprintf("architecture.k%d", i),
				File: "config.json", Line: i + 2, Old: strings.Repeat("o", size), New: strings.Repeat("n", size) + "é\u202e", Message: "changed"})
		}
		m.Problems = []check.Problem{{Rule: "version-too-small", Level: check.LevelError, File: "manifest.yaml", Line: 1, Message: "declared 1.0.1"}}
		r.Models = append(r.Models, m)
	}
	return r
}

var sizeRE = regexp.MustCompile(`\((\d+) bytes of UTF-16\)`)

// TestReportOutput checks the report output: the whole report when it fits,
// else the first findings of each model that fit, with a note, as valid
// JSON that keeps the verdicts and problems; and only the verdict when even
// that is too long.
func TestReportOutput(t *testing.T) {
	type decoded struct {
		Passed bool `json:"passed"`
		Models []struct {
			Name     string          `json:"name"`
			Passed   bool            `json:"passed"`
			Findings []check.Finding `json:"findings"`
			Problems []check.Problem `json:"problems"`
		} `json:"models"`
		Truncated string `json:"truncated"`
	}
	tests := []struct {
		name      string
		report    *check.Report
		limit     int
		findings  int // listed per model; -1 for no models
		truncated string
	}{
		{"fits", bigReport(3, 100), 1 << 20, 3, ""},
		{"findings cut", bigReport(50, 1000), 60_000, 6,
			"the report is longer than a step output may be (N bytes of UTF-16): it lists 12 of its 100 findings, the first 6 of each model; run modelgate check --format json for all of them"},
		{"one finding too long", bigReport(2, 100_000), 50_000, 0,
			"the report is longer than a step output may be (N bytes of UTF-16): it lists 0 of its 4 findings, the first 0 of each model; run modelgate check --format json for all of them"},
		{"even the verdicts too long", bigReport(1, 10), 500, -1,
			"the report is longer than a step output may be (N bytes of UTF-16), even without its findings; run modelgate check --format json for all of it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := reportOutput(tt.report, tt.limit)
			if size := utf16Size(out); size > tt.limit {
				t.Errorf("%d bytes of UTF-16, over the limit of %d", size, tt.limit)
			}
			if strings.Contains(out, "\n") || strings.Contains(out, "\u202e") {
				t.Errorf("the output is not one inert line: %.200q", out)
			}
			var got decoded
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("not JSON: %v: %.200s", err, out)
			}
			// The size the note gives is that of the whole report: over the limit.
			note := got.Truncated
			if m := sizeRE.FindStringSubmatch(note); m != nil {
				if n, _ := strconv.Atoi(m[1]); n <= tt.limit {
					t.Errorf("the note gives %d bytes, not over the limit of %d", n, tt.limit)
				}
				note = strings.Replace(note, m[1], "N", 1)
			}
			if got.Passed != tt.report.Passed || note != tt.truncated {
				t.Errorf("passed %t, truncated %q; want %t, %q", got.Passed, got.Truncated, tt.report.Passed, tt.truncated)
			}
			if tt.findings < 0 {
				if got.Models != nil {
					t.Errorf("models listed in a report cut to its verdict: %+v", got.Models)
				}
				return
			}
			if len(got.Models) != 2 {
				t.Fatalf("%d models, want 2", len(got.Models))
			}
			for i, m := range got.Models {
				want := tt.report.Models[i]
				if m.Name != want.Name || m.Passed != want.Passed || len(m.Problems) != 1 || len(m.Findings) != tt.findings {
					t.Errorf("model %s passed %t, %d problems, %d findings; want %s %t, 1, %d", m.Name, m.Passed, len(m.Problems), len(m.Findings), want.Name, want.Passed, tt.findings)
				}
				for j, f := range m.Findings {
					if f.Path != want.Findings[j].Path || f.New != want.Findings[j].New {
						t.Errorf("finding %d of %s differs from the report's", j, m.Name)
					}
				}
			}
			if tt.truncated == "" {
				full, _ := json.Marshal(tt.report)
				var a, b any
				_ = json.Unmarshal(full, &a)
				_ = json.Unmarshal([]byte(out), &b)
				if fmt.Sprint(a) != fmt.Sprint(b) {
					t.Errorf("a report that fits is not output whole")
				}
			}
		})
	}
}

// TestOutputsWithinLimits runs the action on a release whose keys and
// values are long: the report output and all outputs together stay under
// GitHub's 1 MB (counted in UTF-16), the summary under 1 MiB, each saying
// it was cut, and the verdict is the gate's.
func TestOutputsWithinLimits(t *testing.T) {
	dir := t.TempDir()
	config := func(v string) string {
		var b strings.Builder
		b.WriteString(`{"hidden_size": 4096`)
		for i := range 60 {
			fmt.Fprintf(&b, ",\n  \"%s%02d\": \"%s%s\"", strings.Repeat("k", 20_000), i, strings.Repeat("v", 20_000), v)
		}
		b.WriteString("\n}\n")
		return b.String()
	}
	write := func(name, content string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("manifest.yaml", "model: long-v1.0.0\narchitecture: config.json\n")
	write("config.json", config("a"))
	git(t, dir, "init", "-q", "-b", "main")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-qm", "release")
	git(t, dir, "tag", "-a", "long-v1.0.0", "-m", "release")
	write("manifest.yaml", "model: long-v2.0.0\narchitecture: config.json\n")
	write("config.json", config("b"))
	write("releases/v2.0.0.md", "Longer values.\n\n## Migration\n\nRun migrations/convert.py on old checkpoints.\n")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-qm", "long values")

	r := start(t, dir, "pull_request", "refs/pull/1/merge", map[string]any{"number": 1})
	for _, v := range []string{"GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"} {
		if err := os.WriteFile(r.env[v], nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r.exec(t)
	if r.code != 0 {
		t.Fatalf("exit %d, want 0 (a major release with migration notes)\n%.2000s", r.code, r.stderr.String())
	}
	out := r.outputs(t)
	total := 0
	for k, v := range out {
		total += utf16Size(k) + utf16Size(v)
	}
	if total > 1_000_000 {
		t.Errorf("the outputs take %d bytes of UTF-16, over GitHub's 1 MB", total)
	}
	var report struct {
		Passed bool `json:"passed"`
		Models []struct {
			RequiredBump string            `json:"required_bump"`
			Findings     []json.RawMessage `json:"findings"`
		} `json:"models"`
		Truncated string `json:"truncated"`
	}
	if err := json.Unmarshal([]byte(out["report"]), &report); err != nil {
		t.Fatalf("report output is not JSON: %v", err)
	}
	if !report.Passed || out["passed"] != "true" || out["required-bump"] != "major" || len(report.Models) != 1 || report.Models[0].RequiredBump != "major" {
		t.Errorf("passed %t (output %s), required %s: want the gate's verdict, passed and major", report.Passed, out["passed"], out["required-bump"])
	}
	if n := len(report.Models[0].Findings); n == 0 || n >= 60 || !strings.Contains(report.Truncated, fmt.Sprintf("it lists %d of its 60 findings", n)) {
		t.Errorf("%d findings listed, truncated %q: want some of the 60 and a note that says how many", n, report.Truncated)
	}
	summary := r.read(t, "GITHUB_STEP_SUMMARY")
	if len(summary) > maxSummary || !strings.Contains(summary, "**Truncated:**") || !strings.Contains(summary, "`long` passes the release gate") {
		t.Errorf("summary of %d bytes (limit %d), truncation note %t", len(summary), maxSummary, strings.Contains(summary, "**Truncated:**"))
	}
}
