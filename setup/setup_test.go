package setup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"
)

const (
	version = "v1.2.3"
	repo    = "modelgate/modelgate"
	token   = "ghs_setupTOKEN456"
)

// packaged builds the real release archive of this machine's target with
// package.sh, once: the archive and the SHA256SUMS it wrote.
var packaged = sync.OnceValues(func() (map[string][]byte, error) {
	dir, err := os.MkdirTemp("", "modelgate-package-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	cmd := exec.Command("bash", "package.sh", version, dir, runtime.GOOS+"/"+runtime.GOARCH)
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("package.sh: %v\n%s", err, out)
	}
	files := map[string][]byte{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if files[e.Name()], err = os.ReadFile(filepath.Join(dir, e.Name())); err != nil {
			return nil, err
		}
	}
	return files, nil
})

func hostArchive() string {
	return fmt.Sprintf("modelgate_%s_%s_%s.tar.gz", strings.TrimPrefix(version, "v"), runtime.GOOS, runtime.GOARCH)
}

// release is what the loopback server serves: files per tag, and the tags
// the releases API lists.
type release struct {
	files map[string]map[string][]byte // tag -> name -> bytes
	tags  []string                     // newest first
}

// request is one request the server received.
type request struct {
	path, auth string
}

type server struct {
	*httptest.Server
	mu       sync.Mutex
	requests []request
}

func serve(t *testing.T, rel *release) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, request{path: r.URL.Path, auth: r.Header.Get("Authorization")})
		s.mu.Unlock()
		switch p := r.URL.Path; {
		case p == "/api/repos/"+repo+"/releases/latest":
			// Compact JSON, as some clients get it.
			fmt.Fprintf(w, `{"url":"x","id":9,"tag_name":%q,"draft":false,"assets":[{"name":"a","id":1}]}`, rel.tags[0])
		case p == "/api/repos/"+repo+"/releases":
			// Indented JSON, as GitHub answers curl.
			var b strings.Builder
			b.WriteString("[\n")
			for i, tag := range rel.tags {
				if i > 0 {
					b.WriteString(",\n")
				}
				fmt.Fprintf(&b, "  {\n    \"id\": %d,\n    \"tag_name\": %q,\n    \"prerelease\": %v,\n    \"assets\": []\n  }", i+1, tag, strings.Contains(tag, "-"))
			}
			b.WriteString("\n]\n")
			fmt.Fprint(w, b.String())
		case strings.HasPrefix(p, "/"+repo+"/releases/download/"):
			tag, name, _ := strings.Cut(strings.TrimPrefix(p, "/"+repo+"/releases/download/"), "/")
			data, ok := rel.files[tag][name]
			if !ok {
				http.NotFound(w, r)
				return
			}
			_, _ = w.Write(data)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) downloads() []request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []request
	for _, r := range s.requests {
		if strings.Contains(r.path, "/releases/download/") {
			out = append(out, r)
		}
	}
	return out
}

func (s *server) apiCalls() []request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []request
	for _, r := range s.requests {
		if strings.HasPrefix(r.path, "/api/") {
			out = append(out, r)
		}
	}
	return out
}

// runner is a runner's environment for one install.
type runner struct {
	dir, cache string
	env        map[string]string
	stdout     bytes.Buffer
	stderr     bytes.Buffer
	code       int
}

func newRunner(t *testing.T, s *server, runnerOS, runnerArch, want string) *runner {
	t.Helper()
	dir := t.TempDir()
	r := &runner{dir: dir, cache: filepath.Join(dir, "toolcache"), env: map[string]string{
		"PATH": os.Getenv("PATH"), "HOME": dir, "TMPDIR": dir,
		"GITHUB_ACTIONS": "true", "RUNNER_OS": runnerOS, "RUNNER_ARCH": runnerArch,
		"RUNNER_TOOL_CACHE": filepath.Join(dir, "toolcache"),
		"GITHUB_PATH":       filepath.Join(dir, "github_path"), "GITHUB_OUTPUT": filepath.Join(dir, "github_output"),
		"GITHUB_API_URL":       s.URL + "/api",
		"MODELGATE_SERVER_URL": s.URL, "MODELGATE_API_URL": s.URL + "/api",
		"MODELGATE_REPOSITORY": repo, "MODELGATE_VERSION": want, "MODELGATE_TOKEN": token,
	}}
	return r
}

func (r *runner) install(t *testing.T) {
	t.Helper()
	r.stdout.Reset()
	r.stderr.Reset()
	cmd := exec.Command("bash", "install.sh")
	for k, v := range r.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = &r.stdout, &r.stderr
	err := cmd.Run()
	r.code = 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatal(err)
		}
		r.code = ee.ExitCode()
	}
	if strings.Contains(r.stdout.String()+r.stderr.String(), token) {
		t.Fatalf("the token appears in the output:\n%s%s", r.stdout.String(), r.stderr.String())
	}
}

func (r *runner) file(name string) string {
	data, _ := os.ReadFile(filepath.Join(r.dir, name))
	return string(data)
}

// refused checks a refused install: exit 1, the message as an error
// annotation and on stderr, nothing in the tool cache, nothing on PATH.
func (r *runner) refused(t *testing.T, want string) {
	t.Helper()
	annotation := ""
	for _, l := range strings.Split(r.stdout.String(), "\n") {
		if strings.HasPrefix(l, "::error title=modelgate setup::") {
			annotation = l
		}
	}
	if r.code != 1 || !strings.Contains(annotation, want) || !strings.Contains(r.stderr.String(), want) || strings.Count(r.stderr.String(), "\n") != 1 {
		t.Errorf("exit %d, want 1 and %q\nstdout: %s\nstderr: %s", r.code, want, r.stdout.String(), r.stderr.String())
	}
	if entries, _ := os.ReadDir(filepath.Join(r.cache, "modelgate")); len(entries) != 0 {
		t.Errorf("something was installed in the tool cache: %v", entries)
	}
	if r.file("github_path") != "" || r.file("github_output") != "" {
		t.Errorf("GITHUB_PATH %q, GITHUB_OUTPUT %q: want nothing", r.file("github_path"), r.file("github_output"))
	}
}

func goodRelease(t *testing.T) *release {
	t.Helper()
	files, err := packaged()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := files[hostArchive()]; !ok || len(files) != 2 {
		t.Fatalf("package.sh wrote %v, want %s and SHA256SUMS", slices.Sorted(maps.Keys(files)), hostArchive())
	}
	return &release{files: map[string]map[string][]byte{version: {hostArchive(): files[hostArchive()], "SHA256SUMS": files["SHA256SUMS"]}},
		tags: []string{version}}
}

// runnerNames returns RUNNER_OS and RUNNER_ARCH of this machine.
func runnerNames(t *testing.T) (string, string) {
	t.Helper()
	osName := map[string]string{"linux": "Linux", "darwin": "macOS", "windows": "Windows"}[runtime.GOOS]
	arch := map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH]
	if osName == "" || arch == "" {
		t.Fatalf("no release archives for %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	return osName, arch
}

// TestInstall installs the real archive package.sh built: the binary runs
// from the tool cache and reports the release's version; the folder is on
// PATH; a second install comes from the cache without a download.
func TestInstall(t *testing.T) {
	s := serve(t, goodRelease(t))
	osName, arch := runnerNames(t)
	r := newRunner(t, s, osName, arch, version)
	r.install(t)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout.String(), r.stderr.String())
	}
	dir := filepath.Join(r.cache, "modelgate", "1.2.3", runtime.GOARCH)
	if got := r.file("github_path"); got != dir+"\n" {
		t.Errorf("GITHUB_PATH %q, want %q", got, dir+"\n")
	}
	bin := filepath.Join(dir, "modelgate")
	if r.file("github_output") != "version=v1.2.3\npath="+bin+"\n" {
		t.Errorf("GITHUB_OUTPUT %q", r.file("github_output"))
	}
	if _, err := os.Stat(dir + ".complete"); err != nil {
		t.Error(err)
	}
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil || string(out) != "modelgate v1.2.3\n" {
		t.Errorf("the installed modelgate: %v %q", err, out)
	}
	for _, d := range s.downloads() {
		if d.auth != "" {
			t.Errorf("a download carried Authorization: %s", d.path)
		}
	}
	if n := len(s.downloads()); n != 2 {
		t.Errorf("%d downloads, want 2 (archive and SHA256SUMS)", n)
	}

	// Again: from the tool cache, no download, on PATH again.
	r.install(t)
	if r.code != 0 || len(s.downloads()) != 2 || !strings.Contains(r.stdout.String(), "from the tool cache") || r.file("github_path") != dir+"\n"+dir+"\n" {
		t.Errorf("second install: exit %d, %d downloads\n%s", r.code, len(s.downloads()), r.stdout.String())
	}
}

// TestRefusals: a tampered archive, a SHA256SUMS without the archive's
// line, a release without SHA256SUMS and one without the archive install
// nothing.
func TestRefusals(t *testing.T) {
	osName, arch := runnerNames(t)
	name := hostArchive()
	for _, tc := range []struct {
		what   string
		change func(files map[string][]byte)
		want   string
	}{
		{"tampered", func(f map[string][]byte) {
			b := bytes.Clone(f[name])
			b[len(b)/2] ^= 0xff
			f[name] = b
		}, "checksum mismatch for " + name + ": SHA256SUMS says "},
		{"replaced, checksum of another file", func(f map[string][]byte) {
			sum := sha256.Sum256([]byte("something else"))
			f["SHA256SUMS"] = []byte(hex.EncodeToString(sum[:]) + "  " + name + "\n")
		}, "checksum mismatch for " + name},
		{"no line for the archive", func(f map[string][]byte) {
			f["SHA256SUMS"] = []byte(strings.Repeat("0", 64) + "  modelgate_1.2.3_plan9_amd64.tar.gz\n")
		}, "SHA256SUMS of the release v1.2.3 lists no SHA-256 for " + name + ": refusing to install a binary that cannot be verified"},
		{"a malformed line", func(f map[string][]byte) {
			f["SHA256SUMS"] = []byte("not-a-digest  " + name + "\n")
		}, "lists no SHA-256 for " + name},
		{"no SHA256SUMS", func(f map[string][]byte) { delete(f, "SHA256SUMS") },
			"cannot download SHA256SUMS of the release v1.2.3 of modelgate/modelgate: refusing to install a binary that cannot be verified"},
		{"no archive", func(f map[string][]byte) { delete(f, name) }, "cannot download " + name + " from the release v1.2.3"},
	} {
		t.Run(tc.what, func(t *testing.T) {
			rel := goodRelease(t)
			tc.change(rel.files[version])
			r := newRunner(t, serve(t, rel), osName, arch, version)
			r.install(t)
			r.refused(t, tc.want)
		})
	}
}

// tarGz returns a .tar.gz holding one file.
func tarGz(t *testing.T, name string, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(data))}); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// otherRelease serves, for every listed tag, archives of every target
// (each holding a marker file named as the binary) and their SHA256SUMS.
func otherRelease(t *testing.T, tags ...string) *release {
	rel := &release{files: map[string]map[string][]byte{}, tags: tags}
	for _, tag := range tags {
		rel.files[tag] = map[string][]byte{}
		var sums strings.Builder
		for _, target := range []string{"linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64", "windows/amd64", "windows/arm64"} {
			goos, goarch, _ := strings.Cut(target, "/")
			exe := "modelgate"
			if goos == "windows" {
				exe += ".exe"
			}
			name := fmt.Sprintf("modelgate_%s_%s_%s.tar.gz", strings.TrimPrefix(tag, "v"), goos, goarch)
			data := tarGz(t, exe, []byte(tag+" "+target+"\n"))
			rel.files[tag][name] = data
			sum := sha256.Sum256(data)
			fmt.Fprintf(&sums, "%s  %s\n", hex.EncodeToString(sum[:]), name)
		}
		rel.files[tag]["SHA256SUMS"] = []byte(sums.String())
	}
	return rel
}

// TestRunnersAndVersions: every runner OS and architecture gets its own
// archive, and latest, v1 and v1.9 resolve to the right release.
func TestRunnersAndVersions(t *testing.T) {
	rel := otherRelease(t, "v2.0.0", "v1.11.0-rc.1", "v1.10.0", "v1.9.3", "v1.9.12", "v1.2.3")
	rel.tags = append(rel.tags, "v10.0.0-beta", "other-v1.99.0")
	for _, tc := range []struct {
		runnerOS, arch, want, file, tag string
	}{
		{"Linux", "X64", "v1.2.3", "modelgate", "v1.2.3"},
		{"Linux", "ARM64", "1.2.3", "modelgate", "v1.2.3"},
		{"macOS", "X64", "latest", "modelgate", "v2.0.0"},
		{"macOS", "ARM64", "v1", "modelgate", "v1.10.0"},
		{"Windows", "X64", "v1.9", "modelgate.exe", "v1.9.12"},
		{"Windows", "ARM64", "v1.11.0-rc.1", "modelgate.exe", "v1.11.0-rc.1"},
	} {
		t.Run(tc.runnerOS+"-"+tc.arch+"-"+tc.want, func(t *testing.T) {
			s := serve(t, rel)
			r := newRunner(t, s, tc.runnerOS, tc.arch, tc.want)
			r.install(t)
			goos := map[string]string{"Linux": "linux", "macOS": "darwin", "Windows": "windows"}[tc.runnerOS]
			goarch := map[string]string{"X64": "amd64", "ARM64": "arm64"}[tc.arch]
			if r.code != 0 {
				t.Fatalf("exit %d\n%s%s", r.code, r.stdout.String(), r.stderr.String())
			}
			dir := filepath.Join(r.cache, "modelgate", strings.TrimPrefix(tc.tag, "v"), goarch)
			data, err := os.ReadFile(filepath.Join(dir, tc.file))
			if err != nil || string(data) != tc.tag+" "+goos+"/"+goarch+"\n" {
				t.Errorf("installed %q, %v; want the %s archive of %s/%s", data, err, tc.tag, goos, goarch)
			}
			if !strings.Contains(r.file("github_output"), "version="+tc.tag+"\n") {
				t.Errorf("GITHUB_OUTPUT %q", r.file("github_output"))
			}
			// The token goes to the workflow's own API only.
			for _, c := range s.apiCalls() {
				if c.auth != "Bearer "+token {
					t.Errorf("API call %s without the token", c.path)
				}
			}
		})
	}

	// Bad versions, unknown lines and runners are refused.
	for _, tc := range []struct{ runnerOS, arch, want, msg string }{
		{"Linux", "X64", "v3", `no release of modelgate/modelgate matches version "v3" (found "nothing")`},
		{"Linux", "X64", "banana", `version "banana": want latest, v1, v1.4 or v1.4.2`},
		{"Linux", "X64", "v1.2.3.4", `version "v1.2.3.4": want latest, v1, v1.4 or v1.4.2`},
		{"Linux", "X86", "v1.2.3", `no modelgate release for the architecture "X86"`},
		{"FreeBSD", "X64", "v1.2.3", `no modelgate release for the OS "FreeBSD"`},
		{"Linux", "X64", "v9.9.9", "cannot download modelgate_9.9.9_linux_amd64.tar.gz"},
	} {
		r := newRunner(t, serve(t, rel), tc.runnerOS, tc.arch, tc.want)
		r.install(t)
		r.refused(t, tc.msg)
	}
}

// TestTokenStaysHome: with the releases on another host than the
// workflow's own API (GitHub Enterprise), the token is not sent there.
func TestTokenStaysHome(t *testing.T) {
	s := serve(t, otherRelease(t, "v1.2.3"))
	r := newRunner(t, s, "Linux", "X64", "latest")
	r.env["GITHUB_API_URL"] = "https://github.example.com/api/v3"
	r.install(t)
	if r.code != 0 || len(s.apiCalls()) != 1 || s.apiCalls()[0].auth != "" {
		t.Errorf("exit %d, API calls %+v\n%s", r.code, s.apiCalls(), r.stderr.String())
	}
}

// TestActionInputs: the composite action takes every input of the Docker
// action and hands each to modelgate action as INPUT_<NAME>, and mirrors
// every output.
func TestActionInputs(t *testing.T) {
	type action struct {
		Inputs  map[string]struct{ Default string } `yaml:"inputs"`
		Outputs map[string]struct{ Value string }   `yaml:"outputs"`
		Runs    struct {
			Using string `yaml:"using"`
			Steps []struct {
				ID  string            `yaml:"id"`
				Env map[string]string `yaml:"env"`
				Run string            `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"runs"`
	}
	read := func(p string) action {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var a action
		if err := yaml.Unmarshal(data, &a); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		return a
	}
	docker, setup := read("../action.yml"), read("action.yml")
	if setup.Runs.Using != "composite" || len(setup.Runs.Steps) != 2 || setup.Runs.Steps[1].Run != "modelgate action" {
		t.Fatalf("setup/action.yml runs %+v", setup.Runs)
	}
	env := setup.Runs.Steps[1].Env
	for name, in := range docker.Inputs {
		s, ok := setup.Inputs[name]
		if !ok {
			t.Errorf("input %s of action.yml is missing from setup/action.yml", name)
			continue
		}
		if s.Default != in.Default {
			t.Errorf("input %s: default %q, action.yml's is %q", name, s.Default, in.Default)
		}
		if got, want := env["INPUT_"+strings.ToUpper(name)], "${{ inputs."+name+" }}"; got != want {
			t.Errorf("INPUT_%s = %q, want %q", strings.ToUpper(name), got, want)
		}
	}
	if len(env) != len(docker.Inputs) {
		t.Errorf("%d INPUT_ variables for %d inputs", len(env), len(docker.Inputs))
	}
	for name := range docker.Outputs {
		if got, want := setup.Outputs[name].Value, "${{ steps.gate.outputs."+name+" }}"; got != want {
			t.Errorf("output %s = %q, want %q", name, got, want)
		}
	}
	if !strings.Contains(setup.Runs.Steps[0].Run, "install.sh") {
		t.Errorf("the first step does not run install.sh: %q", setup.Runs.Steps[0].Run)
	}
}

// TestPin pins a copy of the action files as release.yml does on the
// release commit, and refuses an image named by tag rather than digest.
func TestPin(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{"action.yml", "setup/action.yml", "setup/pin.sh"} {
		data, err := os.ReadFile(filepath.Join("..", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, f), data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	pin := func(args ...string) (string, error) {
		out, err := exec.Command("bash", append([]string{filepath.Join(root, "setup", "pin.sh")}, args...)...).CombinedOutput()
		return string(out), err
	}
	read := func(f string) string {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	digest := "ghcr.io/acme/modelgate@sha256:" + strings.Repeat("ab", 32)
	before := read("action.yml") + read("setup/action.yml")
	for _, bad := range [][]string{
		{"v1.4.2", "ghcr.io/acme/modelgate:v1.4.2", "acme/modelgate"},
		{"v1.4.2", "ghcr.io/acme/modelgate@sha256:abc", "acme/modelgate"},
		{"1.4.2", digest, "acme/modelgate"},
		{"v1.4.2", digest, "acme"},
	} {
		if out, err := pin(bad...); err == nil || strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, "pin.sh: ") {
			t.Errorf("pin %q: %v %q; want one error line", bad, err, out)
		}
	}
	if read("action.yml")+read("setup/action.yml") != before {
		t.Fatal("a refused pin changed the files")
	}
	if out, err := pin("v1.4.2", digest, "acme/modelgate"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var docker struct {
		Runs struct{ Using, Image string } `yaml:"runs"`
	}
	if err := yaml.Unmarshal([]byte(read("action.yml")), &docker); err != nil || docker.Runs.Using != "docker" || docker.Runs.Image != "docker://"+digest {
		t.Errorf("action.yml runs %+v, %v", docker.Runs, err)
	}
	var setup struct {
		Inputs map[string]struct{ Default string } `yaml:"inputs"`
	}
	if err := yaml.Unmarshal([]byte(read("setup/action.yml")), &setup); err != nil {
		t.Fatal(err)
	}
	if setup.Inputs["modelgate-version"].Default != "v1.4.2" || setup.Inputs["release-repository"].Default != "acme/modelgate" {
		t.Errorf("setup inputs %+v", setup.Inputs)
	}
	// Only those lines changed.
	diff := 0
	a, b := strings.Split(before, "\n"), strings.Split(read("action.yml")+read("setup/action.yml"), "\n")
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			diff++
		}
	}
	if diff != 3 || len(a) != len(b) {
		t.Errorf("%d lines changed, want 3", diff)
	}
	// A second pin finds no "image: Dockerfile" line: refused.
	if out, err := pin("v1.4.3", digest, "acme/modelgate"); err == nil || !strings.Contains(out, `want exactly one line "  image: Dockerfile", found 0`) {
		t.Errorf("second pin: %v %q", err, out)
	}
}
