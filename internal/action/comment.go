package action

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/sethvargo/go-githubactions"

	"github.com/modelgate/modelgate/check"
	"github.com/modelgate/modelgate/internal/abbrev"
	"github.com/modelgate/modelgate/internal/release"
	"github.com/modelgate/modelgate/internal/render"
)

// The comment input: when the sticky pull request comment is written.
const (
	// CommentOnChange writes it when a model changed, rewrites it to say
	// so when a later push removes the change, and writes nothing for a
	// pull request that never touched a model.
	CommentOnChange = "on-change"
	// CommentAlways writes it on every pull request run.
	CommentAlways = "always"
	// CommentNever writes no comment (and makes no API call for one).
	CommentNever = "never"
)

// maxCommentBody bounds the comment body in bytes: GitHub refuses bodies
// over 65,536 characters, and a character is at least a byte.
const maxCommentBody = 65536

// commentAttempts bounds the tries of one comment API call after a server
// error or a failed connection.
const commentAttempts = 3

// commentMarker is the hidden first line that names the comment of one job
// and model set: the workflow, the job, the path input and the model input.
// The values are query-escaped, so none can end the HTML comment early.
func commentMarker(workflow, job, path, model string) string {
	q := url.QueryEscape
	return fmt.Sprintf("<!-- modelgate-comment workflow=%s job=%s path=%s model=%s -->", q(workflow), q(job), q(path), q(model))
}

// prNumber returns the pull request number of a pull_request or
// pull_request_target event, or 0.
func prNumber(c *githubactions.GitHubContext) int {
	if c.EventName != "pull_request" && c.EventName != "pull_request_target" {
		return 0
	}
	if pr, ok := c.Event["pull_request"].(map[string]any); ok {
		if n, ok := pr["number"].(float64); ok && n >= 1 && n == float64(int(n)) {
			return int(n)
		}
	}
	if n, ok := c.Event["number"].(float64); ok && n >= 1 && n == float64(int(n)) {
		return int(n)
	}
	return 0
}

// anyChanged says whether some model changed since its baseline.
func anyChanged(r *check.Report) bool {
	return slices.ContainsFunc(r.Models, func(m *check.ModelReport) bool { return !m.Unchanged() })
}

// comment writes, updates or leaves alone the sticky pull request comment
// (DESIGN §5). It never fails the step: a token that may not write (a pull
// request from a fork) gets a notice, any other failure a warning, and the
// report stays in the step summary either way.
func (a *runner) comment(ctx context.Context, r *check.Report, c *githubactions.GitHubContext) {
	mode := a.in.comment
	n := prNumber(c)
	if mode == CommentNever || n == 0 {
		return
	}
	if a.in.token == "" {
		a.notice("modelgate comment", "no token: the pull request comment is not written; the report is in the step summary")
		return
	}
	owner, name := c.Repo()
	gh, err := release.Client(release.Options{Owner: owner, Repo: name, Token: a.in.token, APIURL: c.APIURL, HTTPClient: a.env.HTTPClient})
	if err != nil {
		a.commentFailed(err)
		return
	}
	cm := &commenter{gh: gh, owner: owner, repo: name, pr: n, sleep: a.env.Sleep,
		marker: commentMarker(c.Workflow, c.Job, a.in.path, a.in.model)}
	existing, err := cm.find(ctx)
	if err != nil {
		a.commentFailed(err)
		return
	}
	changed := anyChanged(r)
	if !changed && mode == CommentOnChange && len(existing) == 0 {
		return // no model was touched, and no comment says otherwise
	}
	body := cm.marker + "\n" + commentBody(r, changed, len(existing) > 0, c, a.env.Tool, maxCommentBody-len(cm.marker)-1)
	written, err := cm.write(ctx, existing, body)
	if err != nil {
		a.commentFailed(err)
		return
	}
	a.extra = append(a.extra, [2]string{"comment-url", written.GetHTMLURL()})
}

// notice writes a notice annotation.
func (a *runner) notice(title, msg string) {
	fmt.Fprint(a.env.Stdout, render.Annotation("notice", "", 0, title, a.scrub(msg)))
}

// scrub removes the token from a message.
func (a *runner) scrub(s string) string {
	if a.in.token == "" {
		return s
	}
	return strings.ReplaceAll(s, a.in.token, "***")
}

// commentFailed reports a comment that could not be written, without
// failing the step.
func (a *runner) commentFailed(err error) {
	var resp *github.ErrorResponse
	if errors.As(err, &resp) && resp.Response != nil && resp.Response.StatusCode == http.StatusForbidden &&
		!isRateLimit(err) {
		msg := "the token may not write to this pull request (403: " + resp.Message + "), as for a pull request from a fork; " +
			"the report is in the step summary. To get the comment on pull requests from this repository, grant `permissions: pull-requests: write`"
		a.notice("modelgate comment", msg)
		a.appendFile("GITHUB_STEP_SUMMARY", "\n> **Note:** no pull request comment: the token may not write to this pull request (a pull request from a fork, or no `pull-requests: write` permission).\n")
		return
	}
	msg := "could not write the pull request comment: " + strings.ReplaceAll(err.Error(), "\n", " ") + "; the report is in the step summary"
	fmt.Fprint(a.env.Stdout, render.Annotation("warning", "", 0, "modelgate comment", a.scrub(msg)))
}

func isRateLimit(err error) bool {
	var rate *github.RateLimitError
	var abuse *github.AbuseRateLimitError
	return errors.As(err, &rate) || errors.As(err, &abuse)
}

// commentBody is what the comment says: the markdown report of the models,
// or that no model changes any more, in at most limit bytes with a visible
// cut.
func commentBody(r *check.Report, changed, earlier bool, c *githubactions.GitHubContext, tool string, limit int) string {
	var b strings.Builder
	if changed {
		_ = render.Markdown(&b, r)
	} else {
		b.WriteString("### ✅ No model changes\n\n")
		var names []string
		for _, m := range r.Models {
			if m.Base != nil {
				names = append(names, fmt.Sprintf("`%s` (`%s`)", render.MarkdownEscape(m.Name), render.MarkdownEscape(m.Base.Ref)))
			}
		}
		b.WriteString("No model changed since its baseline release")
		if len(names) > 0 {
			b.WriteString(": " + strings.Join(names, ", "))
		}
		b.WriteString(".")
		if earlier {
			b.WriteString(" The model changes this comment reported before are gone from the pull request.")
		}
		b.WriteString("\n\n")
	}
	footer := fmt.Sprintf("<sub>modelgate %s · workflow %s · job %s · commit %s</sub>\n", render.MarkdownEscape(tool),
		render.MarkdownEscape(c.Workflow), render.MarkdownEscape(c.Job), abbrev.Commit(c.SHA))
	return limitComment(b.String(), limit-len(footer)) + footer
}

// limitComment cuts a body to at most limit bytes at a line end, and says
// so visibly.
func limitComment(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := s[:max(limit-512, 0)]
	if i := strings.LastIndexByte(cut, '\n'); i > 0 {
		cut = cut[:i+1]
	}
	more := strings.Count(s[len(cut):], "\n")
	return cut + fmt.Sprintf("\n> **Truncated:** the report is longer than a pull request comment may be; %d more lines are in the step summary, and `modelgate check --format markdown` prints all of it.\n\n", more)
}

// commenter reads and writes one pull request's comments.
type commenter struct {
	gh          *github.Client
	owner, repo string
	pr          int
	marker      string
	sleep       func(time.Duration)
}

// call runs an idempotent API call, repeating it after a server error or a
// failed connection.
func (cm *commenter) call(ctx context.Context, f func() (*github.Response, error)) error {
	for attempt := 1; ; attempt++ {
		resp, err := f()
		if err == nil || attempt == commentAttempts || ctx.Err() != nil || !transient(err, resp) {
			return err
		}
		wait := time.Duration(attempt) * time.Second
		if cm.sleep != nil {
			cm.sleep(wait)
		} else {
			select {
			case <-ctx.Done():
			case <-time.After(wait):
			}
		}
	}
}

// transient says whether a failed call may succeed if repeated: a server
// error or a dropped connection, not a host that cannot be reached at all
// nor a redirect refused (release.Unreachable).
func transient(err error, resp *github.Response) bool {
	if resp != nil && resp.Response != nil {
		return resp.StatusCode >= 500
	}
	if release.Unreachable(err) {
		return false
	}
	var uerr *url.Error
	return errors.As(err, &uerr)
}

// maxCommentPages bounds the listing: 300 pages of 100 comments.
const maxCommentPages = 300

// find lists the pull request's comments, every page, and returns those
// that carry the marker, oldest first.
func (cm *commenter) find(ctx context.Context) ([]*github.IssueComment, error) {
	var found []*github.IssueComment
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	for page := 1; page <= maxCommentPages; page++ {
		var list []*github.IssueComment
		var resp *github.Response
		err := cm.call(ctx, func() (r *github.Response, err error) {
			list, resp, err = cm.gh.Issues.ListComments(ctx, cm.owner, cm.repo, cm.pr, opts)
			return resp, err
		})
		if err != nil {
			return nil, fmt.Errorf("listing the comments of pull request #%d: %w", cm.pr, err)
		}
		for _, c := range list {
			if first, _, _ := strings.Cut(c.GetBody(), "\n"); strings.TrimSpace(first) == cm.marker {
				found = append(found, c)
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	slices.SortFunc(found, func(x, y *github.IssueComment) int { return cmp.Compare(x.GetID(), y.GetID()) })
	return found, nil
}

// write makes the oldest marked comment say body and deletes the others;
// with none, it creates one and then converges with any run that raced
// it: everyone keeps the oldest marked comment and deletes the rest.
func (cm *commenter) write(ctx context.Context, existing []*github.IssueComment, body string) (*github.IssueComment, error) {
	if len(existing) == 0 {
		created, err := cm.create(ctx, body)
		if err != nil {
			return nil, err
		}
		if existing, err = cm.find(ctx); err != nil {
			return nil, err
		}
		if len(existing) == 0 {
			return created, nil
		}
	}
	keep := existing[0]
	for _, extra := range existing[1:] {
		if err := cm.delete(ctx, extra.GetID()); err != nil {
			return nil, err
		}
	}
	if keep.GetBody() == body {
		return keep, nil
	}
	var edited *github.IssueComment
	err := cm.call(ctx, func() (resp *github.Response, err error) {
		edited, resp, err = cm.gh.Issues.EditComment(ctx, cm.owner, cm.repo, keep.GetID(), &github.IssueComment{Body: github.String(body)})
		return resp, err
	})
	if err != nil {
		return nil, fmt.Errorf("updating comment %d of pull request #%d: %w", keep.GetID(), cm.pr, err)
	}
	return edited, nil
}

// create posts the comment. A create that failed in a way that may have
// taken effect (a server error) is not repeated blindly: the caller's
// listing finds what it made.
func (cm *commenter) create(ctx context.Context, body string) (*github.IssueComment, error) {
	for attempt := 1; ; attempt++ {
		c, resp, err := cm.gh.Issues.CreateComment(ctx, cm.owner, cm.repo, cm.pr, &github.IssueComment{Body: github.String(body)})
		if err == nil {
			return c, nil
		}
		if attempt == commentAttempts || !transient(err, resp) {
			return nil, fmt.Errorf("commenting on pull request #%d: %w", cm.pr, err)
		}
		if found, ferr := cm.find(ctx); ferr == nil && len(found) > 0 {
			return found[0], nil
		}
	}
}

// delete deletes a duplicate; one that another run deleted first is gone
// already.
func (cm *commenter) delete(ctx context.Context, id int64) error {
	err := cm.call(ctx, func() (*github.Response, error) {
		return cm.gh.Issues.DeleteComment(ctx, cm.owner, cm.repo, id)
	})
	var resp *github.ErrorResponse
	if errors.As(err, &resp) && resp.Response != nil && resp.Response.StatusCode == http.StatusNotFound {
		return nil
	}
	if err != nil {
		return fmt.Errorf("deleting the duplicate comment %d of pull request #%d: %w", id, cm.pr, err)
	}
	return nil
}
