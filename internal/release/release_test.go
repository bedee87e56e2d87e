package release

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/modelgate/modelgate/changelog"
	"github.com/modelgate/modelgate/check"
	"github.com/modelgate/modelgate/internal/githubtest"
)

const (
	owner = "acme"
	repo  = "models"
	// secret is the token; no output, error or result may contain it.
	secret     = "ghs_MODELGATEs3cr3tT0KEN_4f1c9a7e2b"
	headCommit = "4be0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c"
	baseCommit = "9c1e2f3a4b5c6d7e8f9091a2b3c4d5e6f7a8b9c0"
	model      = "lite-llm-base"
	tag220     = model + "-v2.2.0"
	listPath   = "/repos/" + owner + "/" + repo + "/releases"
)

const baseManifest = `model: lite-llm-base-v2.1.3
architecture:
  hidden_size: 4096
  num_layers: 32
tiers:
  - name: core
    experts: 8
routing:
  strategy: top-2
hyperparameters:
  learning_rate: 3.0e-4
`

// report gates a head that declares version against lite-llm-base-v2.1.3,
// in memory, as the CLI would on git: a 3.x version widens the model (a
// major change, with migration notes), anything else changes the routing
// (minor). notes are the release notes at releases/v<version>.md.
func report(t *testing.T, version, notes string) *check.ModelReport {
	t.Helper()
	load := func(fsys fstest.MapFS) *check.Model {
		m, err := check.Load(fsys, "manifest.yaml")
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	head := strings.Replace(baseManifest, "v2.1.3", "v"+version, 1)
	if strings.HasPrefix(version, "3.") {
		head = strings.Replace(head, "4096", "5120", 1)
	} else {
		head = strings.Replace(head, "top-2", "top-1", 1)
	}
	base := load(fstest.MapFS{"manifest.yaml": {Data: []byte(baseManifest)}})
	fsys := fstest.MapFS{
		"manifest.yaml":                {Data: []byte(head)},
		"releases/v" + version + ".md": {Data: []byte(notes)},
	}
	m, err := check.Evaluate(check.Input{Base: base, Head: load(fsys), HeadFS: fsys,
		BaseRef: check.Ref{Ref: "lite-llm-base-v2.1.3", Commit: baseCommit},
		HeadRef: check.Ref{Ref: "HEAD", Commit: headCommit}})
	if err != nil {
		t.Fatal(err)
	}
	if m.DeclaredVersion != version || m.NotesText == "" {
		t.Fatalf("report: declared %s, notes %q; problems %+v", m.DeclaredVersion, m.NotesText, m.Problems)
	}
	return m
}

const notes220 = "Top-1 routing: lower latency at the same quality.\n"

// sleeper records the waits Release asks for. With real set it also
// waits: go-github refuses, on its own, every request before a secondary
// rate limit's Retry-After has passed, so a no-op sleep cannot test a
// retry after one.
type sleeper struct {
	mu    sync.Mutex
	waits []time.Duration
	real  bool
}

func (s *sleeper) sleep(d time.Duration) {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	if s.real {
		time.Sleep(d)
	}
}

func (s *sleeper) calls() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

type env struct {
	srv   *githubtest.Server
	opts  Options
	out   *bytes.Buffer
	sleep *sleeper
}

func newEnv(t *testing.T) *env {
	srv := githubtest.New(t, owner, repo, secret)
	e := &env{srv: srv, out: &bytes.Buffer{}, sleep: &sleeper{}}
	e.opts = Options{Owner: owner, Repo: repo, Token: secret, APIURL: srv.URL,
		HTTPClient: srv.Client(), Sleep: e.sleep.sleep, Tool: "test", Out: e.out}
	return e
}

// run releases m and checks that the token appears nowhere in what Release
// printed or returned, though the server received it.
func (e *env) run(t *testing.T, m *check.ModelReport) (*Result, error) {
	t.Helper()
	res, err := Release(context.Background(), m, e.opts)
	noToken(t, "the output", e.out.String())
	if err != nil {
		noToken(t, "the error", err.Error())
		noToken(t, "the error (%#v)", fmt.Sprintf("%#v", err))
	}
	if res != nil {
		data, _ := json.Marshal(res)
		noToken(t, "the result", fmt.Sprintf("%#v %s", *res, data))
	}
	if len(e.srv.Requests()) > 0 && !strings.Contains(e.srv.Log(), secret) {
		t.Errorf("the server never received the token; requests:\n%s", e.srv.Log())
	}
	return res, err
}

func noToken(t *testing.T, where, text string) {
	t.Helper()
	for _, s := range []string{secret, strings.TrimPrefix(secret, "ghs_")[:20]} {
		if strings.Contains(text, s) {
			t.Errorf("the token appears in %s:\n%s", where, text)
		}
	}
}

func (e *env) release(t *testing.T, tag string) githubtest.Release {
	t.Helper()
	var found []githubtest.Release
	for _, r := range e.srv.Releases() {
		if r.TagName == tag {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d releases with tag %s, want 1: %+v", len(found), tag, found)
	}
	return found[0]
}

// record returns the parsed version record attached to rel, which must be
// its only asset of that name.
func record(t *testing.T, rel githubtest.Release) (githubtest.Asset, map[string]any) {
	t.Helper()
	name := rel.TagName + ".record.json"
	var found []githubtest.Asset
	for _, a := range rel.Assets {
		if a.Name == name {
			found = append(found, a)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d assets named %s, want 1: %+v", len(found), name, rel.Assets)
	}
	var rec map[string]any
	if err := json.Unmarshal(found[0].Data, &rec); err != nil {
		t.Fatalf("%s: %v\n%s", name, err, found[0].Data)
	}
	return found[0], rec
}

func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one mentioning %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not mention %q", err, p)
		}
	}
}

func wantWaits(t *testing.T, s *sleeper, want ...time.Duration) {
	t.Helper()
	if got := s.calls(); !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
		t.Errorf("Sleep called with %v, want %v", got, want)
	}
}

// onlyReads fails unless every request from index from on was a GET.
func onlyReads(t *testing.T, srv *githubtest.Server, from int) {
	t.Helper()
	for _, r := range srv.Requests()[from:] {
		if r.Method != http.MethodGet {
			t.Errorf("%s %s reached the server; only reads may", r.Method, r.Path)
		}
	}
}

// draftFor stores the draft a previous run would have left for tag, with
// its record and an asset someone else attached.
func draftFor(e *env, m *check.ModelReport) githubtest.Release {
	tag := m.Name + "-v" + m.DeclaredVersion
	return e.srv.AddRelease(githubtest.Release{TagName: tag, Name: tag, Draft: true, TargetCommitish: baseCommit,
		Body: "Old notes.\n\n" + changelog.ModelMarker(m.Name) + "\n",
		Assets: []githubtest.Asset{
			{Name: tag + ".record.json", ContentType: "application/json", Data: []byte(`{"identifier":"old"}`)},
			{Name: "model-card.md", ContentType: "text/markdown", Data: []byte("# card")},
		}})
}

func TestFirstRunCreatesOneDraft(t *testing.T) {
	e := newEnv(t)
	m := report(t, "2.2.0", notes220)
	res, err := e.run(t, m)
	if err != nil {
		t.Fatal(err)
	}
	rels := e.srv.Releases()
	if len(rels) != 1 {
		t.Fatalf("%d releases, want 1: %+v", len(rels), rels)
	}
	rel := rels[0]
	if res.Action != "created" || res.ID != rel.ID || !strings.HasSuffix(res.URL, "/releases/tag/"+tagOf(t, e, rel)) {
		t.Errorf("result %+v; release %d", res, rel.ID)
	}
	if !rel.Draft || rel.Prerelease || rel.TagName != tag220 || rel.Name != tag220 || rel.TargetCommitish != headCommit {
		t.Errorf("release: draft %v prerelease %v tag %q name %q target %q", rel.Draft, rel.Prerelease, rel.TagName, rel.Name, rel.TargetCommitish)
	}
	for _, w := range []string{strings.TrimSpace(notes220), "<details><summary>Compatibility report: minor bump required since lite-llm-base-v2.1.3",
		"routing.strategy", "</details>", changelog.ModelMarker(model)} {
		if !strings.Contains(rel.Body, w) {
			t.Errorf("body lacks %q:\n%s", w, rel.Body)
		}
	}
	if rel.Body != changelog.Body(m) {
		t.Errorf("body is not changelog.Body:\n%s", rel.Body)
	}
	if len(rel.Assets) != 1 {
		t.Fatalf("assets %+v, want the record only", rel.Assets)
	}
	asset, rec := record(t, rel)
	if !strings.HasPrefix(asset.ContentType, "application/json") {
		t.Errorf("record uploaded as %q", asset.ContentType)
	}
	commits, _ := rec["commits"].(map[string]any)
	if rec["identifier"] != tag220 || rec["version"] != "2.2.0" || rec["name"] != model ||
		rec["schema"] != changelog.RecordSchema || rec["modelgate_version"] != "test" ||
		commits["head"] != headCommit || commits["base"] != baseCommit || rec["required_bump"] != "minor" {
		t.Errorf("record: %s", asset.Data)
	}
	// Listed twice: to find a draft, and after creating one to converge
	// with runs racing on the same version. The new draft has no assets to
	// list.
	for route, want := range map[string]int{githubtest.GetReleaseByTag: 1, githubtest.ListReleases: 2, githubtest.CreateRelease: 1,
		githubtest.UpdateRelease: 0, githubtest.DeleteRelease: 0, githubtest.ListReleaseAssets: 0, githubtest.DeleteReleaseAsset: 0,
		githubtest.UploadReleaseAsset: 1} {
		if got := e.srv.Count(route); got != want {
			t.Errorf("%s: %d requests, want %d", route, got, want)
		}
	}
	if !strings.Contains(e.out.String(), "created the draft "+tag220+": "+res.URL) {
		t.Errorf("output: %q", e.out)
	}
	wantWaits(t, e.sleep)
}

// tagOf returns the html_url page name of rel: GitHub names a draft's page
// untagged-…, so it is read back from the API.
func tagOf(t *testing.T, e *env, rel githubtest.Release) string {
	t.Helper()
	gh := github.NewClient(e.srv.Client()).WithAuthToken(secret)
	gh.BaseURL, gh.UploadURL = mustURL(t, e.srv.APIURL()), mustURL(t, e.srv.APIURL())
	r, _, err := gh.Repositories.GetRelease(context.Background(), owner, repo, rel.ID)
	if err != nil {
		t.Fatal(err)
	}
	u := r.GetHTMLURL()
	return u[strings.LastIndex(u, "/")+1:]
}

func TestSecondRunUpdatesTheDraft(t *testing.T) {
	e := newEnv(t)
	first, err := e.run(t, report(t, "2.2.0", notes220))
	if err != nil {
		t.Fatal(err)
	}
	oldAsset, _ := record(t, e.release(t, tag220))

	const edited = "Top-1 routing: lower latency at the same quality, now with load balancing.\n"
	res, err := e.run(t, report(t, "2.2.0", edited))
	if err != nil {
		t.Fatal(err)
	}
	if res.Action != "updated" || res.ID != first.ID {
		t.Errorf("second run: %+v, first %+v", res, first)
	}
	if n := len(e.srv.Releases()); n != 1 {
		t.Fatalf("%d releases after the second run, want 1", n)
	}
	rel := e.release(t, tag220)
	if !strings.Contains(rel.Body, "load balancing") || !rel.Draft || rel.TargetCommitish != headCommit {
		t.Errorf("draft not updated: draft %v target %s\n%s", rel.Draft, rel.TargetCommitish, rel.Body)
	}
	asset, rec := record(t, rel)
	if len(rel.Assets) != 1 || asset.ID == oldAsset.ID || rec["identifier"] != tag220 {
		t.Errorf("record not replaced: %+v (old id %d)", rel.Assets, oldAsset.ID)
	}
	if bytes.Equal(asset.Data, oldAsset.Data) {
		t.Error("the record did not change with the notes")
	}
	if e.srv.Count(githubtest.CreateRelease) != 1 || e.srv.Count(githubtest.UpdateRelease) != 1 ||
		e.srv.Count(githubtest.DeleteReleaseAsset) != 1 || e.srv.Count(githubtest.UploadReleaseAsset) != 2 {
		t.Errorf("requests:\n%s", e.srv.Log())
	}
	if !strings.Contains(e.out.String(), "updated the draft "+tag220) {
		t.Errorf("output: %q", e.out)
	}

	// A third run changes nothing in number.
	if _, err := e.run(t, report(t, "2.2.0", edited)); err != nil {
		t.Fatal(err)
	}
	if rel := e.release(t, tag220); len(rel.Assets) != 1 || len(e.srv.Releases()) != 1 {
		t.Errorf("third run: %d releases, assets %+v", len(e.srv.Releases()), rel.Assets)
	}
}

func TestUpdatesADraftLeftByAnEarlierRun(t *testing.T) {
	e := newEnv(t)
	m := report(t, "2.2.0", notes220)
	old := draftFor(e, m)
	res, err := e.run(t, m)
	if err != nil {
		t.Fatal(err)
	}
	if res.Action != "updated" || res.ID != old.ID {
		t.Errorf("result %+v, want the draft %d updated", res, old.ID)
	}
	rel := e.release(t, tag220)
	_, rec := record(t, rel)
	if rec["identifier"] != tag220 || len(rel.Assets) != 2 || rel.Assets[0].Name != "model-card.md" {
		t.Errorf("assets %+v: the record is replaced, the model card kept", rel.Assets)
	}
	if rel.TargetCommitish != headCommit || rel.Body != changelog.Body(m) {
		t.Errorf("draft not updated: target %s\n%s", rel.TargetCommitish, rel.Body)
	}
}

func TestPublishedVersionIsLeftAlone(t *testing.T) {
	for _, dry := range []bool{false, true} {
		t.Run(fmt.Sprintf("dry-run=%v", dry), func(t *testing.T) {
			e := newEnv(t)
			e.opts.DryRun = dry
			pub := e.srv.AddRelease(githubtest.Release{TagName: tag220, Name: tag220, Body: "Published by hand.", TargetCommitish: baseCommit})
			before := e.srv.Releases()
			res, err := e.run(t, report(t, "2.2.0", notes220))
			if err != nil {
				t.Fatal(err)
			}
			if res.Action != "published-already" || res.ID != pub.ID || !strings.HasSuffix(res.URL, "/releases/tag/"+tag220) {
				t.Errorf("result %+v", res)
			}
			if !strings.Contains(e.out.String(), tag220+" is already published at "+res.URL+"; nothing changed") {
				t.Errorf("no notice: %q", e.out)
			}
			onlyReads(t, e.srv, 0)
			if after := e.srv.Releases(); !reflect.DeepEqual(before, after) {
				t.Errorf("releases changed:\n%+v\n%+v", before, after)
			}
		})
	}
}

func TestRetriesServerErrors(t *testing.T) {
	for _, status := range []int{500, 502, 503} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			e := newEnv(t)
			e.srv.FailNext(http.MethodPost, listPath, status, 1)
			res, err := e.run(t, report(t, "2.2.0", notes220))
			if err != nil {
				t.Fatal(err)
			}
			if res.Action != "created" || len(e.srv.Releases()) != 1 || e.srv.Count(githubtest.CreateRelease) != 2 {
				t.Errorf("result %+v; %d releases; requests:\n%s", res, len(e.srv.Releases()), e.srv.Log())
			}
			wantWaits(t, e.sleep, time.Second)
			if !strings.Contains(e.out.String(), fmt.Sprintf("creating the release %s: GitHub answered %d; retrying in 1s", tag220, status)) {
				t.Errorf("output: %q", e.out)
			}
		})
	}
}

func TestRetriesASecondaryRateLimit(t *testing.T) {
	for _, tt := range []struct {
		name       string
		status     int
		retryAfter int
		route      string
		count      int // requests of route: the retry, and a list after creating
	}{
		{"403 on create", 403, 1, githubtest.CreateRelease, 2},
		{"403 on list waits Retry-After", 403, 2, githubtest.ListReleases, 3},
		// GitHub answers a secondary rate limit with 403 or 429.
		{"429 on create", 429, 1, githubtest.CreateRelease, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.sleep.real = true
			f := githubtest.SecondaryRateLimit(tt.retryAfter)
			f.Status = tt.status
			e.srv.InjectRoute(tt.route, f, 1)
			res, err := e.run(t, report(t, "2.2.0", notes220))
			if err != nil {
				t.Fatal(err)
			}
			if res.Action != "created" || len(e.srv.Releases()) != 1 || e.srv.Count(tt.route) != tt.count {
				t.Errorf("result %+v; %d releases; requests:\n%s", res, len(e.srv.Releases()), e.srv.Log())
			}
			wantWaits(t, e.sleep, time.Duration(tt.retryAfter)*time.Second)
		})
	}
}

func TestExplainsFailures(t *testing.T) {
	reset := time.Now().Add(37 * time.Minute).Truncate(time.Second)
	primary429 := githubtest.PrimaryRateLimit(reset)
	primary429.Status = http.StatusTooManyRequests
	for _, tt := range []struct {
		name  string
		setup func(e *env)
		want  []string
		route string // the route that failed
		tries int
		waits []time.Duration
	}{
		{name: "read-only token", setup: func(e *env) { e.srv.SetReadOnly(true) },
			want: []string{"creating the release " + tag220, "403", "add `permissions: contents: write`"}, route: githubtest.CreateRelease, tries: 1},
		{name: "403 on upload", setup: func(e *env) { e.srv.FailNext(http.MethodPost, listPath+"/", 403, 1) },
			want: []string{"uploading " + tag220 + ".record.json", "permissions: contents: write"}, route: githubtest.UploadReleaseAsset, tries: 1},
		{name: "bad token", setup: func(e *env) { e.srv.Token = "ghs_someoneElsesToken" },
			want: []string{"401", "token"}, route: githubtest.GetReleaseByTag, tries: 1},
		{name: "unknown repository", setup: func(e *env) { e.opts.Repo = "no-such-repo" },
			want: []string{"404", owner + "/no-such-repo", "repository"}, route: githubtest.ListReleases, tries: 1},
		{name: "validation", setup: func(e *env) {
			e.srv.Inject(http.MethodPost, listPath, githubtest.Fault{Status: 422, Message: "Validation Failed",
				Errors: []githubtest.FieldError{{Resource: "Release", Code: "custom", Field: "tag_name", Message: "tag_name is not a valid tag"}}}, 1)
		}, want: []string{"422", "Validation Failed"}, route: githubtest.CreateRelease, tries: 1},
		{name: "primary rate limit", setup: func(e *env) { e.srv.Inject("", "", githubtest.PrimaryRateLimit(reset), 1) },
			want: []string{"rate limit", reset.UTC().Format(time.RFC3339)}, route: githubtest.GetReleaseByTag, tries: 1},
		// GitHub answers a used-up primary rate limit with 403 or 429.
		{name: "primary rate limit 429", setup: func(e *env) { e.srv.Inject("", "", primary429, 1) },
			want: []string{"rate limit", reset.UTC().Format(time.RFC3339)}, route: githubtest.GetReleaseByTag, tries: 1},
		{name: "server error four times", setup: func(e *env) { e.srv.FailNext("", "", 500, 4) },
			want: []string{"500", "run again later"}, route: githubtest.GetReleaseByTag, tries: 4,
			waits: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}},
		{name: "secondary rate limit holds", setup: func(e *env) { e.srv.Inject(http.MethodPost, listPath, githubtest.SecondaryRateLimit(0), 4) },
			want: []string{"secondary rate limit", "run again later"}, route: githubtest.CreateRelease, tries: 4,
			waits: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			tt.setup(e)
			res, err := e.run(t, report(t, "2.2.0", notes220))
			wantErr(t, err, tt.want...)
			if res != nil {
				t.Errorf("result %+v with an error", res)
			}
			if got := e.srv.Count(tt.route); got != tt.tries {
				t.Errorf("%s requested %d times, want %d:\n%s", tt.route, got, tt.tries, e.srv.Log())
			}
			wantWaits(t, e.sleep, tt.waits...)
			if tt.route != githubtest.UploadReleaseAsset && len(e.srv.Releases()) != 0 {
				t.Errorf("releases %+v after a failure", e.srv.Releases())
			}
		})
	}
}

// A gateway error can hide a write that took effect; a retry must not
// duplicate it.
func TestCommittedWriteIsNotDuplicated(t *testing.T) {
	for _, tt := range []struct{ name, prefix string }{
		{"create", listPath},
		{"upload", listPath + "/"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.srv.Inject(http.MethodPost, tt.prefix, githubtest.Fault{Status: 502, Message: "Server Error", After: true}, 1)
			_, err := e.run(t, report(t, "2.2.0", notes220))
			if err != nil {
				t.Fatalf("%v\nrequests:\n%s", err, e.srv.Log())
			}
			if n := len(e.srv.Releases()); n != 1 {
				t.Fatalf("%d releases, want 1:\n%s", n, e.srv.Log())
			}
			if rel := e.release(t, tag220); len(rel.Assets) != 1 {
				t.Errorf("assets %+v", rel.Assets)
			}
		})
	}
}

func TestFindsTheDraftWithoutReadingEveryPage(t *testing.T) {
	m := report(t, "2.2.0", notes220)
	for _, tt := range []struct {
		name   string
		setup  func(e *env) int64 // returns the draft's id, 0 for none
		pages  int
		action string
	}{
		{"draft newest of 1001", func(e *env) int64 {
			e.srv.Seed(1000, "other-model-v1.0.%d")
			return draftFor(e, m).ID
		}, 1, "updated"},
		{"draft among the newest", func(e *env) int64 {
			e.srv.Seed(1000, "other-model-v1.0.%d")
			id := draftFor(e, m).ID
			e.srv.Seed(60, "third-model-v0.%d.0")
			return id
		}, 1, "updated"},
		{"draft oldest of 1001", func(e *env) int64 {
			id := draftFor(e, m).ID
			e.srv.Seed(1000, "other-model-v1.0.%d")
			return id
		}, 11, "updated"},
		{"no draft in 1000", func(e *env) int64 {
			e.srv.Seed(1000, "other-model-v1.0.%d")
			return 0
		}, 21, "created"}, // 10 pages to find no draft, 11 to converge after creating one
		{"someone else's draft of the tag", func(e *env) int64 {
			e.srv.Seed(150, "other-model-v1.0.%d")
			e.srv.AddRelease(githubtest.Release{TagName: tag220, Name: "hand-made", Draft: true, Body: "Not modelgate's."})
			return 0
		}, 4, "created"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			id := tt.setup(e)
			before := len(e.srv.Releases())
			res, err := e.run(t, m)
			if err != nil {
				t.Fatal(err)
			}
			if res.Action != tt.action || (id != 0 && res.ID != id) {
				t.Errorf("result %+v, want %s of %d", res, tt.action, id)
			}
			if got := e.srv.Count(githubtest.ListReleases); got != tt.pages {
				t.Errorf("listed %d pages, want %d", got, tt.pages)
			}
			for _, r := range e.srv.Requests() {
				if r.Route == githubtest.ListReleases && r.Query.Get("per_page") != "100" {
					t.Errorf("listed with per_page=%q, want 100", r.Query.Get("per_page"))
				}
			}
			after := e.srv.Releases()
			if want := before + map[bool]int{true: 1, false: 0}[id == 0]; len(after) != want {
				t.Errorf("%d releases, want %d", len(after), want)
			}
			for _, r := range after {
				if r.Name == "hand-made" && (r.Body != "Not modelgate's." || len(r.Assets) != 0) {
					t.Errorf("someone else's draft changed: %+v", r)
				}
			}
		})
	}
}

func TestPrerelease(t *testing.T) {
	for _, tt := range []struct {
		version    string
		prerelease bool
	}{
		{"3.0.0-rc.1", true},
		{"3.0.0", false},
		{"3.0.0-rc.1+build.7", true},
		// Build metadata is not a prerelease, hyphen or not.
		{"2.2.0+build-5", false},
	} {
		t.Run(tt.version, func(t *testing.T) {
			e := newEnv(t)
			m := report(t, tt.version, "Wider.\n\n## Migration\nRun tools/convert.py.\n")
			if _, err := e.run(t, m); err != nil {
				t.Fatal(err)
			}
			rel := e.release(t, model+"-v"+tt.version)
			if rel.Prerelease != tt.prerelease || !rel.Draft {
				t.Errorf("%s: prerelease %v draft %v, want prerelease %v", tt.version, rel.Prerelease, rel.Draft, tt.prerelease)
			}
		})
	}
}

func TestPublish(t *testing.T) {
	t.Run("new", func(t *testing.T) {
		e := newEnv(t)
		e.opts.Publish = true
		res, err := e.run(t, report(t, "2.2.0", notes220))
		if err != nil {
			t.Fatal(err)
		}
		rel := e.release(t, tag220)
		if res.Action != "created" || rel.Draft || rel.PublishedAt.IsZero() || !strings.HasSuffix(res.URL, "/releases/tag/"+tag220) {
			t.Errorf("result %+v; release %+v", res, rel)
		}
		record(t, rel)
		if !strings.Contains(e.out.String(), "created the published release "+tag220) {
			t.Errorf("output: %q", e.out)
		}
	})
	t.Run("the draft", func(t *testing.T) {
		e := newEnv(t)
		m := report(t, "2.2.0", notes220)
		draft, err := e.run(t, m)
		if err != nil {
			t.Fatal(err)
		}
		e.opts.Publish = true
		res, err := e.run(t, m)
		if err != nil {
			t.Fatal(err)
		}
		rel := e.release(t, tag220)
		if res.Action != "updated" || res.ID != draft.ID || rel.Draft || len(e.srv.Releases()) != 1 || len(rel.Assets) != 1 {
			t.Errorf("result %+v; releases %+v", res, e.srv.Releases())
		}
		// Published: the next run leaves it alone.
		n := len(e.srv.Requests())
		res, err = e.run(t, m)
		if err != nil || res.Action != "published-already" {
			t.Errorf("third run: %+v, %v", res, err)
		}
		onlyReads(t, e.srv, n)
	})
}

func TestDryRun(t *testing.T) {
	m := report(t, "2.2.0", notes220)
	t.Run("would create", func(t *testing.T) {
		e := newEnv(t)
		e.opts.DryRun = true
		e.srv.SetReadOnly(true) // read access is enough
		e.srv.Seed(120, "other-model-v1.0.%d")
		res, err := e.run(t, m)
		if err != nil {
			t.Fatal(err)
		}
		if res.Action != "would-create" || res.ID != 0 || len(e.srv.Releases()) != 120 {
			t.Errorf("result %+v", res)
		}
		onlyReads(t, e.srv, 0)
		if !strings.Contains(e.out.String(), "would create the release "+tag220+" (draft) at 4be0a1b") {
			t.Errorf("output: %q", e.out)
		}
	})
	t.Run("would update", func(t *testing.T) {
		e := newEnv(t)
		draft := draftFor(e, m)
		e.opts.DryRun, e.opts.Publish = true, true
		e.srv.SetReadOnly(true)
		res, err := e.run(t, m)
		if err != nil {
			t.Fatal(err)
		}
		if res.Action != "would-update" || res.ID != draft.ID || res.URL == "" {
			t.Errorf("result %+v, want the draft %d", res, draft.ID)
		}
		onlyReads(t, e.srv, 0)
		if rel := e.release(t, tag220); !reflect.DeepEqual(rel, draft) {
			t.Errorf("draft changed: %+v", rel)
		}
		if !strings.Contains(e.out.String(), "would update the draft "+tag220+" ("+res.URL+") and publish it, at 4be0a1b") {
			t.Errorf("output: %q", e.out)
		}
	})
}

func TestGitHubEnterpriseServer(t *testing.T) {
	e := newEnv(t)
	e.opts.APIURL = e.srv.EnterpriseAPIURL()
	if _, err := e.run(t, report(t, "2.2.0", notes220)); err != nil {
		t.Fatalf("%v\n%s", err, e.srv.Log())
	}
	for _, r := range e.srv.Requests() {
		want := githubtest.EnterpriseAPIPrefix
		if r.Route == githubtest.UploadReleaseAsset {
			want = githubtest.EnterpriseUploadPrefix
		}
		// Only get-by-tag may miss: the version is not published.
		if r.Prefix != want || r.Status >= 400 && r.Route != githubtest.GetReleaseByTag {
			t.Errorf("%s %s: %d under %q, want %q", r.Method, r.Path, r.Status, r.Prefix, want)
		}
	}
	record(t, e.release(t, tag220))
}

func TestNewClientURLs(t *testing.T) {
	for _, tt := range []struct{ api, base, upload string }{
		{"", "https://api.github.com/", "https://uploads.github.com/"},
		{"https://api.github.com", "https://api.github.com/", "https://uploads.github.com/"},
		{"https://api.github.com/", "https://api.github.com/", "https://uploads.github.com/"},
		{"https://ghe.example.com/api/v3", "https://ghe.example.com/api/v3/", "https://ghe.example.com/api/uploads/"},
		{"https://ghe.example.com/api/v3/", "https://ghe.example.com/api/v3/", "https://ghe.example.com/api/uploads/"},
		// GitHub Enterprise Cloud with data residency: GITHUB_API_URL is
		// https://api.<subdomain>.ghe.com, uploads are on uploads.<subdomain>.ghe.com.
		{"https://api.octocorp.ghe.com", "https://api.octocorp.ghe.com/", "https://uploads.octocorp.ghe.com/"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080/", "http://127.0.0.1:8080/"},
	} {
		gh, err := newClient(Options{Owner: owner, Repo: repo, Token: secret, APIURL: tt.api})
		if err != nil {
			t.Errorf("%q: %v", tt.api, err)
			continue
		}
		if gh.BaseURL.String() != tt.base || gh.UploadURL.String() != tt.upload {
			t.Errorf("%q: base %s uploads %s, want %s and %s", tt.api, gh.BaseURL, gh.UploadURL, tt.base, tt.upload)
		}
	}
	for _, bad := range []Options{
		{Repo: repo}, {Owner: owner},
		{Owner: owner, Repo: repo, APIURL: "ghe.example.com/api/v3"},
		{Owner: owner, Repo: repo, APIURL: "://"},
	} {
		if _, err := newClient(bad); err == nil {
			t.Errorf("newClient(%+v) accepted", bad)
		}
	}
	_, err := Release(context.Background(), report(t, "2.2.0", notes220), Options{Owner: owner, Token: secret})
	wantErr(t, err, "GITHUB_REPOSITORY")
}

// The fake answers like GitHub where the release drafter can tell.
func TestFakeGitHub(t *testing.T) {
	ctx := context.Background()
	srv := githubtest.New(t, owner, repo, secret)
	client := func(token string) *github.Client {
		gh := github.NewClient(srv.Client())
		if token != "" {
			gh = gh.WithAuthToken(token)
		}
		gh.BaseURL, gh.UploadURL = mustURL(t, srv.APIURL()), mustURL(t, srv.APIURL())
		return gh
	}
	gh := client(secret)
	srv.Seed(250, "other-model-v1.0.%d")
	draft := srv.AddRelease(githubtest.Release{TagName: tag220, Draft: true})

	// Drafts are invisible to get-by-tag.
	_, resp, err := gh.Repositories.GetReleaseByTag(ctx, owner, repo, tag220)
	var er *github.ErrorResponse
	if !errors.As(err, &er) || resp.StatusCode != 404 || er.Message != "Not Found" || er.DocumentationURL == "" {
		t.Errorf("get-by-tag of a draft: %v", err)
	}
	if r, _, err := gh.Repositories.GetReleaseByTag(ctx, owner, repo, "other-model-v1.0.7"); err != nil || r.GetDraft() || r.GetPublishedAt().IsZero() {
		t.Errorf("get-by-tag of a published release: %+v, %v", r, err)
	}

	// Newest first, drafts included, Link pagination.
	rels, resp, err := gh.Repositories.ListReleases(ctx, owner, repo, &github.ListOptions{PerPage: 100})
	if err != nil || len(rels) != 100 || rels[0].GetID() != draft.ID || resp.NextPage != 2 || resp.LastPage != 3 {
		t.Fatalf("page 1: %d releases, first %d, next %d last %d, %v", len(rels), rels[0].GetID(), resp.NextPage, resp.LastPage, err)
	}
	link := resp.Header.Get("Link")
	if !strings.HasPrefix(link, "<"+srv.URL+listPath+"?") || !strings.Contains(link, `rel="next"`) {
		t.Errorf("Link: %s", link)
	}
	rels, resp, err = gh.Repositories.ListReleases(ctx, owner, repo, &github.ListOptions{PerPage: 100, Page: 3})
	if err != nil || len(rels) != 51 || resp.NextPage != 0 || resp.PrevPage != 2 || resp.FirstPage != 1 || rels[50].GetTagName() != "other-model-v1.0.1" {
		t.Errorf("page 3: %d releases, next %d prev %d, %v", len(rels), resp.NextPage, resp.PrevPage, err)
	}
	if rels, resp, _ := gh.Repositories.ListReleases(ctx, owner, repo, nil); len(rels) != 30 || resp.LastPage != 9 {
		t.Errorf("default page: %d releases, last %d", len(rels), resp.LastPage)
	}

	// 401 with GitHub's body, with a wrong token and with none.
	for _, token := range []string{"ghs_wrong", ""} {
		_, resp, err = client(token).Repositories.ListReleases(ctx, owner, repo, nil)
		if !errors.As(err, &er) || resp.StatusCode != 401 {
			t.Errorf("token %q: %v", token, err)
		}
	}

	// 422s: a release without a tag, an asset name taken.
	_, _, err = gh.Repositories.CreateRelease(ctx, owner, repo, &github.RepositoryRelease{Name: github.String("x")})
	if !errors.As(err, &er) || er.Response.StatusCode != 422 || len(er.Errors) != 1 || er.Errors[0].Field != "tag_name" {
		t.Errorf("create without a tag: %v", err)
	}
	_, _, err = gh.Repositories.CreateRelease(ctx, owner, repo, &github.RepositoryRelease{TagName: github.String("other-model-v1.0.3")})
	if !errors.As(err, &er) || er.Response.StatusCode != 422 || er.Errors[0].Code != "already_exists" {
		t.Errorf("create with a published tag: %v", err)
	}

	// Rate limits: go-github must recognise them.
	reset := time.Now().Add(time.Hour).Truncate(time.Second)
	srv.Inject("", "", githubtest.PrimaryRateLimit(reset), 1)
	_, _, err = gh.Repositories.ListReleases(ctx, owner, repo, nil)
	var rate *github.RateLimitError
	if !errors.As(err, &rate) || !rate.Rate.Reset.Time.Equal(reset) {
		t.Errorf("primary rate limit: %v", err)
	}
	gh = client(secret) // the last one remembers the limit
	srv.Inject(http.MethodGet, listPath, githubtest.SecondaryRateLimit(0), 1)
	_, _, err = gh.Repositories.ListReleases(ctx, owner, repo, nil)
	var abuse *github.AbuseRateLimitError
	if !errors.As(err, &abuse) || abuse.RetryAfter == nil {
		t.Errorf("secondary rate limit: %v", err)
	}
	if srv.Count(githubtest.ListReleases) != 7 {
		t.Errorf("%d list requests:\n%s", srv.Count(githubtest.ListReleases), srv.Log())
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
