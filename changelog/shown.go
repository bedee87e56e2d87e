package changelog

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/yuin/goldmark"
	goldhtml "github.com/yuin/goldmark/renderer/html"
	"golang.org/x/net/html"
)

// markdown renders CommonMark with raw HTML passed through, as GitHub does
// before it sanitises (which only removes). Built on first use: most runs
// draft no release.
var markdown = sync.OnceValue(func() goldmark.Markdown {
	return goldmark.New(goldmark.WithRendererOptions(goldhtml.WithUnsafe()))
})

// tagFilter is GitHub Flavored Markdown's tagfilter: raw HTML of these
// tags is shown as text, its < escaped.
var tagFilter = regexp.MustCompile(`(?i)<(/?(?:title|textarea|style|xmp|iframe|noembed|noframes|script|plaintext)[\s/>])`)

// rendered renders a release body the way GitHub shows it: CommonMark, raw
// HTML passed through, GFM's tagfilter applied.
func rendered(body string) string {
	var b bytes.Buffer
	// Converting into a bytes.Buffer fails only if the buffer does, which
	// panics instead.
	_ = markdown().Convert([]byte(body), &b)
	return tagFilter.ReplaceAllString(b.String(), "&lt;$1")
}

// shown says why what, HTML that body must render as a tag or a comment of
// its own, is not shown: it is missing from the rendered body, it is not a
// token of its own as a browser's tokenizer reads the page (it is inside a
// comment, a tag, or raw text such as <pre>), or it starts inside a
// collapsed <details> element. nil means it is shown.
func shown(body, what string) error { return shownIn(rendered(body), what) }

// shownIn is shown on out, the body already rendered.
func shownIn(out, what string) error {
	i := strings.LastIndex(out, what)
	if i < 0 {
		return fmt.Errorf("%q is not rendered as HTML:\n%s", what, out)
	}
	z := html.NewTokenizer(strings.NewReader(out))
	details, at := 0, 0
	for at < i {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		at += len(z.Raw())
		name, _ := z.TagName()
		switch {
		case tt == html.StartTagToken && string(name) == "details":
			details++
		case tt == html.EndTagToken && string(name) == "details":
			details = max(details-1, 0)
		}
	}
	switch {
	case at != i:
		return fmt.Errorf("%q is not a token of its own (inside a comment, a tag or raw text):\n%s", what, out)
	case details > 0 && !strings.HasPrefix(what, "<!--"):
		return fmt.Errorf("%q is inside %d collapsed <details>:\n%s", what, details, out)
	}
	return nil
}

// Rendered forms of what a body must show.
const (
	truncationHTML = "<blockquote>\n<p><strong>Truncated:</strong>"
	reportHTML     = "<details><summary>Compatibility report"
)

// bodyShown says why a release body hides what it must show: its model
// marker, and the truncation note when it was cut, else the compatibility
// report. nil means nothing is hidden.
func bodyShown(body, model string) error {
	marker := ModelMarker(model)
	out := rendered(body) // once: rendering hostile notes is the cost
	if err := shownIn(out, marker); err != nil {
		return err
	}
	if strings.HasSuffix(body, TruncationNote+"\n\n"+marker+"\n") {
		return shownIn(out, truncationHTML)
	}
	return shownIn(out, reportHTML)
}

// maxLinks is how many "](" (a link's text closed, its destination
// opened) a line of notes may hold before the notes are shown as their
// source, unrendered: goldmark reads each destination to the end of the
// line when it is not closed, in time quadratic in their number (20,000
// "[a](" on one line took 4.7 s to render), and no release note puts a
// thousand links on one line.
const maxLinks = 1000

// tooManyLinks reports whether a line of text holds more than maxLinks
// "](".
func tooManyLinks(text string) bool {
	for line := range strings.SplitSeq(text, "\n") {
		if strings.Count(line, "](") > maxLinks {
			return true
		}
	}
	return false
}

// maxNesting is how many block containers (block quotes, list items) a
// line of notes may open at its start before the notes are shown as their
// source, unrendered: goldmark takes time quadratic in that depth (30,000
// "- " on one line took 11 s to render, 30,000 ">" 7 s), and no release
// note nests a hundred deep.
const maxNesting = 100

// tooNested reports whether a line of text opens more than maxNesting
// block quotes or list items at its start (counted as markers, whether or
// not markdown would read each as one: an excess only costs rendering).
func tooNested(text string) bool {
	for line := range strings.SplitSeq(text, "\n") {
		depth := 0
		for {
			line = strings.TrimLeft(line, " \t")
			switch {
			case line == "":
			case line[0] == '>':
				line = line[1:]
				depth++
				continue
			case strings.IndexByte("-*+", line[0]) >= 0 && len(line) > 1 && (line[1] == ' ' || line[1] == '\t'):
				line = line[2:]
				depth++
				continue
			default:
				digits := len(line) - len(strings.TrimLeft(line, "0123456789"))
				if digits > 0 && digits <= 9 && len(line) > digits+1 && (line[digits] == '.' || line[digits] == ')') &&
					(line[digits+1] == ' ' || line[digits+1] == '\t') {
					line = line[digits+2:]
					depth++
					continue
				}
			}
			break
		}
		if depth > maxNesting {
			return true
		}
	}
	return false
}

// asSource returns notes as a fenced code block that nothing inside can
// close: its fence is longer than any run of backticks in notes. Markdown
// shows such a block as its text, every < escaped. cut, if at least 0, is
// the most characters the block may take; the notes lose their end to fit,
// and "" is returned if not even the fences fit.
func asSource(notes string, cut int) string {
	longest, run := 0, 0
	for i := 0; i < len(notes); i++ {
		if notes[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", max(3, longest+1))
	if cut >= 0 {
		room := cut - 2*len(fence) - 2
		if room < 0 {
			return ""
		}
		notes = notes[:runeOffset(notes, room)]
	}
	return fence + "\n" + notes + "\n" + fence
}
