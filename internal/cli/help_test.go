package cli

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// help runs modelgate <command> -h and returns what it prints.
func help(t *testing.T, command string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := Run(context.Background(), []string{command, "-h"}, strings.NewReader(""), &stdout, &stderr); code != ExitPass {
		t.Fatalf("modelgate %s -h: exit %d, stderr %q", command, code, stderr.String())
	}
	if stderr.Len() != 0 {
		t.Errorf("modelgate %s -h wrote to stderr: %q", command, stderr.String())
	}
	if !strings.HasPrefix(stdout.String(), "usage: modelgate "+command) {
		t.Errorf("modelgate %s -h does not start with its usage line:\n%s", command, stdout.String())
	}
	return stdout.String()
}

// flagLineRE finds a flag's line in a help text: two or more spaces, then
// the flag, then its argument or the explanation.
var flagLineRE = regexp.MustCompile(`(?m)^ {2,}(--[a-z][a-z-]*)\b`)

// helpFlags lists the flags a command's help explains, failing on a flag
// that is explained twice.
func helpFlags(t *testing.T, command, text string) []string {
	t.Helper()
	var flags []string
	for _, m := range flagLineRE.FindAllStringSubmatch(text, -1) {
		if slices.Contains(flags, m[1]) {
			t.Errorf("modelgate %s -h explains %s twice", command, m[1])
			continue
		}
		flags = append(flags, m[1])
	}
	sort.Strings(flags)
	return flags
}

// TestEveryCommandHasHelp: -h of every command prints its help, exit 0;
// every flag the help explains is one the command accepts, and no flag is
// explained twice.
func TestEveryCommandHasHelp(t *testing.T) {
	for _, c := range commands {
		text := help(t, c.name)
		for _, f := range helpFlags(t, c.name, text) {
			args := []string{c.name, f + "=x", "--zz-not-a-flag"}
			if c.name == "hook" {
				args = []string{"hook", "install", f + "=x", "--zz-not-a-flag"}
				if f == "--repo" {
					args[1] = "uninstall"
				}
			}
			// Parsing stops at the value (a boolean) or at the unknown flag after
			// it: the command never runs.
			var stdout, stderr bytes.Buffer
			code := Run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
			if code != ExitError || strings.Contains(stderr.String(), "not defined: -"+strings.TrimLeft(f, "-")+"\n") ||
				strings.Contains(stderr.String(), "not defined: -"+strings.TrimLeft(f, "-")+";") || stdout.Len() != 0 {
				t.Errorf("modelgate %s: the help explains %s, but the command does not take it: exit %d, %q", c.name, f, code, stderr.String())
			}
		}
	}
	// help <command> prints the same.
	var stdout bytes.Buffer
	Run(context.Background(), []string{"help", "version"}, strings.NewReader(""), &stdout, &bytes.Buffer{})
	if stdout.String() != help(t, "version") {
		t.Errorf("modelgate help version differs from modelgate version -h")
	}
}

// TestReadmeMatchesHelp compares the README's "Commands and flags" tables
// with the binary: the same commands as modelgate help lists, and for each
// command exactly the flags its -h explains.
func TestReadmeMatchesHelp(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	start := strings.Index(text, "### Commands and flags\n")
	if start < 0 {
		t.Fatal(`README.md has no "### Commands and flags" section`)
	}
	section := text[start+len("### Commands and flags\n"):]
	if end := strings.Index(section, "\n#"); end >= 0 {
		section = section[:end]
	}

	var readmeCommands []string
	readmeFlags := map[string]map[string]bool{} // command -> flags
	inFlags := false
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(strings.Trim(line, "|"), " | ")
		switch {
		case strings.HasPrefix(line, "| flag | commands |"):
			inFlags = true
		case strings.HasPrefix(line, "| `modelgate "):
			name := strings.Fields(strings.Trim(cells[0], " `"))[1]
			readmeCommands = append(readmeCommands, name)
		case inFlags && strings.HasPrefix(line, "| `--"):
			flag := strings.Fields(strings.Trim(cells[0], " `"))[0]
			for _, c := range strings.Split(cells[1], ", ") {
				c = strings.TrimSpace(c)
				if readmeFlags[c] == nil {
					readmeFlags[c] = map[string]bool{}
				}
				readmeFlags[c][flag] = true
			}
		}
	}
	if !inFlags {
		t.Fatal(`the "Commands and flags" section has no "| flag | commands |" table`)
	}

	var binaryCommands []string
	for _, c := range commands {
		binaryCommands = append(binaryCommands, c.name)
	}
	if strings.Join(readmeCommands, " ") != strings.Join(binaryCommands, " ") {
		t.Errorf("README commands %q, modelgate help lists %q", readmeCommands, binaryCommands)
	}
	for c := range readmeFlags {
		if !slices.Contains(binaryCommands, c) {
			t.Errorf("README's flag table names command %q, which modelgate does not have", c)
		}
	}
	for _, c := range binaryCommands {
		got := helpFlags(t, c, help(t, c))
		var want []string
		for f := range readmeFlags[c] {
			want = append(want, f)
		}
		sort.Strings(want)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("modelgate %s: -h explains %q, the README's flag table %q", c, got, want)
		}
	}
}
