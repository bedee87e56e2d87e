package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/modelgate/modelgate/internal/cli"
)

// DESIGN.md §4: every string that comes from a repository is inert in every
// output: no control characters, no terminal escapes, no workflow commands,
// in stdout and stderr alike. The repository below carries each hostile
// sequence in keys, values, file names, a pointer, the release notes, a tag
// and a branch; every command, in every format, must print none of them raw
// and write none of them into files.

// hostileYAML are the hostile sequences as YAML double-quoted escapes: a
// bare CR that starts a workflow command, terminal escapes that erase lines
// and open a hyperlink (OSC 8 ended by BEL), NUL, DEL, C1 controls (NEL and
// CSI), bidi overrides and isolates, line and paragraph separators, the
// legacy ##[ commands and :: at the start of a value.
var hostileYAML = []string{
	`\r::error::cr`, `nl\n::error::newline`, `\e[2K\e[1Aerase`, `\e]8;;http://evil\ahref`, `nul\0`, `del\x7f`, `c1\N\x9b31m`,
	`evil\u202etxt`, `\u202a\u202b\u202c\u202d`, `iso\u2066\u2067\u2068\u2069`, `marks\u200e\u200f\u061c`,
	`sep\L\P`, `##[error]legacy`, `##[stop-commands]tok`, `::warning::start`, `\t::notice::tab`,
}

// hostileRepo builds the repository: release hostile-v1.0.0 (tagged, and
// tagged again with a name that carries bidi and C1 controls), then a commit
// that changes every hostile key and value, a config file and files with
// hostile names, with hostile release notes.
func hostileRepo(t *testing.T) string {
	dir := t.TempDir()
	gitInit(t, dir)
	manifest := func(version string, v int) string {
		var b strings.Builder
		b.WriteString("model: hostile-v" + version + "\narchitecture: \"arch\\u202e\\u2066.json\"\nhyperparameters:\n")
		for i, h := range hostileYAML {
			b.WriteString("  \"" + h + "\": \"" + h + strings.Repeat("+", v) + "\"\n")
			if i == 0 {
				b.WriteString("  lr: " + []string{"0.1", "0.2"}[v] + "\n")
			}
		}
		return b.String()
	}
	arch := func(v string) string {
		return `{"hidden_size": 4096, "\u001b[2Kkey\u202e": "` + v + `\u001b]0;title\u0007", "##[error]k": "` + v + `\u0085"}` + "\n"
	}
	writeFile(t, dir, "manifest.yaml", manifest("1.0.0", 0))
	writeFile(t, dir, "arch\u202e\u2066.json", arch("a"))
	writeFile(t, dir, "src/evil\r::error::name\x1b[2K.py", "print(1)\n")
	writeFile(t, dir, "src/\u202egnp.py", "print(1)\n")
	writeFile(t, dir, "CHANGELOG.md", "# Changelog\n\n## [Unreleased]\n\n- hand-written\n")
	gitCommitAll(t, dir, "release")
	git(t, dir, "tag", "-a", "hostile-v1.0.0", "-m", "release")
	git(t, dir, "tag", "base\u202e\u0085tag")
	writeFile(t, dir, "manifest.yaml", manifest("2.0.0", 1))
	writeFile(t, dir, "arch\u202e\u2066.json", arch("b"))
	writeFile(t, dir, "src/evil\r::error::name\x1b[2K.py", "print(2)\n")
	writeFile(t, dir, "src/\u202egnp.py", "print(2)\n")
	writeFile(t, dir, "releases/v2.0.0.md", "Hostile notes \x1b[2K\x1b[1A\u202e\r\n::error::from the notes\r\n##[stop-commands]tok\r\n  ::set-output name=x::y\r\n\x07\x7f\u0085\n\n## Migration\n\nRun migrations/convert.py.\n")
	writeFile(t, dir, "migrations/convert.py", "print(3)\n")
	gitCommitAll(t, dir, "hostile")
	return dir
}

// ownCommand matches the workflow commands modelgate itself writes: an
// annotation with escaped properties and a modelgate title, and the
// stop-commands block around the text report.
var ownCommand = regexp.MustCompile(`^(::(error|warning|notice) (file=[^,:]*,(line=\d+,)?)?title=modelgate[^:,]*::|::stop-commands::[0-9a-f]{32}$|::[0-9a-f]{32}::$)`)

// rawHostile returns what in out is not inert, or "": a control character
// other than a line feed, a byte that is not UTF-8, a C1, bidirectional or
// separator character, "##[", or a line that starts a workflow command
// modelgate did not write (commands says out may hold modelgate's own).
func rawHostile(out string, commands bool) string {
	for i, r := range out {
		switch {
		case r == '\n':
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(out[i:]); size == 1 {
				return "a byte that is not UTF-8 at " + context20(out, i)
			}
		case r < 0x20 || r == 0x7f || unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029':
			return "a raw " + strconv.QuoteRune(r) + " at " + context20(out, i)
		}
	}
	if i := strings.Index(out, "##["); i >= 0 {
		return "##[ at " + context20(out, i)
	}
	for _, l := range strings.Split(out, "\n") {
		trimmed := strings.TrimLeftFunc(l, unicode.IsSpace)
		if strings.HasPrefix(trimmed, "::") && !(commands && ownCommand.MatchString(trimmed)) {
			return "a line that starts a workflow command: " + clip(l)
		}
	}
	return ""
}

// context20 quotes the 20 bytes either side of s[i].
func context20(s string, i int) string {
	return strconv.Quote(s[max(0, i-20):min(len(s), i+20)])
}

// revParse returns the commit a revision names.
func revParse(t *testing.T, dir, rev string) string {
	t.Helper()
	cmd := exec.Command("git", "rev-parse", rev)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git rev-parse %s: %v", rev, err)
	}
	return strings.TrimSpace(string(out))
}

// TestHostileRepositoryStringsAreInert runs every command and format on the
// hostile repository and checks stdout, stderr and the files written.
func TestHostileRepositoryStringsAreInert(t *testing.T) {
	dir := hostileRepo(t)
	type call struct {
		args  []string
		stdin string
		// visible are escapes that must show: the hostile strings reached
		// the output, escaped, rather than being left out.
		visible []string
	}
	var calls []call
	for _, cmd := range []string{"check", "diff"} {
		calls = append(calls,
			call{args: []string{cmd, "--repo", dir}, visible: []string{`\x1b[2K\x1b[1Aerase`, `\r::error::cr`, `nl\n::error::newline`, `evil\u202etxt`, `#\u0023[error]legacy`, `src/evil\r::error::name\x1b[2K.py`}},
			call{args: []string{cmd, "--repo", dir, "--format", "json"}, visible: []string{`\u001b[2K\u001b[1Aerase`, `evil\u202etxt`, `#\u0023[error]legacy`}},
			call{args: []string{cmd, "--repo", dir, "--format", "markdown"}, visible: []string{`\x1b[2K\x1b[1Aerase`, `evil\u202etxt`}},
			call{args: []string{cmd, "--repo", dir, "--format", "github"}, visible: []string{`\x1b[2K\x1b[1Aerase`, `evil\u202etxt`}},
			call{args: []string{cmd, "--repo", dir, "--base", "base\u202e\u0085tag"}, visible: []string{`base\u202e\u0085tag`}},
		)
	}
	calls = append(calls,
		call{args: []string{"next", "--repo", dir}},
		call{args: []string{"next", "--repo", dir, "--format", "json"}},
		call{args: []string{"notes", "--repo", dir}, visible: []string{`\x1b[2K\x1b[1Aerase`}},
		call{args: []string{"notes", "--repo", dir, "--base", "base\u202e\u0085tag"}, visible: []string{`base\u202e\u0085tag`}},
		call{args: []string{"notes", "--repo", dir, "--format", "json"}, visible: []string{`evil\u202etxt`}},
		call{args: []string{"notes", "--repo", dir, "--format", "release"}, visible: []string{"\\::error::from the notes", `#\u0023[stop-commands]tok`, `\x1b[2K`}},
		call{args: []string{"models", "--repo", dir}},
		call{args: []string{"models", "--repo", dir, "--format", "json"}},
		call{args: []string{"check", "--repo", dir, "--format", "sarif"}, visible: []string{`architecture.\\x1b[2Kkey\\u202e`, `#\\u0023[error]k: a\\u0085`, `"uri": "arch%E2%80%AE%E2%81%A6.json"`}},
		call{args: []string{"rules"}},
		call{args: []string{"rules", "--format", "json"}},
		call{args: []string{"check", "--repo", dir, "--base", "no\x1b[2Ksuch\u202etag"}, visible: []string{`no\x1b[2Ksuch\u202etag`}},
		call{args: []string{"check", "--repo", dir, "--version", "hostile-v9\x1b[2K\u202e"}},
		call{args: []string{"hook", "pre-push"}, stdin: "refs/heads/feat\x1b[2K\u202e HEAD refs/heads/feat\x1b[2K\u202e 0000000000000000000000000000000000000000\n",
			visible: []string{`feat\x1b[2K\u202e`}},
	)
	for i, c := range calls {
		t.Run(fmt.Sprintf("%d-%s", i, c.args[0]), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			wd, _ := os.Getwd()
			if c.args[0] == "hook" {
				mustDo(t, os.Chdir(dir))
				defer os.Chdir(wd)
				git(t, dir, "update-ref", "refs/heads/feat", "HEAD")
				c.stdin = strings.ReplaceAll(c.stdin, " HEAD ", " "+revParse(t, dir, "HEAD")+" ")
			}
			code := cli.Run(context.Background(), c.args, strings.NewReader(c.stdin), &stdout, &stderr)
			for name, out := range map[string]string{"stdout": stdout.String(), "stderr": stderr.String()} {
				annotations := name == "stdout" && slices.Contains(c.args, "github")
				if bad := rawHostile(out, annotations); bad != "" {
					t.Errorf("modelgate %q (exit %d): %s has %s", c.args, code, name, bad)
				}
			}
			all := stdout.String() + stderr.String()
			for _, v := range c.visible {
				if !strings.Contains(all, v) {
					t.Errorf("modelgate %q (exit %d) does not show %s:\n%s", c.args, code, v, clip(all))
				}
			}
			if code == 2 && strings.Count(strings.TrimSpace(stderr.String()), "\n") > 0 {
				t.Errorf("modelgate %q exits 2 with more than one stderr line:\n%s", c.args, stderr.String())
			}
		})
	}
}

// TestHostileNamesInErrors gives hostile strings to the parsers: an error
// line quotes them inert, on one line.
func TestHostileNamesInErrors(t *testing.T) {
	for name, manifest := range map[string]string{
		"model name":    "model: \"evil\\e[2K\\u202e-v1.0.0\"\n",
		"duplicate key": "model: hostile-v1.0.0\narchitecture:\n  \"\\e[2K\\r::error::dup\": 1\n  \"\\e[2K\\r::error::dup\": 2\n",
		"pointer":       "model: hostile-v1.0.0\narchitecture: \"missing\\e[2K\\r::error::x\\u202e.json\"\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			gitInit(t, dir)
			writeFile(t, dir, "manifest.yaml", manifest)
			gitCommitAll(t, dir, "model")
			var stdout, stderr bytes.Buffer
			code := cli.Run(context.Background(), []string{"check", "--repo", dir, "--base", "none"}, nil, &stdout, &stderr)
			if code != 2 || stdout.Len() > 0 || strings.Count(stderr.String(), "\n") != 1 {
				t.Fatalf("exit %d, stdout %q, stderr %q: want 2, nothing, one line", code, stdout.String(), stderr.String())
			}
			if bad := rawHostile(stderr.String(), false); bad != "" {
				t.Errorf("stderr has %s: %q", bad, stderr.String())
			}
		})
	}
}

// TestHostileAction runs the GitHub Action on a push of a branch whose name
// carries hostile sequences: the only workflow commands on stdout are
// modelgate's own, and the outputs and the summary hold nothing raw.
func TestHostileAction(t *testing.T) {
	dir := hostileRepo(t)
	tmp := t.TempDir()
	event := filepath.Join(tmp, "event.json")
	mustDo(t, os.WriteFile(event, []byte(`{"ref": "refs/heads/feat"}`), 0o644))
	outputs, summary := filepath.Join(tmp, "output"), filepath.Join(tmp, "summary")
	mustDo(t, os.WriteFile(outputs, nil, 0o644))
	mustDo(t, os.WriteFile(summary, nil, 0o644))
	for k, v := range map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": dir, "GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": event,
		"GITHUB_REF": "refs/heads/feat\x1b[2K\u202e\r::error::ref", "GITHUB_SHA": revParse(t, dir, "HEAD"),
		"GITHUB_REPOSITORY": "acme/hostile", "GITHUB_OUTPUT": outputs, "GITHUB_STEP_SUMMARY": summary,
		"INPUT_COMMAND": "check", "INPUT_TOKEN": "", "INPUT_BASE": "hostile-v1.0.0",
	} {
		t.Setenv(k, v)
	}
	var stdout, stderr bytes.Buffer
	code := cli.Run(context.Background(), []string{"action"}, nil, &stdout, &stderr)
	if code == 2 {
		t.Fatalf("the action could not run: %s", stderr.String())
	}
	if bad := rawHostile(stdout.String(), true); bad != "" {
		t.Errorf("stdout has %s:\n%s", bad, clip(stdout.String()))
	}
	if bad := rawHostile(stderr.String(), false); bad != "" {
		t.Errorf("stderr has %s:\n%s", bad, clip(stderr.String()))
	}
	if !strings.Contains(stdout.String(), `feat\x1b[2K\u202e\r\::error::ref`) && !strings.Contains(stdout.String(), `feat\x1b[2K\u202e\r::error::ref`) {
		t.Errorf("stdout does not show the branch, escaped:\n%s", clip(stdout.String()))
	}
	for name, p := range map[string]string{"$GITHUB_OUTPUT": outputs, "$GITHUB_STEP_SUMMARY": summary} {
		data, err := os.ReadFile(p)
		mustDo(t, err)
		if len(data) == 0 {
			t.Errorf("%s is empty", name)
		}
		if bad := rawHostile(string(data), false); bad != "" {
			t.Errorf("%s has %s", name, bad)
		}
	}
}

// TestHostileNotesFiles writes the release notes and the changelog of the
// hostile release: the files hold the hostile strings escaped, and what
// people wrote in the changelog is kept as it was.
func TestHostileNotesFiles(t *testing.T) {
	dir := hostileRepo(t)
	for _, args := range [][]string{
		{"notes", "--repo", dir, "--write", "--force"},
		{"notes", "--repo", dir, "--changelog", "--date", "2026-11-22"},
	} {
		var stdout, stderr bytes.Buffer
		if code := cli.Run(context.Background(), args, nil, &stdout, &stderr); code != 0 {
			t.Fatalf("modelgate %q: exit %d: %s", args, code, stderr.String())
		}
		if bad := rawHostile(stdout.String()+stderr.String(), false); bad != "" {
			t.Errorf("modelgate %q prints %s", args, bad)
		}
	}
	for _, name := range []string{"releases/v2.0.0.md", "CHANGELOG.md"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		mustDo(t, err)
		if bad := rawHostile(string(data), false); bad != "" {
			t.Errorf("%s has %s", name, bad)
		}
		if !strings.Contains(string(data), `\x1b[2K\x1b[1Aerase`) {
			t.Errorf("%s does not show the hostile key, escaped:\n%s", name, clip(string(data)))
		}
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "CHANGELOG.md")); !strings.Contains(string(data), "- hand-written\n") {
		t.Errorf("CHANGELOG.md lost what people wrote:\n%s", data)
	}
}
