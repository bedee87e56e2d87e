package action

import (
	"encoding/base64"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// gitServer serves the bare repositories under root over git's smart HTTP
// protocol with the real git http-backend, and records the Authorization
// header of every request.
type gitServer struct {
	*httptest.Server
	mu    sync.Mutex
	auths []string
}

func newGitServer(t *testing.T, root string, redirectTo func() string) *gitServer {
	t.Helper()
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Fatal(err)
	}
	backend := &cgi.Handler{Path: filepath.Join(strings.TrimSpace(string(out)), "git-http-backend"),
		Env: []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"}}
	s := &gitServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.auths = append(s.auths, r.Header.Get("Authorization"))
		s.mu.Unlock()
		if redirectTo != nil {
			http.Redirect(w, r, redirectTo()+r.URL.RequestURI(), http.StatusFound)
			return
		}
		backend.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// received returns the Authorization headers received, and how many
// requests there were.
func (s *gitServer) received() (auths []string, requests int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.auths {
		if a != "" {
			auths = append(auths, a)
		}
	}
	return auths, len(s.auths)
}

// TestShallowFetchTokenStaysOnGitHub: in a shallow checkout the action
// fetches the release tags from origin with the token only when origin is
// the workflow's GitHub server (GITHUB_SERVER_URL); another host, or a
// redirect from GitHub to another host, gets no credentials, and the fetch
// of a public repository still works.
func TestShallowFetchTokenStaysOnGitHub(t *testing.T) {
	origin := repo(t, "1.1.0")
	root := t.TempDir()
	git(t, root, "clone", "-q", "--bare", origin, filepath.Join(root, "models.git"))
	foreign := newGitServer(t, root, nil)
	github := newGitServer(t, root, nil)
	redirecting := newGitServer(t, root, func() string { return foreign.URL })
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("x-access-token:ghs_secretTOKEN123"))

	for _, tt := range []struct {
		name           string
		remote         *gitServer
		server         string
		tokenTo        *gitServer
		noToken        []*gitServer
		reachedForeign bool
	}{
		{"origin on the GitHub server", github, github.URL, github, []*gitServer{foreign}, false},
		{"origin on another host", foreign, github.URL, nil, []*gitServer{foreign}, true},
		{"GitHub redirects to another host", redirecting, redirecting.URL, redirecting, []*gitServer{foreign}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, s := range []*gitServer{foreign, github, redirecting} {
				s.mu.Lock()
				s.auths = nil
				s.mu.Unlock()
			}
			ws := filepath.Join(t.TempDir(), "ws")
			git(t, filepath.Dir(ws), "clone", "-q", "--depth", "1", "--no-tags", "file://"+origin, ws)
			git(t, ws, "remote", "set-url", "origin", tt.remote.URL+"/models.git")
			r := start(t, ws, "push", "refs/heads/main", map[string]any{})
			r.env["GITHUB_SERVER_URL"] = tt.server
			r.exec(t)
			if r.code != 0 || !strings.Contains(r.stdout.String(), "baseline lite-llm-base-v1.0.0") {
				t.Fatalf("exit %d\n%s%s", r.code, r.stdout.String(), r.stderr.String())
			}
			if tt.tokenTo != nil {
				auths, _ := tt.tokenTo.received()
				if len(auths) == 0 || auths[0] != basic {
					t.Errorf("the GitHub server got Authorization %q, want the token", auths)
				}
			}
			for _, s := range tt.noToken {
				auths, n := s.received()
				if len(auths) != 0 {
					t.Errorf("another host got Authorization %q", auths)
				}
				if (n > 0) != tt.reachedForeign {
					t.Errorf("the other host got %d requests", n)
				}
			}
		})
	}
}
