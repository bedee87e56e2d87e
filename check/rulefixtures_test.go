package check

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/Masterminds/semver/v3"

	"github.com/modelgate/modelgate/internal/modelfile"
	"github.com/rogpeppe/go-internal/txtar"
)

// ruleFixtures is where each rule's fixture lives: <rule-id>.txtar holds a
// previous revision (base/), a current one (head/), optionally a
// .modelgate.yaml, an input section and the expected report (want). A
// .gguf or .onnx file may be written as a modelfile spec ("gguf", "onnx"
// first): the revision holds the file it describes.
const ruleFixtures = "../testdata/rules"

var updateRules = flag.Bool("update", false, "rewrite the want sections of testdata/rules")

// TestRuleFixtures runs every fixture of testdata/rules: the two revisions
// are loaded and judged as the gate judges them, and the findings, problems
// and verdict must be those of the want section, which must name the
// fixture's rule. go test ./check -run TestRuleFixtures -update rewrites the
// want sections; review the diff.
func TestRuleFixtures(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(ruleFixtures, "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures in %s: %v", ruleFixtures, err)
	}
	for _, file := range files {
		id := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(id, func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got := runRuleFixture(t, ar)
			if !strings.Contains(got, " "+id+" ") {
				t.Errorf("%s: the report does not name rule %s:\n%s", file, id, got)
			}
			want := fixtureSection(ar, "want")
			if *updateRules {
				setFixtureSection(ar, "want", got)
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got != want {
				t.Errorf("%s: report\n%s\nwant\n%s(go test ./check -run TestRuleFixtures -update rewrites it)", file, got, want)
			}
		})
	}
}

// TestEveryRuleHasAFixture fails when a rule of the catalogue has no
// fixture in testdata/rules, or a fixture names no rule.
func TestEveryRuleHasAFixture(t *testing.T) {
	have := map[string]bool{}
	files, _ := filepath.Glob(filepath.Join(ruleFixtures, "*.txtar"))
	for _, f := range files {
		id := strings.TrimSuffix(filepath.Base(f), ".txtar")
		have[id] = true
		if LookupRule(id) == nil {
			t.Errorf("%s: no rule %q in the catalogue; name the fixture after its rule", f, id)
		}
	}
	for _, r := range Rules {
		if !have[r.ID] {
			t.Errorf("rule %s has no fixture: add %s/%s.txtar with a previous (base/) and current (head/) revision and the expected report", r.ID, ruleFixtures, r.ID)
		}
	}
}

// runRuleFixture judges a fixture and renders what the gate found, one
// line each:
//
//	finding <bump> <rule> <path>
//	problem <level> <rule> <file>:<line>
//	required <bump> passed <bool>
func runRuleFixture(t *testing.T, ar *txtar.Archive) string {
	t.Helper()
	base, head := fstest.MapFS{}, fstest.MapFS{}
	var cfg *Config
	in := Input{BaseRef: Ref{Ref: "base", Commit: strings.Repeat("b", 40)}, HeadRef: Ref{Ref: "HEAD", Commit: strings.Repeat("c", 40)}}
	for _, f := range ar.Files {
		if ext := filepath.Ext(f.Name); (ext == ".gguf" || ext == ".onnx") && modelfile.IsSpec(f.Data) {
			// A model file written as a spec (internal/modelfile): the
			// fixture holds its text, the revision its real bytes.
			data, err := modelfile.Build(string(f.Data))
			if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			f.Data = data
		}
		switch {
		case f.Name == ".modelgate.yaml":
			var err error
			if cfg, err = ParseConfig(f.Name, f.Data); err != nil {
				t.Fatal(err)
			}
		case strings.HasPrefix(f.Name, "base/"):
			base[strings.TrimPrefix(f.Name, "base/")] = &fstest.MapFile{Data: f.Data}
		case strings.HasPrefix(f.Name, "head/"):
			head[strings.TrimPrefix(f.Name, "head/")] = &fstest.MapFile{Data: f.Data}
		}
	}
	for _, line := range strings.Split(fixtureSection(ar, "input"), "\n") {
		k, v, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch k {
		case "":
		case "declared":
			in.Declared, in.DeclaredSource = semver.MustParse(v), "--version"
		case "tag-commit":
			in.TagCommit = v
		case "config-changed":
			in.ConfigChanged = true
		default:
			t.Fatalf("input: unknown line %q; known are declared <semver>, tag-commit <commit>, config-changed", line)
		}
	}
	// The changed files are those whose content differs.
	for p, f := range head {
		if b, ok := base[p]; !ok || !bytes.Equal(b.Data, f.Data) {
			in.Changed = append(in.Changed, p)
		}
	}
	for p := range base {
		if _, ok := head[p]; !ok {
			in.Changed = append(in.Changed, p)
		}
	}
	var err error
	if in.Base, err = Load(base, "manifest.yaml"); err != nil {
		t.Fatal(err)
	}
	if in.Head, err = Load(head, "manifest.yaml"); err != nil {
		t.Fatal(err)
	}
	in.Config, in.HeadFS, in.BaseFS = cfg, head, base
	r, err := Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "finding %s %s %s\n", f.Bump, f.Rule, f.Path)
	}
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "problem %s %s %s:%d\n", p.Level, p.Rule, p.File, p.Line)
	}
	fmt.Fprintf(&b, "required %s passed %v\n", r.RequiredBump, r.Passed)
	return b.String()
}

func fixtureSection(ar *txtar.Archive, name string) string {
	for _, f := range ar.Files {
		if f.Name == name {
			return string(f.Data)
		}
	}
	return ""
}

func setFixtureSection(ar *txtar.Archive, name, text string) {
	for i, f := range ar.Files {
		if f.Name == name {
			ar.Files[i].Data = []byte(text)
			return
		}
	}
	ar.Files = append(ar.Files, txtar.File{Name: name, Data: []byte(text)})
}
