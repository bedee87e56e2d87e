// Package release drafts and publishes a model's GitHub release with
// go-github: the release body and version record come from package
// changelog, the verdict from the gate. It is the GitHub adapter; the token
// it is given never appears in what it prints or returns.
package release

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
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

func (r *releaser) release(ctx context.Context, m *check.ModelReport) (*Result, error) {
	tag := m.Name + "-v" + m.DeclaredVersion
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
	want := &github.RepositoryRelease{
		TagName:         github.String(tag),
		Name:            github.String(tag),
		TargetCommitish: github.String(m.Head.Commit),
		Body:            github.String(changelog.Body(m)),
		Draft:           github.Bool(!r.opts.Publish),
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
		err = r.call(ctx, "updating the draft release "+tag, func() (resp *github.Response, err error) {
			rel, resp, err = r.gh.Repositories.EditRelease(ctx, r.opts.Owner, r.opts.Repo, draft.GetID(), want)
			return resp, err
		})
	} else {
		retry := false
		err = r.call(ctx, "creating the release "+tag, func() (resp *github.Response, err error) {
			if retry {
				// GitHub may have made the release and still failed the
				// answer: find it rather than make a second one.
				if found, err := r.made(ctx, tag, m.Name); err != nil || found != nil {
					if found != nil {
						rel, resp, err = r.gh.Repositories.EditRelease(ctx, r.opts.Owner, r.opts.Repo, found.GetID(), want)
					}
					return resp, err
				}
			}
			retry = true
			rel, resp, err = r.gh.Repositories.CreateRelease(ctx, r.opts.Owner, r.opts.Repo, want)
			return resp, err
		})
	}
	if err != nil {
		return nil, err
	}
	if err := r.attachRecord(ctx, rel, m, tag); err != nil {
		return nil, err
	}
	state := "draft"
	if r.opts.Publish {
		state = "published release"
	}
	r.say("%s the %s %s: %s", action, state, tag, rel.GetHTMLURL())
	return &Result{ID: rel.GetID(), URL: rel.GetHTMLURL(), Action: action}, nil
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
	marker := changelog.ModelMarker(model)
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
			return nil, err
		}
		for _, rel := range page {
			if rel.GetDraft() && rel.GetTagName() == tag && strings.Contains(rel.GetBody(), marker) {
				return rel, nil
			}
		}
		if next == 0 {
			return nil, nil
		}
		opt.Page = next
	}
}

// attachRecord uploads the version record, replacing an earlier upload.
func (r *releaser) attachRecord(ctx context.Context, rel *github.RepositoryRelease, m *check.ModelReport, tag string) error {
	name := tag + ".record.json"
	if err := r.deleteAsset(ctx, rel, name); err != nil {
		return err
	}
	data, err := json.MarshalIndent(changelog.NewRecord(m, r.opts.Tool), "", "  ")
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "modelgate-record-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, name)
	if err := os.WriteFile(file, append(data, '\n'), 0o600); err != nil {
		return err
	}
	retry := false
	return r.call(ctx, "uploading "+name, func() (*github.Response, error) {
		if retry {
			// A failed-looking upload may have landed: remove it first.
			if err := r.deleteAsset(ctx, rel, name); err != nil {
				return nil, err
			}
		}
		retry = true
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		_, resp, err := r.gh.Repositories.UploadReleaseAsset(ctx, r.opts.Owner, r.opts.Repo, rel.GetID(), &github.UploadOptions{Name: name}, f)
		return resp, err
	})
}

// deleteAsset removes the release's assets of the given name.
func (r *releaser) deleteAsset(ctx context.Context, rel *github.RepositoryRelease, name string) error {
	var assets []*github.ReleaseAsset
	err := r.call(ctx, "listing the release's assets", func() (resp *github.Response, err error) {
		assets, resp, err = r.gh.Repositories.ListReleaseAssets(ctx, r.opts.Owner, r.opts.Repo, rel.GetID(), &github.ListOptions{PerPage: 100})
		return resp, err
	})
	if err != nil {
		return err
	}
	for _, a := range assets {
		if a.GetName() == name {
			if err := r.call(ctx, "replacing "+name, func() (*github.Response, error) {
				return r.gh.Repositories.DeleteReleaseAsset(ctx, r.opts.Owner, r.opts.Repo, a.GetID())
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

// call runs one API call, retrying server errors and secondary rate limits
// with backoff, and explains the failures a user can fix.
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
	var uerr *url.Error
	if resp == nil && errors.As(err, &uerr) {
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

// explain turns a failed call into an error that says what to do.
func (r *releaser) explain(what string, err error, resp *github.Response) error {
	var rate *github.RateLimitError
	if errors.As(err, &rate) {
		return fmt.Errorf("%s: the GitHub API rate limit is used up; it resets at %s", what, rate.Rate.Reset.Time.UTC().Format(time.RFC3339))
	}
	var abuse *github.AbuseRateLimitError
	if errors.As(err, &abuse) {
		return fmt.Errorf("%s: GitHub's secondary rate limit held after %d attempts; run again later", what, maxAttempts)
	}
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	if status == http.StatusTooManyRequests {
		if reset, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil && resp.Header.Get("X-RateLimit-Remaining") == "0" {
			return fmt.Errorf("%s: the GitHub API rate limit is used up; it resets at %s", what, time.Unix(reset, 0).UTC().Format(time.RFC3339))
		}
		return fmt.Errorf("%s: GitHub's secondary rate limit held after %d attempts; run again later", what, maxAttempts)
	}
	repo := r.opts.Owner + "/" + r.opts.Repo
	switch status {
	case http.StatusUnauthorized:
		return fmt.Errorf("%s: GitHub rejected the token (401): pass a valid token (the action's token input, or GITHUB_TOKEN)", what)
	case http.StatusForbidden:
		return fmt.Errorf("%s: GitHub refused (403): add `permissions: contents: write` to the workflow job, or use a token that may write to %s", what, repo)
	case http.StatusNotFound:
		return fmt.Errorf("%s: %s not found (404): check the repository name (GITHUB_REPOSITORY) and that the token can see it", what, repo)
	case http.StatusUnprocessableEntity:
		msg := "invalid request"
		var er *github.ErrorResponse
		if errors.As(err, &er) && er.Message != "" {
			msg = er.Message
			for _, fe := range er.Errors {
				msg += fmt.Sprintf("; %s %s", fe.Field, strings.TrimSpace(fe.Code+" "+fe.Message))
			}
		}
		return fmt.Errorf("%s: GitHub rejected the request (422): %s", what, msg)
	}
	if status >= 500 {
		return fmt.Errorf("%s: GitHub answered %d %d times; run again later", what, status, maxAttempts)
	}
	return fmt.Errorf("%s: %w", what, err)
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
// Enterprise.
func newClient(opts Options) (*github.Client, error) {
	if opts.Owner == "" || opts.Repo == "" {
		return nil, errors.New("no repository to release in: set GITHUB_REPOSITORY=owner/name")
	}
	gh := github.NewClient(opts.HTTPClient)
	if opts.Token != "" {
		gh = gh.WithAuthToken(opts.Token)
	}
	api := strings.TrimSuffix(opts.APIURL, "/")
	if api == "" || api == "https://api.github.com" {
		return gh, nil
	}
	base, err := url.Parse(api + "/")
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, fmt.Errorf("invalid GITHUB_API_URL %q: want e.g. https://github.example.com/api/v3", opts.APIURL)
	}
	upload := *base
	switch {
	case strings.HasSuffix(base.Path, "/api/v3/"):
		upload.Path = strings.TrimSuffix(base.Path, "v3/") + "uploads/"
	case strings.HasPrefix(base.Host, "api."):
		// GitHub Enterprise Cloud with data residency: api.X.ghe.com
		// uploads to uploads.X.ghe.com.
		upload.Host = "uploads." + strings.TrimPrefix(base.Host, "api.")
	}
	gh.BaseURL, gh.UploadURL = base, &upload
	return gh, nil
}

// isPrerelease reports whether a version has a prerelease part (3.0.0-rc.1;
// not 2.2.0+build-5, whose hyphen is build metadata).
func isPrerelease(v string) bool {
	sv, err := check.ParseVersion(v)
	return err == nil && sv.Prerelease() != ""
}
