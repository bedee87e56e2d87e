package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadmeWorkflows: every workflow the README shows for copying is a
// file of docs/workflows, which .ci/run checks with actionlint, and the
// README's copy is that file byte for byte.
func TestReadmeWorkflows(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join("docs", "workflows", "*.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no workflows in docs/workflows: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		block := "<!-- " + filepath.ToSlash(f) + " -->\n```yaml\n" + string(data) + "```\n"
		if !strings.Contains(string(readme), block) {
			t.Errorf("README.md does not show %s as it is (a yaml block after <!-- %s -->)", f, filepath.ToSlash(f))
		}
	}
	if n := strings.Count(string(readme), "<!-- docs/workflows/"); n != len(files) {
		t.Errorf("README.md marks %d workflows, docs/workflows has %d", n, len(files))
	}
}
