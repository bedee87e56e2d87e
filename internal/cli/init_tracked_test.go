package cli

import (
	"path"
	"testing"
	"testing/fstest"
)

// TestGitIgnoredTracked: a folder or file git ignores but tracks (git add
// -f) is searched, its untracked siblings still skipped.
func TestGitIgnoredTracked(t *testing.T) {
	files := fstest.MapFS{
		".gitignore":           {Data: []byte("vendor/\n*.onnx\n")},
		"vendor/m/config.json": {},
		"vendor/m/model.onnx":  {},
		"vendor/other/x":       {},
		"src/model.onnx":       {},
	}
	tracked := map[string]bool{"vendor": true, "vendor/m": true, "vendor/m/config.json": true, "vendor/m/model.onnx": true}
	for _, tt := range []struct {
		name    string
		tracked func(string) bool
		enter   map[string]bool
		ignored map[string]bool // file paths, by folder and name below
	}{
		{"index unknown", nil,
			map[string]bool{"vendor": false, "src": true},
			map[string]bool{"src/model.onnx": true}},
		{"tracked under an ignored folder", func(p string) bool { return tracked[p] },
			map[string]bool{"vendor": true, "vendor/m": true, "vendor/other": false, "src": true},
			map[string]bool{"vendor/m/model.onnx": false, "vendor/m/config.json": false, "src/model.onnx": true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := newGitIgnored(files, nil, tt.tracked)
			for _, dir := range []string{"vendor", "vendor/m", "vendor/other", "src"} {
				want, ok := tt.enter[dir]
				if !ok {
					continue
				}
				if got := g.enter(dir); got != want {
					t.Errorf("enter(%q) = %v, want %v", dir, got, want)
				}
			}
			for p, want := range tt.ignored {
				dir, name := path.Dir(p), path.Base(p)
				if got := g.file(dir, name); got != want {
					t.Errorf("file(%q, %q) = %v, want %v", dir, name, got, want)
				}
			}
		})
	}
}
