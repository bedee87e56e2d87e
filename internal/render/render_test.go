package render

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/modelgate/modelgate/check"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// fixture loads testdata/<name>.txtar: base/ and head/ hold the two
// revisions of a model, .modelgate.yaml the configuration.
func fixture(t *testing.T, name string) (base, head *check.Model, headFS fstest.MapFS, cfg *check.Config) {
	t.Helper()
	ar, err := txtar.ParseFile(filepath.Join("testdata", name+".txtar"))
	if err != nil {
		t.Fatal(err)
	}
	sides := map[string]fstest.MapFS{"base/": {}, "head/": {}}
	cfg = check.DefaultConfig()
	for _, f := range ar.Files {
		if f.Name == ".modelgate.yaml" {
			if cfg, err = check.ParseConfig(f.Name, f.Data); err != nil {
				t.Fatal(err)
			}
			continue
		}
		for prefix, fsys := range sides {
			if p, ok := strings.CutPrefix(f.Name, prefix); ok {
				fsys[p] = &fstest.MapFile{Data: f.Data}
			}
		}
	}
	if base, err = check.Load(sides["base/"], "manifest.yaml"); err != nil {
		t.Fatal(err)
	}
	if head, err = check.Load(sides["head/"], "manifest.yaml"); err != nil {
		t.Fatal(err)
	}
	return base, head, sides["head/"], cfg
}

// TestRenderGolden renders one failing report in every format and compares
// it with testdata/golden/report.<format>. Run go test ./internal/render
// -update to accept a deliberate change.
func TestRenderGolden(t *testing.T) {
	base, head, fsys, cfg := fixture(t, "report")
	mr, err := check.Evaluate(check.Input{Config: cfg, Base: base, Head: head, HeadFS: fsys, Changed: []string{"src/model.py"},
		BaseRef: check.Ref{Ref: "lite-llm-base-v2.1.3", Commit: "9c1e2f3a4b5c6d7e8f9091a2b3c4d5e6f7a8b9c0"},
		HeadRef: check.Ref{Ref: "HEAD", Commit: "4be0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c"},
		Notices: []string{"baseline lite-llm-base-v2.1.3: the highest release tag of lite-llm-base reachable from HEAD"}})
	if err != nil {
		t.Fatal(err)
	}
	goldenReport(t, mr, "report")
}

// TestRenderEvidenceGolden renders a report whose findings come from the
// evidence fields: a tensor group with its count, an OpenAPI change with
// oasdiff's ID, a metric with its delta and a metric-regressed problem.
func TestRenderEvidenceGolden(t *testing.T) {
	base, head, fsys, cfg := fixture(t, "evidence")
	mr, err := check.Evaluate(check.Input{Config: cfg, Base: base, Head: head, HeadFS: fsys,
		BaseRef: check.Ref{Ref: "moe-v1.0.0", Commit: "9c1e2f3a4b5c6d7e8f9091a2b3c4d5e6f7a8b9c0"},
		HeadRef: check.Ref{Ref: "HEAD", Commit: "4be0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c"}})
	if err != nil {
		t.Fatal(err)
	}
	goldenReport(t, mr, "evidence")
}

// goldenReport renders a one-model report in every format and compares it
// with testdata/golden/<name>.<format>; -update rewrites the files.
func goldenReport(t *testing.T, mr *check.ModelReport, name string) {
	t.Helper()
	r := &check.Report{Models: []*check.ModelReport{mr}}
	r.Passed = !r.Failed()
	for _, format := range Names() {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, r, format); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", name+"."+format)
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/render -update to create it)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s differs from %s (run with -update to accept):\n%s", format, golden, buf.String())
			}
		})
	}
}

// TestRegistry checks that every format --format offers renders, in the
// order the help lists them, and that an unknown one names the choices.
func TestRegistry(t *testing.T) {
	if got, want := Names(), []string{"text", "json", "markdown", "github", "sarif"}; !slices.Equal(got, want) {
		t.Errorf("Names() = %q, want %q", got, want)
	}
	for _, name := range Names() {
		if fn, err := For(name); err != nil || fn == nil {
			t.Errorf("For(%q) = %v, %v", name, fn, err)
		}
	}
	_, err := For("yaml")
	if want := `unknown format "yaml": want text, json, markdown, github, sarif`; err == nil || err.Error() != want {
		t.Errorf("For(yaml) error %v, want %q", err, want)
	}
	var buf bytes.Buffer
	if err := Write(&buf, &check.Report{}, "yaml"); err == nil || buf.Len() > 0 {
		t.Errorf("Write(yaml) = %v and %q: want an error and nothing written", err, buf.String())
	}
}

// TestAnnotationsCap writes at most Max annotations of each level and
// counts the rest.
func TestAnnotationsCap(t *testing.T) {
	m := &check.ModelReport{Name: "m"}
	for range 3 {
		m.Problems = append(m.Problems, check.Problem{Rule: "r", Level: check.LevelError, File: "manifest.yaml", Line: 1, Message: "bad"})
		m.Findings = append(m.Findings, check.Finding{Rule: "f", Bump: check.BumpMinor, File: "manifest.yaml", Line: 2, Message: "changed"})
	}
	var b strings.Builder
	a := Annotations{W: &b, Max: 2}
	a.Model(m)
	if errs, notices := strings.Count(b.String(), "::error "), strings.Count(b.String(), "::notice "); errs != 2 || notices != 2 || a.Skipped != 2 {
		t.Errorf("%d errors, %d notices, %d skipped; want 2, 2, 2:\n%s", errs, notices, a.Skipped, b.String())
	}
}

// TestAnnotationEscapes escapes what would end a workflow command early or
// start another, and shows control characters, terminal escapes and
// bidirectional controls as escapes.
func TestAnnotationEscapes(t *testing.T) {
	tests := []struct{ file, title, msg, want string }{
		{"a,b:c.yaml", "modelgate x", "50%\r\n::error::injected",
			"::warning file=a%2Cb%3Ac.yaml,line=3,title=modelgate x::50%25\\r%0A\\::error::injected\n"},
		{"x\ry\u202e.yaml", "modelgate \x1b[2K", "lone\rreturn ##[error]x \u2066\n\tfix: it",
			"::warning file=x\\ry\\u202e.yaml,line=3,title=modelgate \\x1b[2K::lone\\rreturn #\\u0023[error]x \\u2066%0A\\tfix: it\n"},
	}
	for _, tt := range tests {
		if got := Annotation("warning", tt.file, 3, tt.title, tt.msg); got != tt.want {
			t.Errorf("Annotation(%q, %q, %q) = %q, want %q", tt.file, tt.title, tt.msg, got, tt.want)
		}
	}
}
