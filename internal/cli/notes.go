package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sync"
	"time"

	"github.com/modelgate/modelgate/changelog"
	"github.com/modelgate/modelgate/check"
	"github.com/modelgate/modelgate/internal/abbrev"
	"github.com/modelgate/modelgate/internal/gate"
	"github.com/modelgate/modelgate/internal/inert"
	"github.com/modelgate/modelgate/internal/safewrite"
)

var notesUsage = `usage: modelgate notes [flags]

Draft the release notes of the declared release from the diff against the
baseline: the identifier, the commit range, why the release is MAJOR, MINOR or
PATCH (the findings that force the bump), the changes grouped as breaking,
added, behaviour and fixed, the hyperparameter changes (recorded, no version
change), and for a major release a Migration section with a placeholder that
the gate rejects until a person writes the steps.

Prints the draft; --write puts it where the gate looks first, --changelog turns
the Unreleased section of CHANGELOG.md into the release's section. With
--staged, the release being prepared in the index is drafted: bump the version,
git add the manifest, then draft and git add the notes before committing.

Notes are drafted only for a version that can be released: a declared version
that keeps the baseline's although the changes need a bump, or is smaller than
they require, is refused with the version to declare (or draft for it with
--version); the record and the release body state the versions as they are. --write and --changelog never write the notes of a version that has
a release tag already, --force included.

flags:
  --repo DIR       the repository (default .); linked worktrees work
  --base REF|none  the baseline: a tag, branch or commit; none for a first release
                   (default: the highest stable <name>-v<semver> tag reachable from --head)
  --head REF       the revision to draft from (default HEAD)
` + sourceFlagsHelp + `  --version V      draft for this version, as an identifier (lite-llm-base-v3.0.0) or
                   bare semver (3.0.0), before the manifest declares it
  --config FILE    configuration file (default: .modelgate.yaml at --head, if present)
  --write          write the draft to releases/v<V>.md next to the manifest (or the
                   manifest's release_notes path); never overwrites without --force
  --force          overwrite an existing notes file (never a released version's)
  --changelog      update CHANGELOG.md (Keep a Changelog) instead of writing a file
  --date D         the release date for --changelog, YYYY-MM-DD (default today, UTC)
  --format F       markdown (the draft, default), json (the version record), or
                   release (the GitHub release body)

examples:
  modelgate notes
  git add manifest.yaml && modelgate notes --write --staged && git add releases
  modelgate notes --version 3.0.0
  modelgate notes --changelog --date 2026-11-22
  modelgate notes --format json > record.json
`

var dateRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`) })

func runNotes(ctx context.Context, e *env, args []string) int {
	var g gateFlags
	fs := newFlagSet("notes")
	g.registerRevisions(fs)
	format := fs.String("format", "markdown", "")
	write := fs.Bool("write", false, "")
	force := fs.Bool("force", false, "")
	log := fs.Bool("changelog", false, "")
	date := fs.String("date", time.Now().UTC().Format("2006-01-02"), "")
	g.registerSource(fs)
	if code := parse(fs, notesUsage, args, e); code >= 0 {
		return code
	}
	if !g.source(e, fs) {
		return ExitError
	}
	switch {
	case *format != "markdown" && *format != "json" && *format != "release":
		fmt.Fprintf(e.stderr, "modelgate: unknown --format %q: want markdown, json or release\n", *format)
		return ExitError
	case *write && *log:
		fmt.Fprintln(e.stderr, "modelgate: --write and --changelog exclude each other; pick where the notes go")
		return ExitError
	case (*write || *log) && *format != "markdown":
		fmt.Fprintln(e.stderr, "modelgate: --write and --changelog write markdown; drop --format")
		return ExitError
	case !dateRE().MatchString(*date):
		fmt.Fprintf(e.stderr, "modelgate: --date %q: want YYYY-MM-DD\n", *date)
		return ExitError
	}
	if _, err := time.Parse("2006-01-02", *date); err != nil {
		fmt.Fprintf(e.stderr, "modelgate: --date %q is not a date\n", *date)
		return ExitError
	}
	r, err := gate.Run(ctx, g.opts)
	if err != nil {
		return e.fail(err)
	}
	all := r.Models
	var releases []*check.ModelReport
	for _, m := range all {
		if m.Unchanged() {
			fmt.Fprintf(e.stderr, "modelgate: %s is unchanged since %s: no release, no notes\n", m.Name, inert.String(m.Base.Ref))
			continue
		}
		releases = append(releases, m)
	}
	r = &check.Report{Passed: r.Passed, Models: releases}
	// Refuse before printing or writing anything: a draft never says the
	// release is wrong, and the notes of a released version are history.
	for _, m := range r.Models {
		if why := m.Unreleasable(); why != "" && *format == "markdown" {
			return e.fail(fmt.Errorf("no notes drafted: %s", why))
		}
		if (*write || *log) && m.TagCommit != "" {
			return e.fail(fmt.Errorf("nothing written: %s-v%s is released already (tag at %s), and its notes are part of that release; declare the next version for new notes",
				m.Name, m.DeclaredVersion, abbrev.Commit(m.TagCommit)))
		}
	}
	switch {
	case *format == "json":
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		for _, m := range r.Models {
			if err := enc.Encode(changelog.NewRecord(m, version())); err != nil {
				return e.fail(err)
			}
		}
	case *format == "release":
		for _, m := range r.Models {
			fmt.Fprint(e.stdout, changelog.Body(m))
		}
	case *write:
		return writeNotes(e, g.opts.Repo, r, *force)
	case *log:
		return writeChangelog(e, g.opts.Repo, all, r, *date)
	default:
		for i, m := range r.Models {
			if i > 0 {
				fmt.Fprintln(e.stdout)
			}
			fmt.Fprint(e.stdout, changelog.Draft(m))
		}
	}
	return ExitPass
}

// writeNotes writes each model's draft where the gate looks first. It checks
// every target before writing any, so a refusal leaves nothing half-done.
func writeNotes(e *env, repo string, r *check.Report, force bool) int {
	tree, err := openTree(repo)
	if err != nil {
		return e.fail(err)
	}
	defer tree.Close()
	targets := make([]*safewrite.Target, len(r.Models))
	for i, m := range r.Models {
		if targets[i], err = tree.Resolve(m.NotesTarget); err != nil {
			return e.fail(fmt.Errorf("%s: %w", m.NotesTarget, err))
		}
		if targets[i].Exists && !force {
			return e.fail(fmt.Errorf("%s exists; edit it, or pass --force to overwrite it with a new draft", m.NotesTarget))
		}
	}
	for i, m := range r.Models {
		if err := tree.WriteFile(targets[i], []byte(changelog.Draft(m))); err != nil {
			return e.fail(fmt.Errorf("%s: %w", m.NotesTarget, err))
		}
		fmt.Fprintf(e.stdout, "wrote %s\n", inert.String(m.NotesTarget))
		if m.Head.Source == check.SourceIndex {
			fmt.Fprintf(e.stdout, "  stage it with the release: git add %s\n", inert.String(m.NotesTarget))
		}
		if m.RequiredBump == check.BumpMajor || m.DeclaredBump() == check.BumpMajor {
			fmt.Fprintf(e.stdout, "  a major release: write the migration steps in place of the %s marker before tagging\n", check.PlaceholderMarker)
		}
	}
	return ExitPass
}

// openTree opens the working tree of the repository that holds dir for
// writing: every write stays inside it, checked on disk.
func openTree(dir string) (*safewrite.Tree, error) {
	root, err := gate.Root(dir)
	if err != nil {
		return nil, err
	}
	return safewrite.Open(root)
}

// writeChangelog updates the CHANGELOG.md of each released model's folder,
// or the one at the root when the folder has none. A file that holds the
// history of several of the repository's models (all) names the model in
// its headings and links. Every file is resolved, read and updated before
// any is written.
func writeChangelog(e *env, repo string, all []*check.ModelReport, r *check.Report, date string) int {
	tree, err := openTree(repo)
	if err != nil {
		return e.fail(err)
	}
	defer tree.Close()
	targets := map[string]*safewrite.Target{}
	resolve := func(p string) (*safewrite.Target, error) {
		if tg, ok := targets[p]; ok {
			return tg, nil
		}
		tg, err := tree.Resolve(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		targets[p] = tg
		return tg, nil
	}
	changelogOf := func(m *check.ModelReport) (string, error) {
		p := path.Join(m.HeadModel.Dir(), "CHANGELOG.md")
		tg, err := resolve(p)
		if err != nil || tg.Exists || p == "CHANGELOG.md" {
			return p, err
		}
		if root, err := resolve("CHANGELOG.md"); err != nil || root.Exists {
			return "CHANGELOG.md", err
		}
		return p, nil
	}
	models := map[string]int{} // changelog path -> models that keep their history there
	for _, m := range all {
		p, err := changelogOf(m)
		if err != nil {
			return e.fail(err)
		}
		models[p]++
	}
	updated := map[string]string{} // repository path -> new content
	var order []string
	for _, m := range r.Models {
		p, err := changelogOf(m)
		if err != nil {
			return e.fail(err)
		}
		text, ok := updated[p]
		if !ok {
			data, err := tree.ReadFile(p, check.MaxFileSize)
			switch {
			case errors.Is(err, fs.ErrNotExist):
				text = changelogHeader
			case err != nil:
				return e.fail(fmt.Errorf("%s: %w", p, err))
			default:
				text = string(data)
			}
			order = append(order, p)
		}
		// The gate reads only model-named sections from the root changelog of a
		// model in a subfolder; name them whenever the file is shared.
		shared := models[p] > 1 || p == "CHANGELOG.md" && m.HeadModel.Dir() != "."
		out, err := changelog.UpdateChangelog(text, m, changelog.ChangelogOptions{Date: date, Shared: shared})
		if err != nil {
			return e.fail(fmt.Errorf("%s: %w", p, err))
		}
		updated[p] = out
	}
	for _, p := range order {
		if err := tree.WriteFile(targets[p], []byte(updated[p])); err != nil {
			return e.fail(fmt.Errorf("%s: %w", p, err))
		}
		fmt.Fprintf(e.stdout, "updated %s\n", inert.String(p))
	}
	return ExitPass
}

const changelogHeader = `# Changelog

All notable changes to this model are documented in this file.
The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),
and versions follow SPEC-040 semantic versioning, checked by modelgate.

## [Unreleased]
`
