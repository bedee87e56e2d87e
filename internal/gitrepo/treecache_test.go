package gitrepo

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
)

// notesRepo commits, with the git CLI, a folder of 5,000 release notes
// and a manifest.
func notesRepo(t testing.TB) *Repo {
	t.Helper()
	dir := t.TempDir()
	runGit(t, dir, nil, "init", "-q", "-b", "main")
	writeFile(t, dir, "manifest.yaml", "model: m-v1.0.0\n")
	for i := range 5000 {
		writeFile(t, dir, fmt.Sprintf("releases/v1.%d.0.md", i), fmt.Sprintf("# 1.%d.0\n", i))
	}
	runGit(t, dir, nil, "add", "-A")
	runGit(t, dir, nil, "commit", "-q", "-m", "notes")
	runGit(t, dir, nil, "gc", "-q")
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestTreeCacheReads: files looked up again and again in one folder, from
// two FSs of the same commit, read what was committed, and a missing one
// stays missing.
func TestTreeCacheReads(t *testing.T) {
	r := notesRepo(t)
	a, b := headFS(t, r), headFS(t, r)
	for round := range 3 {
		for _, fsys := range []fs.FS{a, b} {
			for _, i := range []int{0, 4999, 2500, 17} {
				data, err := fs.ReadFile(fsys, fmt.Sprintf("releases/v1.%d.0.md", i))
				if want := fmt.Sprintf("# 1.%d.0\n", i); err != nil || string(data) != want {
					t.Fatalf("round %d: releases/v1.%d.0.md = %q, %v; want %q", round, i, data, err, want)
				}
			}
			if _, err := fs.ReadFile(fsys, "releases/v9.0.0.md"); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("round %d: a missing note: %v; want fs.ErrNotExist", round, err)
			}
		}
	}
	if n := len(r.trees.m); n != 2 {
		t.Errorf("%d trees decoded; want 2 (the root and releases)", n)
	}
}

// BenchmarkNotesLookup looks up release notes in a folder of 5,000, as the
// gate does for each model at the baseline and at the head: several
// candidate names, most missing, each resolved from the root.
func BenchmarkNotesLookup(b *testing.B) {
	r := notesRepo(b)
	c, err := r.Resolve("HEAD")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		fsys, err := r.FS(c)
		if err != nil {
			b.Fatal(err)
		}
		for _, name := range []string{"m-v1.7.0.md", "v1.7.0.md", "1.7.0.md", "m/v1.7.0.md", "v1.4999.0.md"} {
			_, err := fs.Stat(fsys, "releases/"+name)
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				b.Fatal(err)
			}
			if err == nil != strings.HasPrefix(name, "v1.") {
				b.Fatalf("releases/%s: %v", name, err)
			}
		}
	}
}
