package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/modelgate/modelgate/hooks"
)

var hookUsage = `usage: modelgate hook <install|uninstall|pre-commit|pre-push|reference-transaction> [flags]

Run the release gate from git hooks, or install them.

  modelgate hook install [--pre-commit] [--pre-push] [--tag-gate] [--force] [--repo DIR]
      Write the hooks into the folder git uses (git rev-parse --git-path hooks:
      core.hooksPath, linked worktrees). Without flags: pre-commit and pre-push.
      A hook modelgate did not write is moved to <name>.legacy and still runs
      first. Running it again only updates; a hook of modelgate's that someone
      edited is refused, nothing written.
  modelgate hook uninstall [--repo DIR]
      Remove modelgate's hooks and restore the ones they replaced; a hook of
      modelgate's that someone edited is refused, nothing removed.
  modelgate hook pre-commit
      Gate the staged content (honours GIT_INDEX_FILE, as git commit -a sets it).
      Under policy release a commit that keeps the declared version is work in
      progress: silent, but for one line when it raises the next release's bump
      to minor or major. A commit that changes the declared version gets the
      full gate, as does every commit under policy every-change.
  modelgate hook pre-push <remote> <url>
      Gate each pushed release tag at its commit, strictly, and each pushed
      branch head by the policy, from the lines git writes on stdin;
      PRE_COMMIT_TO_REF when stdin is empty.
  modelgate hook reference-transaction <state>
      Gate release tags created by git tag, in the prepared state.

flags of install and uninstall:
  --repo DIR       the repository (default .)
  --pre-commit     install: the pre-commit hook
  --pre-push       install: the pre-push hook
  --tag-gate       install: also reference-transaction, which refuses
                   "git tag <name>-v<semver>" when the gate fails
  --force          install: into a core.hooksPath set to another folder
                   (husky, lefthook), which is otherwise refused

Bypass a hook once with git commit --no-verify or git push --no-verify; CI runs
the same gate.

examples:
  modelgate hook install
  modelgate hook install --tag-gate
  modelgate hook uninstall
`

func runHook(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, hookUsage)
		return ExitError
	}
	he := &hooks.Env{Repo: ".", Stdin: e.stdin, Stdout: e.stdout, Stderr: e.stderr, Getenv: os.Getenv}
	switch name, rest := args[0], args[1:]; name {
	case "-h", "-help", "--help":
		fmt.Fprint(e.stdout, hookUsage)
		return ExitPass
	case "install", "uninstall":
		fs := newFlagSet("hook " + name)
		repo := fs.String("repo", ".", "")
		var preCommit, prePush, tagGate, force *bool
		if name == "install" {
			preCommit = fs.Bool("pre-commit", false, "")
			prePush = fs.Bool("pre-push", false, "")
			tagGate = fs.Bool("tag-gate", false, "")
			force = fs.Bool("force", false, "")
		}
		if code := parse(fs, hookUsage, rest, e); code >= 0 {
			return code
		}
		if name == "uninstall" {
			if err := hooks.Uninstall(ctx, *repo, e.stdout); err != nil {
				return e.fail(err)
			}
			return ExitPass
		}
		opts := hooks.InstallOptions{Force: *force}
		for flag, hook := range map[*bool]string{preCommit: "pre-commit", prePush: "pre-push", tagGate: "reference-transaction"} {
			if *flag {
				opts.Hooks = append(opts.Hooks, hook)
			}
		}
		if *tagGate && !*preCommit && !*prePush {
			opts.Hooks = append(opts.Hooks, "pre-commit", "pre-push")
		}
		if err := hooks.Install(ctx, *repo, opts, e.stdout); err != nil {
			return e.fail(err)
		}
		return ExitPass
	case "pre-commit":
		return hooks.PreCommit(ctx, he)
	case "pre-push":
		return hooks.PrePush(ctx, he)
	case "reference-transaction":
		if len(rest) != 1 {
			fmt.Fprintln(e.stderr, "modelgate: hook reference-transaction takes the state git passes (prepared, committed or aborted)")
			return ExitError
		}
		return hooks.ReferenceTransaction(ctx, he, rest[0])
	default:
		fmt.Fprintf(e.stderr, "modelgate: unknown hook %q; see modelgate hook -h\n", name)
		return ExitError
	}
}
