package action

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/modelgate/modelgate/check"
	"github.com/modelgate/modelgate/internal/githubtest"
)

const prNumber7 = 7

// prRun prepares a pull request run of the action against the fake GitHub:
// the event payload of action (opened, synchronize), the comment input,
// and the workflow and job names the marker holds.
func prRun(t *testing.T, srv *githubtest.Server, ws, action, comment string) *run {
	t.Helper()
	r := start(t, ws, "pull_request", fmt.Sprintf("refs/pull/%d/merge", prNumber7), map[string]any{
		"action": action, "number": prNumber7,
		"pull_request": map[string]any{"number": prNumber7, "head": map[string]any{"sha": git(t, ws, "rev-parse", "HEAD")}},
	})
	r.env["INPUT_COMMENT"] = comment
	r.env["GITHUB_API_URL"] = srv.APIURL()
	r.env["GITHUB_WORKFLOW"] = "model gate"
	r.env["GITHUB_JOB"] = "gate"
	return r
}

// execVia runs the action with client as its HTTP client and checks that
// the token appears nowhere in what it wrote.
func (r *run) execVia(t *testing.T, client *http.Client) {
	t.Helper()
	r.code = Run(context.Background(), Env{Getenv: func(k string) string { return r.env[k] }, Stdout: &r.stdout, Stderr: &r.stderr,
		Tool: "test", HTTPClient: client, Sleep: func(time.Duration) {}})
	for _, s := range []string{r.stdout.String(), r.stderr.String(), r.read(t, "GITHUB_OUTPUT"), r.read(t, "GITHUB_STEP_SUMMARY")} {
		if strings.Contains(s, "ghs_secretTOKEN123") {
			t.Fatalf("the token appears in the action's output:\n%s", s)
		}
	}
}

// writes counts the requests that change comments.
func writes(srv *githubtest.Server) int {
	return srv.Count(githubtest.CreateIssueComment) + srv.Count(githubtest.UpdateIssueComment) + srv.Count(githubtest.DeleteIssueComment)
}

const wantMarker = "<!-- modelgate-comment workflow=model+gate job=gate path= model= -->"

// TestCommentLifecycle follows one pull request: opened (a model changed)
// -> one comment; synchronize -> the same comment updated; the change
// reverted -> the comment says no model changes; a later push that changes
// nothing -> the comment stays as it is.
func TestCommentLifecycle(t *testing.T) {
	srv := githubtest.New(t, "acme", "lite-llm", "ghs_secretTOKEN123")
	srv.AddComment(prNumber7, "octocat", "Looks good to me.")
	ws := repo(t, "1.0.1") // a tier added, 1.0.1 declared: the gate fails

	r := prRun(t, srv, ws, "opened", "on-change")
	r.execVia(t, srv.Client())
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (the gate fails; the comment does not change that)\n%s%s", r.code, r.stdout.String(), r.stderr.String())
	}
	cs := srv.Comments(prNumber7)
	if len(cs) != 2 || cs[0].Body != "Looks good to me." {
		t.Fatalf("comments after opened: %+v", cs)
	}
	first := cs[1]
	for _, w := range []string{wantMarker + "\n", "### ❌ `lite-llm-base` fails the release gate", "| `version-too-small` |", "<sub>modelgate test · workflow model gate · job gate · commit "} {
		if !strings.Contains(first.Body, w) {
			t.Errorf("the comment lacks %q:\n%s", w, first.Body)
		}
	}
	if !strings.HasPrefix(first.Body, wantMarker+"\n") {
		t.Errorf("the marker is not the comment's first line:\n%s", first.Body)
	}
	if got, want := r.outputs(t)["comment-url"], fmt.Sprintf("%s/acme/lite-llm/pull/7#issuecomment-%d", srv.URL, first.ID); got != want {
		t.Errorf("comment-url = %q, want %q", got, want)
	}

	// synchronize: the author fixes the version; the same comment changes.
	writeFile(t, ws, "manifest.yaml", "model: lite-llm-base-v1.1.0\ntiers:\n  - name: core\n    experts: 8\n  - name: long\n    experts: 4\n")
	git(t, ws, "mv", "releases/v1.0.1.md", "releases/v1.1.0.md")
	git(t, ws, "commit", "-qam", "declare 1.1.0")
	before := srv.Count(githubtest.CreateIssueComment)
	r = prRun(t, srv, ws, "synchronize", "on-change")
	r.execVia(t, srv.Client())
	cs = srv.Comments(prNumber7)
	if r.code != 0 || len(cs) != 2 || cs[1].ID != first.ID || srv.Count(githubtest.CreateIssueComment) != before {
		t.Fatalf("synchronize: exit %d, comments %+v, %d creates", r.code, cs, srv.Count(githubtest.CreateIssueComment)-before)
	}
	if !strings.Contains(cs[1].Body, "### ✅ `lite-llm-base` passes the release gate") || strings.Contains(cs[1].Body, "version-too-small") {
		t.Errorf("the comment was not updated:\n%s", cs[1].Body)
	}

	// The change reverted: the comment now says so.
	writeFile(t, ws, "manifest.yaml", "model: lite-llm-base-v1.0.0\ntiers:\n  - name: core\n    experts: 8\n")
	git(t, ws, "rm", "-q", "releases/v1.1.0.md")
	git(t, ws, "commit", "-qam", "revert")
	r = prRun(t, srv, ws, "synchronize", "on-change")
	r.execVia(t, srv.Client())
	cs = srv.Comments(prNumber7)
	if r.code != 0 || len(cs) != 2 || cs[1].ID != first.ID {
		t.Fatalf("revert: exit %d, comments %+v\n%s", r.code, cs, r.stdout.String())
	}
	for _, w := range []string{wantMarker + "\n### ✅ No model changes\n", "No model changed since its baseline release: `lite-llm-base` (`lite-llm-base-v1.0.0`).",
		"The model changes this comment reported before are gone"} {
		if !strings.Contains(cs[1].Body, w) {
			t.Errorf("after the revert the comment lacks %q:\n%s", w, cs[1].Body)
		}
	}

	// Another run on the same commit rewrites nothing.
	before = writes(srv)
	r = prRun(t, srv, ws, "synchronize", "on-change")
	r.execVia(t, srv.Client())
	if writes(srv) != before || r.outputs(t)["comment-url"] == "" {
		t.Errorf("an unchanged comment was written again (%d writes), outputs %v", writes(srv)-before, r.outputs(t))
	}
}

func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// unchangedRepo is a repository whose head changed no model since its
// release: only a README outside the model.
func unchangedRepo(t *testing.T) string {
	ws := repo(t, "1.1.0")
	git(t, ws, "tag", "lite-llm-base-v1.1.0")
	writeFile(t, ws, "docs/README.md", "How to use the model.\n")
	git(t, ws, "add", "-A")
	git(t, ws, "commit", "-qm", "docs")
	return ws
}

// TestCommentModes: on-change writes nothing for a pull request that never
// touched a model (one read, no write), always writes, never makes no
// request at all.
func TestCommentModes(t *testing.T) {
	ws := unchangedRepo(t)

	srv := githubtest.New(t, "acme", "lite-llm", "ghs_secretTOKEN123")
	r := prRun(t, srv, ws, "opened", "on-change")
	r.execVia(t, srv.Client())
	if r.code != 0 || len(srv.Comments(prNumber7)) != 0 || writes(srv) != 0 || srv.Count(githubtest.ListIssueComments) != 1 {
		t.Errorf("on-change, nothing changed: exit %d, %d comments, %d writes, %d lists", r.code, len(srv.Comments(prNumber7)), writes(srv), srv.Count(githubtest.ListIssueComments))
	}
	if _, ok := r.outputs(t)["comment-url"]; ok {
		t.Error("comment-url output without a comment")
	}

	r = prRun(t, srv, ws, "opened", "always")
	r.execVia(t, srv.Client())
	if cs := srv.Comments(prNumber7); r.code != 0 || len(cs) != 1 || !strings.Contains(cs[0].Body, "### ✅ No model changes") ||
		strings.Contains(cs[0].Body, "reported before") {
		t.Errorf("always: exit %d, comments %+v", r.code, cs)
	}

	srv = githubtest.New(t, "acme", "lite-llm", "ghs_secretTOKEN123")
	changed := repo(t, "1.1.0")
	r = prRun(t, srv, changed, "opened", "never")
	r.execVia(t, srv.Client())
	if r.code != 0 || len(srv.Requests()) != 0 {
		t.Errorf("never: exit %d, %d requests to GitHub", r.code, len(srv.Requests()))
	}

	// Not a pull request: no comment, no request, whatever the mode.
	r = start(t, changed, "push", "refs/heads/main", map[string]any{})
	r.env["INPUT_COMMENT"], r.env["GITHUB_API_URL"] = "always", srv.APIURL()
	r.execVia(t, srv.Client())
	if r.code != 0 || len(srv.Requests()) != 0 {
		t.Errorf("push: exit %d, %d requests to GitHub", r.code, len(srv.Requests()))
	}

	// A bad mode stops the step before anything is written.
	r = prRun(t, srv, changed, "opened", "sometimes")
	r.execVia(t, srv.Client())
	if r.code != 2 || !strings.Contains(r.stderr.String(), `input comment is "sometimes": want on-change, always or never`) || r.read(t, "GITHUB_STEP_SUMMARY") != "" {
		t.Errorf("bad mode: exit %d\n%s", r.code, r.stderr.String())
	}
}

// TestCommentFork: a read-only token (a pull request from a fork) cannot
// comment: the step keeps the gate's verdict, says why in a notice and in
// the summary, and writes no comment.
func TestCommentFork(t *testing.T) {
	for _, tc := range []struct {
		declared string
		code     int
	}{{"1.1.0", 0}, {"1.0.1", 1}} {
		srv := githubtest.New(t, "acme", "lite-llm", "ghs_secretTOKEN123")
		srv.SetReadOnly(true)
		ws := repo(t, tc.declared)
		r := prRun(t, srv, ws, "opened", "on-change")
		r.execVia(t, srv.Client())
		if r.code != tc.code {
			t.Errorf("declared %s: exit %d, want %d (the gate's verdict)\n%s%s", tc.declared, r.code, tc.code, r.stdout.String(), r.stderr.String())
		}
		if len(srv.Comments(prNumber7)) != 0 || srv.Count(githubtest.CreateIssueComment) != 1 {
			t.Errorf("declared %s: %d comments, %d creates", tc.declared, len(srv.Comments(prNumber7)), srv.Count(githubtest.CreateIssueComment))
		}
		if !strings.Contains(r.stdout.String(), "::notice title=modelgate comment::the token may not write to this pull request (403: Resource not accessible by integration)") ||
			!strings.Contains(r.stdout.String(), "grant `permissions: pull-requests: write`") {
			t.Errorf("declared %s: no notice:\n%s", tc.declared, r.stdout.String())
		}
		if strings.Contains(r.stdout.String(), "::error title=modelgate comment") || strings.Contains(r.stdout.String(), "::warning title=modelgate comment") {
			t.Errorf("declared %s: the fork case is reported as a failure:\n%s", tc.declared, r.stdout.String())
		}
		summary := r.read(t, "GITHUB_STEP_SUMMARY")
		if !strings.Contains(summary, "lite-llm-base") || !strings.Contains(summary, "no pull request comment: the token may not write") {
			t.Errorf("declared %s: summary:\n%s", tc.declared, summary)
		}
		out := r.outputs(t)
		if _, ok := out["comment-url"]; ok || out["passed"] == "" {
			t.Errorf("declared %s: outputs %v", tc.declared, out)
		}
	}
}

// TestCommentOtherFailures: a server that keeps failing costs a warning,
// never the verdict; a passing gate still exits 0.
func TestCommentOtherFailures(t *testing.T) {
	srv := githubtest.New(t, "acme", "lite-llm", "ghs_secretTOKEN123")
	srv.FailRoute(githubtest.ListIssueComments, http.StatusBadGateway, commentAttempts)
	r := prRun(t, srv, repo(t, "1.1.0"), "opened", "on-change")
	r.execVia(t, srv.Client())
	if r.code != 0 || srv.Count(githubtest.ListIssueComments) != commentAttempts || writes(srv) != 0 ||
		!strings.Contains(r.stdout.String(), "::warning title=modelgate comment::could not write the pull request comment: listing the comments of pull request #7") {
		t.Errorf("exit %d, %d lists, %d writes\n%s", r.code, srv.Count(githubtest.ListIssueComments), writes(srv), r.stdout.String())
	}
	// One server error is retried and the comment written.
	srv.FailRoute(githubtest.ListIssueComments, http.StatusBadGateway, 1)
	r = prRun(t, srv, repo(t, "1.1.0"), "opened", "on-change")
	r.execVia(t, srv.Client())
	if r.code != 0 || len(srv.Comments(prNumber7)) != 1 {
		t.Errorf("after one 502: exit %d, %d comments\n%s", r.code, len(srv.Comments(prNumber7)), r.stdout.String())
	}
	// A create that fails after it took effect is not repeated: the
	// listing finds the comment it made.
	srv = githubtest.New(t, "acme", "lite-llm", "ghs_secretTOKEN123")
	f := githubtest.StatusFault(http.StatusBadGateway)
	f.After = true
	srv.InjectRoute(githubtest.CreateIssueComment, f, 1)
	r = prRun(t, srv, repo(t, "1.1.0"), "opened", "on-change")
	r.execVia(t, srv.Client())
	if cs := srv.Comments(prNumber7); r.code != 0 || len(cs) != 1 || srv.Count(githubtest.CreateIssueComment) != 1 || r.outputs(t)["comment-url"] == "" {
		t.Errorf("502 after the create: exit %d, %d comments, %d creates\n%s", r.code, len(cs), srv.Count(githubtest.CreateIssueComment), r.stdout.String())
	}
}

// TestCommentRedirectAndUnreachable: an API that redirects to another host,
// or cannot be reached at all, costs one warning and is not retried; the
// other host receives nothing, the token appears nowhere, the verdict
// stands.
func TestCommentRedirectAndUnreachable(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + closed.Addr().String()
	closed.Close()
	for _, tc := range []struct {
		name, want string
		setup      func(srv, foreign *githubtest.Server) string // the API URL
	}{
		{"redirect to another host", "redirected to ", func(srv, foreign *githubtest.Server) string {
			srv.InjectRoute(githubtest.ListIssueComments, githubtest.Redirect(http.StatusFound, foreign.URL), 1)
			return srv.APIURL()
		}},
		{"connection refused", "connection refused", func(_, _ *githubtest.Server) string { return refused }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := githubtest.New(t, "acme", "lite-llm", "ghs_secretTOKEN123")
			foreign := githubtest.New(t, "acme", "lite-llm", "ghs_secretTOKEN123")
			r := prRun(t, srv, repo(t, "1.1.0"), "opened", "always")
			r.env["GITHUB_API_URL"] = tc.setup(srv, foreign)
			sleeps := 0
			r.code = Run(context.Background(), Env{Getenv: func(k string) string { return r.env[k] }, Stdout: &r.stdout, Stderr: &r.stderr,
				Tool: "test", HTTPClient: srv.Client(), Sleep: func(time.Duration) { sleeps++ }})
			all := r.stdout.String() + r.stderr.String() + r.read(t, "GITHUB_OUTPUT") + r.read(t, "GITHUB_STEP_SUMMARY")
			warnings := strings.Count(r.stdout.String(), "::warning title=modelgate comment::could not write the pull request comment: ")
			if r.code != 0 || warnings != 1 || !strings.Contains(r.stdout.String(), tc.want) || strings.Contains(all, "ghs_secretTOKEN123") {
				t.Errorf("exit %d, %d warnings, want 0 and one naming %q, no token:\n%s", r.code, warnings, tc.want, r.stdout.String())
			}
			if sleeps != 0 || srv.Count(githubtest.ListIssueComments) > 1 || len(foreign.Requests()) != 0 {
				t.Errorf("retried (%d waits, %d lists) or reached the other host (%d requests)", sleeps, srv.Count(githubtest.ListIssueComments), len(foreign.Requests()))
			}
		})
	}
}

// TestCommentRenamedRepository: GitHub redirects the API of a renamed
// repository on its own host (301 for reads, 307 for writes); the comment
// follows those redirects, with the token, and is written.
func TestCommentRenamedRepository(t *testing.T) {
	srv := githubtest.New(t, "acme", "lite-llm", "ghs_secretTOKEN123")
	srv.Rename("acme", "lite-llm-renamed")
	r := prRun(t, srv, repo(t, "1.1.0"), "opened", "on-change") // GITHUB_REPOSITORY is still acme/lite-llm
	r.execVia(t, srv.Client())
	statuses := map[int]int{}
	for _, req := range srv.Requests() {
		statuses[req.Status]++
	}
	if cs := srv.Comments(prNumber7); r.code != 0 || len(cs) != 1 || !strings.HasPrefix(cs[0].Body, wantMarker+"\n") || r.outputs(t)["comment-url"] == "" {
		t.Errorf("exit %d, %d comments\n%s\n%s", r.code, len(cs), r.stdout.String(), srv.Log())
	}
	if statuses[http.StatusMovedPermanently] == 0 || statuses[http.StatusTemporaryRedirect] == 0 {
		t.Errorf("no 301 and 307 redirects seen: the test proves nothing\n%s", srv.Log())
	}
}

// TestCommentPaginationAndDuplicates finds the marked comment on a later
// page, updates the oldest marked comment and deletes duplicates an
// earlier race left, and keeps the comments of other jobs and models.
func TestCommentPaginationAndDuplicates(t *testing.T) {
	srv := githubtest.New(t, "acme", "lite-llm", "ghs_secretTOKEN123")
	for i := range 130 {
		srv.AddComment(prNumber7, "octocat", fmt.Sprintf("comment %d", i))
	}
	mine := srv.AddComment(prNumber7, "github-actions[bot]", wantMarker+"\nold report")
	for i := range 40 {
		srv.AddComment(prNumber7, "octocat", fmt.Sprintf("later comment %d", i))
	}
	dup := srv.AddComment(prNumber7, "github-actions[bot]", wantMarker+"\nduplicate from a race")
	otherJob := srv.AddComment(prNumber7, "github-actions[bot]", "<!-- modelgate-comment workflow=model+gate job=other path= model= -->\nother job")
	otherModel := srv.AddComment(prNumber7, "github-actions[bot]", "<!-- modelgate-comment workflow=model+gate job=gate path= model=b -->\nmodel b")
	quoted := srv.AddComment(prNumber7, "octocat", "> "+wantMarker+"\nquoting the bot")

	r := prRun(t, srv, repo(t, "1.1.0"), "synchronize", "on-change")
	r.execVia(t, srv.Client())
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stdout.String())
	}
	if n := srv.Count(githubtest.ListIssueComments); n != 2 {
		t.Errorf("%d list requests, want 2 (175 comments, 100 a page)", n)
	}
	byID := map[int64]githubtest.Comment{}
	for _, c := range srv.Comments(prNumber7) {
		byID[c.ID] = c
	}
	if c, ok := byID[mine.ID]; !ok || !strings.Contains(c.Body, "passes the release gate") {
		t.Errorf("the oldest marked comment was not updated: %+v", c)
	}
	if _, ok := byID[dup.ID]; ok {
		t.Error("the duplicate marked comment was not deleted")
	}
	for _, keep := range []githubtest.Comment{otherJob, otherModel, quoted} {
		if c, ok := byID[keep.ID]; !ok || c.Body != keep.Body {
			t.Errorf("comment %d (%q) was changed or deleted", keep.ID, keep.Body)
		}
	}
	if srv.Count(githubtest.CreateIssueComment) != 0 || len(byID) != 130+40+1+3 {
		t.Errorf("%d creates, %d comments", srv.Count(githubtest.CreateIssueComment), len(byID))
	}
}

// barrier holds requests of one method until n have arrived, so that
// racing runs all get past their earlier requests first.
type barrier struct {
	base   http.RoundTripper
	method string
	path   string
	mu     sync.Mutex
	n      int
	met    chan struct{}
}

func newBarrier(base http.RoundTripper, method, pathSuffix string, n int) *barrier {
	return &barrier{base: base, method: method, path: pathSuffix, n: n, met: make(chan struct{})}
}

func (b *barrier) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == b.method && strings.HasSuffix(req.URL.Path, b.path) {
		b.mu.Lock()
		b.n--
		if b.n == 0 {
			close(b.met)
		}
		b.mu.Unlock()
		select {
		case <-b.met:
		case <-time.After(10 * time.Second):
			return nil, fmt.Errorf("barrier: the other run never came")
		}
	}
	return b.base.RoundTrip(req)
}

// TestCommentRace: two runs of the same job on the same pull request both
// find no comment and both create one; they converge on one comment.
func TestCommentRace(t *testing.T) {
	for _, holdRelist := range []bool{false, true} {
		t.Run(fmt.Sprintf("relist held %v", holdRelist), func(t *testing.T) {
			srv := githubtest.New(t, "acme", "lite-llm", "ghs_secretTOKEN123")
			ws := repo(t, "1.1.0")
			posts := newBarrier(srv.Client().Transport, http.MethodPost, "/issues/7/comments", 2)
			var rt http.RoundTripper = posts
			if holdRelist {
				// Both lists after the creates meet too: each run sees
				// both comments.
				rt = &afterPosts{posts: posts, lists: newBarrier(posts, http.MethodGet, "/issues/7/comments", 2)}
			}
			client := &http.Client{Transport: rt}
			runs := []*run{prRun(t, srv, ws, "synchronize", "on-change"), prRun(t, srv, ws, "synchronize", "on-change")}
			var wg sync.WaitGroup
			for _, r := range runs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r.code = Run(context.Background(), Env{Getenv: func(k string) string { return r.env[k] }, Stdout: &r.stdout, Stderr: &r.stderr,
						Tool: "test", HTTPClient: client, Sleep: func(time.Duration) {}})
				}()
			}
			wg.Wait()
			if n := srv.Count(githubtest.CreateIssueComment); n != 2 {
				t.Fatalf("%d creates: the runs did not race", n)
			}
			cs := srv.Comments(prNumber7)
			if len(cs) != 1 {
				t.Fatalf("%d comments after the race, want 1: %+v", len(cs), cs)
			}
			for i, r := range runs {
				if r.code != 0 || r.outputs(t)["comment-url"] != fmt.Sprintf("%s/acme/lite-llm/pull/7#issuecomment-%d", srv.URL, cs[0].ID) {
					t.Errorf("run %d: exit %d, outputs %v\n%s", i, r.code, r.outputs(t), r.stdout.String())
				}
			}
			if !strings.HasPrefix(cs[0].Body, wantMarker+"\n### ✅ `lite-llm-base` passes") {
				t.Errorf("the kept comment:\n%s", cs[0].Body)
			}
		})
	}
}

// afterPosts sends the lists that follow the creates through a second
// barrier.
type afterPosts struct {
	posts *barrier
	lists *barrier
}

func (a *afterPosts) RoundTrip(req *http.Request) (*http.Response, error) {
	select {
	case <-a.posts.met:
		return a.lists.RoundTrip(req)
	default:
		return a.posts.RoundTrip(req)
	}
}

// TestCommentLimit: a report longer than a comment may be is cut at a
// line with a visible note, under GitHub's limit (the fake refuses
// longer bodies, as GitHub does); the summary keeps all of it.
func TestCommentLimit(t *testing.T) {
	ws := repo(t, "1.1.0")
	// 300 training settings with names of 700 characters changed: the
	// report lists 100 of them (check.MaxFindingsPerRule) and a remainder,
	// about 75 kB of markdown.
	var before, after strings.Builder
	long := strings.Repeat("a_rather_long_training_setting_name_", 19)
	for i := range 300 {
		fmt.Fprintf(&before, "  %s%04d: %d\n", long, i, i)
		fmt.Fprintf(&after, "  %s%04d: %d\n", long, i, i+1)
	}
	manifest := "model: lite-llm-base-v1.1.0\ntiers:\n  - name: core\n    experts: 8\n  - name: long\n    experts: 4\nhyperparameters:\n"
	writeFile(t, ws, "manifest.yaml", manifest+before.String())
	git(t, ws, "commit", "-qam", "settings")
	git(t, ws, "tag", "lite-llm-base-v1.1.0")
	writeFile(t, ws, "manifest.yaml", manifest+after.String())
	git(t, ws, "commit", "-qam", "new settings")
	srv := githubtest.New(t, "acme", "lite-llm", "ghs_secretTOKEN123")
	r := prRun(t, srv, ws, "opened", "on-change")
	r.execVia(t, srv.Client())
	cs := srv.Comments(prNumber7)
	if r.code != 0 || len(cs) != 1 {
		t.Fatalf("exit %d, %d comments\n%s", r.code, len(cs), r.stdout.String())
	}
	body := cs[0].Body
	if n := utf8.RuneCountInString(body); n > githubtest.MaxCommentBody || len(body) > githubtest.MaxCommentBody {
		t.Errorf("the body has %d characters, %d bytes", n, len(body))
	}
	if !strings.Contains(body, "> **Truncated:** the report is longer than a pull request comment may be;") || !strings.HasPrefix(body, wantMarker+"\n") ||
		!strings.HasSuffix(body, "</sub>\n") {
		t.Errorf("no visible cut, marker or footer:\n%s", body[len(body)-600:])
	}
	if summary := r.read(t, "GITHUB_STEP_SUMMARY"); strings.Count(summary, "`hyperparameter-changed`") != check.MaxFindingsPerRule+1 ||
		!strings.Contains(summary, "200 more hyperparameter-changed findings") {
		t.Errorf("the summary has %d rows of the 300 findings, want %d and a remainder of 200", strings.Count(summary, "`hyperparameter-changed`"), check.MaxFindingsPerRule)
	}
	if cut := strings.Count(body, "`hyperparameter-changed`"); cut >= check.MaxFindingsPerRule {
		t.Errorf("the comment has %d rows: it was not cut", cut)
	}
}

// TestCommentMarkerInert: workflow and job names cannot end the hidden
// marker early or forge another job's marker.
func TestCommentMarkerInert(t *testing.T) {
	m := commentMarker("wf --> <b>x</b>", "job\nname", "models/a b", "a")
	inner := strings.TrimSuffix(strings.TrimPrefix(m, "<!--"), "-->")
	if !strings.HasPrefix(m, "<!-- modelgate-comment ") || strings.ContainsAny(inner, "<>\n") {
		t.Errorf("marker %q", m)
	}
	if commentMarker("w", "j", "", "a") == commentMarker("w", "j", "", "b") || commentMarker("w", "j a", "", "") == commentMarker("w", "j", "a", "") {
		t.Error("different jobs or model sets share a marker")
	}
}
