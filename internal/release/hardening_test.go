package release

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/modelgate/modelgate/changelog"
	"github.com/modelgate/modelgate/check"
	"github.com/modelgate/modelgate/internal/githubtest"
)

// TestCrossHostRedirectIsRefused: whichever call GitHub answers with a
// redirect to another host, the run stops with one line naming both hosts,
// and the other host receives nothing, least of all the token.
func TestCrossHostRedirectIsRefused(t *testing.T) {
	for _, tt := range []struct {
		name, route string
		status      int
		what        string
	}{
		{"get-by-tag 302", githubtest.GetReleaseByTag, http.StatusFound, "reading the release " + tag220},
		{"list 301", githubtest.ListReleases, http.StatusMovedPermanently, "listing releases"},
		{"create 307", githubtest.CreateRelease, http.StatusTemporaryRedirect, "creating the release " + tag220},
		{"upload 308", githubtest.UploadReleaseAsset, http.StatusPermanentRedirect, "uploading " + tag220 + ".record.json"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			foreign := githubtest.New(t, owner, repo, secret) // would accept the token, and answer
			e.srv.InjectRoute(tt.route, githubtest.Redirect(tt.status, foreign.URL), 1)
			_, err := e.run(t, report(t, "2.2.0", notes220))
			wantErr(t, err, tt.what, "redirected to "+hostOf(mustURL(t, foreign.URL)), "refused", "GITHUB_API_URL")
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("error of several lines: %q", err)
			}
			if n := len(foreign.Requests()); n != 0 {
				t.Errorf("the other host received %d requests:\n%s", n, foreign.Log())
			}
			wantWaits(t, e.sleep) // refused, not retried
		})
	}
}

// TestTokenOnlyToTheAPIHosts: the client sends the token to the API host
// and the upload host only, whatever URL a request names.
func TestTokenOnlyToTheAPIHosts(t *testing.T) {
	e := newEnv(t)
	foreign := githubtest.New(t, owner, repo, "")
	gh, err := newClient(e.opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, base := range []string{e.srv.URL, foreign.URL} {
		req, err := http.NewRequest(http.MethodGet, base+listPath, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := gh.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if got := e.srv.Requests()[0].Header.Get("Authorization"); got != "Bearer "+secret {
		t.Errorf("the API host got Authorization %q", got)
	}
	if got := foreign.Requests()[0].Header.Get("Authorization"); got != "" {
		t.Errorf("another host got Authorization %q", got)
	}

	// Origins are scheme, host and port: no token over plain HTTP to the
	// same name, nor to another port.
	rec := &recorder{}
	c := authClient(&http.Client{Transport: rec}, secret, "https://api.github.com", "https://uploads.github.com")
	for u, want := range map[string]bool{
		"https://api.github.com/repos/a/b/releases":       true,
		"https://API.GitHub.com/repos/a/b/releases":       true,
		"https://uploads.github.com/repos/a/b/releases/1": true,
		"http://api.github.com/repos/a/b/releases":        false,
		"https://api.github.com:8443/repos/a/b/releases":  false,
		"https://api.github.com.evil.test/repos/a/b":      false,
		"https://objects.githubusercontent.com/x":         false,
	} {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Authorization", "Bearer smuggled")
		if _, err := c.Transport.RoundTrip(req); err != nil {
			t.Fatal(err)
		}
		got := rec.last.Header.Get("Authorization")
		if (got == "Bearer "+secret) != want || (!want && got != "") {
			t.Errorf("%s: Authorization %q, want the token: %v", u, got, want)
		}
	}
}

type recorder struct{ last *http.Request }

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.last = req
	return &http.Response{StatusCode: 200, Body: http.NoBody, Header: http.Header{}, Request: req}, nil
}

// TestRenamedRepository: GitHub redirects a renamed repository's API on the
// same host (301 for reads, 307 for writes); those redirects are followed
// with the token, and the release is made.
func TestRenamedRepository(t *testing.T) {
	e := newEnv(t)
	e.srv.Rename(owner, "models-renamed")
	res, err := e.run(t, report(t, "2.2.0", notes220))
	if err != nil {
		t.Fatalf("%v\n%s", err, e.srv.Log())
	}
	rel := e.release(t, tag220)
	if res.Action != "created" || !rel.Draft {
		t.Errorf("result %+v, release %+v", res, rel)
	}
	record(t, rel)
	statuses := map[int]int{}
	for _, r := range e.srv.Requests() {
		statuses[r.Status]++
		if r.Header.Get("Authorization") != "Bearer "+secret {
			t.Errorf("%s %s without the token", r.Method, r.Path)
		}
	}
	if statuses[http.StatusMovedPermanently] == 0 || statuses[http.StatusTemporaryRedirect] == 0 {
		t.Errorf("no 301 and 307 redirects seen:\n%s", e.srv.Log())
	}

	// The redirect as GitHub sends it: to the repository's ID, same host,
	// query kept, with a JSON body naming the new URL.
	c := e.srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for method, want := range map[string]int{http.MethodGet: http.StatusMovedPermanently, http.MethodPost: http.StatusTemporaryRedirect} {
		req, _ := http.NewRequest(method, e.srv.URL+listPath+"?per_page=5", strings.NewReader("{}"))
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		loc := e.srv.URL + "/repositories/1296269/releases?per_page=5"
		if resp.StatusCode != want || resp.Header.Get("Location") != loc || !strings.Contains(string(body), `"url":"`+loc+`"`) {
			t.Errorf("%s: %d, Location %q, body %s", method, resp.StatusCode, resp.Header.Get("Location"), body)
		}
	}
}

// TestUnreachableAPI: a closed port fails at once with one line, without
// the retries meant for server errors.
func TestUnreachableAPI(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	for _, dry := range []bool{false, true} {
		t.Run(fmt.Sprintf("dry-run=%v", dry), func(t *testing.T) {
			out := &strings.Builder{}
			s := &sleeper{}
			opts := Options{Owner: owner, Repo: repo, Token: secret, APIURL: "http://" + addr, DryRun: dry, Sleep: s.sleep, Out: out, Tool: "test"}
			_, err := Release(context.Background(), report(t, "2.2.0", notes220), opts)
			wantErr(t, err, "reading the release "+tag220, "cannot reach the GitHub API at "+addr, "connection refused", "GITHUB_API_URL")
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("error of several lines: %q", err)
			}
			wantWaits(t, s)
			if out.Len() != 0 {
				t.Errorf("output: %q", out)
			}
			noToken(t, "the error", fmt.Sprint(err))
		})
	}
}

// race runs n releases of m at once against e's server and returns their
// results, failing on any error.
func (e *env) race(t *testing.T, n int, m *check.ModelReport) []*Result {
	t.Helper()
	results := make([]*Result, n)
	errs := make([]error, n)
	outs := make([]strings.Builder, n)
	var wg sync.WaitGroup
	for i := range n {
		opts := e.opts
		opts.Out = &outs[i]
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = Release(context.Background(), m, opts)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("run %d: %v\n%s", i, err, e.srv.Log())
		}
		noToken(t, "the output", outs[i].String())
		e.out.WriteString(outs[i].String())
	}
	return results
}

// TestRacingRunsConvergeOnOneDraft: runs that find no draft and create one
// at the same moment end with one draft, the oldest, holding one record.
func TestRacingRunsConvergeOnOneDraft(t *testing.T) {
	for _, n := range []int{2, 3} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			e := newEnv(t)
			m := report(t, "2.2.0", notes220)
			e.srv.Hold(githubtest.CreateRelease, n) // every run creates before any converges
			results := e.race(t, n, m)
			if e.srv.Count(githubtest.CreateRelease) != n {
				t.Fatalf("%d creates, want %d: the runs did not race\n%s", e.srv.Count(githubtest.CreateRelease), n, e.srv.Log())
			}
			rels := e.srv.Releases()
			if len(rels) != 1 {
				t.Fatalf("%d releases, want 1: %+v", len(rels), rels)
			}
			rel := rels[0]
			if !rel.Draft || rel.Body != changelog.Body(m) || rel.TargetCommitish != headCommit {
				t.Errorf("release %+v", rel)
			}
			if len(rel.Assets) != 1 {
				t.Errorf("assets %+v, want the record only", rel.Assets)
			}
			record(t, rel)
			// The oldest wins: the fake numbers objects in creation order
			// from 1, so the first draft created is release 1.
			if rel.ID != 1 {
				t.Errorf("kept release %d, want the oldest, 1", rel.ID)
			}
			for i, res := range results {
				if res.ID != rel.ID || (res.Action != "created" && res.Action != "updated") {
					t.Errorf("run %d: %+v, want release %d", i, res, rel.ID)
				}
			}
			if got := strings.Count(e.out.String(), "another run created the draft "+tag220+" at the same time"); got != n-1 {
				t.Errorf("%d runs said they joined another's draft, want %d:\n%s", got, n-1, e.out)
			}
		})
	}
}

// TestRacingRecordUploads: runs updating one draft upload their records at
// the same moment; the draft ends with one record and keeps its other
// assets.
func TestRacingRecordUploads(t *testing.T) {
	for _, tt := range []struct {
		name  string
		notes []string
	}{
		{"same commit", []string{notes220, notes220}},
		{"different notes", []string{notes220, "Top-1 routing, and load balancing.\n"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			draft := draftFor(e, report(t, "2.2.0", notes220))
			e.srv.Hold(githubtest.UploadReleaseAsset, 2)
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, notes := range tt.notes {
				m := report(t, "2.2.0", notes)
				opts := e.opts
				opts.Out = &strings.Builder{}
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = Release(context.Background(), m, opts)
				}()
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatalf("%v\n%s", err, e.srv.Log())
				}
			}
			rel := e.release(t, tag220)
			if rel.ID != draft.ID || len(e.srv.Releases()) != 1 {
				t.Fatalf("releases %+v, want the draft %d only", e.srv.Releases(), draft.ID)
			}
			_, rec := record(t, rel)
			if len(rel.Assets) != 2 || rec["identifier"] != tag220 {
				t.Errorf("assets %+v: one record and the model card", rel.Assets)
			}
			refused := 0
			for _, r := range e.srv.Requests() {
				if r.Route == githubtest.UploadReleaseAsset && r.Status == http.StatusUnprocessableEntity {
					refused++
				}
			}
			if refused == 0 {
				t.Errorf("no upload found the name taken: the uploads did not race\n%s", e.srv.Log())
			}
		})
	}
}

// TestImmutableReleases: a repository with immutable releases locks assets
// at publication, so the record is uploaded to the draft and the release
// published after; no upload ever reaches a published release.
func TestImmutableReleases(t *testing.T) {
	for _, tt := range []struct {
		name  string
		setup func(e *env, m *check.ModelReport)
	}{
		{"new", func(*env, *check.ModelReport) {}},
		{"from a draft", func(e *env, m *check.ModelReport) { draftFor(e, m) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.srv.SetImmutable(true)
			e.opts.Publish = true
			m := report(t, "2.2.0", notes220)
			tt.setup(e, m)
			res, err := e.run(t, m)
			if err != nil {
				t.Fatalf("%v\n%s", err, e.srv.Log())
			}
			rel := e.release(t, tag220)
			if rel.Draft || res.ID != rel.ID {
				t.Errorf("result %+v, release %+v", res, rel)
			}
			record(t, rel)
			published := false
			for _, r := range e.srv.Requests() {
				if r.Route == githubtest.UpdateRelease && strings.Contains(string(r.Body), `"draft":false`) {
					published = true
				}
				if (r.Route == githubtest.UploadReleaseAsset || r.Route == githubtest.DeleteReleaseAsset) && (published || r.Status >= 400) {
					t.Errorf("%s %s -> %d after publishing", r.Method, r.Path, r.Status)
				}
			}
			if !published {
				t.Errorf("never published:\n%s", e.srv.Log())
			}
		})
	}
	// Two tag pushes publish at once. However their requests interleave
	// (one run may publish before the other creates, lists or publishes:
	// GitHub then refuses the second release of the tag with 422
	// already_exists), they end with one published release holding one
	// record, and both report it. The interleaving is up to the
	// scheduler, so the race is run many times.
	t.Run("racing tag pushes", func(t *testing.T) {
		for i := 0; i < 100 && !t.Failed(); i++ {
			e := newEnv(t)
			e.srv.SetImmutable(true)
			e.opts.Publish = true
			e.srv.Hold(githubtest.CreateRelease, 2)
			results := e.race(t, 2, report(t, "2.2.0", notes220))
			rels := e.srv.Releases()
			if len(rels) != 1 || rels[0].Draft {
				t.Fatalf("releases %+v, want one published\n%s", rels, e.srv.Log())
			}
			record(t, rels[0])
			for i, res := range results {
				if res.ID != rels[0].ID {
					t.Errorf("run %d: %+v", i, res)
				}
			}
		}
	})
	t.Run("the fake refuses", func(t *testing.T) {
		e := newEnv(t)
		e.srv.SetImmutable(true)
		pub := e.srv.AddRelease(githubtest.Release{TagName: tag220, Assets: []githubtest.Asset{{Name: "a.json", ContentType: "application/json"}}})
		gh, err := newClient(e.opts)
		if err != nil {
			t.Fatal(err)
		}
		req, _ := gh.NewUploadRequest(fmt.Sprintf("repos/%s/%s/releases/%d/assets?name=b.json", owner, repo, pub.ID), strings.NewReader("{}"), 2, "application/json")
		_, err = gh.Do(context.Background(), req, nil)
		wantErr(t, err, "422", "Cannot upload assets to an immutable release")
		_, err = gh.Repositories.DeleteReleaseAsset(context.Background(), owner, repo, pub.Assets[0].ID)
		wantErr(t, err, "422", "immutable release")
		got, _, err := gh.Repositories.GetRelease(context.Background(), owner, repo, pub.ID)
		if err != nil || len(got.Assets) != 1 {
			t.Errorf("release after refusals: %+v, %v", got, err)
		}
	})
}
