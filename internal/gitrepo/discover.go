package gitrepo

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

// discover finds the repository that holds dir as git does: from dir up,
// the first folder that has a .git entry (a folder, or the file of a linked
// worktree) or that is itself a git folder, as a bare repository is. It
// returns "" when there is none.
func discover(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return ""
	}
	if !fi.IsDir() {
		abs = filepath.Dir(abs)
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		if isGitDir(d) {
			return d
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

var headRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(ref: refs/\S+|[0-9a-f]{40}|[0-9a-f]{64})\s*$`) })

// isGitDir reports whether dir is a git folder, by git's test
// (is_git_directory): an objects and a refs folder, and a HEAD that is a
// symbolic ref into refs/ or a hash.
func isGitDir(dir string) bool {
	for _, sub := range []string{"objects", "refs"} {
		if fi, err := os.Stat(filepath.Join(dir, sub)); err != nil || !fi.IsDir() {
			return false
		}
	}
	f, err := os.Open(filepath.Join(dir, "HEAD"))
	if err != nil {
		return false
	}
	defer f.Close()
	buf := make([]byte, 256)
	n, _ := f.Read(buf)
	return headRE().MatchString(strings.TrimRight(string(buf[:n]), "\n"))
}
