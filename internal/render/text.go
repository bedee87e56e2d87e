package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/modelgate/modelgate/check"
)

// Text writes the report for people: one line a finding in the form
// "bump  file:line  path: old -> new  [rule-id]", then the verdict.
func Text(w io.Writer, r *check.Report) error { return text(w, r, true) }

// DiffText writes what modelgate diff shows: the report of Text without
// its problems and verdict, so the findings and the required bump.
func DiffText(w io.Writer, r *check.Report) error { return text(w, r, false) }

func text(w io.Writer, r *check.Report, verdict bool) error {
	var b strings.Builder
	for i, m := range r.Models {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintln(&b, title(m))
		for _, n := range m.Notices {
			fmt.Fprintf(&b, "  note: %s\n", inert(n))
		}
		width := 0
		for _, f := range m.Findings {
			width = max(width, len(findingWhere(&f)))
		}
		for _, f := range m.Findings {
			fmt.Fprintf(&b, "  %-5s  %-*s  %s  [%s]\n", f.Bump, width, findingWhere(&f), change(&f), f.Rule)
			if f.Suppressed != "" {
				fmt.Fprintf(&b, "         suppressed: %s\n", inert(f.Suppressed))
			} else if reason := f.Reason(); reason != "" {
				fmt.Fprintf(&b, "         %s\n", inert(reason))
			}
		}
		if len(m.Findings) == 0 && m.Base != nil {
			b.WriteString("  no changes to the model\n")
		}
		switch {
		case m.Base != nil && m.RequiredBump == check.BumpNone:
			fmt.Fprintf(&b, "  required: no bump, %s may stay; declared %s\n", m.Base.Version, m.DeclaredVersion)
		case m.Base != nil && m.Conservative:
			fmt.Fprintf(&b, "  required: %s bump from %s -> %s, conservatively: %s no rule knows; declared %s\n", m.RequiredBump,
				m.Base.Version, m.RequiredVersion, keys(len(m.UnknownKeys())), m.DeclaredVersion)
		case m.Base != nil:
			fmt.Fprintf(&b, "  required: %s bump from %s -> %s; declared %s\n", m.RequiredBump, m.Base.Version, m.RequiredVersion, m.DeclaredVersion)
		default:
			fmt.Fprintf(&b, "  declared: %s\n", m.DeclaredVersion)
		}
		writeUnknownKeys(&b, m)
		if m.ReleaseNotes.Found {
			fmt.Fprintf(&b, "  release notes: %s\n", inert(*m.ReleaseNotes.Path))
		}
		if !verdict {
			continue
		}
		for _, p := range m.Problems {
			fmt.Fprintf(&b, "  %-7s  %s  %s  [%s]\n", p.Level, problemWhere(&p), inert(p.Message), p.Rule)
			if p.Fix != "" {
				fmt.Fprintf(&b, "           fix: %s\n", inert(p.Fix))
			}
		}
		b.WriteString(verdictLine(m))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// keys counts keys: "1 key", "2 keys".
func keys(n int) string {
	if n == 1 {
		return "1 key"
	}
	return fmt.Sprintf("%d keys", n)
}

// writeUnknownKeys lists the keys no rule knows once, with the rules for
// .modelgate.yaml that would classify them.
func writeUnknownKeys(b *strings.Builder, m *check.ModelReport) {
	unknown := m.UnknownKeys()
	if len(unknown) == 0 {
		return
	}
	shown := make([]string, len(unknown))
	for i, k := range unknown {
		shown[i] = inert(k)
	}
	fmt.Fprintf(b, "  keys no rule knows: %s\n", strings.Join(shown, ", "))
	b.WriteString("  to classify them, add to .modelgate.yaml and set each bump:\n")
	for _, l := range strings.Split(strings.TrimSuffix(check.RuleSnippet(unknown), "\n"), "\n") {
		fmt.Fprintf(b, "    %s\n", inert(l))
	}
}
