// Package gate runs the release gate on a git repository: it resolves the
// revisions and the baseline with the git adapter and asks the domain
// (package check) for the verdict of every model.
package gate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/modelgate/modelgate/check"
	"github.com/modelgate/modelgate/internal/fsutil"
	"github.com/modelgate/modelgate/internal/gitrepo"
	"github.com/modelgate/modelgate/internal/snapshot"
)

// BaseNone declares a first release.
const BaseNone = "none"

// Options select what the gate reads.
type Options struct {
	Repo    string // a folder inside the repository
	Base    string // "" to find the baseline tag, BaseNone, or a revision
	Head    string // revision; "" means HEAD
	Version string // declared version override: identifier or bare semver
	Config  string // configuration file on disk; "" reads .modelgate.yaml at head
	// Model restricts the gate to the model of that name; Run returns
	// ErrNoSuchModel when no manifest at head declares it.
	Model string
	// Label names the head in the report instead of Head, e.g. "staged changes".
	Label string
	// VersionSource names where Version comes from in messages, e.g.
	// "tag lite-llm-base-v3.0.0"; default "--version <Version>".
	VersionSource string
	// TagsOnly chooses the baseline among the release tags without walking
	// history: the highest stable tag below the declared version. It is for
	// shallow checkouts that fetched just the tags; the report says that
	// ancestry was not checked.
	TagsOnly bool
	// AllTensors reports one finding per tensor instead of one per pattern
	// group (--all-tensors).
	AllTensors bool
	// Source reads the head from the staged content (check.SourceIndex,
	// --staged) or the working tree (check.SourceWorktree, --worktree)
	// instead of the revision Head; "" or check.SourceCommit is Head.
	Source string
	// Release says the caller gates a release (--release, a release tag,
	// the Action's release command); --base none says so too.
	Release bool
	// Parent is the revision the gated content would be committed on (HEAD,
	// for the pre-commit hook): a model whose declared identifier differs
	// there is a release commit, gated as a release; any other model is
	// work in progress. "" leaves the decision to the declared version.
	Parent string
	// NoteUncommitted adds a notice to each model whose files have
	// uncommitted changes in the working tree, naming the flag that
	// includes them.
	NoteUncommitted bool

	// before receives, when not nil, the reports at Parent (see RunCommit).
	before map[string]*check.ModelReport
}

// ErrNoSuchModel reports that Options.Model names no model at head.
var ErrNoSuchModel = errors.New("no such model")

// ErrNoManifest reports that head holds no model manifest.
var ErrNoManifest = errors.New("no model manifest")

// Run gates every model of the repository and returns the report. An error
// means the gate could not run (exit status 2).
func Run(ctx context.Context, opts Options) (*check.Report, error) {
	repo, head, headFS, cfg, manifests, err := openHead(ctx, &opts)
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, m := range manifests {
		dirs = append(dirs, path.Dir(m))
	}
	g := &run{ctx: ctx, opts: opts, repo: repo, head: head, headFS: headFS, cfg: cfg, dirs: dirs, several: len(manifests) > 1,
		load: lfsOptions(repo)}
	if err := g.prepare(); err != nil {
		return nil, err
	}
	report := &check.Report{Models: []*check.ModelReport{}}
	for _, m := range manifests {
		mr, err := g.model(m)
		if err != nil {
			return nil, err
		}
		if mr != nil {
			report.Models = append(report.Models, mr)
		}
	}
	if opts.Model != "" && len(report.Models) == 0 {
		return nil, fmt.Errorf("%w %s at %s", ErrNoSuchModel, opts.Model, opts.Head)
	}
	if id, err := check.ParseIdentifier(opts.Version); err == nil && opts.Model == "" {
		found := false
		for _, m := range report.Models {
			found = found || m.Name == id.Name
		}
		if !found {
			return nil, fmt.Errorf("--version %s names model %s, which no manifest at %s declares", opts.Version, id.Name, g.label())
		}
	}
	report.Passed = !report.Failed()
	return report, nil
}

// Root returns the working tree folder of the repository that holds dir.
func Root(dir string) (string, error) {
	repo, err := gitrepo.Open(dir)
	if err != nil {
		return "", err
	}
	return repo.Root()
}

type run struct {
	ctx     context.Context
	opts    Options
	repo    *gitrepo.Repo
	head    *gitrepo.Commit
	headFS  fs.FS
	cfg     *check.Config
	dirs    []string
	several bool
	load    check.LoadOptions
	// parent reads Options.Parent, the commit parentCommit, or is nil.
	parent       fs.FS
	parentCommit *gitrepo.Commit
	// changes are the working tree's uncommitted changes, for
	// Options.NoteUncommitted.
	changes *snapshot.Changes
}

// lfsOptions points the domain at the repository's local Git LFS object
// store, <common git folder>/lfs/objects, where the objects behind LFS
// pointer files are when they were fetched.
func lfsOptions(repo *gitrepo.Repo) check.LoadOptions {
	common := repo.CommonDir()
	if common == "" {
		return check.LoadOptions{}
	}
	return check.LoadOptions{LFS: os.DirFS(filepath.Join(common, "lfs", "objects"))}
}

func loadConfig(file string, headFS fs.FS) (*check.Config, error) {
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return nil, fmt.Errorf("%s: cannot read the configuration: %w", file, fsutil.UnwrapPath(err))
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, check.MaxFileSize+1))
		if err != nil {
			return nil, fmt.Errorf("%s: cannot read the configuration: %w", file, fsutil.UnwrapPath(err))
		}
		if len(data) > check.MaxFileSize {
			return nil, fmt.Errorf("%s: more than %d bytes; not a configuration file", file, check.MaxFileSize)
		}
		return check.ParseConfig(file, data)
	}
	data, err := fs.ReadFile(headFS, check.DefaultConfigFile)
	if errors.Is(err, fs.ErrNotExist) {
		return check.DefaultConfig(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", check.DefaultConfigFile, fsutil.UnwrapPath(err))
	}
	return check.ParseConfig(check.DefaultConfigFile, data)
}

func findManifests(cfg *check.Config, headFS fs.FS, headRef string) ([]string, error) {
	if len(cfg.Models) > 0 {
		for i, m := range cfg.Models {
			if _, err := fs.Stat(headFS, m); err != nil {
				if !errors.Is(err, fs.ErrNotExist) {
					return nil, fmt.Errorf("%s: %w", m, fsutil.UnwrapPath(err))
				}
				return nil, fmt.Errorf("%s:%d: lists model %s, which does not exist at %s; fix the models list", cfg.File, cfg.ModelLines[i], m, headRef)
			}
		}
		return cfg.Models, nil
	}
	for _, m := range check.DefaultManifests {
		_, err := fs.Stat(headFS, m)
		if err == nil {
			return []string{m}, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w", m, fsutil.UnwrapPath(err))
		}
	}
	return nil, fmt.Errorf("%w at %s: add manifest.yaml at the repository root, or list manifests under models: in %s", ErrNoManifest, headRef, check.DefaultConfigFile)
}

func (g *run) model(manifest string) (*check.ModelReport, error) {
	head, err := check.LoadWith(g.headFS, manifest, g.load)
	if err != nil {
		return nil, err
	}
	if g.opts.Model != "" && head.ID.Name != g.opts.Model {
		return nil, nil
	}
	label := g.label()
	in := check.Input{
		Config:  g.cfg,
		Head:    head,
		HeadRef: check.Ref{Ref: label, Commit: g.head.Hash, Source: g.source()},
		HeadFS:  g.headFS,
		Exclude: g.dirs,

		AllTensors: g.opts.AllTensors,
		Release:    g.opts.Release || g.opts.Base == BaseNone,
	}
	if !in.Release && g.parent != nil {
		in.Release, in.WorkInProgress = g.releaseCommit(head)
	}
	if in.Declared, in.DeclaredSource, err = g.declared(head); err != nil {
		return nil, err
	}
	declared := head.ID.Version
	if in.Declared != nil {
		declared = in.Declared
	}
	if in.TagCommit, err = g.repo.TagCommit(check.Identifier{Name: head.ID.Name, Version: declared}.String()); err != nil {
		return nil, err
	}
	base, ref, notices, err := g.baseline(head)
	if err != nil {
		return nil, err
	}
	in.Notices = append(notices, g.uncommitted(head)...)
	if base != nil {
		baseFS, err := g.repo.FS(base)
		if err != nil {
			return nil, err
		}
		if _, err := fs.Stat(baseFS, manifest); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s does not exist at the baseline %s; pass --base with the revision that has it, or --base none for a first release", manifest, ref)
		}
		bm, err := check.LoadWith(baseFS, manifest, g.load)
		if err != nil {
			return nil, fmt.Errorf("at the baseline %s: %w", ref, err)
		}
		if tagged, err := check.ParseIdentifier(ref); err == nil && tagged.Name == bm.ID.Name && !tagged.Version.Equal(bm.ID.Version) {
			in.Notices = append(in.Notices, fmt.Sprintf("%s at the baseline tag %s declares %s; the tag's version counts", manifest, ref, bm.ID))
			bm.ID.Version = tagged.Version
		}
		in.Base, in.BaseFS = bm, baseFS
		if g.opts.Config == "" {
			old, _ := fs.ReadFile(baseFS, check.DefaultConfigFile)
			cur, _ := fs.ReadFile(g.headFS, check.DefaultConfigFile)
			in.ConfigChanged = string(old) != string(cur)
		}
		in.BaseRef = check.Ref{Ref: ref, Commit: base.Hash}
		// Only the files of this model's folder can be its findings, and
		// those of its Hugging Face folder and pointer files when they lie
		// outside it.
		if in.Changed, err = g.repo.ChangedFilesIn(g.ctx, base, g.head, path.Dir(manifest)); err != nil {
			return nil, err
		}
		if in.Changed, err = g.outsideChanged(in.Changed, base, check.PathsOf(head, bm)[1:]); err != nil {
			return nil, err
		}
		if g.opts.before != nil && in.WorkInProgress {
			g.evaluateBefore(manifest, base, in)
		}
	}
	return check.Evaluate(in)
}

// versionSource names where the declared version came from.
func (g *run) versionSource() string {
	if g.opts.VersionSource != "" {
		return g.opts.VersionSource
	}
	return "--version " + g.opts.Version
}

// label names the head in reports.
func (g *run) label() string {
	if g.opts.Label != "" {
		return g.opts.Label
	}
	return g.opts.Head
}

// declared parses --version for this model; nil means the manifest's.
func (g *run) declared(head *check.Model) (*semver.Version, string, error) {
	v := g.opts.Version
	if v == "" {
		return nil, "", nil
	}
	if id, err := check.ParseIdentifier(v); err == nil {
		if id.Name != head.ID.Name {
			if g.several || g.opts.Model != "" {
				return nil, "", nil
			}
			return nil, "", fmt.Errorf("--version %s names model %s, but %s declares %s", v, id.Name, head.Manifest, head.ID.Name)
		}
		return id.Version, g.versionSource(), nil
	}
	if g.several {
		return nil, "", fmt.Errorf("--version %s is ambiguous with several models; give the identifier, e.g. %s-v%s", v, head.ID.Name, v)
	}
	sv, err := check.ParseVersion(strings.TrimPrefix(v, "v"))
	if err != nil {
		return nil, "", fmt.Errorf("--version: %w", err)
	}
	return sv, g.versionSource(), nil
}

// baseline returns the base commit and how to name it, or nil for a first
// release, with notices that say how it was chosen.
func (g *run) baseline(head *check.Model) (*gitrepo.Commit, string, []string, error) {
	switch g.opts.Base {
	case BaseNone:
		return nil, "", []string{"first release: --base none"}, nil
	case "":
	default:
		c, err := g.repo.Resolve(g.opts.Base)
		if err != nil {
			return nil, "", nil, fmt.Errorf("--base: %w", err)
		}
		return c, g.opts.Base, nil, nil
	}
	tags, err := g.repo.ModelTags(head.ID.Name)
	if err != nil {
		return nil, "", nil, err
	}
	// The tag of the declared version, when a tag or --version names it, is
	// the release being gated, never its own baseline.
	if id, err := check.ParseIdentifier(g.opts.Version); err == nil && id.Name == head.ID.Name {
		kept := tags[:0]
		for _, t := range tags {
			if !t.Version.Equal(id.Version) {
				kept = append(kept, t)
			}
		}
		tags = kept
	}
	if g.opts.TagsOnly {
		return g.tagsOnlyBaseline(head, tags)
	}
	t, err := g.repo.Baseline(tags, g.head)
	if err != nil {
		return nil, "", nil, fmt.Errorf("finding the baseline of %s: %w", head.ID.Name, err)
	}
	if t != nil {
		c, err := g.repo.Peel(t)
		if err != nil {
			return nil, "", nil, err
		}
		return c, t.Name, []string{fmt.Sprintf("baseline %s: the highest release tag of %s reachable from %s", t.Name, head.ID.Name, g.label())}, nil
	}
	if g.repo.Shallow() {
		return nil, "", nil, fmt.Errorf("no release tag of %s in this shallow clone, so a first release cannot be told from a missing baseline; %s (or pass --base none for a first release)", head.ID.Name, gitrepo.ShallowFix)
	}
	for _, t := range tags {
		if t.Version.Prerelease() == "" && t.Commit() != "" && t.Commit() != g.head.Hash {
			return nil, "", nil, fmt.Errorf("%s has release tags (the highest is %s) but none is an ancestor of %s; pass --base with the release to compare with, or --base none for a first release", head.ID.Name, t.Name, g.label())
		}
	}
	if c, ref, err := g.renamedFrom(head); err != nil || c != nil {
		return c, ref, []string{fmt.Sprintf("baseline %s: %s declared another model name there", ref, head.Manifest)}, err
	}
	return nil, "", []string{fmt.Sprintf("first release: no release tag %s-v<version> is reachable from %s", head.ID.Name, g.label())}, nil
}

// tagsOnlyBaseline picks the highest stable release tag below the declared
// version, without walking history.
func (g *run) tagsOnlyBaseline(head *check.Model, tags []*gitrepo.Tag) (*gitrepo.Commit, string, []string, error) {
	declared := head.ID.Version
	if id, err := check.ParseIdentifier(g.opts.Version); err == nil {
		declared = id.Version
	} else if v, err := check.ParseVersion(strings.TrimPrefix(g.opts.Version, "v")); err == nil {
		declared = v
	}
	for _, t := range tags {
		if t.Version.Prerelease() != "" || !t.Version.LessThan(declared) {
			continue
		}
		c, err := g.repo.Peel(t)
		if err != nil {
			return nil, "", nil, err
		}
		if c.Hash == g.head.Hash {
			continue
		}
		return c, t.Name, []string{fmt.Sprintf("baseline %s: the highest release tag below %s, fetched for this shallow checkout; whether it is an ancestor of %s was not checked", t.Name, declared, g.label())}, nil
	}
	return nil, "", []string{fmt.Sprintf("first release: the remote has no release tag of %s below %s", head.ID.Name, declared)}, nil
}

// openHead opens the repository and reads the head revision's
// configuration and manifest list.
func openHead(ctx context.Context, opts *Options) (repo *gitrepo.Repo, head *gitrepo.Commit, headFS fs.FS, cfg *check.Config, manifests []string, err error) {
	if opts.Head == "" {
		opts.Head = "HEAD"
	}
	if repo, err = gitrepo.Open(opts.Repo); err != nil {
		return
	}
	if err = snapshotHead(ctx, opts); err != nil {
		return
	}
	if head, err = repo.Resolve(opts.Head); err != nil {
		err = fmt.Errorf("--head: %w", err)
		return
	}
	if headFS, err = repo.FS(head); err != nil {
		return
	}
	if cfg, err = loadConfig(opts.Config, headFS); err != nil {
		return
	}
	label := opts.Head
	if opts.Label != "" {
		label = opts.Label
	}
	manifests, err = findManifests(cfg, headFS, label)
	return
}

// modelNames returns the names the manifests declare.
func modelNames(headFS fs.FS, manifests []string) ([]string, error) {
	var names []string
	for _, m := range manifests {
		model, err := check.Load(headFS, m)
		if err != nil {
			return nil, err
		}
		names = append(names, model.ID.Name)
	}
	return names, nil
}

// FetchReleaseTags fetches the release tags of every model at opts.Head from
// the remote origin at depth 1, for a shallow checkout. It reports whether
// the repository is shallow; a repository with history fetches nothing.
// The token in cred goes only to origin's server if that is cred.Server.
func FetchReleaseTags(ctx context.Context, opts Options, cred gitrepo.Credentials) (bool, error) {
	repo, _, headFS, _, manifests, err := openHead(ctx, &opts)
	if repo != nil && !repo.Shallow() {
		return false, nil // nothing to fetch; gate.Run reports any other error
	}
	if err != nil {
		return repo != nil, err
	}
	names, err := modelNames(headFS, manifests)
	if err != nil {
		return true, err
	}
	for _, n := range names {
		if err := repo.FetchTags(ctx, "origin", n, cred); err != nil {
			return true, err
		}
	}
	return true, nil
}

// renamedFrom finds the release tag of another model name whose manifest
// lived at this model's manifest path, so a rename is caught rather than
// passed as a first release.
func (g *run) renamedFrom(head *check.Model) (*gitrepo.Commit, string, error) {
	ids, err := g.repo.AllIdentifiers()
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(ids))
	for name := range ids {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t := ids[name]
		if name == head.ID.Name {
			continue
		}
		c, err := g.repo.Peel(t)
		if err != nil {
			continue
		}
		if ok, err := g.repo.Baseline([]*gitrepo.Tag{t}, g.head); err != nil || ok == nil {
			continue
		}
		fsys, err := g.repo.FS(c)
		if err != nil {
			continue
		}
		m, err := check.LoadWith(fsys, head.Manifest, g.load)
		if err == nil && m.ID.Name == name {
			return c, t.Name, nil
		}
	}
	return nil, "", nil
}

// outsideChanged adds to changed the files that differ in paths, the
// folders and files a model reads outside its manifest's folder
// (check.Model.Paths), each once, sorted.
func (g *run) outsideChanged(changed []string, base *gitrepo.Commit, paths []string) ([]string, error) {
	var seen map[string]bool
	added := false
	for _, p := range paths {
		more, err := g.repo.ChangedFilesIn(g.ctx, base, g.head, p)
		if err != nil {
			return nil, err
		}
		if seen == nil {
			seen = make(map[string]bool, len(changed))
			for _, p := range changed {
				seen[p] = true
			}
		}
		for _, p := range more {
			if !seen[p] {
				seen[p] = true
				changed = append(changed, p)
				added = true
			}
		}
	}
	if added {
		sort.Strings(changed)
	}
	return changed, nil
}
