package action

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modelgate/modelgate/internal/githubtest"
)

// TestUnwritableRunnerFiles: a $GITHUB_OUTPUT or $GITHUB_STEP_SUMMARY that
// names a folder or a missing path stops the step before anything is done:
// exit 2, one line naming the variable and the path, no release, nothing
// written to the other file.
func TestUnwritableRunnerFiles(t *testing.T) {
	ws := repo(t, "1.1.0")
	srv := githubtest.New(t, "acme", "lite-llm", "ghs_secretTOKEN123")
	for _, variable := range runnerFiles {
		for _, tt := range []struct {
			name string
			path func(dir string) string
			want string
		}{
			{"folder", func(dir string) string { return dir }, "a folder"},
			{"missing file", func(dir string) string { return filepath.Join(dir, "gone") }, "does not exist"},
			{"missing folder", func(dir string) string { return filepath.Join(dir, "gone", "output") }, "does not exist"},
		} {
			t.Run(variable+"/"+tt.name, func(t *testing.T) {
				r := start(t, ws, "push", "refs/heads/main", map[string]any{})
				r.env["INPUT_COMMAND"], r.env["GITHUB_API_URL"] = "release", srv.APIURL()
				bad := tt.path(t.TempDir())
				r.env[variable] = bad
				other := "GITHUB_OUTPUT"
				if variable == other {
					other = "GITHUB_STEP_SUMMARY"
				}
				before := len(srv.Requests())
				r.code = Run(context.Background(), Env{Getenv: func(k string) string { return r.env[k] }, Stdout: &r.stdout, Stderr: &r.stderr,
					Tool: "test", HTTPClient: srv.Client(), Sleep: func(time.Duration) {}})
				stderr := r.stderr.String()
				if r.code != 2 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "$"+variable) ||
					!strings.Contains(stderr, bad) || !strings.Contains(stderr, tt.want) {
					t.Errorf("exit %d, stderr %q", r.code, stderr)
				}
				if !strings.Contains(r.stdout.String(), "::error title=modelgate::") {
					t.Errorf("no error annotation:\n%s", r.stdout.String())
				}
				if n := len(srv.Requests()) - before; n != 0 {
					t.Errorf("%d requests to GitHub: released although the outputs would be lost", n)
				}
				if got := r.read(t, other); got != "" {
					t.Errorf("$%s written: %q", other, got)
				}
				if _, err := os.Stat(bad); tt.name != "folder" && err == nil {
					t.Errorf("the missing path %s was created", bad)
				}
			})
		}
	}
}

// TestRacingWorkflows: two workflows on one tag push release at the same
// moment (both find no release, both create one): the repository ends with
// one published release holding one record, and both steps pass.
func TestRacingWorkflows(t *testing.T) {
	ws := repo(t, "1.1.0")
	git(t, ws, "tag", "lite-llm-base-v1.1.0")
	srv := githubtest.New(t, "acme", "lite-llm", "ghs_secretTOKEN123")
	srv.SetImmutable(true)
	srv.Hold(githubtest.CreateRelease, 2)
	runs := []*run{}
	for range 2 {
		r := start(t, ws, "push", "refs/tags/lite-llm-base-v1.1.0", map[string]any{})
		r.env["INPUT_COMMAND"], r.env["INPUT_PUBLISH"], r.env["GITHUB_API_URL"] = "release", "true", srv.APIURL()
		runs = append(runs, r)
	}
	done := make(chan struct{})
	for _, r := range runs {
		go func() {
			defer func() { done <- struct{}{} }()
			r.code = Run(context.Background(), Env{Getenv: func(k string) string { return r.env[k] }, Stdout: &r.stdout, Stderr: &r.stderr,
				Tool: "test", HTTPClient: srv.Client(), Sleep: func(time.Duration) {}})
		}()
	}
	for range runs {
		<-done
	}
	rels := srv.Releases()
	if len(rels) != 1 || rels[0].Draft || rels[0].TagName != "lite-llm-base-v1.1.0" || len(rels[0].Assets) != 1 {
		t.Fatalf("releases %+v\n%s", rels, srv.Log())
	}
	for i, r := range runs {
		out := r.outputs(t)
		if r.code != 0 || out["release-id"] != strconv.FormatInt(rels[0].ID, 10) || out["release-url"] == "" {
			t.Errorf("run %d: exit %d, outputs %v\n%s", i, r.code, out, r.stderr.String())
		}
		if strings.Contains(r.stdout.String()+r.stderr.String(), "ghs_secretTOKEN123") {
			t.Errorf("run %d printed the token", i)
		}
	}
	if srv.Count(githubtest.CreateRelease) != 2 || srv.Count(githubtest.DeleteRelease) == 0 {
		t.Errorf("the runs did not race:\n%s", srv.Log())
	}
}
