package gitrepo

import (
	"path/filepath"
	"testing"
)

// TestIndexTracks: the files and folders a real index tracks, a file
// force-added under an ignored folder included, in versions 2 and 4.
func TestIndexTracks(t *testing.T) {
	dir := t.TempDir()
	runGit(t, dir, nil, "init", "-q", "-b", "main")
	writeFile(t, dir, ".gitignore", "vendor/\n")
	for _, p := range []string{"vendor/m/config.json", "vendor/other/x", "p-x", "p.x", "p/q/r", "top"} {
		writeFile(t, dir, p, "x")
	}
	runGit(t, dir, nil, "add", "-A")
	runGit(t, dir, nil, "add", "-f", "vendor/m/config.json")
	for _, version := range []string{"2", "4"} {
		runGit(t, dir, nil, "update-index", "--index-version", version)
		ix, err := ReadIndex(filepath.Join(dir, ".git", "index"))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			path string
			want bool
		}{
			{"vendor", true},
			{"vendor/m", true},
			{"vendor/m/config.json", true},
			{"vendor/other", false}, // ignored and not forced
			{"vendor/m/config", false},
			{"p", true}, // after p-x and p.x in the index
			{"p/q", true},
			{"p/q/r", true},
			{"p-x", true},
			{"top", true},
			{"to", false},
			{"top/x", false},
			{"zzz", false},
		} {
			if got := ix.Tracks(c.path); got != c.want {
				t.Errorf("index v%s: Tracks(%q) = %v, want %v", version, c.path, got, c.want)
			}
		}
	}
}
