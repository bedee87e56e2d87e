package cli

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/modelgate/modelgate/internal/action"
	"github.com/modelgate/modelgate/internal/gate"
	"github.com/modelgate/modelgate/internal/gitrepo"
	"github.com/modelgate/modelgate/internal/release"
	"github.com/modelgate/modelgate/internal/render"
)

var actionUsage = `usage: modelgate action

Run as the GitHub Action (the Docker image's entry point): reads the inputs
from INPUT_* and the event from GITHUB_EVENT_NAME and GITHUB_EVENT_PATH, gates
the checkout in GITHUB_WORKSPACE, writes annotations, the step summary and the
step outputs, and with command: release drafts or publishes the release on a
push. See action.yml and the README.
`

func runAction(ctx context.Context, e *env, args []string) int {
	if len(args) > 0 {
		if args[0] == "-h" || args[0] == "--help" {
			fmt.Fprint(e.stdout, actionUsage)
			return ExitPass
		}
		fmt.Fprintf(e.stderr, "modelgate action: takes no arguments; it reads INPUT_* variables (see modelgate action -h)\n")
		return ExitError
	}
	return action.Run(ctx, action.Env{Getenv: os.Getenv, Stdout: e.stdout, Stderr: e.stderr, Tool: version()})
}

var releaseUsage = `usage: modelgate release [--dry-run] [--publish] [flags]

Gate the release, then create or update its GitHub release: a draft (or, with
--publish, a published release) named by the identifier, at the gated commit,
with the notes and the compatibility report as its body and the version record
attached. An existing draft is updated, never duplicated; a published release
is left alone. The gate must pass first.

The token comes from GITHUB_TOKEN, the repository from GITHUB_REPOSITORY
(owner/name) or else the origin remote, the API from GITHUB_API_URL (GitHub
Enterprise works). --dry-run needs only read access and says what it would do.
` + gateFlagsHelp + `  --dry-run        change nothing; print what would be done
  --publish        publish instead of drafting

examples:
  GITHUB_TOKEN=$(gh auth token) modelgate release --dry-run
  modelgate release --publish --version lite-llm-base-v3.0.0
`

func runRelease(ctx context.Context, e *env, args []string) int {
	var g gateFlags
	fs := newFlagSet("release")
	g.register(fs)
	dry := fs.Bool("dry-run", false, "")
	publish := fs.Bool("publish", false, "")
	if code := parse(fs, releaseUsage, args, e); code >= 0 {
		return code
	}
	if !g.validFormat(e) {
		return ExitError
	}
	token := os.Getenv("GITHUB_TOKEN")
	if token == "" {
		fmt.Fprintln(e.stderr, "modelgate: GITHUB_TOKEN is not set; export a token that may read (--dry-run) or write releases")
		return ExitError
	}
	owner, repo, err := repository(g.opts.Repo)
	if err != nil {
		return e.fail(err)
	}
	r, err := gate.Run(ctx, g.opts)
	if err != nil {
		return e.fail(err)
	}
	if err := render.Write(e.stdout, r, g.format); err != nil {
		return e.fail(err)
	}
	if !r.Passed {
		fmt.Fprintln(e.stderr, "modelgate: the gate failed: no release")
		return ExitFail
	}
	opts := release.Options{Owner: owner, Repo: repo, Token: token, APIURL: os.Getenv("GITHUB_API_URL"),
		Publish: *publish, DryRun: *dry, Tool: version(), Out: e.stdout}
	for _, m := range r.Models {
		if m.Unchanged() {
			fmt.Fprintf(e.stdout, "%s is unchanged since %s: nothing to release\n", m.Name, m.Base.Ref)
			continue
		}
		if _, err := release.Release(ctx, m, opts); err != nil {
			return e.fail(err)
		}
	}
	return ExitPass
}

var (
	slugRE        = regexp.MustCompile(`[:/]([^/:]+)/([^/]+?)(?:\.git)?/?$`)
	credentialsRE = regexp.MustCompile(`//[^/@]*@`)
)

// repository returns owner and name from GITHUB_REPOSITORY, or else from
// the origin remote's URL.
func repository(dir string) (string, string, error) {
	if s := os.Getenv("GITHUB_REPOSITORY"); s != "" {
		owner, name, ok := strings.Cut(s, "/")
		if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
			return "", "", fmt.Errorf("GITHUB_REPOSITORY is %q: want owner/name", s)
		}
		return owner, name, nil
	}
	repo, err := gitrepo.Open(dir)
	if err != nil {
		return "", "", err
	}
	u := repo.RemoteURL("origin")
	if m := slugRE.FindStringSubmatch(u); m != nil {
		return m[1], m[2], nil
	}
	return "", "", fmt.Errorf("cannot tell the GitHub repository: set GITHUB_REPOSITORY=owner/name (origin is %q)", credentialsRE.ReplaceAllString(u, "//"))
}
