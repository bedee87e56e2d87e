package hooks

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestScriptsAreOne checks that the three hook scripts in this folder are
// the embedded script, which serves every hook by its file name.
func TestScriptsAreOne(t *testing.T) {
	for _, name := range Names {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if string(data) != Script {
			t.Errorf("%s differs from the embedded script; copy pre-commit over it", name)
		}
		st, err := os.Stat(name)
		if err != nil || st.Mode()&0o111 == 0 {
			t.Errorf("%s is not executable", name)
		}
	}
}

// TestScriptIsPOSIX parses the script with the system's POSIX shell.
func TestScriptIsPOSIX(t *testing.T) {
	if out, err := exec.Command("sh", "-n", "pre-commit").CombinedOutput(); err != nil {
		t.Errorf("sh -n pre-commit: %v\n%s", err, out)
	}
}

func TestSubcommand(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"git", "tag", "m-v1.0.0"}, "tag"},
		{[]string{"/usr/bin/git", "-c", "user.name=a", "-C", "/x", "tag", "-a", "m-v1.0.0"}, "tag"},
		{[]string{"git", "--git-dir=/x/.git", "--no-pager", "fetch", "--tags"}, "fetch"},
		{[]string{"git", "--git-dir", "/x/.git", "fetch"}, "fetch"},
		{[]string{"sh", "-c", "git tag x"}, ""},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := subcommand(tt.args); got != tt.want {
			t.Errorf("subcommand(%q) = %q, want %q", tt.args, got, tt.want)
		}
	}
}

// TestPlain: a path from the repository is printed inert and short.
func TestPlain(t *testing.T) {
	tests := []struct{ in, want string }{
		{"architecture.hidden_size", "architecture.hidden_size"},
		{"a\x1b[2Kb", "a\ufffd[2Kb"},
		{"tiers[x\r\n]", "tiers[x ]"},
		{"x\x00y\x7fz", "x\ufffdy\ufffdz"},
		{"name\u202egnp.exe", "name\ufffdgnp.exe"},
		{strings.Repeat("k", 100) + ".lr", strings.Repeat("k", 40) + "…(55 more)…kkkkk.lr"},
	}
	for _, tt := range tests {
		if got := plain(tt.in); got != tt.want {
			t.Errorf("plain(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
