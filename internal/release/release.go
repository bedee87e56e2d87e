// Package release drafts and publishes a model's GitHub release with
// go-github: the release body and version record come from package
// changelog, the verdict from the gate. It is the GitHub adapter; the token
// it is given never appears in what it prints or returns.
package release

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/modelgate/modelgate/changelog"
	"github.com/modelgate/modelgate/check"
	"github.com/modelgate/modelgate/internal/abbrev"
)

// Options say where and how to release.
type Options struct {
	Owner, Repo string
	Token       string
	// APIURL is the REST API root, GITHUB_API_URL in a workflow; empty
	// means https://api.github.com. GitHub Enterprise works.
	APIURL string
	// Publish publishes the release; otherwise it stays a draft.
	Publish bool
	// DryRun reads only: it says what it would do and changes nothing.
	DryRun bool
	// Tool is the modelgate version written into the version record.
	Tool string
	// HTTPClient and Sleep are for tests; nil means the defaults.
	HTTPClient *http.Client
	Sleep      func(time.Duration)
	// Out receives one line per action or notice.
	Out io.Writer
}

// Result is what happened to the release.
type Result struct {
	ID     int64
	URL    string
	Action string // created, updated, published-already, would-create, would-update
}

// maxAttempts bounds the retries of one API call after a server error or
// a secondary rate limit.
const maxAttempts = 4

type releaser struct {
	gh   *github.Client
	opts Options
}

// Release creates or updates the release of model m's declared version:
// tag_name and name the identifier, target_commitish the gated commit,
// prerelease for semver prereleases, the body from changelog.Body and the
// version record attached as <identifier>.record.json (replaced, never
// duplicated). An existing draft is found by listing releases newest first
// (get-by-tag never returns drafts) and matching the tag and the model
// marker; a published release of the version is left alone, with a notice.
//
// A release is always made as a draft, given its record, and only then
// published, so repositories with immutable releases (assets locked at
// publication) work. Runs that race on one version converge on one draft:
// after creating, a run lists again and keeps the oldest draft of the tag
// with the model's marker, deleting the others; a run whose draft was
// deleted under it, or published by another run, starts over.
func Release(ctx context.Context, m *check.ModelReport, opts Options) (*Result, error) {
	gh, err := newClient(opts)
	if err != nil {
		return nil, err
	}
	r := &releaser{gh: gh, opts: opts}
	res, err := r.release(ctx, m)
	if err != nil {
		return nil, errors.New(r.scrub(err.Error()))
	}
	return res, nil
}

// maxRaces bounds how often a run starts over because another run changed
// the release under it.
const maxRaces = 4

// errRaced says another run changed the release under this one: deleted
// the draft it was working on, or published it.
var errRaced = errors.New("another run changed the release at the same time")

func (r *releaser) release(ctx context.Context, m *check.ModelReport) (*Result, error) {
	tag := m.Name + "-v" + m.DeclaredVersion
	for attempt := 1; ; attempt++ {
		res, err := r.releaseOnce(ctx, m, tag)
		if !errors.Is(err, errRaced) {
			return res, err
		}
		if attempt == maxRaces {
			return nil, fmt.Errorf("releasing %s: other runs kept changing it (%d attempts); run again when they are done", tag, maxRaces)
		}
		r.say("%s: %v; starting over", tag, err)
	}
}

func (r *releaser) releaseOnce(ctx context.Context, m *check.ModelReport, tag string) (*Result, error) {
	published, err := r.published(ctx, tag)
	if err != nil {
		return nil, err
	}
	if published != nil {
		r.say("%s is already published at %s; nothing changed", tag, published.GetHTMLURL())
		return &Result{ID: published.GetID(), URL: published.GetHTMLURL(), Action: "published-already"}, nil
	}
	draft, err := r.findDraft(ctx, tag, m.Name)
	if err != nil {
		return nil, err
	}
	// Draft is never sent with an edit: an edit racing with another run's
	// publication must not turn the release back into a draft.
	want := &github.RepositoryRelease{
		TagName:         github.String(tag),
		Name:            github.String(tag),
		TargetCommitish: github.String(m.Head.Commit),
		Body:            github.String(changelog.Body(m)),
		Prerelease:      github.Bool(isPrerelease(m.DeclaredVersion)),
	}
	verb := map[bool]string{true: "publish", false: "draft"}[r.opts.Publish]
	if r.opts.DryRun {
		if draft != nil {
			r.say("would update the draft %s (%s) and %s it, at %s", tag, draft.GetHTMLURL(), verb, abbrev.Commit(m.Head.Commit))
			return &Result{ID: draft.GetID(), URL: draft.GetHTMLURL(), Action: "would-update"}, nil
		}
		r.say("would create the release %s (%s) at %s", tag, verb, abbrev.Commit(m.Head.Commit))
		return &Result{Action: "would-create"}, nil
	}
	var rel *github.RepositoryRelease
	action := "created"
	if draft != nil {
		action = "updated"
		if rel, err = r.edit(ctx, draft.GetID(), want, "updating the draft release "+tag); err != nil {
			return nil, err
		}
	} else {
		if rel, err = r.create(ctx, want, m.Name); err != nil {
			return nil, err
		}
		winner, err := r.converge(ctx, tag, m.Name, rel)
		if err != nil {
			return nil, err
		}
		if winner.GetID() != rel.GetID() {
			action = "updated"
			if rel, err = r.edit(ctx, winner.GetID(), want, "updating the draft release "+tag); err != nil {
				return nil, err
			}
		}
	}
	if !rel.GetDraft() {
		return nil, fmt.Errorf("%w: it was published meanwhile", errRaced)
	}
	if err := r.attachRecord(ctx, rel, m, tag); err != nil {
		return nil, err
	}
	state := "draft"
	if r.opts.Publish {
		state = "published release"
		pub := &github.RepositoryRelease{Draft: github.Bool(false)}
		id := rel.GetID()
		if rel, err = r.edit(ctx, id, pub, "publishing the release "+tag); err != nil {
			if !taken(err) {
				return nil, err
			}
			// Another run published its own draft of the tag between this
			// run's look and its publication: GitHub keeps one release
			// of a tag, so this draft goes and the run starts over.
			if err := r.deleteDraft(ctx, tag, id); err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("%w: it was published meanwhile", errRaced)
		}
	}
	r.say("%s the %s %s: %s", action, state, tag, rel.GetHTMLURL())
	return &Result{ID: rel.GetID(), URL: rel.GetHTMLURL(), Action: action}, nil
}

// create makes the draft release want. GitHub may make the release and
// still fail the answer: a retry first looks for what the failed attempt
// made rather than make a second one.
func (r *releaser) create(ctx context.Context, want *github.RepositoryRelease, model string) (*github.RepositoryRelease, error) {
	draft := *want
	draft.Draft = github.Bool(true)
	tag := want.GetTagName()
	var rel *github.RepositoryRelease
	retry := false
	err := r.call(ctx, "creating the release "+tag, func() (resp *github.Response, err error) {
		if retry {
			if found, err := r.made(ctx, tag, model); err != nil || found != nil {
				rel = found
				return nil, err
			}
		}
		retry = true
		rel, resp, err = r.gh.Repositories.CreateRelease(ctx, r.opts.Owner, r.opts.Repo, &draft)
		return resp, err
	})
	if taken(err) {
		// GitHub refuses a release of a tag that has a published one:
		// another run published it since this run looked.
		return nil, fmt.Errorf("%w: it was published meanwhile", errRaced)
	}
	if err != nil {
		return nil, err
	}
	if !rel.GetDraft() {
		return nil, fmt.Errorf("%w: it was published meanwhile", errRaced)
	}
	return rel, nil
}

// edit changes the release id as want says; a release that is gone was
// deleted by a run that raced with this one.
func (r *releaser) edit(ctx context.Context, id int64, want *github.RepositoryRelease, what string) (*github.RepositoryRelease, error) {
	var rel *github.RepositoryRelease
	err := r.call(ctx, what, func() (resp *github.Response, err error) {
		rel, resp, err = r.gh.Repositories.EditRelease(ctx, r.opts.Owner, r.opts.Repo, id, want)
		return resp, err
	})
	if status(err) == http.StatusNotFound {
		return nil, fmt.Errorf("%w: the draft was deleted meanwhile", errRaced)
	}
	return rel, err
}

// published returns the published release of tag, or nil.
func (r *releaser) published(ctx context.Context, tag string) (*github.RepositoryRelease, error) {
	var rel *github.RepositoryRelease
	err := r.call(ctx, "reading the release "+tag, func() (resp *github.Response, err error) {
		rel, resp, err = r.gh.Repositories.GetReleaseByTag(ctx, r.opts.Owner, r.opts.Repo, tag)
		if resp != nil && resp.StatusCode == http.StatusNotFound {
			rel, err = nil, nil
		}
		return resp, err
	})
	if err != nil || rel == nil || rel.GetDraft() {
		return nil, err
	}
	return rel, nil
}

// made returns the release of tag that an earlier, failed-looking attempt
// may have created: a published one, or the draft with the model's marker.
func (r *releaser) made(ctx context.Context, tag, model string) (*github.RepositoryRelease, error) {
	if rel, err := r.published(ctx, tag); err != nil || rel != nil {
		return rel, err
	}
	return r.findDraft(ctx, tag, model)
}

// findDraft lists releases newest first and stops at the draft of tag that
// carries the model's marker.
func (r *releaser) findDraft(ctx context.Context, tag, model string) (*github.RepositoryRelease, error) {
	var found *github.RepositoryRelease
	err := r.eachRelease(ctx, func(rel *github.RepositoryRelease) bool {
		if ours(rel, tag, model) {
			found = rel
			return false
		}
		return true
	})
	return found, err
}

// ours says whether rel is a draft of tag that modelgate made for model:
// its body carries the model's hidden marker.
func ours(rel *github.RepositoryRelease, tag, model string) bool {
	return rel.GetDraft() && rel.GetTagName() == tag && strings.Contains(rel.GetBody(), changelog.ModelMarker(model))
}

// eachRelease lists the releases newest first, 100 a page, and calls f on
// each until f returns false.
func (r *releaser) eachRelease(ctx context.Context, f func(*github.RepositoryRelease) bool) error {
	opt := &github.ListOptions{PerPage: 100}
	for {
		var page []*github.RepositoryRelease
		var next int
		err := r.call(ctx, "listing releases", func() (*github.Response, error) {
			rels, resp, err := r.gh.Repositories.ListReleases(ctx, r.opts.Owner, r.opts.Repo, opt)
			if resp != nil {
				next = resp.NextPage
			}
			page = rels
			return resp, err
		})
		if err != nil {
			return err
		}
		for _, rel := range page {
			if !f(rel) {
				return nil
			}
		}
		if next == 0 {
			return nil
		}
		opt.Page = next
	}
}

// call runs one API call, retrying server errors and secondary rate limits
// with backoff, and explains the failures a user can fix. A host that
// cannot be reached, or a refused redirect, fails at once: repeating it
// would only delay the same answer.
func (r *releaser) call(ctx context.Context, what string, f func() (*github.Response, error)) error {
	sleep := r.opts.Sleep
	if sleep == nil {
		sleep = func(d time.Duration) {
			select {
			case <-ctx.Done():
			case <-time.After(d):
			}
		}
	}
	for attempt := 1; ; attempt++ {
		resp, err := f()
		if err == nil {
			return nil
		}
		wait, retry := retryable(err, resp, attempt)
		if !retry || attempt == maxAttempts || ctx.Err() != nil {
			return r.explain(what, err, resp)
		}
		r.say("%s: %s; retrying in %s", what, reason(err, resp), wait)
		sleep(wait)
	}
}

// retryable says whether a failed call may succeed if repeated, and after
// how long.
func retryable(err error, resp *github.Response, attempt int) (time.Duration, bool) {
	backoff := time.Duration(1<<(attempt-1)) * time.Second
	var abuse *github.AbuseRateLimitError
	if errors.As(err, &abuse) {
		if abuse.RetryAfter != nil && *abuse.RetryAfter < time.Minute {
			return max(*abuse.RetryAfter, backoff), true
		}
		return time.Minute, true
	}
	var rate *github.RateLimitError
	if errors.As(err, &rate) {
		return 0, false
	}
	if resp != nil && resp.StatusCode == http.StatusTooManyRequests {
		// GitHub answers rate limits with 403 or 429; go-github knows 403.
		if resp.Header.Get("X-RateLimit-Remaining") == "0" {
			return 0, false // primary: waiting means until the reset
		}
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 && s < 60 {
			return max(time.Duration(s)*time.Second, backoff), true
		}
		return time.Minute, true
	}
	if resp != nil && resp.StatusCode >= 500 {
		return backoff, true
	}
	var redirect *RedirectError
	if errors.As(err, &redirect) || unreachable(err) {
		return 0, false
	}
	var uerr *url.Error
	if resp == nil && errors.As(err, &uerr) {
		// The connection broke after it was made: the server may be
		// restarting.
		return backoff, true
	}
	return 0, false
}

func reason(err error, resp *github.Response) string {
	if resp != nil {
		return fmt.Sprintf("GitHub answered %d", resp.StatusCode)
	}
	return err.Error()
}

// apiError is a failed API call explained: what was done, why it failed and
// what to do, with the HTTP status (0 without an answer).
type apiError struct {
	status int
	msg    string
	cause  error
}

func (e *apiError) Error() string { return e.msg }
func (e *apiError) Unwrap() error { return e.cause }

// status returns the HTTP status of a failed call, or 0.
func status(err error) int {
	var e *apiError
	if errors.As(err, &e) {
		return e.status
	}
	return 0
}

// explain turns a failed call into an error that says what to do.
func (r *releaser) explain(what string, err error, resp *github.Response) error {
	code := 0
	if resp != nil {
		code = resp.StatusCode
	}
	e := &apiError{status: code, cause: err}
	e.msg = what + ": " + r.why(err, resp)
	return e
}

func (r *releaser) why(err error, resp *github.Response) string {
	var rate *github.RateLimitError
	if errors.As(err, &rate) {
		return "the GitHub API rate limit is used up; it resets at " + rate.Rate.Reset.Time.UTC().Format(time.RFC3339)
	}
	var abuse *github.AbuseRateLimitError
	if errors.As(err, &abuse) {
		return fmt.Sprintf("GitHub's secondary rate limit held after %d attempts; run again later", maxAttempts)
	}
	var redirect *RedirectError
	if errors.As(err, &redirect) {
		return redirect.Error()
	}
	var uerr *url.Error
	if resp == nil && unreachable(err) && errors.As(err, &uerr) {
		host := uerr.URL
		if u, perr := url.Parse(uerr.URL); perr == nil {
			host = u.Host
		}
		return fmt.Sprintf("cannot reach the GitHub API at %s (%v): check the network, and GITHUB_API_URL", host, uerr.Err)
	}
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	if status == http.StatusTooManyRequests {
		if reset, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil && resp.Header.Get("X-RateLimit-Remaining") == "0" {
			return "the GitHub API rate limit is used up; it resets at " + time.Unix(reset, 0).UTC().Format(time.RFC3339)
		}
		return fmt.Sprintf("GitHub's secondary rate limit held after %d attempts; run again later", maxAttempts)
	}
	repo := r.opts.Owner + "/" + r.opts.Repo
	switch status {
	case http.StatusUnauthorized:
		return "GitHub rejected the token (401): pass a valid token (the action's token input, or GITHUB_TOKEN)"
	case http.StatusForbidden:
		return "GitHub refused (403): add `permissions: contents: write` to the workflow job, or use a token that may write to " + repo
	case http.StatusNotFound:
		if r.opts.Token == "" {
			return repo + " not found (404): check the repository name (GITHUB_REPOSITORY); a private repository needs GITHUB_TOKEN"
		}
		return repo + " not found (404): check the repository name (GITHUB_REPOSITORY) and that the token can see it"
	case http.StatusUnprocessableEntity:
		msg := "invalid request"
		var er *github.ErrorResponse
		if errors.As(err, &er) && er.Message != "" {
			msg = er.Message
			for _, fe := range er.Errors {
				msg += fmt.Sprintf("; %s %s", fe.Field, strings.TrimSpace(fe.Code+" "+fe.Message))
			}
		}
		return "GitHub rejected the request (422): " + msg
	}
	if status >= 500 {
		return fmt.Sprintf("GitHub answered %d %d times; run again later", status, maxAttempts)
	}
	return err.Error()
}

func (r *releaser) say(format string, args ...any) {
	if r.opts.Out != nil {
		fmt.Fprintln(r.opts.Out, r.scrub(fmt.Sprintf(format, args...)))
	}
}

// scrub removes the token from text, whatever put it there.
func (r *releaser) scrub(s string) string {
	if r.opts.Token == "" {
		return s
	}
	return strings.ReplaceAll(s, r.opts.Token, "***")
}

// newClient returns a go-github client for the API root in opts; uploads go
// to uploads.github.com for github.com and to /api/uploads/ on GitHub
// Enterprise. The token is sent to those two hosts only (authClient).
func newClient(opts Options) (*github.Client, error) {
	if opts.Owner == "" || opts.Repo == "" {
		return nil, errors.New("no repository to release in: set GITHUB_REPOSITORY=owner/name")
	}
	base, upload, err := apiURLs(opts.APIURL)
	if err != nil {
		return nil, err
	}
	gh := github.NewClient(authClient(opts.HTTPClient, opts.Token, hostOf(base), hostOf(upload)))
	gh.BaseURL, gh.UploadURL = base, upload
	return gh, nil
}

// apiURLs returns the API root and the upload root of GITHUB_API_URL.
func apiURLs(apiURL string) (base, upload *url.URL, err error) {
	api := strings.TrimSuffix(apiURL, "/")
	if api == "" || api == "https://api.github.com" {
		base, _ = url.Parse("https://api.github.com/")
		upload, _ = url.Parse("https://uploads.github.com/")
		return base, upload, nil
	}
	base, err = url.Parse(api + "/")
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, nil, fmt.Errorf("invalid GITHUB_API_URL %q: want e.g. https://github.example.com/api/v3", apiURL)
	}
	up := *base
	switch {
	case strings.HasSuffix(base.Path, "/api/v3/"):
		up.Path = strings.TrimSuffix(base.Path, "v3/") + "uploads/"
	case strings.HasPrefix(base.Host, "api."):
		// GitHub Enterprise Cloud with data residency: api.X.ghe.com
		// uploads to uploads.X.ghe.com.
		up.Host = "uploads." + strings.TrimPrefix(base.Host, "api.")
	}
	return base, &up, nil
}

// isPrerelease reports whether a version has a prerelease part (3.0.0-rc.1;
// not 2.2.0+build-5, whose hyphen is build metadata).
func isPrerelease(v string) bool {
	sv, err := check.ParseVersion(v)
	return err == nil && sv.Prerelease() != ""
}
