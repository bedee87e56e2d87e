// Package action is modelgate's GitHub Actions runtime: it reads the
// action's inputs and the triggering event, runs the gate on the checkout,
// reports through annotations, the step summary and step outputs, and on
// pushes drafts (or publishes) the release.
package action

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/sethvargo/go-githubactions"

	"github.com/modelgate/modelgate/check"
	"github.com/modelgate/modelgate/internal/exitcode"
	"github.com/modelgate/modelgate/internal/gate"
	"github.com/modelgate/modelgate/internal/gitrepo"
	"github.com/modelgate/modelgate/internal/inert"
	"github.com/modelgate/modelgate/internal/release"
	"github.com/modelgate/modelgate/internal/render"
)

// Limits of the runner.
const (
	maxAnnotations = 10      // per level and step; the rest are in the summary
	maxSummary     = 1 << 20 // bytes of $GITHUB_STEP_SUMMARY a step may write
)

// Env is the process environment the action runs in.
type Env struct {
	Getenv         func(string) string
	Stdout, Stderr io.Writer
	Tool           string // modelgate's version
	// HTTPClient and Sleep are for tests; nil means the defaults.
	HTTPClient *http.Client
	Sleep      func(time.Duration)
}

// inputs are the action's inputs (action.yml).
type inputs struct {
	command, base, version, config, token, path string
	publish, failOnWarnings                     bool
	// model gates one model; comment is the comment mode (comment.go);
	// sarif the file to write SARIF to (sarif.go).
	model, comment, sarif string
}

func readInputs(gha *githubactions.Action) (inputs, error) {
	in := inputs{
		command: gha.GetInput("command"),
		base:    gha.GetInput("base"),
		version: gha.GetInput("version"),
		config:  gha.GetInput("config"),
		token:   gha.GetInput("token"),
		path:    gha.GetInput("path"),
	}
	if in.command == "" {
		in.command = "check"
	}
	if in.command != "check" && in.command != "release" {
		return in, fmt.Errorf("input command is %q: want check or release", in.command)
	}
	if err := readPlaceInputs(gha, &in); err != nil {
		return in, err
	}
	var err error
	if in.publish, err = boolInput(gha, "publish"); err != nil {
		return in, err
	}
	if in.failOnWarnings, err = boolInput(gha, "fail-on-warnings"); err != nil {
		return in, err
	}
	return in, nil
}

func boolInput(gha *githubactions.Action, name string) (bool, error) {
	switch v := strings.ToLower(gha.GetInput(name)); v {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	default:
		return false, fmt.Errorf("input %s is %q: want true or false", name, v)
	}
}

// Run runs the action and returns the step's exit status.
func Run(ctx context.Context, env Env) int {
	a := &runner{env: env, gha: githubactions.New(githubactions.WithGetenv(env.Getenv), githubactions.WithWriter(env.Stdout))}
	code, err := a.run(ctx)
	if err != nil {
		msg := strings.ReplaceAll(err.Error(), "\n", " ")
		if a.in.token != "" {
			msg = strings.ReplaceAll(msg, a.in.token, "***")
		}
		fmt.Fprint(env.Stdout, render.Annotation("error", "", 0, "modelgate", msg))
		fmt.Fprintf(env.Stderr, "modelgate: %s\n", inert.String(msg))
		return exitcode.Error
	}
	return code
}

type runner struct {
	env Env
	gha *githubactions.Action
	in  inputs
	// extra are step outputs beyond the verdict's (comment-url).
	extra [][2]string
}

// trigger is what the event asks of the action.
type trigger struct {
	kind    string // pull_request, branch, tag, other
	label   string // names the head in reports
	head    string // revision to gate
	tag     string // the pushed release tag, for kind tag
	release bool   // the event may release
}

func (a *runner) run(ctx context.Context) (int, error) {
	// Before anything: a run whose outputs would be lost must not release.
	if err := a.checkFiles(); err != nil {
		return 0, err
	}
	var err error
	if a.in, err = readInputs(a.gha); err != nil {
		return 0, err
	}
	ghctx, err := a.gha.Context()
	if err != nil {
		return 0, fmt.Errorf("reading the event (GITHUB_EVENT_PATH): %w", err)
	}
	t := classify(ghctx)
	repo := a.env.Getenv("GITHUB_WORKSPACE")
	if repo == "" {
		repo = "."
	}
	if a.in.path != "" {
		repo = filepath.Join(repo, a.in.path)
	}
	opts := gate.Options{Repo: repo, Base: a.in.base, Head: t.head, Version: a.in.version, Config: a.in.config, Label: t.label}
	if opts.Config != "" && !filepath.IsAbs(opts.Config) {
		opts.Config = filepath.Join(repo, opts.Config)
	}
	opts.Model = a.in.model
	if t.kind == "tag" {
		id, _ := check.ParseIdentifier(t.tag)
		if a.in.model != "" && a.in.model != id.Name {
			a.notice("modelgate", fmt.Sprintf("tag %s releases model %s; this step gates model %s (input model): nothing to do", t.tag, id.Name, a.in.model))
			return exitcode.Pass, nil
		}
		opts.Version, opts.VersionSource, opts.Model = t.tag, "tag "+t.tag, id.Name
	}
	// A tag push and command: release gate a release; anything else is
	// judged by the policy (DESIGN §3.2).
	opts.Release = t.kind == "tag" || a.in.command == "release"
	if t.kind == "other" {
		fmt.Fprint(a.env.Stdout, render.Annotation("notice", "", 0, "modelgate", fmt.Sprintf("event %s: checking only, no release", ghctx.EventName)))
	}
	if opts.Base == "" {
		shallow, err := gate.FetchReleaseTags(ctx, opts, gitrepo.Credentials{Token: a.in.token, Server: ghctx.ServerURL})
		var fetchErr *gitrepo.FetchError
		switch {
		case errors.As(err, &fetchErr):
			return 0, fmt.Errorf("%w; the checkout is shallow and the release tags could not be fetched: set fetch-depth: 0 in actions/checkout, or pass the base input", err)
		case err != nil:
			// An error in the checkout itself (a YAML typo, no repository):
			// the fetch depth has nothing to do with it.
			return 0, err
		}
		if shallow {
			opts.TagsOnly = true
			fmt.Fprint(a.env.Stdout, render.Annotation("notice", "", 0, "modelgate",
				"shallow checkout: fetched the model's release tags (depth 1) to find the baseline; set fetch-depth: 0 in actions/checkout to check ancestry too"))
		}
	}
	r, err := gate.Run(ctx, opts)
	if err != nil {
		return 0, err
	}
	code := exitcode.Pass
	if !r.Passed {
		code = exitcode.Fail
	}
	if a.in.failOnWarnings && code == exitcode.Pass {
		for _, m := range r.Models {
			if m.Warnings() > 0 {
				code = exitcode.Fail
			}
		}
	}
	if err := a.report(r); err != nil {
		return 0, err
	}
	var rel *release.Result
	a.comment(ctx, r, ghctx)
	if err := a.writeSARIF(r, repo); err != nil {
		a.outputs(r, nil)
		return 0, err
	}
	if a.in.command == "release" && t.release && code == exitcode.Pass {
		if rel, err = a.release(ctx, r, t, ghctx); err != nil {
			a.outputs(r, nil)
			return 0, err
		}
	} else if a.in.command == "release" && t.release {
		fmt.Fprint(a.env.Stdout, render.Annotation("notice", "", 0, "modelgate", "the gate did not pass: no release drafted"))
	}
	if err := a.outputs(r, rel); err != nil {
		return 0, err
	}
	return code, nil
}

// classify reads what the event asks for.
func classify(c *githubactions.GitHubContext) trigger {
	switch {
	case c.EventName == "pull_request" || c.EventName == "pull_request_target":
		n := ""
		if pr, ok := c.Event["pull_request"].(map[string]any); ok {
			if num, ok := pr["number"].(float64); ok {
				n = " #" + strconv.Itoa(int(num))
			}
		}
		return trigger{kind: "pull_request", label: "pull request" + n + " (merge commit)", head: headOr(c.SHA)}
	case c.EventName == "push" && strings.HasPrefix(c.Ref, "refs/tags/"):
		tag := strings.TrimPrefix(c.Ref, "refs/tags/")
		if _, err := check.ParseIdentifier(tag); err == nil {
			return trigger{kind: "tag", label: "tag " + tag, head: headOr(c.SHA), tag: tag, release: true}
		}
		return trigger{kind: "other", label: "tag " + tag, head: headOr(c.SHA)}
	case c.EventName == "push" && strings.HasPrefix(c.Ref, "refs/heads/"):
		return trigger{kind: "branch", label: "branch " + strings.TrimPrefix(c.Ref, "refs/heads/"), head: headOr(c.SHA), release: true}
	}
	return trigger{kind: "other", label: "HEAD", head: headOr(c.SHA)}
}

func headOr(sha string) string {
	if sha == "" {
		return "HEAD"
	}
	return sha
}

// report writes the annotations, the text report (inside a stop-commands
// block, since it quotes manifest values and notes) and the step summary.
func (a *runner) report(r *check.Report) error {
	out := a.env.Stdout
	annotations := render.Annotations{W: out, Max: maxAnnotations}
	for _, m := range r.Models {
		annotations.Model(m)
	}
	token := randomToken()
	fmt.Fprintf(out, "::stop-commands::%s\n", token)
	_ = render.Text(out, r)
	fmt.Fprintf(out, "::%s::\n", token)
	var md strings.Builder
	_ = render.Markdown(&md, r)
	if annotations.Skipped > 0 {
		fmt.Fprintf(&md, "\n%d more annotations than a step may show are listed above.\n", annotations.Skipped)
	}
	return a.appendFile("GITHUB_STEP_SUMMARY", limitSummary(md.String()))
}

// limitSummary cuts a summary to fit the runner's limit, saying so.
func limitSummary(s string) string {
	const note = "\n\n> **Truncated:** the report is longer than a step summary may be; run `modelgate check --format markdown` for all of it.\n"
	if len(s) < maxSummary-1024 {
		return s
	}
	cut := s[:maxSummary-1024-len(note)]
	if i := strings.LastIndexByte(cut, '\n'); i > 0 {
		cut = cut[:i]
	}
	return cut + note
}

// release drafts or publishes the release of each model the event releases.
func (a *runner) release(ctx context.Context, r *check.Report, t trigger, c *githubactions.GitHubContext) (*release.Result, error) {
	owner, name := c.Repo()
	opts := release.Options{Owner: owner, Repo: name, Token: a.in.token, APIURL: c.APIURL, Publish: a.in.publish && t.kind == "tag",
		Tool: a.env.Tool, HTTPClient: a.env.HTTPClient, Sleep: a.env.Sleep, Out: &noticeWriter{w: a.env.Stdout}}
	var last *release.Result
	for _, m := range r.Models {
		if m.Unchanged() || t.kind == "tag" && m.Name+"-v"+m.DeclaredVersion != t.tag {
			continue
		}
		res, err := release.Release(ctx, m, opts)
		if err != nil {
			return nil, err
		}
		last = res
	}
	return last, nil
}

// noticeWriter turns each line written to it into a notice annotation.
type noticeWriter struct{ w io.Writer }

func (n *noticeWriter) Write(p []byte) (int, error) {
	for _, l := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		fmt.Fprint(n.w, render.Annotation("notice", "", 0, "modelgate release", l))
	}
	return len(p), nil
}

// outputs writes the step outputs. With several models the scalar outputs
// describe the first model that fails, or else the first model; report has
// them all.
func (a *runner) outputs(r *check.Report, rel *release.Result) error {
	var m *check.ModelReport
	for _, x := range r.Models {
		if m == nil || !x.Passed && m.Passed {
			m = x
		}
	}
	out := [][2]string{{"passed", strconv.FormatBool(r.Passed)}, {"report", reportOutput(r, maxReportOutput)}}
	if m != nil {
		out = append(out, [][2]string{{"required-bump", m.RequiredBump.String()}, {"declared-version", m.DeclaredVersion},
			{"required-version", m.RequiredVersion}, {"next-identifier", m.NextIdentifier}}...)
	}
	if rel != nil {
		id := ""
		if rel.ID != 0 {
			id = strconv.FormatInt(rel.ID, 10)
		}
		out = append(out, [][2]string{{"release-id", id}, {"release-url", rel.URL}}...)
	}
	out = append(out, a.extra...)
	var b strings.Builder
	for _, kv := range out {
		b.WriteString(fileCommand(kv[0], kv[1]))
	}
	return a.appendFile("GITHUB_OUTPUT", b.String())
}

// fileCommand formats name=value for a file command with a random
// delimiter that the value does not contain.
func fileCommand(name, value string) string {
	for {
		delim := "ghadelimiter_" + randomToken()
		if !strings.Contains(value, delim) && !strings.Contains(name, delim) {
			return fmt.Sprintf("%s<<%s\n%s\n%s\n", name, delim, value, delim)
		}
	}
}

// runnerFiles are the file commands the action writes to.
var runnerFiles = []string{"GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"}

// checkFiles makes sure the runner's files can be written before anything
// is done: as in GitHub's toolkit, a file command's file must exist (the
// runner creates it for each step), be a file, and be writable.
func (a *runner) checkFiles() error {
	for _, v := range runnerFiles {
		if p := a.env.Getenv(v); p != "" {
			f, err := openRunnerFile(v, p)
			if err != nil {
				return err
			}
			if err := f.Close(); err != nil {
				return fmt.Errorf("$%s (%q) cannot be written: %w", v, p, err)
			}
		}
	}
	return nil
}

// openRunnerFile opens the file of a runner variable to append to it.
func openRunnerFile(variable, p string) (*os.File, error) {
	fi, err := os.Stat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("$%s names %q, which does not exist: the runner creates it for each step; outside a runner, unset %s", variable, p, variable)
	case err != nil:
		return nil, fmt.Errorf("$%s (%q) cannot be read: %w", variable, p, err)
	case fi.IsDir():
		return nil, fmt.Errorf("$%s names %q, a folder: point it at the runner's file, or unset it", variable, p)
	}
	f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return nil, fmt.Errorf("$%s (%q) cannot be written: %w", variable, p, err)
	}
	return f, nil
}

// appendFile appends to the file a runner variable names; when the variable
// is unset (not in a runner), nothing is written.
func (a *runner) appendFile(variable, text string) error {
	p := a.env.Getenv(variable)
	if p == "" || text == "" {
		return nil
	}
	f, err := openRunnerFile(variable, p)
	if err != nil {
		return err
	}
	_, err = f.WriteString(text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing $%s (%q): %w", variable, p, err)
	}
	return nil
}

func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
