package cli

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/modelgate/modelgate/internal/action"
	"github.com/modelgate/modelgate/internal/gate"
	"github.com/modelgate/modelgate/internal/gitrepo"
	"github.com/modelgate/modelgate/internal/inert"
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
(owner/name) or else the origin remote, which must then be on GitHub (or on
the host of GITHUB_SERVER_URL or GITHUB_API_URL: GitHub Enterprise works), the
API from GITHUB_API_URL. The token is sent to the API host and its upload host
only. --dry-run needs no token (without one it reads anonymously and cannot
see drafts) and says what it would do.
` + gateFlagsHelp + `  --dry-run        change nothing; print what would be done
  --publish        publish instead of drafting

examples:
  GITHUB_TOKEN=$(gh auth token) modelgate release --dry-run
  modelgate release --publish --version lite-llm-base-v3.0.0
`

func runRelease(ctx context.Context, e *env, args []string) int {
	var g gateFlags
	g.opts.Release = true // the caller releases: the full gate, whatever the declared version
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
	if token == "" && !*dry {
		fmt.Fprintln(e.stderr, "modelgate: GITHUB_TOKEN is not set; export a token that may write releases (--dry-run needs none)")
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
	if token == "" {
		fmt.Fprintln(e.stdout, "no GITHUB_TOKEN: reading anonymously; only a token with push access sees drafts, so an existing draft is not found")
	}
	opts := release.Options{Owner: owner, Repo: repo, Token: token, APIURL: os.Getenv("GITHUB_API_URL"),
		Publish: *publish, DryRun: *dry, Tool: version(), Out: e.stdout}
	for _, m := range r.Models {
		if m.Unchanged() {
			fmt.Fprintf(e.stdout, "%s is unchanged since %s: nothing to release\n", m.Name, inert.String(m.Base.Ref))
			continue
		}
		if _, err := release.Release(ctx, m, opts); err != nil {
			return e.fail(err)
		}
	}
	return ExitPass
}

var credentialsRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`//[^/@]*@`) })

// repository returns owner and name from GITHUB_REPOSITORY, or else from
// the origin remote's URL, which must then name a repository on a GitHub
// host (githubHosts): release talks to GitHub only.
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
	if u == "" {
		return "", "", errors.New("no origin remote to tell the GitHub repository by: set GITHUB_REPOSITORY=owner/name")
	}
	host, owner, name := parseRemote(u)
	hosts := githubHosts()
	if host == "" || !slices.Contains(hosts, strings.ToLower(host)) {
		return "", "", fmt.Errorf("origin (%q) is not a GitHub repository (GitHub hosts here: %s): set GITHUB_REPOSITORY=owner/name to release on GitHub",
			credentialsRE().ReplaceAllString(u, "//"), strings.Join(hosts, ", "))
	}
	if owner == "" || name == "" {
		return "", "", fmt.Errorf("origin (%q) names no owner/name repository: set GITHUB_REPOSITORY=owner/name", credentialsRE().ReplaceAllString(u, "//"))
	}
	return owner, name, nil
}

// githubHosts are the hosts whose remotes are GitHub repositories:
// github.com, and the hosts of GITHUB_SERVER_URL and GITHUB_API_URL (GitHub
// Enterprise Server serves its API at <host>/api/v3, GitHub Enterprise Cloud
// with data residency at api.<host>).
func githubHosts() []string {
	hosts := []string{"github.com"}
	add := func(h string) {
		if h = strings.ToLower(h); h != "" && !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	if u, err := url.Parse(os.Getenv("GITHUB_SERVER_URL")); err == nil {
		add(u.Hostname())
	}
	if u, err := url.Parse(os.Getenv("GITHUB_API_URL")); err == nil && u.Hostname() != "api.github.com" {
		if strings.HasPrefix(u.Path, "/api/") {
			add(u.Hostname())
		} else if h, ok := strings.CutPrefix(u.Hostname(), "api."); ok {
			add(h)
		}
	}
	return hosts
}

// parseRemote returns the host and the owner/name path of a git remote URL:
// https://host/owner/name(.git), ssh://[user@]host[:port]/owner/name(.git),
// or scp-like [user@]host:owner/name(.git). A local path has no host.
func parseRemote(remote string) (host, owner, name string) {
	var path string
	if strings.Contains(remote, "://") {
		u, err := url.Parse(remote)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http" && u.Scheme != "ssh" && u.Scheme != "git") {
			return "", "", ""
		}
		host, path = u.Hostname(), u.Path
		if u.Scheme == "ssh" && strings.EqualFold(host, "ssh.github.com") {
			host = "github.com" // SSH over the HTTPS port
		}
	} else {
		// scp-like: a colon before any slash; otherwise a local path.
		colon := strings.Index(remote, ":")
		slash := strings.Index(remote, "/")
		if colon < 0 || (slash >= 0 && slash < colon) {
			return "", "", ""
		}
		host, path = remote[strings.LastIndex(remote[:colon], "@")+1:colon], remote[colon+1:]
	}
	path = strings.TrimSuffix(strings.TrimSuffix(strings.Trim(path, "/"), "/"), ".git")
	owner, name, ok := strings.Cut(path, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return host, "", ""
	}
	return host, owner, name
}
