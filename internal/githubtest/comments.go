package githubtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Issue comment routes (pull requests are issues for comments), as counted
// by Count. The fake behaves like GitHub where a sticky-comment writer can
// tell:
//
//   - GET .../issues/{n}/comments lists the comments of issue or pull
//     request n oldest first, paginated with page and per_page (default 30,
//     at most 100) and a Link header;
//   - POST .../issues/{n}/comments answers 201 with id, html_url and the
//     stored body; a body over 65,536 characters, or an empty one, is a 422;
//   - PATCH and DELETE .../issues/comments/{id} edit and delete, 404 for a
//     comment that does not exist (deleted by another run, say);
//   - with SetReadOnly, as for the GITHUB_TOKEN of a pull request from a
//     fork, every write is a 403 "Resource not accessible by integration".
const (
	ListIssueComments  = "GET /repos/{owner}/{repo}/issues/{issue_number}/comments"
	CreateIssueComment = "POST /repos/{owner}/{repo}/issues/{issue_number}/comments"
	GetIssueComment    = "GET /repos/{owner}/{repo}/issues/comments/{comment_id}"
	UpdateIssueComment = "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}"
	DeleteIssueComment = "DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}"
)

// MaxCommentBody is GitHub's limit on an issue comment's body, in
// characters.
const MaxCommentBody = 65536

// Comment is a stored issue or pull request comment.
type Comment struct {
	ID        int64
	Issue     int
	Body      string
	User      string // login of the author
	CreatedAt time.Time
	UpdatedAt time.Time
}

// comments is the comment store; it lives in Server.
type comments struct {
	list []*Comment // in creation order, which is how GitHub lists them
}

// AddComment stores a comment on issue (or pull request) n by user, as the
// newest, and returns the stored copy.
func (s *Server) AddComment(n int, user, body string) Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &Comment{ID: s.newID(), Issue: n, Body: body, User: user, CreatedAt: s.tick()}
	c.UpdatedAt = c.CreatedAt
	s.comments.list = append(s.comments.list, c)
	return *c
}

// Comments returns copies of the comments of issue n, oldest first.
func (s *Server) Comments(n int) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Comment
	for _, c := range s.comments.list {
		if c.Issue == n {
			out = append(out, *c)
		}
	}
	return out
}

// parseIssueRoute names the route of an issue comment request; parts is
// the path split at slashes, starting "repos", owner, repo, "issues".
func parseIssueRoute(method string, parts []string) (route, rest string) {
	tail := parts[4:]
	if len(tail) > 0 && tail[len(tail)-1] == "" {
		tail = tail[:len(tail)-1]
	}
	switch {
	case len(tail) == 2 && tail[1] == "comments" && tail[0] != "comments":
		switch method {
		case http.MethodGet:
			return ListIssueComments, tail[0]
		case http.MethodPost:
			return CreateIssueComment, tail[0]
		}
	case len(tail) == 2 && tail[0] == "comments":
		switch method {
		case http.MethodGet:
			return GetIssueComment, tail[1]
		case http.MethodPatch:
			return UpdateIssueComment, tail[1]
		case http.MethodDelete:
			return DeleteIssueComment, tail[1]
		}
	}
	return Unknown, ""
}

// isCommentRoute says whether route is one of the issue comment routes.
func isCommentRoute(route string) bool {
	switch route {
	case ListIssueComments, CreateIssueComment, GetIssueComment, UpdateIssueComment, DeleteIssueComment:
		return true
	}
	return false
}

// serveComments answers an issue comment request; it runs with s.mu held.
func (s *Server) serveComments(route string, r *http.Request, rest string, body []byte, a *answer, self, prefix string) {
	n, err := strconv.ParseInt(rest, 10, 64)
	if err != nil || n < 1 {
		a.fail(commentFault(http.StatusNotFound, ""))
		return
	}
	switch route {
	case ListIssueComments:
		var of []*Comment
		for _, c := range s.comments.list {
			if int64(c.Issue) == n {
				of = append(of, c)
			}
		}
		from, to := page(r, len(of), a, self)
		out := make([]map[string]any, 0, to-from)
		for _, c := range of[from:to] {
			out = append(out, s.commentJSON(c, prefix))
		}
		a.json(http.StatusOK, out)
	case CreateIssueComment:
		text, ok := commentBody(body, a)
		if !ok {
			return
		}
		c := &Comment{ID: s.newID(), Issue: int(n), Body: text, User: "github-actions[bot]", CreatedAt: s.tick()}
		c.UpdatedAt = c.CreatedAt
		s.comments.list = append(s.comments.list, c)
		a.json(http.StatusCreated, s.commentJSON(c, prefix))
	case GetIssueComment, UpdateIssueComment, DeleteIssueComment:
		i := slices.IndexFunc(s.comments.list, func(c *Comment) bool { return c.ID == n })
		if i < 0 {
			a.fail(commentFault(http.StatusNotFound, ""))
			return
		}
		c := s.comments.list[i]
		switch route {
		case GetIssueComment:
			a.json(http.StatusOK, s.commentJSON(c, prefix))
		case UpdateIssueComment:
			text, ok := commentBody(body, a)
			if !ok {
				return
			}
			c.Body, c.UpdatedAt = text, s.tick()
			a.json(http.StatusOK, s.commentJSON(c, prefix))
		case DeleteIssueComment:
			s.comments.list = slices.Delete(s.comments.list, i, i+1)
			a.status = http.StatusNoContent
		}
	}
}

// commentBody decodes the body of a create or update: {"body": "..."}.
func commentBody(data []byte, a *answer) (string, bool) {
	var in struct {
		Body *string `json:"body"`
	}
	if err := json.Unmarshal(data, &in); err != nil {
		a.fail(Fault{Status: http.StatusBadRequest, Message: "Problems parsing JSON", DocumentationURL: docsRoot})
		return "", false
	}
	switch {
	case in.Body == nil || *in.Body == "":
		f := commentFault(http.StatusUnprocessableEntity, "")
		f.Errors = []FieldError{{Resource: "IssueComment", Code: "missing_field", Field: "body"}}
		a.fail(f)
		return "", false
	case utf8.RuneCountInString(*in.Body) > MaxCommentBody:
		f := commentFault(http.StatusUnprocessableEntity, "")
		f.Errors = []FieldError{{Resource: "IssueComment", Code: "custom", Field: "body",
			Message: fmt.Sprintf("body is too long (maximum is %d characters)", MaxCommentBody)}}
		a.fail(f)
		return "", false
	}
	return *in.Body, true
}

func commentFault(status int, msg string) Fault {
	f := StatusFault(status)
	f.DocumentationURL = docsRoot + "/issues/comments"
	if msg != "" {
		f.Message = msg
	}
	return f
}

func (s *Server) commentJSON(c *Comment, prefix string) map[string]any {
	api := fmt.Sprintf("%s%s/repos/%s/%s/issues/comments/%d", s.URL, prefix, s.Owner, s.Repo, c.ID)
	kind := "User"
	if strings.HasSuffix(c.User, "[bot]") {
		kind = "Bot"
	}
	return map[string]any{
		"id":                 c.ID,
		"node_id":            fmt.Sprintf("IC_fake%d", c.ID),
		"url":                api,
		"html_url":           fmt.Sprintf("%s/%s/%s/pull/%d#issuecomment-%d", s.URL, s.Owner, s.Repo, c.Issue, c.ID),
		"issue_url":          fmt.Sprintf("%s%s/repos/%s/%s/issues/%d", s.URL, prefix, s.Owner, s.Repo, c.Issue),
		"body":               c.Body,
		"user":               map[string]any{"login": c.User, "id": 41898282, "type": kind},
		"created_at":         c.CreatedAt.Format(time.RFC3339),
		"updated_at":         c.UpdatedAt.Format(time.RFC3339),
		"author_association": "NONE",
	}
}
