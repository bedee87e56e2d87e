// Package render writes gate reports (check.Report) in the output formats
// of DESIGN §4: text for people, json (a contract: fields are only ever
// added), markdown (step summaries, pull request comments, release bodies),
// github (workflow-command annotations) and sarif (SARIF 2.1.0 for code
// scanning). The domain, package check, knows none of them.
//
// A format is one file of this package and one line in the formats table.
// Every string that comes from a repository goes through inert before it is
// written, so that its escaping can be tightened in one place.
package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/modelgate/modelgate/check"
	"github.com/modelgate/modelgate/internal/abbrev"
	inertpkg "github.com/modelgate/modelgate/internal/inert"
)

// Func writes a report in one format.
type Func func(w io.Writer, r *check.Report) error

// formats are the output formats, in the order --format lists them.
var formats = []struct {
	name string
	fn   Func
}{
	{"text", Text},
	{"json", JSON},
	{"markdown", Markdown},
	{"github", GitHub},
	{"sarif", SARIF},
}

// Names lists the formats, for --format's help and validation.
func Names() []string {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = f.name
	}
	return names
}

// For returns the renderer of a format, or an error that lists the formats.
func For(name string) (Func, error) {
	for _, f := range formats {
		if f.name == name {
			return f.fn, nil
		}
	}
	return nil, fmt.Errorf("unknown format %q: want %s", name, strings.Join(Names(), ", "))
}

// Write renders the report in the named format.
func Write(w io.Writer, r *check.Report, format string) error {
	fn, err := For(format)
	if err != nil {
		return err
	}
	return fn(w, r)
}

// inert prepares a string that comes from a repository (a key, a value, a
// path, a note, a name) for one line of any output: package inert escapes
// control characters, terminal escapes, bidirectional controls and what
// would start a workflow command, visibly. Every format then adds the
// escaping its syntax needs (MarkdownEscape, Annotation).
func inert(s string) string { return inertpkg.String(s) }

func findingWhere(f *check.Finding) string {
	if f.Line == 0 {
		return inert(f.File)
	}
	return fmt.Sprintf("%s:%d", inert(f.File), f.Line)
}

func problemWhere(p *check.Problem) string {
	if p.Line == 0 {
		return inert(p.File)
	}
	return fmt.Sprintf("%s:%d", inert(p.File), p.Line)
}

// change says what a finding changed: "path: old -> new", or its summary.
func change(f *check.Finding) string {
	if s := f.Summary(); s != "" {
		return inert(s)
	}
	if f.Rule == check.FileRule {
		return inert(f.Path) + ": changed"
	}
	return fmt.Sprintf("%s: %s -> %s", inert(f.Path), inert(abbrev.Value(f.OldText())), inert(abbrev.Value(f.NewText())))
}

// title heads a model's text report.
func title(m *check.ModelReport) string {
	head := fmt.Sprintf("%s @ %s", inert(m.Head.Ref), abbrev.Commit(m.Head.Commit))
	if m.Base == nil {
		return fmt.Sprintf("%s (%s): first release, %s", inert(m.Name), inert(m.Manifest), head)
	}
	return fmt.Sprintf("%s (%s): %s @ %s -> %s", inert(m.Name), inert(m.Manifest), inert(m.Base.Ref), abbrev.Commit(m.Base.Commit), head)
}

// verdictLine ends a model's report: "PASS name: counts" or "FAIL ...".
func verdictLine(m *check.ModelReport) string {
	verdict := "PASS"
	if !m.Passed {
		verdict = "FAIL"
	}
	return fmt.Sprintf("%s %s: %s\n", verdict, inert(m.Name), counts(m))
}

func counts(m *check.ModelReport) string {
	plural := func(n int, s string) string {
		if n == 1 {
			return fmt.Sprintf("1 %s", s)
		}
		return fmt.Sprintf("%d %ss", n, s)
	}
	return fmt.Sprintf("%s, %s, %s", plural(m.FindingCount(), "finding"), plural(m.Errors(), "error"), plural(m.Warnings(), "warning"))
}
