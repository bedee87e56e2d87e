package check

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// TestCapFindingsTable caps synthetic findings at 2 per rule: the first two
// of each rule stay in place, the rest become one remainder finding where
// the first of them was, and findings that already sum up others are kept.
func TestCapFindingsTable(t *testing.T) {
	f := func(rule string, suppressed ...string) Finding {
		x := Finding{Rule: rule, Bump: BumpMinor, Path: rule, Message: "changed: reason of " + rule}
		if len(suppressed) > 0 {
			x.Suppressed = suppressed[0]
		}
		return x
	}
	tensorRest := Finding{Rule: "a", Path: "tensors.(9 more tensors)", omitted: 3}
	tests := []struct {
		name string
		in   []Finding
		want []string // rule path count suppressed, one a finding
	}{
		{"none", []Finding{}, nil},
		{"under the cap", []Finding{f("a"), f("b"), f("a")}, []string{"a a 0 ", "b b 0 ", "a a 0 "}},
		{"one rule over", []Finding{f("a"), f("a"), f("b"), f("a"), f("a"), f("b"), f("a")},
			[]string{"a a 0 ", "a a 0 ", "b b 0 ", "a (3 more) 3 ", "b b 0 "}},
		{"two rules over", []Finding{f("a"), f("b"), f("a"), f("b"), f("b"), f("a"), f("b")},
			[]string{"a a 0 ", "b b 0 ", "a a 0 ", "b b 0 ", "b (2 more) 2 ", "a (1 more) 1 "}},
		{"all left out suppressed", []Finding{f("a"), f("a"), f("a", "why"), f("a", "why")},
			[]string{"a a 0 ", "a a 0 ", "a (2 more) 2 why"}},
		{"some left out counted", []Finding{f("a"), f("a"), f("a", "why"), f("a")},
			[]string{"a a 0 ", "a a 0 ", "a (2 more) 2 "}},
		{"the highest bump that counts", []Finding{f("a"), f("a"), f("a", "why"), {Rule: "a", Bump: BumpMajor, Suppressed: "why"}, {Rule: "a", Bump: BumpPatch}},
			[]string{"a a 0 ", "a a 0 ", "a (3 more) 3 "}},
		{"a tensor remainder is kept", []Finding{f("a"), f("a"), tensorRest, f("a")},
			[]string{"a a 0 ", "a a 0 ", "a tensors.(9 more tensors) 0 ", "a (1 more) 1 "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, x := range capFindings(slices.Clone(tt.in), 2) {
				got = append(got, fmt.Sprintf("%s %s %d %s", x.Rule, x.Path, x.Count, x.Suppressed))
				if x.Omitted() > 0 && tt.name == "the highest bump that counts" && x.Bump != BumpPatch {
					t.Errorf("remainder bump %s, want patch: the minor and major ones are suppressed", x.Bump)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if capFindings(slices.Clone(tt.in), 2) == nil {
				t.Error("capFindings returned nil: the JSON report's findings must be a list")
			}
		})
	}
	out := capFindings([]Finding{f("a"), f("a"), f("a")}, 2)
	if r := out[2]; r.Summary() != "1 more a findings, not listed: a report lists 2 of each rule" || r.Reason() != "reason of a" {
		t.Errorf("remainder summary %q, reason %q", r.Summary(), r.Reason())
	}
}

// TestCapProblems caps problems at 2 per rule; the remainder is an error
// when any problem it stands for is, and the counts include it.
func TestCapProblems(t *testing.T) {
	var in []Problem
	for i := range 5 {
		level := LevelWarning
		if i == 4 {
			level = LevelError
		}
		in = append(in, Problem{Rule: "metric-regressed", Level: level, File: "m.yaml", Line: i + 1, Message: fmt.Sprint("metric ", i), Fix: "say why"})
	}
	in = append(in, Problem{Rule: "config-changed", Level: LevelWarning, Message: "changed"})
	m := &ModelReport{Problems: capProblems(in, 2)}
	var got []string
	for _, p := range m.Problems {
		got = append(got, fmt.Sprintf("%s %s %d %s", p.Rule, p.Level, p.Line, p.Message))
	}
	want := []string{"metric-regressed warning 1 metric 0", "metric-regressed warning 2 metric 1",
		"metric-regressed error 3 3 more metric-regressed problems, not listed: a report lists 2 of each rule", "config-changed warning 0 changed"}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if m.Errors() != 3 || m.Warnings() != 3 {
		t.Errorf("%d errors, %d warnings; want 3 (the remainder counts its 3 problems) and 3", m.Errors(), m.Warnings())
	}
}

// TestEvaluateCapsFindings evaluates a release that changes 250 keys no
// rule knows and 120 hyperparameters: each rule lists 100 findings and one
// remainder, and the verdict is the one of all 370 findings, also when the
// 100 listed findings of a rule are suppressed and only later ones count.
func TestEvaluateCapsFindings(t *testing.T) {
	manifest := func(version string, v int) string {
		var b strings.Builder
		fmt.Fprintf(&b, "model: wide-v%s\narchitecture:\n", version)
		for i := range 100 {
			fmt.Fprintf(&b, "  a_%03d: %d\n", i, v+i)
		}
		for i := range 150 {
			fmt.Fprintf(&b, "  b_%03d: %d\n", i, v+i)
		}
		b.WriteString("hyperparameters:\n")
		for i := range 120 {
			fmt.Fprintf(&b, "  h_%03d: %d\n", i, v+i)
		}
		return b.String()
	}
	base, _ := model(t, manifest("1.0.0", 0))
	head, fsys := model(t, manifest("2.0.0", 1), "releases/v2.0.0.md", "Wider.\n\n## Migration\n\nRun the converter.\n")
	cfg, err := ParseConfig(".modelgate.yaml", []byte(`suppress:
  - rule: arch-unclassified
    path: architecture.a_*
    reason: the a keys are read by nothing
`))
	if err != nil {
		t.Fatal(err)
	}
	all, err := Classify(cfg, base, head)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Evaluate(Input{Config: cfg, Base: base, Head: head, HeadFS: fsys, BaseRef: Ref{Ref: "wide-v1.0.0"}, HeadRef: Ref{Ref: "HEAD"}})
	if err != nil {
		t.Fatal(err)
	}
	classified := 0
	for _, f := range all {
		classified += max(f.Omitted(), 1)
	}
	if len(all) != 202 || classified != 370 || r.FindingCount() != 370 {
		t.Fatalf("%d findings classified for %d changes, %d counted in the report; want 202 for 370, 370", len(all), classified, r.FindingCount())
	}
	listed := map[string]int{}
	var rest []Finding
	for _, f := range r.Findings {
		if f.Omitted() > 0 {
			rest = append(rest, f)
			continue
		}
		listed[f.Rule]++
	}
	if listed[ruleArchUnclassified.ID] != 100 || listed[ruleHyperparameterChanged.ID] != 100 || len(r.Findings) != 202 {
		t.Errorf("listed %v in %d findings; want 100 of each rule and 2 remainders", listed, len(r.Findings))
	}
	var got []string
	for _, f := range rest {
		got = append(got, fmt.Sprintf("%s %s %s:%d count=%d suppressed=%q: %s", f.Bump, f.Rule, f.File, f.Line, f.Count, f.Suppressed, f.Message))
	}
	want := []string{
		`major arch-unclassified manifest.yaml:103 count=150 suppressed="": 150 more arch-unclassified findings, not listed: a report lists 100 of each rule: unclassified key; add a rule to .modelgate.yaml`,
		`none hyperparameter-changed manifest.yaml:354 count=20 suppressed="": 20 more hyperparameter-changed findings, not listed: a report lists 100 of each rule: training setting, recorded in the release notes`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("remainders:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, f := range r.Findings[:100] {
		if f.Rule != ruleArchUnclassified.ID || f.Suppressed == "" {
			t.Fatalf("finding %s %s: want the 100 suppressed a_ keys first", f.Rule, f.Path)
		}
	}
	if r.RequiredBump != BumpMajor || r.RequiredVersion != "2.0.0" || !r.Passed {
		t.Errorf("required %s (%s), passed %t; want major from the b_ keys beyond the cap, 2.0.0, passed: %+v", r.RequiredBump, r.RequiredVersion, r.Passed, r.Problems)
	}
}

// BenchmarkEvaluateManyChangedKeys evaluates a release that changes 10,000
// keys of a config no rule knows: the report lists 101 findings, and the
// allocations show what the classification of all of them costs.
func BenchmarkEvaluateManyChangedKeys(b *testing.B) {
	config := func(v int) string {
		var s strings.Builder
		s.WriteString(`{"hidden_size": 4096`)
		for i := range 10_000 {
			fmt.Fprintf(&s, ",\n  \"extra_key_%05d\": %d", i, v+i)
		}
		s.WriteString("\n}\n")
		return s.String()
	}
	load := func(version string, v int) *Model {
		fsys := fstest.MapFS{
			"manifest.yaml": {Data: []byte("model: big-v" + version + "\narchitecture: config.json\n")},
			"config.json":   {Data: []byte(config(v))},
		}
		m, err := Load(fsys, "manifest.yaml")
		if err != nil {
			b.Fatal(err)
		}
		return m
	}
	base, head := load("1.0.0", 0), load("2.0.0", 1)
	b.ReportAllocs()
	for b.Loop() {
		r, err := Evaluate(Input{Base: base, Head: head, BaseRef: Ref{Ref: "big-v1.0.0"}, HeadRef: Ref{Ref: "HEAD"}})
		if err != nil || len(r.Findings) != 101 || r.FindingCount() != 10_000 {
			b.Fatalf("%v: %d findings listed of %d", err, len(r.Findings), r.FindingCount())
		}
	}
}
