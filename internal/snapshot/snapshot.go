// Package snapshot records the staged content or the working tree of a
// repository as an unreferenced git commit on top of HEAD, with the git
// CLI, so the gate reads them as it reads any revision. The git CLI honours
// GIT_INDEX_FILE, which git commit -a and git commit <paths> point at a
// temporary index while the pre-commit hook runs.
package snapshot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// identity lets git write the throwaway commit without a configured user.
var identity = []string{
	"GIT_AUTHOR_NAME=modelgate", "GIT_AUTHOR_EMAIL=modelgate@localhost",
	"GIT_COMMITTER_NAME=modelgate", "GIT_COMMITTER_EMAIL=modelgate@localhost",
}

// Index writes the index (what git commit would record) as a tree and
// returns an unreferenced commit of it whose parent is HEAD, if any.
func Index(ctx context.Context, dir string) (string, error) {
	tree, err := Git(ctx, dir, nil, "write-tree")
	if err != nil {
		return "", fmt.Errorf("reading the staged content: %w (resolve conflicts first)", err)
	}
	return commit(ctx, dir, tree, "modelgate: staged changes")
}

// Worktree records the working tree, tracked files and untracked files that
// .gitignore does not exclude, through a copy of the index, which it leaves
// as it was, and returns an unreferenced commit of it whose parent is HEAD.
func Worktree(ctx context.Context, dir string) (string, error) {
	top, err := Git(ctx, dir, nil, "rev-parse", "--show-toplevel")
	if err != nil {
		return "", fmt.Errorf("--worktree needs a working tree: %w", err)
	}
	index, err := Git(ctx, top, nil, "rev-parse", "--path-format=absolute", "--git-path", "index")
	if err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp("", "modelgate-worktree-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	copyIndex := filepath.Join(tmp, "index")
	if err := copyFile(index, copyIndex); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("copying the index: %w", err)
	}
	env := []string{"GIT_INDEX_FILE=" + copyIndex}
	if _, err := Git(ctx, top, env, "add", "--all", "--", "."); err != nil {
		return "", fmt.Errorf("reading the working tree: %w", err)
	}
	tree, err := Git(ctx, top, env, "write-tree")
	if err != nil {
		return "", fmt.Errorf("reading the working tree: %w", err)
	}
	return commit(ctx, top, tree, "modelgate: working tree")
}

// Changes are the uncommitted changes of a working tree, by path.
type Changes struct {
	Staged   []string // paths whose staged content differs from HEAD
	Unstaged []string // paths whose working file differs from the index, or is untracked and not ignored (a new folder is one entry, ending in /)
}

// Uncommitted lists the uncommitted changes of the working tree that holds
// dir, with repository-relative paths. A bare repository has none.
func Uncommitted(ctx context.Context, dir string) (Changes, error) {
	var c Changes
	if inside, err := Git(ctx, dir, nil, "rev-parse", "--is-inside-work-tree"); err != nil || inside != "true" {
		return c, err
	}
	out, err := Git(ctx, dir, nil, "status", "--porcelain=v1", "-z", "--untracked-files=normal", "--ignore-submodules", "--no-renames")
	if err != nil {
		return c, err
	}
	return parseStatus(out), nil
}

// parseStatus reads git status --porcelain=v1 -z --no-renames: entries
// "XY path" ended by NUL, X the index's status, Y the working tree's ("??"
// untracked, "!!" ignored, which is never asked for). Malformed entries
// are skipped.
func parseStatus(out string) Changes {
	var c Changes
	for _, e := range strings.Split(out, "\x00") {
		if len(e) < 4 || e[2] != ' ' {
			continue
		}
		x, y, p := e[0], e[1], e[3:]
		if x == '!' {
			continue
		}
		if x != ' ' && x != '?' {
			c.Staged = append(c.Staged, p)
		}
		if y != ' ' {
			c.Unstaged = append(c.Unstaged, p)
		}
	}
	return c
}

// commit wraps a tree in an unreferenced commit whose parent is HEAD.
func commit(ctx context.Context, dir, tree, msg string) (string, error) {
	args := []string{"commit-tree", tree, "-m", msg}
	if head, err := Git(ctx, dir, nil, "rev-parse", "-q", "--verify", "HEAD^{commit}"); err == nil {
		args = append(args, "-p", head)
	}
	return Git(ctx, dir, identity, args...)
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// Git runs a git command in dir, with env added to the environment, and
// returns its standard output, trimmed of the final newline. Errors carry
// git's own message on one line. The hooks use it too.
func Git(ctx context.Context, dir string, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	if env != nil {
		cmd.Env = append(cmd.Environ(), env...)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return "", fmt.Errorf("git %s: %s", args[0], strings.ReplaceAll(msg, "\n", "; "))
	}
	return strings.TrimSuffix(stdout.String(), "\n"), nil
}
