package changelog

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/modelgate/modelgate/check"
)

// fuzzReport is a model report with notes and n findings; no baseline when
// n is 0.
func fuzzReport(notes string, n int) *check.ModelReport {
	m := &check.ModelReport{Name: "lite-llm-base", DeclaredVersion: "2.2.0", NotesText: notes,
		Head: check.Ref{Ref: "HEAD", Commit: "4be0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c"}}
	if n > 0 {
		m.Base = &check.Ref{Ref: "lite-llm-base-v2.1.3", Version: "2.1.3"}
		m.RequiredBump = check.BumpMinor
		for i := range n {
			m.Findings = append(m.Findings, check.Finding{Rule: "tensor-added", Bump: check.BumpMinor, File: "model.safetensors.index.json",
				Path: fmt.Sprintf("weight_map.model.layers.%d.mlp.gate.weight", i)})
		}
	}
	return m
}

// checkBody holds body(m, maxBody) to its contract: within the limit, the
// marker last, the truncation note shown whenever the body was cut, and the
// compatibility report shown whenever it is there.
func checkBody(t testing.TB, m *check.ModelReport, maxBody int) string {
	b := body(m, maxBody)
	if n := utf8.RuneCountInString(b); n > maxBody {
		t.Fatalf("body of %d characters, more than %d", n, maxBody)
	}
	marker := "\n\n" + ModelMarker(m.Name) + "\n"
	if !strings.HasSuffix(b, marker) {
		t.Fatalf("the body does not end with the marker: %q", b)
	}
	if err := shown(b, ModelMarker(m.Name)); err != nil {
		t.Fatalf("marker: %v", err)
	}
	if strings.HasSuffix(b, TruncationNote+marker) {
		if err := shown(b, truncationHTML); err != nil {
			t.Fatalf("truncated, and the note is hidden: %v\nbody: %q", err, b)
		}
	} else if err := shown(b, reportHTML); err != nil {
		t.Fatalf("the report is hidden: %v\nbody: %q", err, b)
	}
	return b
}

// TestBodyCutKeepsTheNoteVisible: notes too long for the body are cut only
// where the truncation note that follows renders: never inside a code
// fence, an HTML comment, raw HTML or a <details> element.
func TestBodyCutKeepsTheNoteVisible(t *testing.T) {
	long := func(unit string) string { return strings.Repeat(unit, 600) }
	for _, tt := range []struct{ name, notes, keep string }{
		{"paragraphs", long("Faster routing for long documents.\n\n"), "Faster routing"},
		{"code fence", "Convert old checkpoints:\n\n```python\n" + long("convert(ckpt)  # one layer at a time\n") + "```\n\nDone.\n", "Convert old checkpoints:"},
		{"tilde fence", "Steps:\n\n~~~~\n" + long("step\n~~~\n") + "~~~~\n", "Steps:"},
		{"unclosed fence", "Steps:\n\n```\n" + long("code line\n"), "Steps:"},
		{"html comment", "Intro.\n\n<!--\n" + long("a hidden line of the template\n") + "-->\n\nOutro.\n", "Intro."},
		// The line that opens the comment is not kept: cuts are at line ends.
		{"inline comment opened", "Intro.\nThen <!-- a comment\n" + long("that goes on\n") + "-->\n", "Intro.\n\n"},
		{"details", "Intro.\n\n<details><summary>Benchmarks</summary>\n\n" + long("| bench | 1.0 |\n") + "\n</details>\n\nOutro.\n", "Intro."},
		{"nested details", "<details>\n<details>\n" + long("row\n") + "</details>\n</details>\n", ""},
		{"pre", "Intro.\n\n<pre>\n" + long("raw output line\n") + "</pre>\n", "Intro."},
		{"one long line", long("word "), "word word"},
		{"one long line in a comment", "<!-- " + long("word ") + " -->", ""},
		{"code span with a tag", long("Use `<details>` and `<!--` freely. "), "Use"},
		{"crlf fence", strings.ReplaceAll("Intro.\n\n```\n"+long("code\n")+"```\n", "\n", "\r\n"), "Intro."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, n := range []int{0, 3} {
				b := checkBody(t, fuzzReport(tt.notes, n), 2000)
				if !strings.HasSuffix(b, TruncationNote+"\n\n"+ModelMarker("lite-llm-base")+"\n") {
					t.Fatalf("not truncated: %q", b)
				}
				if !strings.HasPrefix(b, tt.keep) {
					t.Errorf("the body does not start with %q: %q", tt.keep, b[:min(len(b), 200)])
				}
			}
		})
	}
}

// TestBodyClosesWhatNotesLeaveOpen: notes that end inside a fence, a
// comment or a <details> element do not swallow the report after them.
func TestBodyClosesWhatNotesLeaveOpen(t *testing.T) {
	for _, notes := range []string{
		"Steps:\n\n```\nconvert()\n",
		"Intro.\n\n<!-- TODO: benchmarks\n",
		"<details><summary>More</summary>\n\nText.\n",
		"<details><details>\n\n````\ncode\n",
		"<pre>\nraw\n",
	} {
		b := checkBody(t, fuzzReport(notes, 2), MaxBody)
		if strings.Contains(b, "Truncated") {
			t.Errorf("%q: truncated", notes)
		}
	}
}

// FuzzBody holds the release body to its contract for any notes, number
// of findings and size limit; the truncation note and the report are
// checked with an independent CommonMark renderer.
func FuzzBody(f *testing.F) {
	for _, seed := range []struct {
		notes    string
		findings uint8
		budget   uint16
	}{
		{"Top-1 routing.\n", 0, 9000},
		{"Notes.\n\n```\ncode\n```\n", 40, 300},
		{"<!-- template -->\nText.\n" + strings.Repeat("More text. ", 60), 0, 200},
		{"<details>\n\n" + strings.Repeat("row\n", 80) + "</details>\n", 5, 150},
		{"~~~\n" + strings.Repeat("x\n", 100) + "~~~\n", 0, 100},
		{"Use `<!--` literally.\r\n\r\n<pre>\r\nout\r\n</pre>\r\n", 1, 50},
	} {
		f.Add(seed.notes, seed.findings, seed.budget)
	}
	f.Fuzz(func(t *testing.T, notes string, findings uint8, budget uint16) {
		if !utf8.ValidString(notes) {
			return // notes are read as UTF-8 text
		}
		m := fuzzReport(notes, int(findings%64))
		floor := utf8.RuneCountInString("\n\n" + ModelMarker(m.Name) + "\n" + TruncationNote)
		checkBody(t, m, floor+1+int(budget)%6000)
	})
}

// TestBodyLeavesOrdinaryNotesAlone: notes with nothing open get nothing
// appended, whatever < they hold.
func TestBodyLeavesOrdinaryNotesAlone(t *testing.T) {
	for _, notes := range []string{
		"Top-1 routing.",
		"Use a learning rate x<y and a<b; see <https://example.com>.",
		"Intro <!-- a note to self",
		"A <details> tag in prose, `<details>` in code, and </details> closed.",
		"```\ncode\n```",
		"<!-- hidden -->\nShown.",
	} {
		m := fuzzReport(notes, 0)
		b := checkBody(t, m, MaxBody)
		if !strings.HasPrefix(b, notes+"\n\n<details><summary>Compatibility report") {
			t.Errorf("%q: notes changed: %q", notes, b)
		}
	}
}

// TestShown holds the check that release bodies are verified with to what
// GitHub and a browser show.
func TestShown(t *testing.T) {
	const note = "\n\n> **Truncated:** cut.\n"
	for _, tt := range []struct {
		name, body string
		ok         bool
	}{
		{"plain", "Notes." + note, true},
		{"closed details", "<details>\n\nText.\n\n</details>" + note, true},
		{"open details", "<details>\n\nText." + note, false},
		{"details in a code span", "Use `<details>`." + note, true},
		{"details after an escaped backtick", "``<A````>\\```<detAils>00```" + note, false},
		{"open comment", "<!--\nText." + note, false},
		{"open fence", "```\ncode" + note, false},
		{"open pre", "<pre>\nout" + note, false},
		{"tag left open in an HTML block", "<div title=\"x\n\nText." + note, false},
		{"textarea block", "<textarea>\n\nText." + note, false},
		{"textarea in text is filtered", "Text <textarea> text." + note, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := shown(tt.body, truncationHTML)
			if (err == nil) != tt.ok {
				t.Errorf("shown(%q) = %v, want shown: %v", tt.body, err, tt.ok)
			}
		})
	}
}

// TestBodyShowsNotesAsSourceWhenTheyHideTheRest: notes whose markdown
// hides what follows them in a way the cut does not foresee (here a
// backslash-escaped backtick that leaves a <details> outside any code span)
// are shown as their source, whole when they fit, and the report or the
// truncation note stays visible.
func TestBodyShowsNotesAsSourceWhenTheyHideTheRest(t *testing.T) {
	notes := "Changes ``<A````>\\```<detAils> and ```"
	for _, tt := range []struct {
		name     string
		max      int
		cut      bool
		wantHead string
	}{
		{"fits", MaxBody, false, "`````\n" + notes + "\n`````\n\n<details><summary>Compatibility report"},
		{"cut", 300, true, "`````\nChanges ``<A"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := checkBody(t, fuzzReport(notes, 2), tt.max)
			if !strings.HasPrefix(b, tt.wantHead) {
				t.Errorf("body starts %q, want %q", b[:min(len(b), 120)], tt.wantHead)
			}
			if got := strings.Contains(b, "Truncated"); got != tt.cut {
				t.Errorf("truncated: %v, want %v: %q", got, tt.cut, b)
			}
		})
	}
}
