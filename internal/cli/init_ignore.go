package cli

import (
	"bufio"
	"bytes"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// gitIgnored tells which folders of the working tree git ignores, by the
// rules of the repository's info/exclude and of each .gitignore from the
// root down to the folder: an ignored folder (a virtualenv, downloaded
// checkpoints, build output) is not committed, so the search below the
// root does not enter it, unless git tracks files in it all the same (git
// add -f): those are committed. The user's global excludes file is not
// read.
type gitIgnored struct {
	files   fs.FS
	rules   map[string][]gitignore.Pattern // the patterns in force in a folder entered
	tracked func(p string) bool            // whether the index holds p or files below it; nil: nothing known
}

// newGitIgnored starts with the rules of info/exclude (its content, or nil)
// and the root's .gitignore; tracked (nil when unknown) tells the paths
// the index holds, which no rule ignores.
func newGitIgnored(files fs.FS, exclude []byte, tracked func(string) bool) *gitIgnored {
	g := &gitIgnored{files: files, rules: map[string][]gitignore.Pattern{}, tracked: tracked}
	root := ignorePatterns(exclude, nil)
	if data, err := fs.ReadFile(files, ".gitignore"); err == nil {
		root = append(root, ignorePatterns(data, nil)...)
	}
	g.rules["."] = root
	return g
}

// enter reports whether the search enters the folder dir (below the root,
// its parent entered before): git does not ignore it, or tracks files in
// it; then the folder's own .gitignore joins the rules of its subfolders.
func (g *gitIgnored) enter(dir string) bool {
	parent := g.rules[path.Dir(dir)]
	parts := strings.Split(dir, "/")
	if gitignore.NewMatcher(parent).Match(parts, true) && !g.isTracked(dir) {
		return false
	}
	rules := parent
	if data, err := fs.ReadFile(g.files, path.Join(dir, ".gitignore")); err == nil {
		rules = append(slices.Clip(parent), ignorePatterns(data, parts)...)
	}
	g.rules[dir] = rules
	return true
}

// ignorePatterns parses the lines of a .gitignore file in the folder
// domain (nil at the root), skipping comments and blank lines.
func ignorePatterns(data []byte, domain []string) []gitignore.Pattern {
	var out []gitignore.Pattern
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		out = append(out, gitignore.ParsePattern(line, domain))
	}
	return out
}

// file reports whether git ignores the file name in the folder dir, a
// folder entered, and does not track it.
func (g *gitIgnored) file(dir, name string) bool {
	p := path.Join(dir, name)
	return gitignore.NewMatcher(g.rules[dir]).Match(strings.Split(p, "/"), false) && !g.isTracked(p)
}

// isTracked reports whether the index holds p or files below it.
func (g *gitIgnored) isTracked(p string) bool { return g.tracked != nil && g.tracked(p) }
