package gate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/modelgate/modelgate/check"
	"github.com/modelgate/modelgate/internal/gitrepo"
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

// RunCommit gates content about to be committed on Options.Parent, as Run
// does, and returns as well, for each model the commit keeps at its declared
// identifier (work in progress), the model's report at Parent against the
// same baseline, by model name: what the next release needed before the
// commit. Reading them in one run shares the repository and the baseline
// search.
func RunCommit(ctx context.Context, opts Options) (*check.Report, map[string]*check.ModelReport, error) {
	opts.before = map[string]*check.ModelReport{}
	r, err := Run(ctx, opts)
	return r, opts.before, err
}

// evaluateBefore judges the model at the parent revision against the
// baseline of the content being committed, for RunCommit. A model the
// parent cannot be judged at (its manifest unreadable there) has no report.
func (g *run) evaluateBefore(manifest string, base *gitrepo.Commit, staged check.Input) {
	if g.parent == nil || g.parentCommit == nil {
		return
	}
	m, err := check.LoadWith(g.parent, manifest, g.load)
	if err != nil {
		return
	}
	changed, err := g.repo.ChangedFiles(g.ctx, base, g.parentCommit)
	if err != nil {
		return
	}
	r, err := check.Evaluate(check.Input{Config: g.cfg, Base: staged.Base, BaseFS: staged.BaseFS, BaseRef: staged.BaseRef,
		Head: m, HeadFS: g.parent, HeadRef: check.Ref{Ref: g.opts.Parent, Commit: g.parentCommit.Hash, Source: check.SourceCommit},
		Changed: changed, Exclude: g.dirs, WorkInProgress: true})
	if err == nil {
		g.opts.before[r.Name] = r
	}
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
			g.parentCommit = c
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
// files the model reads (its folder, and its Hugging Face folder and
// pointer files wherever they lie), and which flag includes them.
func (g *run) uncommitted(head *check.Model) []string {
	if g.changes == nil {
		return nil
	}
	manifest, reads := head.Manifest, head.Paths()
	dir, outside := reads[0], reads[1:]
	// The files read as evidence count although the ignores would leave
	// them out: pointer files, the model card README.md of the Hugging Face
	// folder.
	read := map[string]bool{manifest: true, check.DefaultConfigFile: true}
	for _, p := range head.Files {
		read[p] = true
	}
	mine := func(paths []string) []string {
		var out []string
		for _, p := range paths {
			evidence := read[p] || head.HF != nil && p == path.Join(head.HF.Dir, "README.md")
			if (g.ownedBy(p, dir) || underAny(p, outside)) && (evidence || !g.cfg.Ignored(p)) {
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

// underAny reports whether p lies in one of the folders (or is one of the
// files) dirs.
func underAny(p string, dirs []string) bool {
	for _, d := range dirs {
		if under(p, d) {
			return true
		}
	}
	return false
}
