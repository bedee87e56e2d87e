package excerpt

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestOf(t *testing.T) {
	million := strings.Repeat("7", 1_000_000)
	tests := []struct{ in, want string }{
		{"short", "short"},
		{"two\nlines\r\tand tabs", "two lines and tabs"},
		{strings.Repeat("x", Max), strings.Repeat("x", Max)},
		{million, strings.Repeat("7", 40) + "…(999952 more)…" + strings.Repeat("7", 8)},
		{strings.Repeat("é", 100), strings.Repeat("é", 40) + "…(52 more)…" + strings.Repeat("é", 8)},
	}
	for _, tt := range tests {
		got := Of(tt.in)
		if got != tt.want {
			t.Errorf("Of(%.20q…) = %q, want %q", tt.in, got, tt.want)
		}
		if !utf8.ValidString(got) || strings.ContainsAny(got, "\n\r") {
			t.Errorf("Of(%.20q…) = %q: not one valid line", tt.in, got)
		}
	}
	if got := Quote("a\x1b[2Jb"); got != `"a\x1b[2Jb"` {
		t.Errorf("Quote = %s, want control characters escaped", got)
	}
	if got := Message(strings.Repeat("m", 1000)); utf8.RuneCountInString(got) > MaxMessage+30 {
		t.Errorf("Message kept %d characters", utf8.RuneCountInString(got))
	}
}

// TestQuote: a quoted excerpt stays short however wide its characters
// escape, and keeps what it can of both ends.
func TestQuote(t *testing.T) {
	for _, tt := range []struct {
		name, in, want string
	}{
		{"short", "lite-llm", `"lite-llm"`},
		{"control", "a\x1bb", `"a\x1bb"`},
		{"long plain", strings.Repeat("x", 100), `"` + strings.Repeat("x", 40) + `…(52 more)…` + strings.Repeat("x", 8) + `"`},
		{"invalid bytes", `"` + strings.Repeat("\xfc", 24) + "0000" + strings.Repeat("\xfb", 13),
			`"\"\xfc\xfc\xfc\xfc\xfc\xfc\xfc\xfc\xfc…(30 more)…\xfb\xfb"`},
		{"format characters", strings.Repeat("\u202e", 300), `"` + strings.Repeat(`\u202e`, 10) + `…(288 more)…\u202e\u202e"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := Quote(tt.in)
			if got != tt.want {
				t.Errorf("Quote(%q) = %s, want %s", tt.in, got, tt.want)
			}
			if len(got) > MaxQuoted {
				t.Errorf("Quote(%q) is %d bytes long", tt.in, len(got))
			}
		})
	}
}
