package changelog

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/modelgate/modelgate/check"
	"github.com/modelgate/modelgate/internal/render"
)

// MaxBody is the longest release body GitHub accepts, in characters.
const MaxBody = 125000

// ModelMarker returns the hidden marker that names the model in a release
// body, so a draft can be found again by the model it belongs to.
func ModelMarker(name string) string { return "<!-- modelgate:model=" + name + " -->" }

// TruncationNote ends a release body that was cut to MaxBody.
const TruncationNote = "\n\n> **Truncated:** this release body exceeded GitHub's 125,000-character limit; " +
	"the full compatibility report is in the attached version record.\n"

// Body renders the GitHub release body: the notes as people wrote them, the
// compatibility report (the findings table, collapsed), and the hidden model
// marker. A body over MaxBody characters loses findings rows from the end,
// then the end of the notes, gains a visible truncation note, and always
// keeps the marker.
func Body(m *check.ModelReport) string {
	notes := strings.TrimRight(m.NotesText, "\n")
	if notes == "" {
		notes = fmt.Sprintf("# %s v%s", m.Name, m.DeclaredVersion)
	}
	marker := "\n\n" + ModelMarker(m.Name) + "\n"
	head, rows, tail := compatibility(m)
	size := func(parts ...string) int {
		n := 0
		for _, p := range parts {
			n += utf8.RuneCountInString(p)
		}
		return n
	}
	full := size(notes, head, tail, marker)
	for _, r := range rows {
		full += size(r)
	}
	if full <= MaxBody {
		return notes + head + strings.Join(rows, "") + tail + marker
	}
	more := func(n int) string {
		return fmt.Sprintf("\n%d more findings are in the version record.\n", n)
	}
	budget := MaxBody - size(marker, TruncationNote)
	used := size(notes, head, tail, more(len(rows)))
	if used <= budget {
		var b strings.Builder
		b.WriteString(notes + head)
		kept := 0
		for _, r := range rows {
			if used+size(r) > budget {
				break
			}
			b.WriteString(r)
			used += size(r)
			kept++
		}
		b.WriteString(more(len(rows)-kept) + tail + TruncationNote + marker)
		return b.String()
	}
	rs := []rune(notes)
	if len(rs) > budget {
		rs = rs[:budget]
	}
	return string(rs) + TruncationNote + marker
}

// compatibility renders the collapsed findings table in three parts: the
// opening (summary and table header), one row per finding, and the closing.
func compatibility(m *check.ModelReport) (head string, rows []string, tail string) {
	const closing = "\n</details>"
	if m.Base == nil {
		return fmt.Sprintf("\n\n<details><summary>Compatibility report: first release of %s</summary>\n\nNo baseline to compare with.\n", m.Name), nil, closing
	}
	head = fmt.Sprintf("\n\n<details><summary>Compatibility report: %s bump required since %s (%d findings)</summary>\n\n", m.RequiredBump, m.Base.Ref, len(m.Findings))
	if len(m.Findings) == 0 {
		return head + "No changes to the model.\n", nil, closing
	}
	head += render.FindingsTableHeader
	for _, f := range m.Findings {
		rows = append(rows, render.FindingRow(f))
	}
	return head, rows, closing
}
