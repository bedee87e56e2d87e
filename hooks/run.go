package hooks

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/modelgate/modelgate/check"
	"github.com/modelgate/modelgate/internal/abbrev"
	"github.com/modelgate/modelgate/internal/excerpt"
	"github.com/modelgate/modelgate/internal/exitcode"
	"github.com/modelgate/modelgate/internal/gate"
	"github.com/modelgate/modelgate/internal/inert"
	"github.com/modelgate/modelgate/internal/render"
)

// Env is what a hook handler reads and writes.
type Env struct {
	Repo           string // the repository folder (git runs hooks at its top)
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

func (e *Env) fail(err error) int {
	fmt.Fprintf(e.Stderr, "modelgate: %s\n", inert.String(strings.ReplaceAll(err.Error(), "\n", " ")))
	return exitcode.Error
}

// report prints a gate report and, when it fails, how to get past it.
func (e *Env) report(r *check.Report, what, bypass string) int {
	if err := render.Text(e.Stdout, r); err != nil {
		return e.fail(err)
	}
	if !r.Passed {
		fmt.Fprintf(e.Stderr, "modelgate: %s refused by the release gate: fix the problems above, or bypass once with %s (CI runs the same gate).\n", inert.String(what), bypass)
		return exitcode.Fail
	}
	return exitcode.Pass
}

// PreCommit gates the content being committed: the index git is committing,
// which is GIT_INDEX_FILE during "git commit -a" and "git commit <paths>".
// The git CLI honours that variable, so modelgate asks git: it writes the
// index as a tree and wraps it in an unreferenced commit whose parent is
// HEAD, then gates that commit. A commit that touches no file of a model
// returns at once.
//
// Under policy release (the default) a commit that keeps a model's declared
// identifier is work in progress: it passes silently, except for one line
// when it raises the bump the next release needs. A commit that changes the
// declared identifier is a release commit and gets the full gate, as does
// every commit under policy every-change.
func PreCommit(ctx context.Context, e *Env) int {
	ctx, staged, err := stagedPaths(ctx, e)
	if err != nil {
		return e.fail(err)
	}
	relevant, err := touchesModel(ctx, e.Repo, staged)
	if err != nil {
		return e.fail(err)
	}
	if !relevant {
		return exitcode.Pass
	}
	r, before, err := gate.RunCommit(ctx, gate.Options{Repo: e.Repo, Source: check.SourceIndex, Parent: "HEAD"})
	if errors.Is(err, gate.ErrNoManifest) {
		fmt.Fprintln(e.Stdout, "modelgate: the staged content holds no model manifest; nothing to gate")
		return exitcode.Pass
	}
	if err != nil {
		return e.fail(err)
	}
	if !wip(r) {
		return e.report(r, "commit", "git commit --no-verify")
	}
	e.escalations(r, before)
	return exitcode.Pass
}

// escalations prints one line for each model whose pending bump the commit
// raises to minor or major: the bump its next release needs at the staged
// content is larger than at HEAD (before), against the same baseline. A
// patch, which any changed file of a model needs, is not news.
func (e *Env) escalations(staged *check.Report, before map[string]*check.ModelReport) {
	for _, m := range staged.Models {
		p := before[m.Name]
		if p == nil || m.RequiredBump <= p.RequiredBump || m.RequiredBump < check.BumpMinor {
			continue
		}
		fmt.Fprintf(e.Stdout, "this commit raises the next release of %s from %s to %s: %s\n", m.Name, p.RequiredBump, m.RequiredBump, raisedBy(m, p))
	}
}

// raisedBy names the paths of the findings that require the model's new
// bump and were not at that bump before.
func raisedBy(m, prev *check.ModelReport) string {
	had := map[string]bool{}
	for _, f := range prev.Findings {
		if f.Bump == m.RequiredBump {
			had[f.Path] = true
		}
	}
	var paths []string
	for _, f := range m.Findings {
		if f.Bump == m.RequiredBump && f.Suppressed == "" && !had[f.Path] && !slices.Contains(paths, f.Path) {
			paths = append(paths, f.Path)
		}
	}
	for i, p := range paths {
		paths[i] = plain(p)
	}
	if len(paths) > 3 {
		return fmt.Sprintf("%s and %d more", strings.Join(paths[:3], ", "), len(paths)-3)
	}
	return strings.Join(paths, ", ")
}

// plain makes a path from the repository inert on a terminal: at most a
// short excerpt, control characters and bidirectional overrides shown as
// U+FFFD, never interpreted.
func plain(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 {
			return unicode.ReplacementChar
		}
		return r
	}, excerpt.Of(s))
}

// touchesModel reports whether a staged path can change a model: the
// configuration, a path inside a model's folder that the configuration
// does not ignore, a file a manifest's pointer field names wherever it lies,
// or a file of a model's Hugging Face folder (its model
// card README.md included, which the default ignores would leave out; the
// folder may lie outside the manifest's). The configuration and the
// manifests are read from the index, the content being committed.
func touchesModel(ctx context.Context, repo string, staged []string) (bool, error) {
	if len(staged) == 0 {
		return false, nil
	}
	// One git process reads the configuration and the default manifests
	// from the index; the manifests are looked at only when no staged path
	// is found to touch a model otherwise.
	staging := stagedBlobs(ctx, repo, append([]string{check.DefaultConfigFile}, check.DefaultManifests...))
	cfg := check.DefaultConfig()
	if data, ok := staging[check.DefaultConfigFile]; ok {
		var err error
		if cfg, err = check.ParseConfig(check.DefaultConfigFile, data); err != nil {
			return false, err
		}
	}
	dirs := []string{"."}
	if len(cfg.Models) > 0 {
		dirs = dirs[:0]
		for _, m := range cfg.Models {
			dirs = append(dirs, path.Dir(m))
		}
	}
	for _, p := range staged {
		if p == check.DefaultConfigFile {
			return true, nil
		}
		if cfg.Ignored(p) && !slices.Contains(check.DefaultManifests, p) {
			continue
		}
		for _, d := range dirs {
			if d == "." || p == d || strings.HasPrefix(p, d+"/") {
				return true, nil
			}
		}
	}
	manifests := check.DefaultManifests
	if len(cfg.Models) > 0 {
		manifests = cfg.Models
		staging = stagedBlobs(ctx, repo, manifests)
	}
	for _, d := range hfFolders(manifests, staging) {
		for _, p := range staged {
			if path.Dir(p) == d {
				return true, nil
			}
		}
	}
	// The files the manifests point to, wherever they lie (tensors:
	// ../../weights/model.safetensors).
	for _, m := range manifests {
		data, ok := staging[m]
		if !ok {
			continue
		}
		root, err := check.Parse(m, data)
		if err != nil {
			continue
		}
		for _, f := range check.PointerFiles(m, root) {
			for _, p := range staged {
				if p == f || strings.HasPrefix(p, f+"/") {
					return true, nil
				}
			}
		}
	}
	return false, nil
}

// hfFolders returns the Hugging Face folders the manifests name (their
// huggingface field), relative to the repository, from the manifests'
// staged content. A manifest that is not staged or does not parse names
// none here: the gate itself says what is wrong with it.
func hfFolders(manifests []string, staged map[string][]byte) []string {
	var dirs []string
	for _, m := range manifests {
		data, ok := staged[m]
		if !ok {
			continue
		}
		root, err := check.Parse(m, data)
		if err != nil {
			continue
		}
		v := root.Get("huggingface")
		if v == nil || v.Kind != check.KindString {
			continue
		}
		d := path.Join(path.Dir(m), v.Str)
		if d == ".." || strings.HasPrefix(d, "../") || path.IsAbs(v.Str) {
			continue
		}
		dirs = append(dirs, d)
	}
	return dirs
}

// stagedBlobs reads the staged content of the named files with one git
// process (git cat-file --batch). A file that is not staged, or every file
// when git cannot run, is absent from the map.
func stagedBlobs(ctx context.Context, repo string, names []string) map[string][]byte {
	if blobs, ok := indexBlobs(ctx, names); ok {
		return blobs // read from the index stagedPaths read, without git
	}
	var in strings.Builder
	var asked []string
	for _, n := range names {
		if !strings.ContainsAny(n, "\n\r") {
			asked = append(asked, n)
			in.WriteString(":" + n + "\n")
		}
	}
	cmd := exec.CommandContext(ctx, "git", "cat-file", "--batch")
	cmd.Dir = repo
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.Output()
	blobs := map[string][]byte{}
	if err != nil {
		return blobs
	}
	for _, n := range asked {
		// Each answer is "<oid> blob <size>\n<content>\n", or
		// "<name> missing\n" (and "ambiguous" for the like).
		header, rest, ok := bytes.Cut(out, []byte("\n"))
		if !ok {
			break
		}
		out = rest
		f := strings.Fields(string(header))
		if len(f) != 3 || f[1] != "blob" {
			continue
		}
		size, err := strconv.Atoi(f[2])
		if err != nil || size < 0 || size+1 > len(rest) {
			break
		}
		blobs[n] = rest[:size]
		out = rest[size+1:]
	}
	return blobs
}

var zeroOID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^0+$`) })

// PrePush gates what a push sends. Git writes one line per ref on stdin:
// "<local-ref> <local-oid> <remote-ref> <remote-oid>". A release tag
// refs/tags/<name>-v<semver> of a model must name the version the manifest
// declares at its commit, and the full gate must pass there; a branch is
// judged at its new head by the policy (work in progress passes with one
// line per model); deletions and other refs pass. The pre-commit framework
// hands pre-push hooks no stdin but sets PRE_COMMIT_TO_REF, which is gated
// as a branch head.
func PrePush(ctx context.Context, e *Env) int {
	targets, err := pushTargets(e.Stdin)
	if err != nil {
		return e.fail(err)
	}
	if len(targets) == 0 {
		if to := e.Getenv("PRE_COMMIT_TO_REF"); to != "" {
			targets = append(targets, pushTarget{oid: to, what: "push of " + to})
		}
	}
	status := exitcode.Pass
	for _, t := range targets {
		if t.version != "" {
			fmt.Fprintf(e.Stdout, "modelgate: gating %s (%s)\n", inert.String(t.what), inert.String(abbrev.Commit(t.oid)))
		}
		r, err := gate.Run(ctx, gate.Options{Repo: e.Repo, Head: t.oid, Version: t.version, VersionSource: t.what, Model: t.model, Label: t.what,
			Release: t.version != ""})
		if errors.Is(err, gate.ErrNoSuchModel) {
			fmt.Fprintf(e.Stdout, "modelgate: %s names no model at that commit; not a release tag of this repository\n", inert.String(t.what))
			continue
		}
		if errors.Is(err, gate.ErrNoManifest) {
			fmt.Fprintf(e.Stdout, "modelgate: %s holds no model manifest; nothing to gate\n", inert.String(t.what))
			continue
		}
		if err != nil {
			return e.fail(err)
		}
		if wip(r) {
			// Work in progress under policy release: one line per model
			// that has unreleased changes, no report.
			for _, m := range r.Models {
				if m.RequiredBump > check.BumpNone && m.Base != nil {
					fmt.Fprintf(e.Stdout, "modelgate: %s (%s): %s is work in progress; its next release must be at least %s\n", t.what, abbrev.Commit(t.oid), m.Name, m.NextIdentifier)
				}
			}
			continue
		}
		if t.version == "" {
			fmt.Fprintf(e.Stdout, "modelgate: gating %s (%s)\n", t.what, abbrev.Commit(t.oid))
		}
		status = max(status, e.report(r, "push of "+t.what, "git push --no-verify"))
	}
	return status
}

// wip reports whether every model of a report is passing work in progress,
// which the full gate did not judge.
func wip(r *check.Report) bool {
	for _, m := range r.Models {
		if m.Gated || !m.Passed {
			return false
		}
	}
	return true
}

// pushTarget is one revision a push sends that the gate judges.
type pushTarget struct{ oid, what, version, model string }

// pushTargets parses the lines git writes on a pre-push hook's stdin,
// "<local-ref> <local-oid> <remote-ref> <remote-oid>", into the release
// tags and branch heads to gate; deletions, malformed lines and other refs
// are skipped.
func pushTargets(stdin io.Reader) ([]pushTarget, error) {
	var targets []pushTarget
	sc := bufio.NewScanner(stdin)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 4 || f[0] == "(delete)" || zeroOID().MatchString(f[1]) {
			continue
		}
		switch ref := f[2]; {
		case strings.HasPrefix(ref, "refs/tags/"):
			tag := strings.TrimPrefix(ref, "refs/tags/")
			id, err := check.ParseIdentifier(tag)
			if err != nil {
				continue
			}
			targets = append(targets, pushTarget{oid: f[1], what: "tag " + tag, version: tag, model: id.Name})
		case strings.HasPrefix(ref, "refs/heads/"):
			targets = append(targets, pushTarget{oid: f[1], what: "branch " + strings.TrimPrefix(ref, "refs/heads/")})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading the refs git pushes: %w", err)
	}
	return targets, nil
}

// ReferenceTransaction refuses the creation of a release tag that fails the
// gate, or moving one there (git tag -f); installed with --tag-gate. Git
// calls it for every ref update, so it does nothing unless the state is
// "prepared", the update sets a tag refs/tags/<name>-v<semver>, and the git
// command is "git tag": fetches and every other update pass at once.
func ReferenceTransaction(ctx context.Context, e *Env, state string) int {
	if state != "prepared" {
		_, _ = io.Copy(io.Discard, e.Stdin)
		return exitcode.Pass
	}
	type newTag struct{ oid, name string }
	var tags []newTag
	sc := bufio.NewScanner(e.Stdin)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 || zeroOID().MatchString(f[1]) || !strings.HasPrefix(f[2], "refs/tags/") {
			continue
		}
		name := strings.TrimPrefix(f[2], "refs/tags/")
		if _, err := check.ParseIdentifier(name); err == nil {
			tags = append(tags, newTag{oid: f[1], name: name})
		}
	}
	if len(tags) == 0 || gitCommand(e.Getenv) != "tag" {
		return exitcode.Pass
	}
	status := exitcode.Pass
	for _, t := range tags {
		id, _ := check.ParseIdentifier(t.name)
		r, err := gate.Run(ctx, gate.Options{Repo: e.Repo, Head: t.oid, Version: t.name, VersionSource: "tag " + t.name, Model: id.Name, Label: "tag " + t.name,
			Release: true})
		if errors.Is(err, gate.ErrNoSuchModel) || errors.Is(err, gate.ErrNoManifest) {
			continue
		}
		if err != nil {
			return e.fail(err)
		}
		status = max(status, e.report(r, "tag "+t.name, "git -c core.hooksPath=/dev/null tag"))
	}
	return status
}

// gitCommand returns the subcommand of the git process that runs the hook
// ("tag", "fetch", ...), or "" when it cannot be told. The hook script
// passes git's process ID in MODELGATE_GIT_PID; otherwise it is our parent.
func gitCommand(getenv func(string) string) string {
	pid := getenv("MODELGATE_GIT_PID")
	if pid == "" {
		pid = fmt.Sprint(os.Getppid())
	}
	var args []string
	if data, err := os.ReadFile("/proc/" + pid + "/cmdline"); err == nil {
		args = strings.Split(strings.TrimRight(string(data), "\x00"), "\x00")
	} else if out, err := exec.Command("ps", "-o", "args=", "-p", pid).Output(); err == nil {
		args = strings.Fields(string(out))
	}
	return subcommand(args)
}

// subcommand skips git's own options (-c k=v, -C dir, --git-dir=...) and
// returns the command name.
func subcommand(args []string) string {
	if len(args) == 0 || path.Base(args[0]) != "git" {
		return ""
	}
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-c" || a == "-C" || a == "--git-dir" || a == "--work-tree" || a == "--namespace" || a == "--config-env":
			i++
		case strings.HasPrefix(a, "-"):
		default:
			return a
		}
	}
	return ""
}
