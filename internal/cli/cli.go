// Package cli is modelgate's command line: it parses arguments, runs the
// gate and renders the report. main.go only calls Run.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/modelgate/modelgate/check"
	"github.com/modelgate/modelgate/internal/exitcode"
	"github.com/modelgate/modelgate/internal/gate"
	"github.com/modelgate/modelgate/internal/inert"
	"github.com/modelgate/modelgate/internal/render"
)

// Exit statuses that Run returns: those of package exitcode, shared with
// the hooks and the action.
const (
	ExitPass  = exitcode.Pass  // the gate passed (or the command succeeded)
	ExitFail  = exitcode.Fail  // the gate failed
	ExitError = exitcode.Error // the gate could not run: bad flag, bad input, unknown ref
)

// Version is set at build time with -ldflags "-X .../internal/cli.Version=v1.2.3".
var Version = ""

// version returns the build's version, from -ldflags or the module info
// that go install records.
func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

type command struct {
	name, summary, usage string
	run                  func(ctx context.Context, env *env, args []string) int
}

type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

func (e *env) fail(err error) int {
	fmt.Fprintf(e.stderr, "modelgate: %s\n", inert.String(strings.ReplaceAll(err.Error(), "\n", " ")))
	return ExitError
}

var commands []*command

func init() {
	commands = []*command{
		{"init", "write manifest.yaml for the model in this repository, a comment per field", initUsage, runInit},
		{"check", "gate a release: infer the required bump and check the declared version and notes", checkUsage, runCheck},
		{"diff", "list the classified changes between the baseline and head (exit 0 unless it cannot run)", diffUsage, runDiff},
		{"next", "print the identifier the next release must at least declare", nextUsage, runNext},
		{"notes", "draft the release notes and the version record of the declared release", notesUsage, runNotes},
		{"models", "list the models, their baselines and whether each changed (JSON for a strategy.matrix)", modelsUsage, runModels},
		{"rules", "print the rule catalogue: ID, bump or level, description", rulesUsage, runRules},
		{"release", "gate, then create or update the GitHub release (draft, or --publish)", releaseUsage, runRelease},
		{"action", "run as the GitHub Action (reads INPUT_* and the event)", actionUsage, runAction},
		{"hook", "run the gate from git hooks; install and uninstall them", hookUsage, runHook},
		{"demo", "build throwaway model repositories and gate a failing and a passing release of each", demoUsage, runDemo},
		{"version", "print modelgate's version", versionUsage, runVersion},
	}
}

// Run runs modelgate with the given arguments (without the program name)
// and returns the exit status. Everything it writes passes through
// inert.Writer, so that no control character, terminal escape or
// bidirectional control from a repository reaches stdout or stderr raw,
// whichever code path prints it.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	out, errs := inert.NewWriter(stdout), inert.NewWriter(stderr)
	defer out.Flush()
	defer errs.Flush()
	return run(ctx, args, stdin, out, errs)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		usage(stderr)
		return ExitError
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		if len(args) > 1 {
			if c := lookup(args[1]); c != nil {
				fmt.Fprint(stdout, c.usage)
				return ExitPass
			}
		}
		usage(stdout)
		return ExitPass
	case "-version", "--version":
		name = "version"
	}
	c := lookup(name)
	if c == nil {
		fmt.Fprintf(stderr, "modelgate: unknown command %q; run modelgate help\n", name)
		return ExitError
	}
	return c.run(ctx, e, args[1:])
}

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

func usage(w io.Writer) {
	fmt.Fprint(w, "modelgate gates releases of machine-learning models: it diffs the checkpoint manifest\n"+
		"and architecture config against the last release, infers the semantic-version bump the\n"+
		"changes require (SPEC-040), and fails when the declared version or the notes fall short.\n\n"+
		"usage: modelgate <command> [flags]\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nRun modelgate <command> -h for a command's flags and examples.\n"+
		"Exit status: 0 passed, 1 the gate failed, 2 the gate could not run.\n")
}

// gateFlags are the flags of check, diff and next.
type gateFlags struct {
	opts             gate.Options
	format           string
	staged, worktree bool
}

// newFlagSet returns a flag set that stays silent: parse prints -h's help
// on stdout and a bad flag as one line on stderr.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// register registers the gate's flags and --format with the report formats.
func (g *gateFlags) register(fs *flag.FlagSet) {
	g.registerRevisions(fs)
	fs.StringVar(&g.format, "format", "text", "")
}

// registerRevisions registers the flags that say what the gate reads:
// --repo, --base, --head, --version and --config.
func (g *gateFlags) registerRevisions(fs *flag.FlagSet) {
	fs.StringVar(&g.opts.Repo, "repo", ".", "")
	fs.StringVar(&g.opts.Base, "base", "", "")
	fs.StringVar(&g.opts.Head, "head", "HEAD", "")
	fs.StringVar(&g.opts.Version, "version", "", "")
	fs.StringVar(&g.opts.Config, "config", "", "")
}

// parse parses the flags; it returns -1 to go on, or an exit status.
func parse(fs *flag.FlagSet, usageText string, args []string, e *env) int {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(e.stdout, usageText)
			return ExitPass
		}
		fmt.Fprintf(e.stderr, "modelgate %s: %v; run modelgate %s -h for the flags\n", fs.Name(), err, fs.Name())
		return ExitError
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "modelgate %s: unexpected argument %q; see modelgate %s -h\n", fs.Name(), fs.Arg(0), fs.Name())
		return ExitError
	}
	return -1
}

// registerSource adds --staged and --worktree.
func (g *gateFlags) registerSource(fs *flag.FlagSet) {
	fs.BoolVar(&g.staged, "staged", false, "")
	fs.BoolVar(&g.worktree, "worktree", false, "")
}

// source sets the head source from --staged and --worktree; false means a
// usage error was printed.
func (g *gateFlags) source(e *env, fs *flag.FlagSet) bool {
	headSet := false
	fs.Visit(func(f *flag.Flag) { headSet = headSet || f.Name == "head" })
	switch {
	case g.staged && g.worktree:
		fmt.Fprintf(e.stderr, "modelgate %s: --staged and --worktree exclude each other: pick the index or the working tree\n", fs.Name())
		return false
	case (g.staged || g.worktree) && headSet:
		fmt.Fprintf(e.stderr, "modelgate %s: --head and --staged/--worktree exclude each other: the staged content and the working tree are judged on top of HEAD\n", fs.Name())
		return false
	case g.staged:
		g.opts.Source = check.SourceIndex
	case g.worktree:
		g.opts.Source = check.SourceWorktree
	}
	return true
}

func (g *gateFlags) validFormat(e *env) bool {
	if _, err := render.For(g.format); err != nil {
		fmt.Fprintf(e.stderr, "modelgate: unknown --format %q: want %s\n", g.format, strings.Join(render.Names(), ", "))
		return false
	}
	return true
}

// revisionFlagsHelp lists the flags that choose what the gate reads.
const revisionFlagsHelp = `
flags:
  --repo DIR       the repository (default .); linked worktrees work
  --base REF|none  the baseline: a tag, branch or commit; none for a first release
                   (default: the highest stable <name>-v<semver> tag reachable from --head)
  --head REF       the revision to gate (default HEAD)
  --version V      the declared version, as an identifier (lite-llm-base-v3.0.0) or
                   bare semver (3.0.0); must agree with the manifest
  --config FILE    configuration file (default: .modelgate.yaml at --head, if present)
`

var gateFlagsHelp = revisionFlagsHelp + `  --format F       ` + formatList(render.Names()) + ` (default text)
`

const sourceFlagsHelp = `  --staged         judge the staged content, as git commit would record it
                   (honours GIT_INDEX_FILE) instead of --head
  --worktree       judge the working tree: tracked files and untracked files
                   that .gitignore does not exclude
`

// formatList lists names as "a, b, c or d".
func formatList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

const allTensorsHelp = `  --all-tensors    one finding per tensor instead of one per name pattern
                   (e.g. for --format json)
`

var checkUsage = `usage: modelgate check [flags]

Gate a release. Reads the manifest and the files it points to at the baseline and
at --head from git objects (not the working tree, unless --staged or --worktree),
classifies every change with the rule catalogue, and fails when the declared
version is smaller than the changes require or the release notes are missing,
empty, a template, or lack migration steps for a major release.

A change is a release when its declared version differs from the baseline's, or
with --release. Work in progress (the declared version is the baseline's) passes
under policy: release in .modelgate.yaml (the default), and the report says what
the next release needs; under policy: every-change it fails with
version-not-bumped.
` + gateFlagsHelp + sourceFlagsHelp + allTensorsHelp + `  --release        gate the change as a release, whatever the declared version

examples:
  modelgate check
  modelgate check --base lite-llm-base-v2.1.3 --format json
  modelgate check --head release/3.0 --version lite-llm-base-v3.0.0
  modelgate check --base none            # a first release
  modelgate check --staged --release     # the release commit being prepared

exit status: 0 passed, 1 the gate failed, 2 the gate could not run
`

var diffUsage = `usage: modelgate diff [flags]

List the classified changes between the baseline and --head, with the bump each
requires, and the required bump: no problems and no PASS/FAIL line. The exit
status is 0 unless the diff could not run (2). --format json, markdown and
github write check's whole report, for tools.
` + gateFlagsHelp + sourceFlagsHelp + allTensorsHelp + `
examples:
  modelgate diff
  modelgate diff --worktree
  modelgate diff --base HEAD~3 --format markdown
`

func runGate(ctx context.Context, e *env, name, usageText string, args []string) (*check.Report, string, int) {
	var g gateFlags
	fs := newFlagSet(name)
	g.register(fs)
	g.registerSource(fs)
	if name == "check" || name == "diff" {
		fs.BoolVar(&g.opts.AllTensors, "all-tensors", false, "")
	}
	if name == "check" {
		fs.BoolVar(&g.opts.Release, "release", false, "")
	}
	if code := parse(fs, usageText, args, e); code >= 0 {
		return nil, "", code
	}
	if name == "next" && g.format != "text" && g.format != "json" {
		fmt.Fprintf(e.stderr, "modelgate next: unknown --format %q: want text or json\n", g.format)
		return nil, "", ExitError
	}
	if !g.validFormat(e) || !g.source(e, fs) {
		return nil, "", ExitError
	}
	g.opts.NoteUncommitted = g.format == "text" && name != "next"
	if err := ctx.Err(); err != nil {
		return nil, "", e.fail(err)
	}
	r, err := gate.Run(ctx, g.opts)
	if err != nil {
		return nil, "", e.fail(err)
	}
	return r, g.format, -1
}

func runCheck(ctx context.Context, e *env, args []string) int {
	r, format, code := runGate(ctx, e, "check", checkUsage, args)
	if code >= 0 {
		return code
	}
	if err := render.Write(e.stdout, r, format); err != nil {
		return e.fail(err)
	}
	if !r.Passed {
		return ExitFail
	}
	return ExitPass
}

var rulesUsage = `usage: modelgate rules [--format text|json]

Print the rule catalogue: each rule's stable ID, the bump a finding of it requires
(or, for gate rules, its level), and what it means. Override a rule's bump or
level, or add rules, under rules: in .modelgate.yaml.

flags:
  --format F       text (default) or json

examples:
  modelgate rules
  modelgate rules --format json | jq -r '.[].id'
`

func runRules(_ context.Context, e *env, args []string) int {
	fs := newFlagSet("rules")
	format := fs.String("format", "text", "")
	if code := parse(fs, rulesUsage, args, e); code >= 0 {
		return code
	}
	switch *format {
	case "json":
		type row struct {
			ID          string `json:"id"`
			Kind        string `json:"kind"`
			Bump        string `json:"bump,omitempty"`
			Level       string `json:"level,omitempty"`
			Description string `json:"description"`
		}
		var rows []row
		for _, r := range check.Rules {
			if r.Gate {
				rows = append(rows, row{ID: r.ID, Kind: "gate", Level: string(r.Level), Description: r.Description})
			} else {
				rows = append(rows, row{ID: r.ID, Kind: "finding", Bump: r.Bump.String(), Description: r.Description})
			}
		}
		return writeJSON(e, rows)
	case "text":
		fmt.Fprintln(e.stdout, "finding rules (first match wins, in this order):")
		for _, r := range check.Rules {
			if !r.Gate {
				fmt.Fprintf(e.stdout, "  %-27s %-7s %s\n", r.ID, r.Bump, r.Description)
			}
		}
		fmt.Fprintln(e.stdout, "\ngate rules:")
		for _, r := range check.Rules {
			if r.Gate {
				fmt.Fprintf(e.stdout, "  %-27s %-7s %s\n", r.ID, r.Level, r.Description)
			}
		}
		return ExitPass
	}
	fmt.Fprintf(e.stderr, "modelgate: unknown --format %q: want text or json\n", *format)
	return ExitError
}
