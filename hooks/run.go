package hooks

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/modelgate/modelgate/check"
	"github.com/modelgate/modelgate/internal/abbrev"
	"github.com/modelgate/modelgate/internal/exitcode"
	"github.com/modelgate/modelgate/internal/gate"
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
	fmt.Fprintf(e.Stderr, "modelgate: %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
	return exitcode.Error
}

// report prints a gate report and, when it fails, how to get past it.
func (e *Env) report(r *check.Report, what, bypass string) int {
	if err := render.Text(e.Stdout, r); err != nil {
		return e.fail(err)
	}
	if !r.Passed {
		fmt.Fprintf(e.Stderr, "modelgate: %s refused by the release gate: fix the problems above, or bypass once with %s (CI runs the same gate).\n", what, bypass)
		return exitcode.Fail
	}
	return exitcode.Pass
}

// identity lets git write the throwaway commit without a configured user.
var identity = []string{
	"GIT_AUTHOR_NAME=modelgate", "GIT_AUTHOR_EMAIL=modelgate@localhost",
	"GIT_COMMITTER_NAME=modelgate", "GIT_COMMITTER_EMAIL=modelgate@localhost",
}

// PreCommit gates the content being committed: the index git is committing,
// which is GIT_INDEX_FILE during "git commit -a" and "git commit <paths>".
// The git CLI honours that variable, so modelgate asks git: it writes the
// index as a tree and wraps it in an unreferenced commit whose parent is
// HEAD, then gates that commit. A commit that touches no file of a model
// returns at once.
func PreCommit(ctx context.Context, e *Env) int {
	names, err := git(ctx, e.Repo, nil, "diff", "--cached", "--name-only", "--no-renames", "-z")
	if err != nil {
		return e.fail(err)
	}
	staged := strings.FieldsFunc(names, func(r rune) bool { return r == 0 })
	relevant, err := touchesModel(ctx, e.Repo, staged)
	if err != nil {
		return e.fail(err)
	}
	if !relevant {
		return exitcode.Pass
	}
	tree, err := git(ctx, e.Repo, nil, "write-tree")
	if err != nil {
		return e.fail(fmt.Errorf("reading the staged content: %w (resolve conflicts first)", err))
	}
	args := []string{"commit-tree", tree, "-m", "modelgate: staged changes"}
	if head, err := git(ctx, e.Repo, nil, "rev-parse", "-q", "--verify", "HEAD^{commit}"); err == nil {
		args = append(args, "-p", head)
	}
	commit, err := git(ctx, e.Repo, identity, args...)
	if err != nil {
		return e.fail(err)
	}
	r, err := gate.Run(ctx, gate.Options{Repo: e.Repo, Head: commit, Label: "staged changes"})
	if errors.Is(err, gate.ErrNoManifest) {
		fmt.Fprintln(e.Stdout, "modelgate: the staged content holds no model manifest; nothing to gate")
		return exitcode.Pass
	}
	if err != nil {
		return e.fail(err)
	}
	return e.report(r, "commit", "git commit --no-verify")
}

// touchesModel reports whether a staged path can change a model: the
// configuration, or a path inside a model's folder that the configuration
// does not ignore. The configuration is read from the index, the content
// being committed.
func touchesModel(ctx context.Context, repo string, staged []string) (bool, error) {
	if len(staged) == 0 {
		return false, nil
	}
	cfg := check.DefaultConfig()
	if data, err := git(ctx, repo, nil, "cat-file", "blob", ":"+check.DefaultConfigFile); err == nil {
		if cfg, err = check.ParseConfig(check.DefaultConfigFile, []byte(data)); err != nil {
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
	return false, nil
}

var zeroOID = regexp.MustCompile(`^0+$`)

// PrePush gates what a push sends. Git writes one line per ref on stdin:
// "<local-ref> <local-oid> <remote-ref> <remote-oid>". A release tag
// refs/tags/<name>-v<semver> of a model must name the version the manifest
// declares at its commit, and the gate must pass there; a branch is gated at
// its new head; deletions and other refs pass. The pre-commit framework
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
		fmt.Fprintf(e.Stdout, "modelgate: gating %s (%s)\n", t.what, abbrev.Commit(t.oid))
		r, err := gate.Run(ctx, gate.Options{Repo: e.Repo, Head: t.oid, Version: t.version, VersionSource: t.what, Model: t.model, Label: t.what})
		if errors.Is(err, gate.ErrNoSuchModel) {
			fmt.Fprintf(e.Stdout, "modelgate: %s names no model at that commit; not a release tag of this repository\n", t.what)
			continue
		}
		if errors.Is(err, gate.ErrNoManifest) {
			fmt.Fprintf(e.Stdout, "modelgate: %s holds no model manifest; nothing to gate\n", t.what)
			continue
		}
		if err != nil {
			return e.fail(err)
		}
		status = max(status, e.report(r, "push of "+t.what, "git push --no-verify"))
	}
	return status
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
		if len(f) != 4 || f[0] == "(delete)" || zeroOID.MatchString(f[1]) {
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
		if len(f) != 3 || zeroOID.MatchString(f[1]) || !strings.HasPrefix(f[2], "refs/tags/") {
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
		r, err := gate.Run(ctx, gate.Options{Repo: e.Repo, Head: t.oid, Version: t.name, VersionSource: "tag " + t.name, Model: id.Name, Label: "tag " + t.name})
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
