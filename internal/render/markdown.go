package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/modelgate/modelgate/check"
	"github.com/modelgate/modelgate/internal/abbrev"
)

// Markdown writes the report for a step summary, a pull request comment or
// a release body.
func Markdown(w io.Writer, r *check.Report) error {
	var b strings.Builder
	for _, m := range r.Models {
		icon, verdict := "✅", "passes the release gate"
		switch {
		case !m.Passed:
			icon, verdict = "❌", "fails the release gate"
		case !m.Gated:
			verdict = "passes the release gate as work in progress"
		}
		fmt.Fprintf(&b, "### %s `%s` %s\n\n", icon, inert(m.Name), verdict)
		if m.Base == nil {
			fmt.Fprintf(&b, "First release: `%s` at `%s` (`%s`).\n\n", inert(m.NextIdentifier), inert(m.Head.Ref), abbrev.Commit(m.Head.Commit))
		} else {
			fmt.Fprintf(&b, "`%s` (`%s`) → `%s` (`%s`): the changes require a **%s** bump, to **%s**; declared **%s**.\n\n",
				inert(m.Base.Ref), abbrev.Commit(m.Base.Commit), inert(m.Head.Ref), abbrev.Commit(m.Head.Commit), m.RequiredBump, m.RequiredVersion, m.DeclaredVersion)
		}
		if unknown := m.UnknownKeys(); len(unknown) > 0 {
			if m.Conservative {
				fmt.Fprintf(&b, "The %s bump is conservative: it rests on %s no rule knows. ", m.RequiredBump, keys(len(unknown)))
			}
			shown := make([]string, len(unknown))
			for i, k := range unknown {
				shown[i] = "`" + inert(k) + "`"
			}
			fmt.Fprintf(&b, "Keys no rule knows: %s; a rule in `.modelgate.yaml` classifies them (`modelgate check` prints one for each).\n\n", strings.Join(shown, ", "))
		}
		for _, n := range m.Notices {
			fmt.Fprintf(&b, "> %s\n\n", MarkdownEscape(n))
		}
		if len(m.Problems) > 0 {
			b.WriteString("| | rule | where | problem | fix |\n|---|---|---|---|---|\n")
			for _, p := range m.Problems {
				mark := "❌"
				if p.Level == check.LevelWarning {
					mark = "⚠️"
				}
				fmt.Fprintf(&b, "| %s | `%s` | `%s` | %s | %s |\n", mark, p.Rule, problemWhere(&p), MarkdownEscape(p.Message), MarkdownEscape(p.Fix))
			}
			b.WriteString("\n")
		}
		if len(m.Findings) > 0 {
			b.WriteString(FindingsTable(m.Findings))
			b.WriteString("\n")
		}
		if m.ReleaseNotes.Found {
			fmt.Fprintf(&b, "Release notes: `%s`\n\n", inert(*m.ReleaseNotes.Path))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// FindingsTableHeader opens the markdown table of FindingsTable.
const FindingsTableHeader = "| bump | rule | path | old | new | where |\n|---|---|---|---|---|---|\n"

// FindingsTable renders findings as a markdown table.
func FindingsTable(findings []check.Finding) string {
	var b strings.Builder
	b.WriteString(FindingsTableHeader)
	for _, f := range findings {
		b.WriteString(FindingRow(f))
	}
	return b.String()
}

// FindingRow renders one finding as a row of FindingsTable.
func FindingRow(f check.Finding) string {
	rule := "`" + f.Rule + "`"
	if f.Suppressed != "" {
		rule += " (suppressed: " + MarkdownEscape(f.Suppressed) + ")"
	}
	what := "`" + MarkdownEscape(f.Path) + "`"
	if s := f.Summary(); s != "" {
		what = MarkdownEscape(s)
	}
	return fmt.Sprintf("| %s | %s | %s | %s | %s | `%s` |\n", f.Bump, rule, what, mdCode(f.OldText()), mdCode(f.NewText()), findingWhere(&f))
}

// MarkdownEscape escapes text from a repository for a markdown table cell.
func MarkdownEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;").Replace(inert(s))
}

// mdCode renders a value as inline code in a table cell.
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	return "`" + strings.ReplaceAll(abbrev.Value(inert(s)), "|", `\|`) + "`"
}
