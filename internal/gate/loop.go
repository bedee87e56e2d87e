package gate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/modelgate/modelgate/check"
	"github.com/modelgate/modelgate/internal/snapshot"
)

// snapshotHead records the staged content or the working tree as a commit
// when Options.Source asks for it, and points Head at it.
func snapshotHead(ctx context.Context, opts *Options) error {
	var (
		commit string
		err    error
		label  string
	)
	if opts.Source == "" || opts.Source == check.SourceCommit {
		return nil
	}
	if opts.Head != "" && opts.Head != "HEAD" {
		return fmt.Errorf("--head %s and --%s exclude each other: the %s is judged on top of HEAD", opts.Head, flagOf(opts.Source), opts.Source)
	}
	switch opts.Source {
	case check.SourceIndex:
		commit, err = snapshot.Index(ctx, opts.Repo)
		label = "staged changes"
	case check.SourceWorktree:
		commit, err = snapshot.Worktree(ctx, opts.Repo)
		label = "working tree"
	default:
		return fmt.Errorf("unknown head source %q", opts.Source)
	}
	if err != nil {
		return err
	}
	opts.Head = commit
	if opts.Label == "" {
		opts.Label = label
	}
	return nil
}

// flagOf returns the flag that selects a head source.
func flagOf(source string) string {
	if source == check.SourceIndex {
		return "staged"
	}
	return source
}

// source names what the head was read from, for head.source.
func (g *run) source() string {
	if g.opts.Source == "" {
		return check.SourceCommit
	}
	return g.opts.Source
}

// prepare reads what the options need besides the head: the parent
// revision of a commit being made, the working tree's changes.
func (g *run) prepare() error {
	if g.opts.Parent != "" {
		c, err := g.repo.Resolve(g.opts.Parent)
		if err == nil {
			if g.parent, err = g.repo.FS(c); err != nil {
				return err
			}
		}
		// No parent (the first commit of a repository): every model is new.
	}
	if g.opts.NoteUncommitted && g.source() == check.SourceCommit && g.opts.Head == "HEAD" {
		c, err := snapshot.Uncommitted(g.ctx, g.opts.Repo)
		if err == nil {
			g.changes = &c
		}
	}
	return nil
}

// releaseCommit decides, for a commit on Options.Parent, whether it is a
// release commit of the model: one that changes the declared identifier.
// A model the parent does not hold yet is work in progress too: its first
// release is gated when it is tagged.
func (g *run) releaseCommit(head *check.Model) (release, wip bool) {
	data, err := fs.ReadFile(g.parent, head.Manifest)
	if errors.Is(err, fs.ErrNotExist) {
		return false, true
	}
	if err != nil {
		return false, false // unreadable: let the declared version decide
	}
	root, err := check.Parse(head.Manifest, data)
	if err != nil {
		return false, false
	}
	n := root.Get("model")
	if n == nil || n.Kind != check.KindString || n.Str != head.ID.String() {
		return true, false
	}
	return false, true
}

// uncommitted says when the working tree holds uncommitted changes to the
// files of the model whose manifest is given, and which flag includes them.
func (g *run) uncommitted(manifest string) []string {
	if g.changes == nil {
		return nil
	}
	dir := path.Dir(manifest)
	mine := func(paths []string) []string {
		var out []string
		for _, p := range paths {
			if g.ownedBy(p, dir) && (p == manifest || p == check.DefaultConfigFile || !g.cfg.Ignored(p)) {
				out = append(out, p)
			}
		}
		return out
	}
	staged, unstaged := mine(g.changes.Staged), mine(g.changes.Unstaged)
	if len(staged) == 0 && len(unstaged) == 0 {
		return nil
	}
	seen := map[string]bool{}
	var files []string
	for _, p := range append(staged, unstaged...) {
		if !seen[p] {
			seen[p] = true
			files = append(files, p)
		}
	}
	list := strings.Join(files, ", ")
	if len(files) > 3 {
		list = fmt.Sprintf("%s and %d more", strings.Join(files[:3], ", "), len(files)-3)
	}
	var flag string
	switch {
	case len(unstaged) == 0:
		flag = "--staged includes them"
	case len(staged) == 0:
		flag = "--worktree includes them"
	default:
		flag = "--staged includes the staged ones, --worktree all of them"
	}
	return []string{fmt.Sprintf("the working tree has uncommitted changes to files of the model (%s), which this report does not judge: it reads HEAD; %s", list, flag)}
}

// ownedBy reports whether a repository path belongs to the model in dir,
// rather than to another model in a folder below it.
func (g *run) ownedBy(p, dir string) bool {
	if !under(p, dir) {
		return false
	}
	for _, d := range g.dirs {
		if d != dir && under(p, d) && (dir == "." || under(d, dir)) {
			return false
		}
	}
	return true
}

func under(p, dir string) bool {
	return dir == "." || p == dir || strings.HasPrefix(p, dir+"/")
}
