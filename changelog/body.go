package changelog

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/modelgate/modelgate/check"
	"github.com/modelgate/modelgate/internal/inert"
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

// Body renders the GitHub release body: the notes as people wrote them
// (inert: control characters escaped, no line that starts a workflow
// command), the compatibility report (the findings table, collapsed), and the hidden model
// marker. A body over MaxBody characters loses findings rows from the end,
// then the end of the notes, gains a visible truncation note, and always
// keeps the marker.
//
// Notes are cut only at the end of a line where nothing they opened is
// still open (a code fence, an HTML comment or other raw HTML block, a
// <details> element), so the truncation note and the report after them are
// rendered, not swallowed; notes that leave something open at their end get
// it closed. The body is then rendered as GitHub does (CommonMark, raw
// HTML, GFM's tagfilter) and read as a browser would: if the notes still
// hide the truncation note, the report or the marker, they are shown as
// their markdown source in a code block instead, which nothing can escape.
func Body(m *check.ModelReport) string { return body(m, MaxBody) }

func body(m *check.ModelReport, maxBody int) string {
	// A lone CR ends a line in markdown as CRLF does; LF alone keeps the
	// scan below simple and renders the same.
	notes := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(m.NotesText)
	notes = inert.Text(notes)
	notes = strings.TrimRight(notes, "\n")
	if notes == "" {
		notes = fmt.Sprintf("# %s v%s", m.Name, m.DeclaredVersion)
	}
	source := func() string {
		return assemble(m, asSource(notes, -1), maxBody, func(_ string, budget int) string {
			return asSource(notes, budget)
		})
	}
	if !tooNested(notes) && !tooManyLinks(notes) {
		b := assemble(m, notes+scanMarkdown(notes).closers(), maxBody, cutMarkdown)
		if bodyShown(b, m.Name) == nil {
			// What closes the notes (a </details> for each left open) can
			// make them too long, and cutting them where the truncation
			// note shows can leave nothing, where their source fits whole:
			// then the source rather than lost notes.
			if truncated(b, m.Name) {
				if s := source(); !truncated(s, m.Name) {
					return s
				}
			}
			return b
		}
	}
	// The notes hide what follows them in a way the scan above did not
	// foresee, or nest too deep or open too many links on a line to be
	// rendered in reasonable time: show them as their markdown source
	// instead, in a block nothing inside can close.
	return source()
}

// truncated reports whether body, the release body of model, was cut to
// fit: it ends with the truncation note.
func truncated(body, model string) bool {
	return strings.HasSuffix(body, TruncationNote+"\n\n"+ModelMarker(model)+"\n")
}

// assemble joins notes, the compatibility report and the model marker into
// a body of at most maxBody characters: findings rows are dropped from the
// end first, then notes are cut to a budget by cut, and a truncation note
// says so.
func assemble(m *check.ModelReport, notes string, maxBody int, cut func(notes string, budget int) string) string {
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
	if full <= maxBody {
		return notes + head + strings.Join(rows, "") + tail + marker
	}
	more := func(n int) string {
		return fmt.Sprintf("\n%d more findings are in the version record.\n", n)
	}
	budget := maxBody - size(marker, TruncationNote)
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
	return cut(notes, budget) + TruncationNote + marker
}

// cutMarkdown returns the longest prefix of text of at most budget
// characters that ends a line, or a word of a line too long to keep whole,
// with nothing left open (mdState.clear).
func cutMarkdown(text string, budget int) string {
	var st mdState
	cut, used := 0, 0
	for start := 0; start < len(text); {
		end := strings.IndexByte(text[start:], '\n') + start + 1
		if end == start {
			end = len(text)
		}
		line := text[start:end]
		n := utf8.RuneCountInString(line)
		if used+n > budget {
			// A line too long to keep whole may be cut between words,
			// if that leaves nothing open.
			part := line[:runeOffset(line, budget-used)]
			if i := strings.LastIndexByte(part, ' '); i > 0 {
				part = part[:i]
			}
			if probe := st; part != "" {
				probe.line(part)
				if probe.clear() {
					cut = start + len(part)
				}
			}
			break
		}
		used += n
		st.line(strings.TrimSuffix(line, "\n"))
		if st.clear() {
			cut = end
		}
		start = end
	}
	return text[:cut]
}

// runeOffset returns the byte offset of the n-th rune of s (len(s) if s is
// shorter).
func runeOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// mdState is what a markdown text has left open after some lines, as far
// as it can hide what follows: a fenced code block, raw HTML that runs until
// an end marker (a comment, <pre>, <script>, <style>, <textarea>, a tag
// whose > is still to come; at the start of a line also processing
// instructions, declarations and CDATA), and <details> elements, which
// collapse everything up to their end tag. It errs on the side of open: an
// opener that markdown would show as text counts too, and so does a tag in
// a code span on a line of an HTML block, where backticks are plain text.
type mdState struct {
	fence   string // the opening fence's run of ` or ~
	rawEnd  string // what ends the open raw HTML, lower-case
	then    string // the raw HTML's end after rawEnd (a <pre whose > is to come)
	details int
	html    bool // in an HTML block
	marker  bool // the HTML block ends at its end marker, not a blank line
	// dangling: an HTML block ended with its last tag unclosed (rawEnd >)
	dangling bool
	para     bool // in a paragraph, which a lone tag cannot interrupt
}

func (s mdState) clear() bool { return s.fence == "" && s.rawEnd == "" && s.details == 0 }

// closers returns text that closes what s has open.
func (s mdState) closers() string {
	var b strings.Builder
	if s.fence != "" {
		b.WriteString("\n" + s.fence)
	}
	if s.dangling {
		b.WriteString("\n\n<!-- -->") // HTML whose > closes the tag
		if s.then != "" {
			b.WriteString("\n" + s.then)
		}
	} else if s.rawEnd != "" {
		b.WriteString("\n" + s.rawEnd)
		if s.then != "" {
			b.WriteString("\n" + s.then)
		}
	}
	for range s.details {
		b.WriteString("\n</details>")
	}
	return b.String()
}

// scanMarkdown returns what text leaves open at its end, before the blank
// line that follows notes in a body.
func scanMarkdown(text string) mdState {
	var st mdState
	for _, line := range strings.Split(text, "\n") {
		st.line(line)
	}
	if !st.html && !st.dangling && (st.rawEnd == ">" || st.rawEnd == "-->") {
		st.rawEnd, st.then = "", "" // text in a paragraph: the blank line ends it
	}
	return st
}

// blockOpeners open raw HTML at the start of a line (after up to three
// spaces) that runs until their end.
var blockOpeners = []struct{ start, end string }{
	{"<?", "?>"}, {"<![cdata[", "]]>"}, {"<!", ">"},
}

// rawElements hold raw text up to their end tag.
var rawElements = map[string]bool{"pre": true, "script": true, "style": true, "textarea": true}

// blockTags are the tag names that start an HTML block (CommonMark type 6)
// even inside a paragraph; rawElements start type 1.
var blockTags = map[string]bool{}

func init() {
	for _, n := range strings.Fields(`address article aside base basefont blockquote body caption center col
		colgroup dd details dialog dir div dl dt fieldset figcaption figure footer form frame frameset h1 h2
		h3 h4 h5 h6 head header hr html iframe legend li link main menu menuitem nav noframes ol optgroup
		option p param search section summary table tbody td tfoot th thead title tr track ul`) {
		blockTags[n] = true
	}
}

// loneTag matches a line that is one complete tag (CommonMark type 7).
var loneTag = regexp.MustCompile(`^</?[a-z][a-z0-9-]*(?:\s[^<>]*)?/?>\s*$`)

// line advances s over one line of markdown.
func (s *mdState) line(line string) {
	lower := strings.ToLower(line)
	if s.fence != "" {
		body := strings.TrimLeft(line, " ")
		run := leadingRun(body, s.fence[0])
		if len(line)-len(body) <= 3 && len(run) >= len(s.fence) && strings.TrimSpace(body[len(run):]) == "" {
			s.fence = ""
		}
		return
	}
	// A tag or comment left open in a paragraph is text unless the
	// paragraph closes it: a blank line ends the paragraph, and so does a
	// line that starts a fence or an HTML block.
	inParagraph := !s.html && !s.dangling && (s.rawEnd == ">" || s.rawEnd == "-->")
	if strings.TrimSpace(line) == "" {
		switch {
		case inParagraph:
			s.rawEnd, s.then = "", ""
		case s.rawEnd == ">" && s.html && !s.marker:
			// The HTML block ends with a tag still open: a browser
			// closes it at the > of whatever HTML comes next.
			s.dangling = true
		}
		if s.rawEnd == "" || s.dangling {
			s.html, s.para = false, false
		}
		return
	}
	if s.dangling {
		// This line's HTML closes the dangling tag; the raw element it
		// opened, if any, starts.
		s.rawEnd, s.then, s.dangling = s.then, "", false
	}
	if (s.rawEnd == "" || inParagraph) && !s.html {
		body := strings.TrimLeft(lower, " ")
		if len(lower)-len(body) <= 3 {
			for _, c := range []byte{'`', '~'} {
				if run := leadingRun(body, c); len(run) >= 3 && (c == '~' || !strings.Contains(body[len(run):], "`")) {
					s.fence, s.rawEnd, s.then, s.para = run, "", "", false
					return
				}
			}
			name, _ := tagName(body)
			switch {
			case strings.HasPrefix(body, "<!--") || strings.HasPrefix(body, "<?") || strings.HasPrefix(body, "<![cdata[") ||
				strings.HasPrefix(body, "<!") && len(body) > 2 && body[2] >= 'a' && body[2] <= 'z' || rawElements[name]:
				// Types 1 to 5: raw up to their end marker.
				s.html, s.marker, s.rawEnd, s.then = true, true, "", ""
				for _, o := range blockOpeners {
					if strings.HasPrefix(body, o.start) && !strings.HasPrefix(body, "<!--") {
						if !strings.Contains(body[len(o.start):], o.end) {
							s.rawEnd = o.end
							return
						}
						break
					}
				}
			case blockTags[name] || !s.para && loneTag.MatchString(body):
				s.html, s.rawEnd, s.then = true, "", ""
			}
		}
		if !s.html {
			s.para = true
		}
	}
	s.inline(lower)
	if s.marker && s.rawEnd == "" {
		s.html, s.marker = false, false // the block ended on this line
	}
}

// inline scans a lower-cased line for raw HTML openers and ends and for
// <details> tags, skipping code spans outside HTML blocks.
func (s *mdState) inline(lower string) {
	for i := 0; i < len(lower); i++ {
		if s.rawEnd != "" {
			j := strings.Index(lower[i:], s.rawEnd)
			if s.rawEnd == ">" {
				// Inside a tag as a browser reads it; markdown may read a
				// <details> there as a tag of its own: count it open.
				seg := lower[i:]
				if j >= 0 {
					seg = seg[:j]
				}
				s.details += countOpens(seg)
			}
			if j < 0 {
				return
			}
			i += j + len(s.rawEnd) - 1
			s.rawEnd, s.then = s.then, ""
			continue
		}
		rest := lower[i:]
		if rest[0] == '`' && !s.html {
			run := leadingRun(rest, '`')
			if end := closingRun(rest[len(run):], len(run)); end >= 0 {
				i += len(run) + end + len(run) - 1 // skip the code span
			} else {
				i += len(run) - 1
			}
			continue
		}
		if rest[0] != '<' {
			continue
		}
		if strings.HasPrefix(rest, "<!--") {
			s.rawEnd = "-->"
			i += len("<!--") - 1
			continue
		}
		name, closing := tagName(rest)
		if name == "" {
			// A browser reads <!…>, <?…> and </ and a non-letter as a
			// bogus comment up to the next >.
			if len(rest) > 1 && (rest[1] == '!' || rest[1] == '?' || rest[1] == '/' && !strings.HasPrefix(rest, "</>")) {
				s.rawEnd = ">"
				i++
			}
			continue
		}
		n := 0 // the tag's length when it ends on this line
		if !s.html {
			// In markdown text, what is not a tag by CommonMark's grammar
			// is text (escaped, never seen by a browser as a tag), and
			// code spans inside it count as code spans.
			if n = markdownTag(rest); n < 0 {
				continue
			}
		}
		switch {
		case name == "details" && closing:
			s.details = max(s.details-1, 0)
		case name == "details":
			s.details++
		case rawElements[name] && !closing:
			s.then = "</" + name + ">"
		}
		if n > 0 {
			i += n - 1
			s.rawEnd, s.then = s.then, ""
			continue
		}
		// The tag runs to its >, which may be lines away; then the raw
		// element it opens, if any.
		s.rawEnd = ">"
	}
}

// markdownTag returns the length of the HTML tag that text starts with,
// by CommonMark's grammar of open and closing tags (a tag name, attributes
// with unquoted, single- or double-quoted values, an optional /, >): -1 if
// text starts no tag, 0 if the tag may go on past the end of the line.
func markdownTag(text string) int {
	i := 1
	closing := strings.HasPrefix(text, "</")
	if closing {
		i = 2
	}
	isName := func(c byte, first bool) bool {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || !first && (c >= '0' && c <= '9' || c == '-')
	}
	space := func() int { // skips white space, returns how much
		j := i
		for i < len(text) && (text[i] == ' ' || text[i] == '\t' || text[i] == '\f' || text[i] == '\r') {
			i++
		}
		return i - j
	}
	if i >= len(text) || !isName(text[i], true) {
		return -1
	}
	for i < len(text) && isName(text[i], false) {
		i++
	}
	for {
		sp := space()
		if i >= len(text) {
			return 0
		}
		switch c := text[i]; {
		case c == '>':
			return i + 1
		case c == '/' && !closing:
			if i+1 >= len(text) {
				return 0
			}
			if text[i+1] == '>' {
				return i + 2
			}
			return -1
		case closing || sp == 0:
			return -1
		case c == '_' || c == ':' || isName(c, true):
			i++
			for i < len(text) && (isName(text[i], false) || strings.IndexByte("_.:", text[i]) >= 0) {
				i++
			}
			save := i
			space()
			if i >= len(text) {
				return 0
			}
			if text[i] != '=' {
				i = save
				continue
			}
			i++
			space()
			if i >= len(text) {
				return 0
			}
			switch q := text[i]; q {
			case '"', '\'':
				end := strings.IndexByte(text[i+1:], q)
				if end < 0 {
					return 0
				}
				i += end + 2
			default:
				j := i
				for i < len(text) && strings.IndexByte(" \t\f\r\"'=<>`", text[i]) < 0 {
					i++
				}
				if i == j {
					return -1
				}
			}
		default:
			return -1
		}
	}
}

// countOpens counts the <details> start tags in text.
func countOpens(text string) int {
	n := 0
	for {
		i := strings.Index(text, "<details")
		if i < 0 {
			return n
		}
		if tagEnds(text[i+len("<details"):]) {
			n++
		}
		text = text[i+1:]
	}
}

// tagName returns the lower-case name of the tag text starts with, and
// whether it is an end tag; "" if text does not start a tag. As in a
// browser, < and a letter start a tag whose name runs to a space, / or >.
func tagName(text string) (name string, closing bool) {
	if !strings.HasPrefix(text, "<") {
		return "", false
	}
	text = text[1:]
	if closing = strings.HasPrefix(text, "/"); closing {
		text = text[1:]
	}
	if text == "" || text[0] < 'a' || text[0] > 'z' {
		return "", false
	}
	n := strings.IndexAny(text, " \t\f/>")
	if n < 0 {
		n = len(text)
	}
	return text[:n], closing
}

func tagEnds(rest string) bool {
	return rest == "" || rest[0] == '>' || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '/'
}

// closingRun returns the offset in text of the first run of exactly n
// backticks, which closes a code span opened by n, or -1.
func closingRun(text string, n int) int {
	for i := 0; i < len(text); {
		if text[i] != '`' {
			i++
			continue
		}
		run := leadingRun(text[i:], '`')
		if len(run) == n {
			return i
		}
		i += len(run)
	}
	return -1
}

// leadingRun returns the run of c that text starts with.
func leadingRun(text string, c byte) string {
	n := 0
	for n < len(text) && text[n] == c {
		n++
	}
	return text[:n]
}

// compatibility renders the collapsed findings table in three parts: the
// opening (summary and table header), one row per finding, and the closing.
func compatibility(m *check.ModelReport) (head string, rows []string, tail string) {
	const closing = "\n</details>"
	if m.Base == nil {
		return fmt.Sprintf("\n\n<details><summary>Compatibility report: first release of %s</summary>\n\nNo baseline to compare with.\n", m.Name), nil, closing
	}
	head = fmt.Sprintf("\n\n<details><summary>Compatibility report: %s bump required since %s (%d findings)</summary>\n\n", m.RequiredBump, inert.String(m.Base.Ref), m.FindingCount())
	if len(m.Findings) == 0 {
		return head + "No changes to the model.\n", nil, closing
	}
	head += render.FindingsTableHeader
	for _, f := range m.Findings {
		rows = append(rows, render.FindingRow(f))
	}
	return head, rows, closing
}
