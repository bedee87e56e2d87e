package inert

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// hostile holds one of each sequence a repository string may carry to
// attack a terminal, a reader or the Actions runner.
var hostile = []string{
	"\r", "\n", "\t", "\x00", "\x07", "\x1b[2K\x1b[1A", "\x1b]8;;http://x\x07", "\x7f",
	"\u0085", "\u009b31m", "\xc2", "\xff\xfe", "\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u200f", "\u061c",
	"\u2028", "\u2029", "::error::pwned", "##[error]pwned", "##[stop-commands]x", "  ::warning::x", "\u00a0::notice::x",
}

// unsafe returns the first thing in out that String, Text, Writer and JSON
// must never let through, or "".
func unsafe(out string, newlines bool) string {
	for i, r := range out {
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(out[i:]); size == 1 {
				return "a byte that is not UTF-8"
			}
		case (r == '\n' || r == '\t') && newlines:
		case dangerous(r):
			return fmt.Sprintf("%U", r)
		}
	}
	if strings.Contains(out, "##[") {
		return "##["
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimLeftFunc(l, func(r rune) bool { return r == ' ' || r == '\t' || r == '\u00a0' }), "::") {
			return "a line that starts with ::"
		}
	}
	return ""
}

func TestString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hidden_size", "hidden_size"},
		{"a:b # c", "a:b # c"},
		{"crlf\r\nline", `crlf\r\nline`},
		{"tab\there", `tab\there`},
		{"\x1b[2K\x1b[1Aerased", `\x1b[2K\x1b[1Aerased`},
		{"\x00\x07\x7f", `\x00\x07\u007f`},
		{"c1 \u0085 \u009b", `c1 \u0085 \u009b`},
		{"raw \x9b and \xff", `raw \x9b and \xff`},
		{"evil\u202etxt.exe", `evil\u202etxt.exe`},
		{"\u2066iso\u2069 \u200e\u200f\u061c", `\u2066iso\u2069 \u200e\u200f\u061c`},
		{"a\u2028b\u2029c", `a\u2028b\u2029c`},
		{"::error::pwned", `\::error::pwned`},
		{"  ::warning::x", `  \::warning::x`},
		{"\u00a0::notice::x", "\u00a0\\::notice::x"},
		{"key::value", "key::value"},
		{"x ##[error]y", `x #\u0023[error]y`},
		{"###[x", `##\u0023[x`},
		{"日本語 ok é", "日本語 ok é"},
	}
	for _, tt := range tests {
		got := String(tt.in)
		if got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if u := unsafe(got, false); u != "" {
			t.Errorf("String(%q) = %q lets through %s", tt.in, got, u)
		}
	}
}

func TestText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"# Notes\n\n- a change\n", "# Notes\n\n- a change\n"},
		{"windows\r\nlines\r\n", "windows\nlines\n"},
		{"lone\rreturn", `lone\rreturn`},
		{"ok\n::error::pwned\n  ::set-output name=x::y\n\t::notice::z", "ok\n\\::error::pwned\n  \\::set-output name=x::y\n\t\\::notice::z"},
		{"see ##[warning]x\n", "see #\\u0023[warning]x\n"},
		{"\x1b]0;title\x07 \u202e", `\x1b]0;title\x07 \u202e`},
	}
	for _, tt := range tests {
		got := Text(tt.in)
		if got != tt.want {
			t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if u := unsafe(got, true); u != "" {
			t.Errorf("Text(%q) = %q lets through %s", tt.in, got, u)
		}
	}
}

// TestJSON escapes what encoding/json leaves raw, and the result decodes to
// the same value.
func TestJSON(t *testing.T) {
	in := map[string]string{}
	for i, h := range hostile {
		in[h] = strings.Repeat(h, i%3+1) + "v"
	}
	data, err := json.MarshalIndent(in, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	out := JSON(data)
	if u := unsafe(string(out), true); u != "" && u != "a line that starts with ::" {
		t.Fatalf("JSON lets through %s:\n%s", u, out)
	}
	var back map[string]string
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatalf("escaped JSON does not decode: %v\n%s", err, out)
	}
	want := map[string]string{}
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	for k, v := range want {
		if back[k] != v {
			t.Errorf("key %q: decoded %q, want %q", k, back[k], v)
		}
	}
	if plain := []byte(`{"a": "b"}`); !bytes.Equal(JSON(plain), plain) {
		t.Errorf("JSON changed plain JSON: %s", JSON(plain))
	}
}

// TestWriter writes hostile text in pieces split at every byte and gets
// the same output as in one piece, none of it raw.
func TestWriter(t *testing.T) {
	in := "report line\n" + strings.Join(hostile, " | ") + "\nend é 日 #\n"
	var whole bytes.Buffer
	w := NewWriter(&whole)
	if _, err := w.Write([]byte(in)); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if u := unsafe(whole.String(), true); u != "" && u != "a line that starts with ::" {
		t.Fatalf("Writer lets through %s:\n%q", u, whole.String())
	}
	if !strings.Contains(whole.String(), `\x1b[2K`) || !strings.Contains(whole.String(), `#\u0023[error]`) || !strings.HasSuffix(whole.String(), "end é 日 #\n") {
		t.Errorf("Writer output %q lacks the visible escapes or the plain text", whole.String())
	}
	for cut := 0; cut <= len(in); cut++ {
		for _, cut2 := range []int{cut, min(cut+1, len(in)), min(cut+2, len(in))} {
			var b bytes.Buffer
			w := NewWriter(&b)
			for _, part := range []string{in[:cut], in[cut:cut2], in[cut2:]} {
				if n, err := w.Write([]byte(part)); n != len(part) || err != nil {
					t.Fatalf("Write(%q) = %d, %v", part, n, err)
				}
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if b.String() != whole.String() {
				t.Fatalf("split at %d and %d: %q, want %q", cut, cut2, b.String(), whole.String())
			}
		}
	}
	var b bytes.Buffer
	w = NewWriter(&b)
	w.Write([]byte("cut \xe2\x80"))
	w.Flush()
	if b.String() != `cut \xe2\x80` {
		t.Errorf("an incomplete sequence at the end flushes as %q, want %q", b.String(), `cut \xe2\x80`)
	}
}

// FuzzString checks on any input that String, Text and the Writer let
// nothing through, and that String keeps text without anything to escape.
func FuzzString(f *testing.F) {
	for _, h := range hostile {
		f.Add(h)
	}
	f.Add("plain text: with # and :: inside")
	f.Fuzz(func(t *testing.T, s string) {
		if u := unsafe(String(s), false); u != "" {
			t.Fatalf("String(%q) = %q lets through %s", s, String(s), u)
		}
		if strings.Contains(String(s), "\n") {
			t.Fatalf("String(%q) = %q has a line break", s, String(s))
		}
		if u := unsafe(Text(s), true); u != "" {
			t.Fatalf("Text(%q) = %q lets through %s", s, Text(s), u)
		}
		var b bytes.Buffer
		w := NewWriter(&b)
		w.Write([]byte(s))
		w.Flush()
		if u := unsafe(b.String(), true); u != "" && u != "a line that starts with ::" {
			t.Fatalf("Writer(%q) = %q lets through %s", s, b.String(), u)
		}
		plain := true
		for _, r := range s {
			plain = plain && r >= ' ' && r < 0x7f && r != '#' && r != ':'
		}
		if plain && String(s) != s {
			t.Fatalf("String(%q) = %q changed plain text", s, String(s))
		}
	})
}
