package check

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Formats lists the report formats, for --format.
var Formats = []string{"text", "json", "markdown", "github"}

// Write renders the report in the given format.
func (r *Report) Write(w io.Writer, format string) error {
	switch format {
	case "text":
		return r.WriteText(w)
	case "json":
		return r.WriteJSON(w)
	case "markdown":
		return r.WriteMarkdown(w)
	case "github":
		return r.WriteGitHub(w)
	}
	return fmt.Errorf("unknown format %q: want %s", format, strings.Join(Formats, ", "))
}

// WriteJSON writes the report as indented JSON (DESIGN §4).
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

func (f *Finding) where() string {
	if f.Line == 0 {
		return f.File
	}
	return fmt.Sprintf("%s:%d", f.File, f.Line)
}

func (f *Finding) change() string {
	if f.summary != "" {
		return f.summary
	}
	if f.Rule == FileRule {
		return f.Path + ": changed"
	}
	return fmt.Sprintf("%s: %s -> %s", f.Path, shorten(f.oldText), shorten(f.newText))
}

func (p *Problem) where() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d", p.File, p.Line)
}

func (m *ModelReport) title() string {
	head := fmt.Sprintf("%s @ %s", m.Head.Ref, short(m.Head.Commit))
	if m.Base == nil {
		return fmt.Sprintf("%s (%s): first release, %s", m.Name, m.Manifest, head)
	}
	return fmt.Sprintf("%s (%s): %s @ %s -> %s", m.Name, m.Manifest, m.Base.Ref, short(m.Base.Commit), head)
}

// WriteText writes the report for people: one line a finding in the form
// "bump  file:line  path: old -> new  [rule-id]", then the verdict.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	for i, m := range r.Models {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintln(&b, m.title())
		for _, n := range m.Notices {
			fmt.Fprintf(&b, "  note: %s\n", n)
		}
		width := 0
		for _, f := range m.Findings {
			width = max(width, len(f.where()))
		}
		for _, f := range m.Findings {
			fmt.Fprintf(&b, "  %-5s  %-*s  %s  [%s]\n", f.Bump, width, f.where(), f.change(), f.Rule)
			if f.Suppressed != "" {
				fmt.Fprintf(&b, "         suppressed: %s\n", f.Suppressed)
			} else if reason := reasonOf(f.Message); reason != "" {
				fmt.Fprintf(&b, "         %s\n", reason)
			}
		}
		if len(m.Findings) == 0 && m.Base != nil {
			b.WriteString("  no changes to the model\n")
		}
		switch {
		case m.Base != nil && m.RequiredBump == BumpNone:
			fmt.Fprintf(&b, "  required: no bump, %s may stay; declared %s\n", m.Base.Version, m.DeclaredVersion)
		case m.Base != nil:
			fmt.Fprintf(&b, "  required: %s bump from %s -> %s; declared %s\n", m.RequiredBump, m.Base.Version, m.RequiredVersion, m.DeclaredVersion)
		default:
			fmt.Fprintf(&b, "  declared: %s\n", m.DeclaredVersion)
		}
		if m.ReleaseNotes.Found {
			fmt.Fprintf(&b, "  release notes: %s\n", *m.ReleaseNotes.Path)
		}
		for _, p := range m.Problems {
			fmt.Fprintf(&b, "  %-7s  %s  %s  [%s]\n", p.Level, p.where(), p.Message, p.Rule)
			if p.Fix != "" {
				fmt.Fprintf(&b, "           fix: %s\n", p.Fix)
			}
		}
		b.WriteString(verdictLine(m))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// reasonOf returns the reason part of a finding message ("...: reason").
func reasonOf(msg string) string {
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return ""
}

// verdictLine ends a model's report: "PASS name: counts" or "FAIL ...".
func verdictLine(m *ModelReport) string {
	verdict := "PASS"
	if !m.Passed {
		verdict = "FAIL"
	}
	return fmt.Sprintf("%s %s: %s\n", verdict, m.Name, counts(m))
}

func counts(m *ModelReport) string {
	plural := func(n int, s string) string {
		if n == 1 {
			return fmt.Sprintf("1 %s", s)
		}
		return fmt.Sprintf("%d %ss", n, s)
	}
	return fmt.Sprintf("%s, %s, %s", plural(len(m.Findings), "finding"), plural(m.Errors(), "error"), plural(m.Warnings(), "warning"))
}

// WriteMarkdown writes the report for a step summary or a release body.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	for _, m := range r.Models {
		icon, verdict := "✅", "passes"
		if !m.Passed {
			icon, verdict = "❌", "fails"
		}
		fmt.Fprintf(&b, "### %s `%s` %s the release gate\n\n", icon, m.Name, verdict)
		if m.Base == nil {
			fmt.Fprintf(&b, "First release: `%s` at `%s` (`%s`).\n\n", m.NextIdentifier, m.Head.Ref, short(m.Head.Commit))
		} else {
			fmt.Fprintf(&b, "`%s` (`%s`) → `%s` (`%s`): the changes require a **%s** bump, to **%s**; declared **%s**.\n\n",
				m.Base.Ref, short(m.Base.Commit), m.Head.Ref, short(m.Head.Commit), m.RequiredBump, m.RequiredVersion, m.DeclaredVersion)
		}
		for _, n := range m.Notices {
			fmt.Fprintf(&b, "> %s\n\n", MarkdownEscape(n))
		}
		if len(m.Problems) > 0 {
			b.WriteString("| | rule | where | problem | fix |\n|---|---|---|---|---|\n")
			for _, p := range m.Problems {
				mark := "❌"
				if p.Level == LevelWarning {
					mark = "⚠️"
				}
				fmt.Fprintf(&b, "| %s | `%s` | `%s` | %s | %s |\n", mark, p.Rule, p.where(), MarkdownEscape(p.Message), MarkdownEscape(p.Fix))
			}
			b.WriteString("\n")
		}
		if len(m.Findings) > 0 {
			b.WriteString(FindingsTable(m.Findings))
			b.WriteString("\n")
		}
		if m.ReleaseNotes.Found {
			fmt.Fprintf(&b, "Release notes: `%s`\n\n", *m.ReleaseNotes.Path)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// FindingsTableHeader opens the markdown table of FindingsTable.
const FindingsTableHeader = "| bump | rule | path | old | new | where |\n|---|---|---|---|---|---|\n"

// FindingsTable renders findings as a markdown table.
func FindingsTable(findings []Finding) string {
	var b strings.Builder
	b.WriteString(FindingsTableHeader)
	for _, f := range findings {
		b.WriteString(FindingRow(f))
	}
	return b.String()
}

// FindingRow renders one finding as a row of FindingsTable.
func FindingRow(f Finding) string {
	rule := "`" + f.Rule + "`"
	if f.Suppressed != "" {
		rule += " (suppressed: " + MarkdownEscape(f.Suppressed) + ")"
	}
	what := "`" + MarkdownEscape(f.Path) + "`"
	if f.summary != "" {
		what = MarkdownEscape(f.summary)
	}
	return fmt.Sprintf("| %s | %s | %s | %s | %s | `%s` |\n", f.Bump, rule, what, mdCode(f.oldText), mdCode(f.newText), f.where())
}

// MarkdownEscape escapes text for a markdown table cell.
func MarkdownEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;").Replace(s)
}

func mdCode(s string) string {
	if s == "" {
		return ""
	}
	return "`" + strings.ReplaceAll(shorten(s), "|", `\|`) + "`"
}

// WriteGitHub writes workflow-command annotations: problems at their level,
// findings as notices, each on the file and line it concerns.
func (r *Report) WriteGitHub(w io.Writer) error {
	var b strings.Builder
	for _, m := range r.Models {
		for _, p := range m.Problems {
			msg := p.Message
			if p.Fix != "" {
				msg += "\nfix: " + p.Fix
			}
			b.WriteString(Annotation(string(p.Level), p.File, p.Line, "modelgate "+p.Rule, msg))
		}
		for _, f := range m.Findings {
			b.WriteString(Annotation("notice", f.File, f.Line, fmt.Sprintf("modelgate %s (%s)", f.Rule, f.Bump), f.Message))
		}
		b.WriteString(verdictLine(m))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Annotation formats one workflow command (error, warning or notice) with
// its data and properties escaped as the runner expects.
func Annotation(level, file string, line int, title, msg string) string {
	prop := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
	data := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	props := []string{}
	if file != "" {
		props = append(props, "file="+prop.Replace(file))
		if line > 0 {
			props = append(props, fmt.Sprintf("line=%d", line))
		}
	}
	props = append(props, "title="+prop.Replace(title))
	return fmt.Sprintf("::%s %s::%s\n", level, strings.Join(props, ","), data.Replace(msg))
}
