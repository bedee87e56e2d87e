package githubtest

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"
)

func client(t *testing.T, s *Server, token string) *github.Client {
	t.Helper()
	gh := github.NewClient(s.Client()).WithAuthToken(token)
	base, err := url.Parse(s.APIURL())
	if err != nil {
		t.Fatal(err)
	}
	gh.BaseURL, gh.UploadURL = base, base
	return gh
}

func status(err error) int {
	var e *github.ErrorResponse
	if errors.As(err, &e) && e.Response != nil {
		return e.Response.StatusCode
	}
	return 0
}

// TestComments drives the fake's issue comments with go-github, as the
// action does: pages with Link headers, create, edit, delete, GitHub's
// size limit, a read-only token and a wrong one.
func TestComments(t *testing.T) {
	ctx := context.Background()
	s := New(t, "acme", "lite-llm", "tok")
	gh := client(t, s, "tok")
	for range 5 {
		s.AddComment(3, "octocat", "hi")
	}
	s.AddComment(4, "octocat", "another pull request")

	var got []*github.IssueComment
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 2}}
	pages := 0
	for {
		list, resp, err := gh.Issues.ListComments(ctx, "acme", "lite-llm", 3, opts)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		got = append(got, list...)
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	if pages != 3 || len(got) != 5 || got[0].GetID() > got[4].GetID() {
		t.Errorf("%d pages, %d comments, want 3 and 5, oldest first", pages, len(got))
	}

	c, _, err := gh.Issues.CreateComment(ctx, "acme", "lite-llm", 3, &github.IssueComment{Body: github.String("mine")})
	if err != nil || c.GetUser().GetType() != "Bot" || !strings.HasSuffix(c.GetHTMLURL(), "/acme/lite-llm/pull/3#issuecomment-"+strings.TrimPrefix(c.GetURL(), s.URL+"/repos/acme/lite-llm/issues/comments/")) {
		t.Fatalf("create: %v %+v", err, c)
	}
	if _, _, err := gh.Issues.EditComment(ctx, "acme", "lite-llm", c.GetID(), &github.IssueComment{Body: github.String("edited")}); err != nil {
		t.Fatal(err)
	}
	if cs := s.Comments(3); len(cs) != 6 || cs[5].Body != "edited" || cs[5].User != "github-actions[bot]" {
		t.Errorf("after the edit: %+v", cs[5])
	}
	_, _, err = gh.Issues.CreateComment(ctx, "acme", "lite-llm", 3, &github.IssueComment{Body: github.String(strings.Repeat("é", MaxCommentBody+1))})
	if status(err) != http.StatusUnprocessableEntity || !strings.Contains(err.Error(), "body is too long (maximum is 65536 characters)") {
		t.Errorf("a body over the limit: %v", err)
	}
	if _, _, err := gh.Issues.CreateComment(ctx, "acme", "lite-llm", 3, &github.IssueComment{Body: github.String(strings.Repeat("é", MaxCommentBody))}); err != nil {
		t.Errorf("a body at the limit (65,536 characters, more bytes): %v", err)
	}
	if _, err := gh.Issues.DeleteComment(ctx, "acme", "lite-llm", c.GetID()); err != nil {
		t.Fatal(err)
	}
	if _, err := gh.Issues.DeleteComment(ctx, "acme", "lite-llm", c.GetID()); status(err) != http.StatusNotFound {
		t.Errorf("deleting twice: %v", err)
	}

	s.SetReadOnly(true)
	if _, _, err := gh.Issues.CreateComment(ctx, "acme", "lite-llm", 3, &github.IssueComment{Body: github.String("x")}); status(err) != http.StatusForbidden ||
		!strings.Contains(err.Error(), "Resource not accessible by integration") {
		t.Errorf("read-only create: %v", err)
	}
	if _, _, err := gh.Issues.ListComments(ctx, "acme", "lite-llm", 3, nil); err != nil {
		t.Errorf("read-only list: %v", err)
	}
	if _, _, err := client(t, s, "wrong").Issues.ListComments(ctx, "acme", "lite-llm", 3, nil); status(err) != http.StatusUnauthorized {
		t.Errorf("wrong token: %v", err)
	}
	if n := s.Count(CreateIssueComment); n != 4 {
		t.Errorf("Count(CreateIssueComment) = %d, want 4", n)
	}
}
