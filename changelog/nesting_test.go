package changelog

import (
	"strings"
	"testing"
)

// TestBodyShowsDeepNestingAsSource: notes whose lines open more block
// quotes or list items than maxNesting, or hold more "](" than maxLinks
// (which goldmark renders in time quadratic in their number), are shown as
// their source in a code block, the report still shown; other notes are
// rendered as they are.
func TestBodyShowsDeepNestingAsSource(t *testing.T) {
	deep := maxNesting + 1
	for _, tt := range []struct {
		name   string
		notes  string
		source bool
	}{
		{"quotes with spaces", strings.Repeat("> ", deep) + "x", true},
		{"quotes without spaces", "Intro.\n\n" + strings.Repeat(">", deep) + " x", true},
		{"bullets", strings.Repeat("- ", deep) + "x", true},
		{"stars and pluses indented", strings.Repeat(" * + ", deep/2+1) + "x", true},
		{"ordered items", strings.Repeat("1. ", deep) + "x", true},
		{"ordered items with parentheses and tabs", strings.Repeat("12)\t", deep) + "x", true},
		{"quotes at the limit", strings.Repeat("> ", maxNesting) + "x", false},
		{"ordinary nesting", "- a\n  - b\n    > quoted\n    > - item", false},
		{"many markers not at the start", "x " + strings.Repeat("> ", deep), false},
		{"dashes without spaces", strings.Repeat("-", 3*deep), false},
		{"numbers too long for a list", strings.Repeat("1234567890. ", deep), false},
		{"unclosed links on a line", "Links: " + strings.Repeat("[a](", maxLinks+1), true},
		{"unclosed links with angle brackets", strings.Repeat("[a](<", maxLinks+1), true},
		{"links at the limit on a line", strings.Repeat("[a](", maxLinks), false},
		{"as many links, a line each", strings.Repeat("[a](x)\n", 2*maxLinks), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := checkBody(t, fuzzReport(tt.notes, 2), MaxBody)
			wantSource := "```\n" + tt.notes + "\n```\n\n<details><summary>Compatibility report"
			if got := strings.HasPrefix(b, wantSource); got != tt.source {
				t.Errorf("shown as source: %v, want %v; body starts %q", got, tt.source, b[:min(len(b), 160)])
			}
		})
	}
}

// TestBodyKeepsNotesTheirClosersWouldPushOut: notes that leave thousands
// of <details> open need a </details> each, which makes them too long;
// cut where the truncation note shows, nothing of them was left, under a
// note saying the body was too long. Their source fits whole: it is shown.
func TestBodyKeepsNotesTheirClosersWouldPushOut(t *testing.T) {
	notes := "Release notes.\n\n" + strings.Repeat("<details>", 7000)
	b := checkBody(t, fuzzReport(notes, 2), MaxBody)
	if want := "```\n" + notes + "\n```\n\n<details><summary>Compatibility report"; !strings.HasPrefix(b, want) {
		t.Errorf("body starts %q, want the notes' source whole", b[:min(len(b), 160)])
	}
	if truncated(b, "lite-llm-base") {
		t.Error("the body says it was truncated")
	}
	// Ordinary notes too long for the body are still cut as markdown.
	long := strings.Repeat("A line of notes.\n\n", MaxBody/18+1)
	if b := checkBody(t, fuzzReport(long, 2), MaxBody); strings.HasPrefix(b, "```") || !truncated(b, "lite-llm-base") {
		t.Errorf("long ordinary notes: body starts %q, truncated %v; want markdown, truncated", b[:40], truncated(b, "lite-llm-base"))
	}
}

// BenchmarkBodyHostile: release bodies of 125,000 characters of markdown
// goldmark renders slowly, just under the limits that show notes as their
// source, and over them.
func BenchmarkBodyHostile(b *testing.B) {
	for _, c := range []struct{ name, notes string }{
		{"links-under-limit", strings.Repeat(strings.Repeat("[a](", maxLinks)+"\n", 31)},
		{"lists-under-limit", strings.Repeat(strings.Repeat("- ", maxNesting)+"x\n", 600)},
		{"links-over-limit", strings.Repeat("[a](", 30000)},
		{"quotes-over-limit", strings.Repeat(">", 120000)},
	} {
		m := fuzzReport(c.notes, 500)
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				body(m, MaxBody)
			}
		})
	}
}
