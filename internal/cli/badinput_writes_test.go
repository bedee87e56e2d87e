package cli_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/modelgate/modelgate/internal/cli"
)

// DESIGN.md §8: writes go only inside the working tree, checked on disk with
// symbolic links resolved as the operating system resolves them. Each case
// below builds a real repository next to a folder "outside" and runs a
// writing command (notes --write, --force, --changelog, a release_notes
// pointer) through committed or on-disk link chains whose components hold
// "..": folded lexically ("a/.." is ".") they look inside, on disk they
// lead out. modelgate must exit 2 with one line that names the file and the
// link, and leave every byte of both folders as it was.

// releaseRepo makes dir a repository with the release lite-llm-base-v1.0.0
// tagged and a minor change declared 1.1.0 committed on top; extra files
// and links (name -> "link:target") go into the second commit.
func releaseRepo(t *testing.T, dir string, extra map[string]string) {
	t.Helper()
	gitInit(t, dir)
	writeFile(t, dir, "manifest.yaml", goodManifest)
	gitCommitAll(t, dir, "release 1.0.0")
	git(t, dir, "tag", "lite-llm-base-v1.0.0")
	// rope_theta added to the architecture: a minor change (notes refuse to
	// draft a version smaller than the changes require).
	manifest := strings.Replace(goodManifest, "v1.0.0", "v1.1.0", 1) + "  rope_theta: 500000\n"
	if m, ok := extra["manifest.yaml"]; ok {
		manifest = m
	}
	writeFile(t, dir, "manifest.yaml", manifest)
	for name, content := range extra {
		if name != "manifest.yaml" {
			place(t, dir, name, content)
		}
	}
	gitCommitAll(t, dir, "release 1.1.0")
}

// place writes a file, or with content "link:TARGET" a symbolic link.
func place(t *testing.T, dir, name, content string) {
	t.Helper()
	full := filepath.Join(dir, filepath.FromSlash(name))
	mustDo(t, os.MkdirAll(filepath.Dir(full), 0o755))
	if target, ok := strings.CutPrefix(content, "link:"); ok {
		_ = os.Remove(full)
		mustDo(t, os.Symlink(filepath.FromSlash(target), full))
		return
	}
	mustDo(t, os.WriteFile(full, []byte(content), 0o644))
}

// snapshot hashes every entry under dir: the content of files, the target
// of links, the mode of each, so any write, creation or removal shows.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		desc := info.Mode().String()
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			desc += " -> " + target
		case d.Type().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			desc += " " + hex.EncodeToString(sum[:])
		}
		out[filepath.ToSlash(rel)] = desc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func diffSnapshots(before, after map[string]string) []string {
	var out []string
	for p, d := range before {
		if a, ok := after[p]; !ok {
			out = append(out, "removed "+p)
		} else if a != d {
			out = append(out, "changed "+p)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			out = append(out, "created "+p)
		}
	}
	return out
}

// writeCase is one refused write. setup builds the repository in dir (a
// sibling of outside, which holds notes.md, log.md and sub/); onDisk then
// adds what is not committed. want lists substrings of the one stderr line;
// "$OUT" stands for the outside folder.
type writeCase struct {
	name   string
	extra  map[string]string // committed files and links
	onDisk map[string]string // files and links of the working tree only
	args   []string
	want   []string
}

func TestWritesStayInside(t *testing.T) {
	cases := []writeCase{
		// ---- committed chains: the gate itself refuses to read through them ----
		{
			// releases -> b/.. is "." lexically; b -> ../outside/sub makes it
			// the outside folder on disk.
			name:  "notes-write-committed-chain",
			extra: map[string]string{"b": "link:../outside/sub", "releases": "link:b/..", "v1.1.0.md": "# notes\n"},
			args:  []string{"notes", "--write"},
			want:  []string{`symbolic link "b" -> "../outside/sub" leaves the repository`},
		},
		{
			name: "release-notes-pointer-committed-chain",
			extra: map[string]string{
				"manifest.yaml": strings.Replace(goodManifest, "v1.0.0", "v1.1.0", 1) + "release_notes: docs/notes.md\n",
				"b":             "link:x/../../outside/sub", "x": "link:.", "docs": "link:b/..", "notes.md": "# notes\n",
			},
			args: []string{"notes", "--write"},
			want: []string{"docs/notes.md", `symbolic link "b" -> "x/../../outside/sub" leaves the repository`},
		},
		{
			name:  "notes-write-committed-links-to-links",
			extra: map[string]string{"releases": "link:l1", "l1": "link:l2/.", "l2": "link:l3", "l3": "link:../outside"},
			args:  []string{"notes", "--write"},
			want:  []string{`symbolic link "l3" -> "../outside" leaves the repository`},
		},
		{
			name:  "notes-write-committed-absolute",
			extra: map[string]string{"releases": "link:$OUT"},
			args:  []string{"notes", "--write"},
			want:  []string{`symbolic link "releases" -> "$OUT" leaves the repository`},
		},

		// ---- links on disk only: the gate reads git objects and sees none ----
		{
			name:   "notes-write-disk-chain",
			onDisk: map[string]string{"b": "link:../outside/sub", "releases": "link:b/.."},
			args:   []string{"notes", "--write"},
			want:   []string{"releases/v1.1.0.md", `the symbolic link "b" points to "../outside/sub", outside the working tree`, "replace the link"},
		},
		{
			name:   "notes-write-disk-chain-deep",
			onDisk: map[string]string{"a": "link:b/c/../..", "b": "link:sub2", "sub2/c": "link:../..", "releases": "link:a/outside"},
			args:   []string{"notes", "--write"},
			want:   []string{"releases/v1.1.0.md", `the symbolic link "sub2/c" points to "../..", outside the working tree`},
		},
		{
			name:   "notes-write-disk-absolute",
			onDisk: map[string]string{"releases": "link:$OUT"},
			args:   []string{"notes", "--write"},
			want:   []string{"releases/v1.1.0.md", `the symbolic link "releases" points to "$OUT", outside the working tree`},
		},
		{
			name:   "notes-force-file-link",
			extra:  map[string]string{"releases/v1.1.0.md": "# notes\n"},
			onDisk: map[string]string{"releases/v1.1.0.md": "link:../b/../notes.md", "b": "link:../outside/sub"},
			args:   []string{"notes", "--write", "--force"},
			want:   []string{"releases/v1.1.0.md", `the symbolic link "b" points to "../outside/sub", outside the working tree`},
		},
		{
			name: "release-notes-pointer-disk-chain",
			extra: map[string]string{
				"manifest.yaml": strings.Replace(goodManifest, "v1.0.0", "v1.1.0", 1) + "release_notes: docs/v1.1.0.md\n",
			},
			onDisk: map[string]string{"docs": "link:x/..", "x": "link:../outside/sub"},
			args:   []string{"notes", "--write"},
			want:   []string{"docs/v1.1.0.md", `the symbolic link "x" points to "../outside/sub", outside the working tree`},
		},
		{
			name:   "changelog-disk-chain",
			onDisk: map[string]string{"CHANGELOG.md": "link:d/log.md", "d": "link:e/..", "e": "link:../outside/sub"},
			args:   []string{"notes", "--changelog"},
			want:   []string{"CHANGELOG.md", `the symbolic link "e" points to "../outside/sub", outside the working tree`},
		},
		{
			name:   "notes-write-into-git-folder",
			onDisk: map[string]string{"releases": "link:x/../.git/hooks", "x": "link:sub3", "sub3/keep": "x\n"},
			args:   []string{"notes", "--write"},
			want:   []string{"releases/v1.1.0.md", `".git/hooks/v1.1.0.md" is inside a .git folder`},
		},
		{
			name:   "notes-write-link-loop",
			onDisk: map[string]string{"releases": "link:r2", "r2": "link:releases"},
			args:   []string{"notes", "--write"},
			want:   []string{"releases/v1.1.0.md", "too many levels of symbolic links"},
		},
		{
			name:   "notes-write-file-as-folder",
			onDisk: map[string]string{"releases": "a file\n"},
			args:   []string{"notes", "--write"},
			want:   []string{"releases/v1.1.0.md", `"releases": not a folder: a file stands where the path needs a folder`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			top := t.TempDir()
			dir, outside := filepath.Join(top, "repo"), filepath.Join(top, "outside")
			for name, content := range map[string]string{"notes.md": "outside notes\n", "log.md": "# Changelog\n\n## [Unreleased]\n", "sub/keep": "x\n"} {
				place(t, outside, name, content)
			}
			subst := func(s string) string { return strings.ReplaceAll(s, "$OUT", outside) }
			extra := map[string]string{}
			for k, v := range tc.extra {
				extra[k] = subst(v)
			}
			mustDo(t, os.Mkdir(dir, 0o755))
			releaseRepo(t, dir, extra)
			for name, content := range tc.onDisk {
				place(t, dir, name, subst(content))
			}
			before := snapshot(t, top)

			var stdout, stderr bytes.Buffer
			args := append([]string{tc.args[0], "--repo", dir}, tc.args[1:]...)
			code := cli.Run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
			errText := stderr.String()
			t.Logf("exit %d, stderr: %s", code, clip(errText))
			if code != cli.ExitError {
				t.Errorf("exit status %d, want %d", code, cli.ExitError)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout is not empty:\n%s", clip(stdout.String()))
			}
			if strings.Count(errText, "\n") != 1 || !strings.HasPrefix(errText, "modelgate: ") {
				t.Errorf("stderr must be one line starting with modelgate:, got:\n%s", clip(errText))
			}
			for _, w := range tc.want {
				if !strings.Contains(errText, subst(w)) {
					t.Errorf("stderr lacks %q:\n%s", subst(w), clip(errText))
				}
			}
			if d := diffSnapshots(before, snapshot(t, top)); len(d) > 0 {
				t.Errorf("files changed on disk: %v", d)
			}
		})
	}
}

// TestWritesThroughLinksInside writes through link chains that stay inside:
// the draft lands where the operating system resolves the path, which is
// not where folding ".." lexically would put it, and nothing else changes.
func TestWritesThroughLinksInside(t *testing.T) {
	top := t.TempDir()
	dir := filepath.Join(top, "repo")
	mustDo(t, os.Mkdir(dir, 0o755))
	// releases -> b/../notes: lexically "notes", on disk sub/notes, since
	// b -> sub/deeper and ".." goes to b's real parent, sub.
	releaseRepo(t, dir, map[string]string{"b": "link:sub/deeper", "releases": "link:b/../notes",
		"sub/deeper/keep": "x\n", "sub/notes/keep": "x\n", "notes/keep": "x\n"})
	before := snapshot(t, top)

	var stdout, stderr bytes.Buffer
	code := cli.Run(context.Background(), []string{"notes", "--repo", dir, "--write"}, strings.NewReader(""), &stdout, &stderr)
	if code != cli.ExitPass || stderr.Len() != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr.String())
	}
	if got := stdout.String(); !strings.HasPrefix(got, "wrote releases/v1.1.0.md\n") {
		t.Errorf("stdout %q", got)
	}
	after := snapshot(t, top)
	d := diffSnapshots(before, after)
	if len(d) != 1 || d[0] != "created repo/sub/notes/v1.1.0.md" {
		t.Errorf("changes on disk %v, want only repo/sub/notes/v1.1.0.md created", d)
	}
	if !strings.HasPrefix(after["repo/sub/notes/v1.1.0.md"], "-rw-r--r--") {
		t.Errorf("mode of the new file: %s", after["repo/sub/notes/v1.1.0.md"])
	}

	// --force replaces it atomically: no temporary file is left, the mode of
	// the replaced file is kept.
	mustDo(t, os.Chmod(filepath.Join(dir, "sub", "notes", "v1.1.0.md"), 0o600))
	mustDo(t, os.WriteFile(filepath.Join(dir, "sub", "notes", "v1.1.0.md"), []byte("edited\n"), 0o600))
	stdout.Reset()
	code = cli.Run(context.Background(), []string{"notes", "--repo", dir, "--write", "--force"}, strings.NewReader(""), &stdout, &stderr)
	if code != cli.ExitPass || stderr.Len() != 0 {
		t.Fatalf("--force: exit %d, stderr %s", code, stderr.String())
	}
	final := snapshot(t, top)
	if d := diffSnapshots(after, final); len(d) != 1 || d[0] != "changed repo/sub/notes/v1.1.0.md" {
		t.Errorf("--force changed %v", d)
	}
	if !strings.HasPrefix(final["repo/sub/notes/v1.1.0.md"], "-rw-------") {
		t.Errorf("mode after --force: %s", final["repo/sub/notes/v1.1.0.md"])
	}
	data, err := os.ReadFile(filepath.Join(dir, "releases", "v1.1.0.md"))
	mustDo(t, err)
	if !strings.HasPrefix(string(data), "# lite-llm-base v1.1.0") {
		t.Errorf("the draft read back through the links: %q", clip(string(data)))
	}
}

// TestGateReadsLinksAsTheOSDoes gates a change made behind a committed link
// chain: cfg -> b/.. with b -> sub/deeper is sub on disk, and "." folded
// lexically. The gate must judge sub/config.json, the file a checkout
// holds at cfg/config.json, not ./config.json.
func TestGateReadsLinksAsTheOSDoes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "repo")
	mustDo(t, os.Mkdir(dir, 0o755))
	gitInit(t, dir)
	config := func(size int) string { return "{\"hidden_size\": " + strconv.Itoa(size) + ", \"num_layers\": 32}\n" }
	for name, content := range map[string]string{
		"manifest.yaml":          "model: lite-llm-base-v1.0.0\narchitecture: cfg/config.json\n",
		"b":                      "link:sub/deeper",
		"cfg":                    "link:b/..",
		"config.json":            config(4096),
		"sub/config.json":        config(4096),
		"sub/deeper/config.json": config(4096),
	} {
		place(t, dir, name, content)
	}
	gitCommitAll(t, dir, "release 1.0.0")
	git(t, dir, "tag", "lite-llm-base-v1.0.0")
	place(t, dir, "sub/config.json", config(5120))
	place(t, dir, "manifest.yaml", "model: lite-llm-base-v1.0.1\narchitecture: cfg/config.json\n")
	gitCommitAll(t, dir, "wider, declared as a patch")

	onDisk, err := os.ReadFile(filepath.Join(dir, "cfg", "config.json"))
	mustDo(t, err)
	if !strings.Contains(string(onDisk), "5120") {
		t.Fatalf("the OS reads cfg/config.json as %q", onDisk)
	}
	var stdout, stderr bytes.Buffer
	code := cli.Run(context.Background(), []string{"check", "--repo", dir}, strings.NewReader(""), &stdout, &stderr)
	if code != cli.ExitFail {
		t.Errorf("exit %d, want %d (a major change declared as a patch); stderr %s", code, cli.ExitFail, stderr.String())
	}
	for _, want := range []string{"architecture.hidden_size: 4096 -> 5120  [arch-shape-changed]", "[version-too-small]"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, stdout.String())
		}
	}
}

// TestGateRefusesLinksOutside reads manifests, pointers and configuration
// through committed link chains that leave the repository on disk but look
// inside when ".." is folded lexically: exit 2, one line naming the file
// and the link, nothing written.
func TestGateRefusesLinksOutside(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{
			name: "pointer-chain",
			files: map[string]string{"manifest.yaml": "model: lite-llm-base-v1.0.0\narchitecture: cfg/config.json\n",
				"cfg": "link:b/..", "b": "link:../outside/sub", "config.json": "{}\n"},
			want: []string{"manifest.yaml:2", "cfg/config.json", `symbolic link "b" -> "../outside/sub" leaves the repository`},
		},
		{
			name: "pointer-links-to-links",
			files: map[string]string{"manifest.yaml": "model: lite-llm-base-v1.0.0\narchitecture: cfg/config.json\n",
				"cfg": "link:l1", "l1": "link:sub/l2", "sub/l2": "link:../l3/..", "l3": "link:../outside/x/y"},
			want: []string{"manifest.yaml:2", "cfg/config.json", `symbolic link "l3" -> "../outside/x/y" leaves the repository`},
		},
		{
			name: "pointer-absolute-in-chain",
			files: map[string]string{"manifest.yaml": "model: lite-llm-base-v1.0.0\narchitecture: cfg/config.json\n",
				"cfg": "link:l1/..", "l1": "link:/tmp/x"},
			want: []string{"manifest.yaml:2", "cfg/config.json", `symbolic link "l1" -> "/tmp/x" leaves the repository`},
		},
		{
			name: "manifest-chain",
			files: map[string]string{"manifest.yaml": "link:m/manifest.yaml", "m": "link:x/..", "x": "link:../outside/sub",
				"README.md": "a model\n"},
			want: []string{"manifest.yaml", `symbolic link "x" -> "../outside/sub" leaves the repository`},
		},
		{
			name: "config-chain",
			files: map[string]string{"manifest.yaml": goodManifest, ".modelgate.yaml": "link:c/.modelgate.yaml",
				"c": "link:d/..", "d": "link:../../elsewhere"},
			want: []string{".modelgate.yaml", `symbolic link "d" -> "../../elsewhere" leaves the repository`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			top := t.TempDir()
			dir := filepath.Join(top, "repo")
			mustDo(t, os.Mkdir(dir, 0o755))
			place(t, top, "outside/sub/config.json", "{\"hidden_size\": 1}\n")
			place(t, top, "outside/sub/manifest.yaml", goodManifest)
			gitInit(t, dir)
			for name, content := range tc.files {
				place(t, dir, name, content)
			}
			gitCommitAll(t, dir, "links")
			before := snapshot(t, top)
			var stdout, stderr bytes.Buffer
			code := cli.Run(context.Background(), []string{"check", "--repo", dir}, strings.NewReader(""), &stdout, &stderr)
			errText := stderr.String()
			if code != cli.ExitError || stdout.Len() != 0 {
				t.Errorf("exit %d, stdout %q; want exit 2 and no report", code, clip(stdout.String()))
			}
			if strings.Count(errText, "\n") != 1 || !strings.HasPrefix(errText, "modelgate: ") {
				t.Errorf("stderr must be one line, got:\n%s", clip(errText))
			}
			for _, w := range tc.want {
				if !strings.Contains(errText, w) {
					t.Errorf("stderr lacks %q:\n%s", w, clip(errText))
				}
			}
			if d := diffSnapshots(before, snapshot(t, top)); len(d) > 0 {
				t.Errorf("files changed on disk: %v", d)
			}
		})
	}
}

// TestRevisionsRefused: revisions go-git used to resolve silently to HEAD
// (reflogs, upstreams, paths, message searches) and revisions naming a
// tree or blob exit 2 with one line naming the flag, the revision and what
// to pass instead; notes --write writes nothing.
func TestRevisionsRefused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "repo")
	mustDo(t, os.Mkdir(dir, 0o755))
	releaseRepo(t, dir, nil)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"check", "--head", "HEAD@{1}"}, `--head: revision "HEAD@{1}" reads the reflog, the upstream or the push branch (@{...}), which modelgate does not resolve; pass a branch, tag or commit instead (git rev-parse --verify "HEAD@{1}^{commit}" prints the commit)`},
		{[]string{"check", "--base", "main@{1}"}, `--base: revision "main@{1}" reads the reflog`},
		{[]string{"check", "--base", "main@{upstream}"}, `--base: revision "main@{upstream}" reads the reflog, the upstream`},
		{[]string{"check", "--head", "HEAD:manifest.yaml"}, `--head: revision "HEAD:manifest.yaml" names a file or folder (REV:path or :path), not a commit`},
		{[]string{"check", "--base", ":/release"}, `--base: revision ":/release" searches commit messages`},
		{[]string{"check", "--base", "HEAD^{/release}"}, `--base: revision "HEAD^{/release}" searches commit messages`},
		{[]string{"check", "--head", "HEAD^{tree}"}, `--head: revision "HEAD^{tree}" names a tree, not a commit`},
		{[]string{"check", "--base", "HEAD~1..HEAD"}, `--base: revision "HEAD~1..HEAD" is a range, not one commit`},
		{[]string{"notes", "--write", "--head", "HEAD@{1}"}, `--head: revision "HEAD@{1}" reads the reflog`},
		{[]string{"diff", "--head", "HEAD~5"}, `--head: unknown revision "HEAD~5": commit`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			before := snapshot(t, dir)
			var stdout, stderr bytes.Buffer
			args := append([]string{tc.args[0], "--repo", dir}, tc.args[1:]...)
			code := cli.Run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
			errText := stderr.String()
			if code != cli.ExitError || stdout.Len() != 0 {
				t.Errorf("exit %d, stdout %q; want 2 and nothing", code, clip(stdout.String()))
			}
			if strings.Count(errText, "\n") != 1 || !strings.HasPrefix(errText, "modelgate: "+tc.want) {
				t.Errorf("stderr:\n%s\nwant one line starting with %q", errText, "modelgate: "+tc.want)
			}
			if d := diffSnapshots(before, snapshot(t, dir)); len(d) > 0 {
				t.Errorf("files changed: %v", d)
			}
		})
	}
}

// TestPartialCloneWithoutGit: the objects a partial clone left out are
// fetched through git; without git on PATH, exit 2 with one line that
// names the object, the promisor remote and the fix, and nothing written.
func TestPartialCloneWithoutGit(t *testing.T) {
	top := t.TempDir()
	src := filepath.Join(top, "src")
	mustDo(t, os.Mkdir(src, 0o755))
	releaseRepo(t, src, nil)
	git(t, top, "clone", "-q", "--bare", src, "origin.git")
	git(t, filepath.Join(top, "origin.git"), "config", "uploadpack.allowFilter", "true")
	git(t, top, "clone", "-q", "--filter=blob:none", "file://"+filepath.Join(top, "origin.git"), "partial")
	dir := filepath.Join(top, "partial")
	before := snapshot(t, dir)

	t.Setenv("PATH", t.TempDir())
	var stdout, stderr bytes.Buffer
	code := cli.Run(context.Background(), []string{"check", "--repo", dir}, strings.NewReader(""), &stdout, &stderr)
	errText := stderr.String()
	if code != cli.ExitError || stdout.Len() != 0 || strings.Count(errText, "\n") != 1 {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", code, clip(stdout.String()), errText)
	}
	for _, want := range []string{"manifest.yaml: object ", ` is not in this partial clone (promisor remote "origin") and git, which modelgate fetches it with, is not on PATH: install git, or clone without a filter (actions/checkout: drop filter:)`} {
		if !strings.Contains(errText, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errText)
		}
	}
	if d := diffSnapshots(before, snapshot(t, dir)); len(d) > 0 {
		t.Errorf("files changed: %v", d)
	}
}
