// Package githubtest is a fake GitHub REST API for one repository's
// releases and pull request comments (comments.go), served on loopback for
// tests. It keeps releases and their assets
// in memory and behaves like GitHub where a release drafter can tell:
//
//   - GET /repos/{owner}/{repo}/releases lists newest first, drafts
//     included (the token has push access), paginated with page and per_page
//     (default 30, at most 100) and a Link header built from the server's
//     own URL;
//   - GET .../releases/tags/{tag} never returns a draft: 404 Not Found;
//   - POST .../releases answers 201 and assigns id, html_url and upload_url;
//     a missing tag_name, or the tag of a published release, is a 422 with
//     GitHub's errors array;
//   - asset uploads go to POST .../releases/{id}/assets?name=..., and an
//     asset name already taken is a 422 already_exists, as on GitHub;
//   - a missing or wrong Authorization is a 401, another repository a 404,
//     a write with a read-only token a 403, all with GitHub's JSON bodies and
//     X-RateLimit-* headers on every answer;
//   - after Rename, requests that name the repository by a former name are
//     redirected, as GitHub does for a renamed or transferred repository:
//     301 Moved Permanently for GET and HEAD, 307 Temporary Redirect for
//     other methods, to the same route under /repositories/{id}/ on the same
//     host, which is served too;
//   - with SetImmutable, a published release is immutable (the repository
//     has immutable releases enabled): its assets can be neither uploaded
//     nor deleted, a 422 "Cannot upload assets to an immutable release".
//
// Paths are served at the root (API and uploads on one host, as go-github's
// client does when BaseURL and UploadURL are the same) and GitHub
// Enterprise Server style: the API under /api/v3/ and uploads under
// /api/uploads/ only.
//
// Failures are scripted with FailNext and Inject: permissions (403),
// primary and secondary rate limits, 401, 404, 422 and 5xx, optionally after
// the request took effect (a gateway error after a committed write), and
// redirects to another host (Redirect). Hold makes concurrent requests meet,
// so tests can race two clients deterministically. Every request is
// recorded with its headers, so tests can count calls per route and check
// what the client sent.
package githubtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Routes, as counted by Count. The names follow GitHub's REST reference.
const (
	ListReleases       = "GET /repos/{owner}/{repo}/releases"
	CreateRelease      = "POST /repos/{owner}/{repo}/releases"
	GetLatestRelease   = "GET /repos/{owner}/{repo}/releases/latest"
	GetReleaseByTag    = "GET /repos/{owner}/{repo}/releases/tags/{tag}"
	GetRelease         = "GET /repos/{owner}/{repo}/releases/{release_id}"
	UpdateRelease      = "PATCH /repos/{owner}/{repo}/releases/{release_id}"
	DeleteRelease      = "DELETE /repos/{owner}/{repo}/releases/{release_id}"
	ListReleaseAssets  = "GET /repos/{owner}/{repo}/releases/{release_id}/assets"
	UploadReleaseAsset = "POST /repos/{owner}/{repo}/releases/{release_id}/assets"
	GetReleaseAsset    = "GET /repos/{owner}/{repo}/releases/assets/{asset_id}"
	DeleteReleaseAsset = "DELETE /repos/{owner}/{repo}/releases/assets/{asset_id}"
	// Unknown is any request that matches no route (it gets a 404).
	Unknown = "unknown"
)

// The path prefixes of GitHub Enterprise Server.
const (
	EnterpriseAPIPrefix    = "/api/v3"
	EnterpriseUploadPrefix = "/api/uploads"
)

const docsRoot = "https://docs.github.com/rest"

// Release is a stored release.
type Release struct {
	ID              int64
	TagName         string
	Name            string
	Body            string
	TargetCommitish string
	Draft           bool
	Prerelease      bool
	CreatedAt       time.Time
	PublishedAt     time.Time // zero for a draft
	Assets          []Asset
}

// Asset is a stored release asset with the bytes uploaded.
type Asset struct {
	ID          int64
	Name        string
	Label       string
	ContentType string
	Data        []byte
	CreatedAt   time.Time
}

// Request is one request the server received, as received: the token in
// Header is the one the client sent.
type Request struct {
	Method string
	// Path is the URL path as sent; Prefix is the part of it that chose
	// the host kind: "", EnterpriseAPIPrefix or EnterpriseUploadPrefix.
	Path, Prefix string
	Query        url.Values
	Header       http.Header
	Body         []byte
	// Route is one of the route constants, Status the answer's status.
	Route  string
	Status int
	// Fault says a scripted failure answered the request.
	Fault bool
}

// FieldError is one element of the errors array of a 422.
type FieldError struct {
	Resource string `json:"resource,omitempty"`
	Code     string `json:"code,omitempty"`
	Field    string `json:"field,omitempty"`
	Message  string `json:"message,omitempty"`
}

// Fault is a scripted failure.
type Fault struct {
	Status           int
	Message          string
	DocumentationURL string
	Errors           []FieldError
	Header           http.Header
	// After lets the request take effect first and then answers with the
	// fault, as a gateway error after a committed write does.
	After bool
	// RedirectTo, a URL root such as another server's URL, makes the fault
	// a redirect (Status 301, 302, 307 or 308) to the request's path and
	// query under that root.
	RedirectTo string
}

// Redirect is a redirect with status (301, 302, 307 or 308) to the same
// path and query under root, another host's URL, with GitHub's body.
func Redirect(status int, root string) Fault {
	msg := "Moved Permanently"
	if status != http.StatusMovedPermanently && status != http.StatusPermanentRedirect {
		msg = "Temporary Redirect"
	}
	return Fault{Status: status, Message: msg, RedirectTo: strings.TrimSuffix(root, "/"),
		DocumentationURL: "https://docs.github.com/rest/guides/best-practices-for-using-the-rest-api#follow-redirects"}
}

// StatusFault returns the failure GitHub answers with status: 401 bad
// credentials, 403 permissions (Permissions), 404 not found, 422
// validation failed, 5xx server errors.
func StatusFault(status int) Fault {
	switch status {
	case http.StatusUnauthorized:
		return Fault{Status: status, Message: "Bad credentials", DocumentationURL: docsRoot}
	case http.StatusForbidden:
		return Permissions()
	case http.StatusNotFound:
		return Fault{Status: status, Message: "Not Found", DocumentationURL: docsRoot + "/releases/releases"}
	case http.StatusUnprocessableEntity:
		return Fault{Status: status, Message: "Validation Failed",
			DocumentationURL: docsRoot + "/releases/releases#create-a-release",
			Errors:           []FieldError{{Resource: "Release", Code: "invalid", Field: "target_commitish"}}}
	case http.StatusBadGateway:
		return Fault{Status: status, Message: "Server Error"}
	case http.StatusServiceUnavailable:
		return Fault{Status: status, Message: "Service Unavailable"}
	}
	if status >= 500 {
		return Fault{Status: status, Message: "Server Error"}
	}
	return Fault{Status: status, Message: http.StatusText(status), DocumentationURL: docsRoot}
}

// Permissions is the 403 a GITHUB_TOKEN without contents: write gets for a
// write.
func Permissions() Fault {
	return Fault{Status: http.StatusForbidden, Message: "Resource not accessible by integration",
		DocumentationURL: docsRoot + "/releases/releases#create-a-release"}
}

// PrimaryRateLimit is the 403 of a used-up primary rate limit that resets
// at reset. Set Status to 429 for GitHub's other answer to it.
func PrimaryRateLimit(reset time.Time) Fault {
	h := http.Header{}
	h.Set("X-RateLimit-Limit", "5000")
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Used", "5000")
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")
	return Fault{Status: http.StatusForbidden, Header: h,
		Message:          "API rate limit exceeded for installation ID 4242. If you reach out to GitHub Support for help, please include the request ID 0000:1111:2222:3333:4444.",
		DocumentationURL: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits"}
}

// SecondaryRateLimit is the 403 of a secondary rate limit with a
// Retry-After of retryAfter seconds (negative: no Retry-After). Set Status
// to 429 for GitHub's other answer to it.
func SecondaryRateLimit(retryAfter int) Fault {
	h := http.Header{}
	if retryAfter >= 0 {
		h.Set("Retry-After", strconv.Itoa(retryAfter))
	}
	return Fault{Status: http.StatusForbidden, Header: h,
		Message:          "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:1111:2222:3333:4444.",
		DocumentationURL: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}
}

type fault struct {
	method, prefix string
	route          string // instead of method and prefix
	f              Fault
	left           int
}

// Server is the fake GitHub. Its embedded httptest.Server gives URL,
// Client and Close.
type Server struct {
	*httptest.Server
	comments comments // the issue comments: comments.go

	Owner, Repo string
	// Token is the token the server accepts; empty accepts any request.
	Token string

	t         testing.TB
	mu        sync.Mutex
	readOnly  bool
	immutable bool
	repoID    int64
	former    [][2]string // names the repository had before Rename
	holds     []*barrier
	releases  []*Release // in creation order; listed newest first
	lastID    int64
	clock     time.Time
	faults    []*fault
	requests  []Request
	calls     int
}

// New starts a fake GitHub for owner/repo that accepts token, closed when
// the test ends. It logs every request with t.Logf (the token shown as
// "[token]").
func New(t testing.TB, owner, repo, token string) *Server {
	s := &Server{Owner: owner, Repo: repo, Token: token, t: t, repoID: 1296269,
		clock: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// APIURL is the API root of the root-style host, with API and uploads on it.
func (s *Server) APIURL() string { return s.URL + "/" }

// EnterpriseAPIURL is the API root in GitHub Enterprise Server style;
// uploads are served under EnterpriseUploadPrefix only.
func (s *Server) EnterpriseAPIURL() string { return s.URL + EnterpriseAPIPrefix }

// SetReadOnly makes the token a read-only one: every write answers 403
// "Resource not accessible by integration".
func (s *Server) SetReadOnly(ro bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.readOnly = ro
}

// SetImmutable turns immutable releases on or off: the assets of a
// published release can then be neither uploaded nor deleted.
func (s *Server) SetImmutable(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.immutable = on
}

// Rename renames the repository to owner/repo; requests that use an
// earlier name are redirected from then on.
func (s *Server) Rename(owner, repo string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.former = append(s.former, [2]string{s.Owner, s.Repo})
	s.Owner, s.Repo = owner, repo
}

// Hold makes the next n requests of route meet: none is handled before all
// n have arrived, so n clients racing on route all get past their earlier
// requests before any of them takes effect. If fewer arrive within ten
// seconds, those that did go on and the test fails.
func (s *Server) Hold(route string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.holds = append(s.holds, &barrier{route: route, n: n, met: make(chan struct{})})
}

type barrier struct {
	route      string
	n, arrived int
	met        chan struct{}
}

// hold waits at the first barrier of route that still expects requests.
func (s *Server) hold(route string) {
	s.mu.Lock()
	var b *barrier
	for _, h := range s.holds {
		if h.route == route && h.arrived < h.n {
			b = h
			break
		}
	}
	if b == nil {
		s.mu.Unlock()
		return
	}
	b.arrived++
	if b.arrived == b.n {
		close(b.met)
	}
	s.mu.Unlock()
	select {
	case <-b.met:
	case <-time.After(10 * time.Second):
		s.mu.Lock()
		s.t.Errorf("githubtest: Hold(%s, %d): only %d requests arrived", route, b.n, b.arrived)
		s.mu.Unlock()
	}
}

// FailNext makes the next n requests with method ("" for any) whose path,
// Enterprise prefix removed, starts with pathPrefix ("" for any) fail with
// GitHub's answer for status (StatusFault).
func (s *Server) FailNext(method, pathPrefix string, status, n int) {
	s.Inject(method, pathPrefix, StatusFault(status), n)
}

// Inject makes the next n requests matching method and pathPrefix (as for
// FailNext) fail with f. Scripted failures are used in the order given.
func (s *Server) Inject(method, pathPrefix string, f Fault, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{method: method, prefix: pathPrefix, f: f, left: n})
}

// FailRoute makes the next n requests of route (ListReleases, …) fail with
// GitHub's answer for status.
func (s *Server) FailRoute(route string, status, n int) {
	s.InjectRoute(route, StatusFault(status), n)
}

// InjectRoute makes the next n requests of route fail with f: unlike a path
// prefix, ListReleases does not match the routes under it.
func (s *Server) InjectRoute(route string, f Fault, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{route: route, f: f, left: n})
}

// AddRelease stores r as the newest release, assigning its ID, creation
// time and (unless a draft) publication time; it returns the stored copy.
func (s *Server) AddRelease(r Release) Release {
	s.mu.Lock()
	defer s.mu.Unlock()
	rel := r
	rel.ID = s.newID()
	rel.CreatedAt = s.tick()
	if !rel.Draft && rel.PublishedAt.IsZero() {
		rel.PublishedAt = rel.CreatedAt
	}
	if rel.TargetCommitish == "" {
		rel.TargetCommitish = "main"
	}
	rel.Assets = nil
	for _, a := range r.Assets {
		a.ID = s.newID()
		a.CreatedAt = rel.CreatedAt
		rel.Assets = append(rel.Assets, a)
	}
	s.releases = append(s.releases, &rel)
	return clone(&rel)
}

// Seed stores n published releases, oldest first, named by tagFormat with
// their number 1..n (e.g. "other-model-v1.0.%d"), each newer than the
// releases stored before.
func (s *Server) Seed(n int, tagFormat string) {
	for i := 1; i <= n; i++ {
		tag := fmt.Sprintf(tagFormat, i)
		s.AddRelease(Release{TagName: tag, Name: tag, Body: "Release " + tag + "."})
	}
}

// Releases returns copies of the stored releases, newest first, as GitHub
// lists them.
func (s *Server) Releases() []Release {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Release, 0, len(s.releases))
	for i := len(s.releases) - 1; i >= 0; i-- {
		out = append(out, clone(s.releases[i]))
	}
	return out
}

// Requests returns the requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Count returns how many requests route received (faults included).
func (s *Server) Count(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if r.Route == route {
			n++
		}
	}
	return n
}

// Methods counts the requests received by method.
func (s *Server) Methods() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := map[string]int{}
	for _, r := range s.requests {
		m[r.Method]++
	}
	return m
}

// Log renders every request received, one a line: status, method, URL and
// all headers, the token included as sent.
func (s *Server) Log() string {
	var b strings.Builder
	for _, r := range s.Requests() {
		fmt.Fprintf(&b, "%d %s %s", r.Status, r.Method, r.Path)
		if len(r.Query) > 0 {
			b.WriteString("?" + r.Query.Encode())
		}
		for _, k := range slices.Sorted(maps.Keys(r.Header)) {
			fmt.Fprintf(&b, " %s=%q", k, strings.Join(r.Header[k], ","))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func (s *Server) newID() int64 {
	s.lastID++
	return s.lastID
}

// tick returns the next creation time: every object is a second newer than
// the one before, so newest first is well defined.
func (s *Server) tick() time.Time {
	s.clock = s.clock.Add(time.Second)
	return s.clock
}

func clone(r *Release) Release {
	c := *r
	c.Assets = make([]Asset, len(r.Assets))
	for i, a := range r.Assets {
		a.Data = bytes.Clone(a.Data)
		c.Assets[i] = a
	}
	return c
}

// answer is a response being built; serve writes it once decided.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a *answer) json(status int, v any) {
	a.status = status
	a.header.Set("Content-Type", "application/json; charset=utf-8")
	data, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	a.body = data
}

func (a *answer) fail(f Fault) {
	for k, vs := range f.Header {
		a.header[k] = slices.Clone(vs)
	}
	body := map[string]any{"message": f.Message, "status": strconv.Itoa(f.Status)}
	if loc := a.header.Get("Location"); loc != "" {
		body["url"] = loc
	}
	if f.DocumentationURL != "" {
		body["documentation_url"] = f.DocumentationURL
	}
	if len(f.Errors) > 0 {
		body["errors"] = f.Errors
	}
	a.json(f.Status, body)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.hold(routeOf(r))
	s.mu.Lock()
	req := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body}
	a := &answer{header: http.Header{}}
	s.handle(r, &req, body, a)
	s.calls++
	if a.header.Get("X-RateLimit-Remaining") == "" {
		a.header.Set("X-RateLimit-Limit", "5000")
		a.header.Set("X-RateLimit-Remaining", strconv.Itoa(max(5000-s.calls, 1)))
		a.header.Set("X-RateLimit-Used", strconv.Itoa(min(s.calls, 4999)))
		a.header.Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
		a.header.Set("X-RateLimit-Resource", "core")
	}
	a.header.Set("X-GitHub-Request-Id", fmt.Sprintf("FAKE:%04d", s.calls))
	req.Status = a.status
	s.requests = append(s.requests, req)
	s.mu.Unlock()

	s.t.Logf("githubtest: %s %s -> %d (authorization %s)", r.Method, r.URL.RequestURI(), a.status, s.describeAuth(r))
	for k, vs := range a.header {
		w.Header()[k] = vs
	}
	w.WriteHeader(a.status)
	if a.status != http.StatusNoContent {
		_, _ = w.Write(a.body)
	}
}

func (s *Server) describeAuth(r *http.Request) string {
	h := r.Header.Get("Authorization")
	switch {
	case h == "":
		return "none"
	case s.Token != "" && (h == "Bearer "+s.Token || h == "token "+s.Token):
		return "[token]"
	}
	return "[another token]"
}

// splitPrefix returns the Enterprise prefix of an escaped path ("" for the
// root style) and the path without it.
func splitPrefix(p string) (prefix, rest string) {
	switch {
	case strings.HasPrefix(p, EnterpriseAPIPrefix+"/"):
		prefix = EnterpriseAPIPrefix
	case strings.HasPrefix(p, EnterpriseUploadPrefix+"/"):
		prefix = EnterpriseUploadPrefix
	}
	return prefix, strings.TrimPrefix(p, prefix)
}

// routeOf names the route of a request, as Count does.
func routeOf(r *http.Request) string {
	_, p := splitPrefix(r.URL.EscapedPath())
	route, _, _, _ := parseRoute(r.Method, p)
	return route
}

// handle routes one request; it runs with s.mu held.
func (s *Server) handle(r *http.Request, req *Request, body []byte, a *answer) {
	var p string
	req.Prefix, p = splitPrefix(r.URL.EscapedPath())
	// A repository addressed by its ID, as the redirects after a rename
	// point: served as the repository.
	if rest, ok := strings.CutPrefix(p, "/repositories/"+strconv.FormatInt(s.repoID, 10)+"/"); ok {
		p = "/repos/" + url.PathEscape(s.Owner) + "/" + url.PathEscape(s.Repo) + "/" + rest
	}
	route, owner, repo, rest := parseRoute(r.Method, p)
	req.Route = route
	// Uploads live on their own host: /api/uploads/ on GHES; the API host
	// does not serve them, nor the upload host anything else.
	if route != Unknown && req.Prefix != "" && (route == UploadReleaseAsset) != (req.Prefix == EnterpriseUploadPrefix) {
		route, req.Route = Unknown, Unknown
	}

	if s.Token != "" {
		switch auth := r.Header.Get("Authorization"); {
		case auth == "":
			a.fail(Fault{Status: http.StatusUnauthorized, Message: "Requires authentication", DocumentationURL: docsRoot})
			return
		case auth != "Bearer "+s.Token && auth != "token "+s.Token:
			a.fail(Fault{Status: http.StatusUnauthorized, Message: "Bad credentials", DocumentationURL: docsRoot})
			return
		}
	}
	var after *Fault
	for i, f := range s.faults {
		if f.route != "" && f.route == route ||
			f.route == "" && (f.method == "" || f.method == r.Method) && strings.HasPrefix(p, f.prefix) {
			f.left--
			if f.left <= 0 {
				s.faults = slices.Delete(s.faults, i, i+1)
			}
			req.Fault = true
			if f.f.RedirectTo != "" {
				a.header.Set("Location", f.f.RedirectTo+r.URL.RequestURI())
			}
			if !f.f.After {
				a.fail(f.f)
				return
			}
			ff := f.f
			after = &ff
			break
		}
	}
	defer func() {
		if after != nil {
			*a = answer{header: http.Header{}}
			a.fail(*after)
		}
	}()

	for _, name := range s.former {
		if route != Unknown && strings.EqualFold(owner, name[0]) && strings.EqualFold(repo, name[1]) &&
			!(strings.EqualFold(owner, s.Owner) && strings.EqualFold(repo, s.Repo)) {
			status := http.StatusTemporaryRedirect
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				status = http.StatusMovedPermanently
			}
			_, tail, _ := strings.Cut(strings.TrimPrefix(p, "/repos/"), "/")
			_, tail, _ = strings.Cut(tail, "/")
			loc := s.URL + req.Prefix + "/repositories/" + strconv.FormatInt(s.repoID, 10) + "/" + tail
			if r.URL.RawQuery != "" {
				loc += "?" + r.URL.RawQuery
			}
			a.header.Set("Location", loc)
			a.fail(Redirect(status, ""))
			return
		}
	}
	if route == Unknown || !strings.EqualFold(owner, s.Owner) || !strings.EqualFold(repo, s.Repo) {
		a.fail(StatusFault(http.StatusNotFound))
		return
	}
	if s.readOnly && r.Method != http.MethodGet && r.Method != http.MethodHead {
		a.fail(Permissions())
		return
	}
	base := s.URL + req.Prefix
	if isCommentRoute(route) {
		s.serveComments(route, r, rest, body, a, base+p, req.Prefix)
		return
	}
	switch route {
	case ListReleases:
		s.list(r, a, base+p, req.Prefix)
	case CreateRelease:
		s.create(body, a, req.Prefix)
	case GetLatestRelease:
		for i := len(s.releases) - 1; i >= 0; i-- {
			if rel := s.releases[i]; !rel.Draft && !rel.Prerelease {
				a.json(http.StatusOK, s.releaseJSON(rel, req.Prefix))
				return
			}
		}
		a.fail(StatusFault(http.StatusNotFound))
	case GetReleaseByTag:
		// Drafts are invisible here, whatever the token may do.
		for i := len(s.releases) - 1; i >= 0; i-- {
			if rel := s.releases[i]; !rel.Draft && rel.TagName == rest {
				a.json(http.StatusOK, s.releaseJSON(rel, req.Prefix))
				return
			}
		}
		a.fail(StatusFault(http.StatusNotFound))
	case GetRelease, UpdateRelease, DeleteRelease, ListReleaseAssets, UploadReleaseAsset:
		i := s.findRelease(rest)
		if i < 0 {
			a.fail(StatusFault(http.StatusNotFound))
			return
		}
		rel := s.releases[i]
		switch route {
		case GetRelease:
			a.json(http.StatusOK, s.releaseJSON(rel, req.Prefix))
		case UpdateRelease:
			s.update(rel, body, a, req.Prefix)
		case DeleteRelease:
			s.releases = slices.Delete(s.releases, i, i+1)
			a.status = http.StatusNoContent
		case ListReleaseAssets:
			s.listAssets(r, rel, a, base+p)
		case UploadReleaseAsset:
			s.upload(r, rel, body, a)
		}
	case GetReleaseAsset, DeleteReleaseAsset:
		id, _ := strconv.ParseInt(rest, 10, 64)
		for _, rel := range s.releases {
			for j, as := range rel.Assets {
				if as.ID != id {
					continue
				}
				if route == GetReleaseAsset {
					a.json(http.StatusOK, s.assetJSON(&as))
				} else if s.locked(rel) {
					a.fail(immutableFault())
				} else {
					rel.Assets = slices.Delete(rel.Assets, j, j+1)
					a.status = http.StatusNoContent
				}
				return
			}
		}
		a.fail(StatusFault(http.StatusNotFound))
	}
}

// parseRoute names the route of method and path, and returns the owner,
// the repository and the route's last parameter (tag, release or asset id).
func parseRoute(method, path string) (route, owner, repo, rest string) {
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(parts) >= 5 && parts[0] == "repos" && parts[3] == "issues" {
		route, rest = parseIssueRoute(method, parts)
		return route, parts[1], parts[2], rest
	}
	if len(parts) < 4 || parts[0] != "repos" || parts[3] != "releases" {
		return Unknown, "", "", ""
	}
	unescape := func(s string) string {
		if u, err := url.PathUnescape(s); err == nil {
			return u
		}
		return s
	}
	owner, repo = unescape(parts[1]), unescape(parts[2])
	tail := parts[4:]
	if len(tail) > 0 && tail[len(tail)-1] == "" { // trailing slash
		tail = tail[:len(tail)-1]
	}
	key := method + " "
	switch {
	case len(tail) == 0:
		key += "/repos/{owner}/{repo}/releases"
	case len(tail) == 1 && tail[0] == "latest":
		key += "/repos/{owner}/{repo}/releases/latest"
	case len(tail) >= 2 && tail[0] == "tags":
		key += "/repos/{owner}/{repo}/releases/tags/{tag}"
		rest = unescape(strings.Join(tail[1:], "/"))
	case len(tail) == 2 && tail[0] == "assets":
		key += "/repos/{owner}/{repo}/releases/assets/{asset_id}"
		rest = tail[1]
	case len(tail) == 1:
		key += "/repos/{owner}/{repo}/releases/{release_id}"
		rest = tail[0]
	case len(tail) == 2 && tail[1] == "assets":
		key += "/repos/{owner}/{repo}/releases/{release_id}/assets"
		rest = tail[0]
	default:
		return Unknown, owner, repo, ""
	}
	switch key {
	case ListReleases, CreateRelease, GetLatestRelease, GetReleaseByTag, GetRelease, UpdateRelease,
		DeleteRelease, ListReleaseAssets, UploadReleaseAsset, GetReleaseAsset, DeleteReleaseAsset:
		return key, owner, repo, rest
	}
	return Unknown, owner, repo, ""
}

func (s *Server) findRelease(id string) int {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return -1
	}
	for i, rel := range s.releases {
		if rel.ID == n {
			return i
		}
	}
	return -1
}

// page returns the slice of n items the page and per_page parameters
// select (GitHub's defaults: page 1, 30 a page, at most 100), and sets the
// Link header with self as the URL to page through.
func page(r *http.Request, n int, a *answer, self string) (from, to int) {
	q := r.URL.Query()
	per, err := strconv.Atoi(q.Get("per_page"))
	if err != nil || per < 1 {
		per = 30
	}
	per = min(per, 100)
	p, err := strconv.Atoi(q.Get("page"))
	if err != nil || p < 1 {
		p = 1
	}
	last := max((n+per-1)/per, 1)
	link := func(page int, rel string) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("per_page", strconv.Itoa(per))
		v.Set("page", strconv.Itoa(page))
		return fmt.Sprintf("<%s?%s>; rel=%q", self, v.Encode(), rel)
	}
	var links []string
	if p > 1 {
		links = append(links, link(min(p-1, last), "prev"))
	}
	if p < last {
		links = append(links, link(p+1, "next"), link(last, "last"))
	}
	if p > 1 {
		links = append(links, link(1, "first"))
	}
	if len(links) > 0 {
		a.header.Set("Link", strings.Join(links, ", "))
	}
	from = min((p-1)*per, n)
	return from, min(from+per, n)
}

func (s *Server) list(r *http.Request, a *answer, self, prefix string) {
	newest := make([]*Release, 0, len(s.releases))
	for i := len(s.releases) - 1; i >= 0; i-- {
		newest = append(newest, s.releases[i])
	}
	from, to := page(r, len(newest), a, self)
	out := make([]map[string]any, 0, to-from)
	for _, rel := range newest[from:to] {
		out = append(out, s.releaseJSON(rel, prefix))
	}
	a.json(http.StatusOK, out)
}

func (s *Server) listAssets(r *http.Request, rel *Release, a *answer, self string) {
	from, to := page(r, len(rel.Assets), a, self)
	out := make([]map[string]any, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, s.assetJSON(&rel.Assets[i]))
	}
	a.json(http.StatusOK, out)
}

// releaseRequest is the body of a create or update.
type releaseRequest struct {
	TagName         *string `json:"tag_name"`
	TargetCommitish *string `json:"target_commitish"`
	Name            *string `json:"name"`
	Body            *string `json:"body"`
	Draft           *bool   `json:"draft"`
	Prerelease      *bool   `json:"prerelease"`
}

func validation(field, code string) Fault {
	f := StatusFault(http.StatusUnprocessableEntity)
	f.Errors = []FieldError{{Resource: "Release", Code: code, Field: field}}
	return f
}

func (s *Server) decode(body []byte, a *answer) (*releaseRequest, bool) {
	var in releaseRequest
	if err := json.Unmarshal(body, &in); err != nil {
		a.fail(Fault{Status: http.StatusBadRequest, Message: "Problems parsing JSON", DocumentationURL: docsRoot})
		return nil, false
	}
	return &in, true
}

// publishedTag says whether a published release other than except has tag.
func (s *Server) publishedTag(tag string, except *Release) bool {
	for _, rel := range s.releases {
		if rel != except && !rel.Draft && rel.TagName == tag {
			return true
		}
	}
	return false
}

func (s *Server) create(body []byte, a *answer, prefix string) {
	in, ok := s.decode(body, a)
	if !ok {
		return
	}
	if in.TagName == nil || *in.TagName == "" {
		a.fail(validation("tag_name", "missing_field"))
		return
	}
	if s.publishedTag(*in.TagName, nil) {
		a.fail(validation("tag_name", "already_exists"))
		return
	}
	rel := &Release{ID: s.newID(), TagName: *in.TagName, TargetCommitish: "main", CreatedAt: s.tick()}
	apply(rel, in)
	if !rel.Draft {
		rel.PublishedAt = rel.CreatedAt
	}
	s.releases = append(s.releases, rel)
	a.json(http.StatusCreated, s.releaseJSON(rel, prefix))
}

func apply(rel *Release, in *releaseRequest) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&rel.TagName, in.TagName)
	set(&rel.TargetCommitish, in.TargetCommitish)
	set(&rel.Name, in.Name)
	set(&rel.Body, in.Body)
	if in.Draft != nil {
		rel.Draft = *in.Draft
	}
	if in.Prerelease != nil {
		rel.Prerelease = *in.Prerelease
	}
}

func (s *Server) update(rel *Release, body []byte, a *answer, prefix string) {
	in, ok := s.decode(body, a)
	if !ok {
		return
	}
	if in.TagName != nil && *in.TagName == "" {
		a.fail(validation("tag_name", "missing_field"))
		return
	}
	next := *rel
	apply(&next, in)
	if !next.Draft && s.publishedTag(next.TagName, rel) {
		a.fail(validation("tag_name", "already_exists"))
		return
	}
	if !next.Draft && rel.Draft {
		next.PublishedAt = s.tick()
	}
	*rel = next
	a.json(http.StatusOK, s.releaseJSON(rel, prefix))
}

func (s *Server) upload(r *http.Request, rel *Release, body []byte, a *answer) {
	name := r.URL.Query().Get("name")
	if name == "" {
		f := StatusFault(http.StatusUnprocessableEntity)
		f.Errors = []FieldError{{Resource: "ReleaseAsset", Code: "missing_field", Field: "name"}}
		a.fail(f)
		return
	}
	if s.locked(rel) {
		a.fail(immutableFault())
		return
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		a.fail(Fault{Status: http.StatusBadRequest, Message: "Content-Type header is required", DocumentationURL: docsRoot + "/releases/assets#upload-a-release-asset"})
		return
	}
	for _, as := range rel.Assets {
		if as.Name == name {
			f := StatusFault(http.StatusUnprocessableEntity)
			f.Errors = []FieldError{{Resource: "ReleaseAsset", Code: "already_exists", Field: "name"}}
			a.fail(f)
			return
		}
	}
	as := Asset{ID: s.newID(), Name: name, Label: r.URL.Query().Get("label"), ContentType: ct,
		Data: bytes.Clone(body), CreatedAt: s.tick()}
	rel.Assets = append(rel.Assets, as)
	a.json(http.StatusCreated, s.assetJSON(&as))
}

// locked says whether the assets of rel are immutable: it is published and
// the repository has immutable releases.
func (s *Server) locked(rel *Release) bool { return s.immutable && !rel.Draft }

func immutableFault() Fault {
	return Fault{Status: http.StatusUnprocessableEntity, Message: "Cannot upload assets to an immutable release",
		DocumentationURL: "https://docs.github.com/code-security/supply-chain-security/understanding-your-software-supply-chain/immutable-releases"}
}

func (s *Server) releaseJSON(rel *Release, prefix string) map[string]any {
	api := s.URL + prefix + "/repos/" + s.Owner + "/" + s.Repo + "/releases/" + strconv.FormatInt(rel.ID, 10)
	uploads := s.URL
	if prefix != "" {
		uploads += EnterpriseUploadPrefix
	}
	uploads += "/repos/" + s.Owner + "/" + s.Repo + "/releases/" + strconv.FormatInt(rel.ID, 10) + "/assets{?name,label}"
	// Like GitHub, a draft's page is addressed by an untagged-… name.
	page := rel.TagName
	if rel.Draft {
		page = fmt.Sprintf("untagged-%020x", rel.ID*2654435761)
	}
	assets := make([]map[string]any, 0, len(rel.Assets))
	for i := range rel.Assets {
		assets = append(assets, s.assetJSON(&rel.Assets[i]))
	}
	m := map[string]any{
		"url":              api,
		"assets_url":       api + "/assets",
		"upload_url":       uploads,
		"html_url":         s.URL + "/" + s.Owner + "/" + s.Repo + "/releases/tag/" + page,
		"id":               rel.ID,
		"node_id":          fmt.Sprintf("RE_fake%d", rel.ID),
		"tag_name":         rel.TagName,
		"target_commitish": rel.TargetCommitish,
		"name":             rel.Name,
		"body":             rel.Body,
		"draft":            rel.Draft,
		"prerelease":       rel.Prerelease,
		"created_at":       rel.CreatedAt.Format(time.RFC3339),
		"published_at":     nil,
		"author":           map[string]any{"login": "github-actions[bot]", "id": 41898282, "type": "Bot"},
		"assets":           assets,
		"immutable":        s.locked(rel),
		"tarball_url":      s.URL + prefix + "/repos/" + s.Owner + "/" + s.Repo + "/tarball/" + rel.TagName,
		"zipball_url":      s.URL + prefix + "/repos/" + s.Owner + "/" + s.Repo + "/zipball/" + rel.TagName,
	}
	if !rel.PublishedAt.IsZero() {
		m["published_at"] = rel.PublishedAt.Format(time.RFC3339)
	}
	return m
}

func (s *Server) assetJSON(as *Asset) map[string]any {
	return map[string]any{
		"url":                  fmt.Sprintf("%s/repos/%s/%s/releases/assets/%d", s.URL, s.Owner, s.Repo, as.ID),
		"browser_download_url": fmt.Sprintf("%s/%s/%s/releases/download/asset-%d/%s", s.URL, s.Owner, s.Repo, as.ID, url.PathEscape(as.Name)),
		"id":                   as.ID,
		"node_id":              fmt.Sprintf("RA_fake%d", as.ID),
		"name":                 as.Name,
		"label":                as.Label,
		"state":                "uploaded",
		"content_type":         as.ContentType,
		"size":                 len(as.Data),
		"download_count":       0,
		"created_at":           as.CreatedAt.Format(time.RFC3339),
		"updated_at":           as.CreatedAt.Format(time.RFC3339),
		"uploader":             map[string]any{"login": "github-actions[bot]", "id": 41898282, "type": "Bot"},
	}
}
