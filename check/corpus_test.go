package check

import (
	"path"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/rogpeppe/go-internal/txtar"
)

// TestCorpus classifies real-world config changes taken from public model
// repositories (testdata/corpus, sources in each file). The required bump must
// equal the expected one; for cases marked ambiguous it may be larger, never
// smaller: the gate may over-ask, it must not under-ask.
func TestCorpus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "corpus", "*.txtar"))
	if err != nil || len(files) < 12 {
		t.Fatalf("want at least 12 corpus cases, found %d (%v)", len(files), err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			meta := map[string]string{}
			for _, l := range strings.Split(string(ar.Comment), "\n") {
				if k, v, ok := strings.Cut(l, ": "); ok {
					meta[k] = v
				}
			}
			want, err := ParseBump(meta["bump"])
			if err != nil {
				t.Fatalf("bump: %v", err)
			}
			models := map[string]*Model{}
			for _, f := range ar.Files {
				side, name, _ := strings.Cut(f.Name, "/")
				fsys := fstest.MapFS{
					"manifest.yaml": {Data: []byte("model: corpus-v1.0.0\narchitecture: " + name + "\n")},
					name:            {Data: f.Data},
				}
				m, err := Load(fsys, "manifest.yaml")
				if err != nil {
					t.Fatalf("%s: %v", f.Name, err)
				}
				models[side] = m
			}
			if models["base"] == nil || models["head"] == nil || path.Ext(ar.Files[0].Name) != path.Ext(ar.Files[1].Name) {
				t.Fatalf("a case needs base/<file> and head/<file>")
			}
			got := BumpNone
			for _, f := range mustClassify(t, models["base"], models["head"]) {
				t.Logf("%-6s %-26s %s", f.Bump, f.Rule, f.Message)
				got = max(got, f.Bump)
			}
			switch {
			case got < want:
				t.Errorf("required bump %s, want %s (under-asks): %s", got, want, meta["why"])
			case got > want && meta["ambiguous"] != "true":
				t.Errorf("required bump %s, want %s (over-asks on a clear case): %s", got, want, meta["why"])
			}
		})
	}
}
