package changelog

import (
	"strings"
	"testing"
)

// TestBodyShowsDeepNestingAsSource: notes whose lines open more block
// quotes or list items than maxNesting (which goldmark renders in time
// quadratic in the depth) are shown as their source in a code block, the
// report still shown; notes nested less deep are rendered as they are.
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
