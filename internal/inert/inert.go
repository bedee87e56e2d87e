// Package inert makes strings that come from a repository (keys, values,
// file names, notes, refs) harmless in any output (DESIGN §4): a terminal
// runs no escape sequence from them, text is not reordered by bidirectional
// controls, and the GitHub Actions runner, which reads every line a step
// writes to stdout or stderr, finds no workflow command in them.
//
// What is there stays visible, escaped:
//
//	\n \r \t         line feed, carriage return, tab (String; Text keeps \n
//	                 and \t, and Writer and JSON keep \n and \t)
//	\x1b             other C0 control characters, and bytes that are not UTF-8
//	\u007f \u0085    DEL and the C1 control characters
//	\u202e \u2028    bidirectional formatting characters (U+061C, U+200E,
//	                 U+200F, U+202A-U+202E, U+2066-U+2069), line and
//	                 paragraph separators
//	#\u0023[         "##[", which starts a legacy workflow command anywhere
//	                 in a line
//	\::              "::" at the start of a line (after white space), which
//	                 starts a workflow command (String and Text)
//
// The escapes Writer and JSON write are valid inside JSON strings and mean
// the character they replace there, so encoded JSON stays exact.
package inert

import (
	"bytes"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// mode says which escapes apply.
type mode int

const (
	line   mode = iota // one line: everything, including \n and \t
	text               // several lines: keeps \n and \t, "::" at each line start
	stream             // output as it is written: keeps \n and \t, no line starts
)

// String escapes s for one line of output.
func String(s string) string {
	if clean(s, line) {
		return s
	}
	return string(escape(nil, []byte(s), line, true))
}

// Text escapes multi-line text (release notes) for output: line breaks stay,
// \r\n becomes \n, and a line cannot start a workflow command.
func Text(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	if clean(s, text) {
		return s
	}
	return string(escape(nil, []byte(s), text, true))
}

// JSON escapes encoded JSON losslessly: the characters encoding/json leaves
// as they are (DEL, C1 controls, bidirectional controls) become \u escapes,
// and "##[" becomes #\u0023[. The result decodes to the same values.
func JSON(b []byte) []byte {
	if clean(string(b), stream) {
		return b
	}
	return escape(nil, b, stream, false)
}

// Writer escapes everything written through it as JSON does, and also
// control characters other than \n and \t and bytes that are not UTF-8.
// It holds back an incomplete UTF-8 sequence, or a "#" or "##" that the
// next write may turn into "##[", until the next Write or Flush.
type Writer struct {
	w       io.Writer
	pending []byte
}

// NewWriter returns a Writer that writes to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write escapes p and writes it; it reports len(p) unless w fails.
func (w *Writer) Write(p []byte) (int, error) {
	data := p
	if len(w.pending) > 0 {
		data = append(w.pending, p...)
		w.pending = nil
	}
	cut := len(data) - holdBack(data)
	if cut < len(data) {
		w.pending = append([]byte(nil), data[cut:]...)
	}
	if cut == 0 {
		return len(p), nil
	}
	if _, err := w.w.Write(escape(nil, data[:cut], stream, false)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes what Write held back.
func (w *Writer) Flush() error {
	if len(w.pending) == 0 {
		return nil
	}
	data := w.pending
	w.pending = nil
	_, err := w.w.Write(escape(nil, data, stream, false))
	return err
}

// holdBack returns how many bytes at the end of b to keep for the next
// write: the start of a UTF-8 sequence that may go on, or trailing '#'s.
func holdBack(b []byte) int {
	for n := 1; n <= 3 && n <= len(b); n++ {
		c := b[len(b)-n]
		if c < utf8.RuneSelf {
			break
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-n:]) {
				return n
			}
			break
		}
	}
	n := 0
	for n < 2 && n < len(b) && b[len(b)-1-n] == '#' {
		n++
	}
	return n
}

// dangerous reports whether r must be escaped: a control character, a
// bidirectional formatting character, a line or paragraph separator.
func dangerous(r rune) bool {
	return unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029'
}

// clean reports whether s needs no escape in mode m.
func clean(s string, m mode) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\n' || c == '\t':
			if m == line {
				return false
			}
		case c < 0x20 || c == 0x7f || c >= utf8.RuneSelf || c == '#' || c == ':':
			return false
		}
	}
	return true
}

const hex = "0123456789abcdef"

// escape appends src to dst with the escapes of mode m. lineStart says src
// starts a line (String and Text).
func escape(dst, src []byte, m mode, lineStart bool) []byte {
	atStart := lineStart && m != stream
	for i := 0; i < len(src); {
		c := src[i]
		if atStart {
			switch {
			case c == ' ' || c == '\t' && m == text:
				dst = append(dst, c)
				i++
				continue
			case c >= utf8.RuneSelf:
				if r, size := utf8.DecodeRune(src[i:]); unicode.IsSpace(r) && !dangerous(r) {
					dst = append(dst, src[i:i+size]...)
					i += size
					continue
				}
			case c == ':' && bytes.HasPrefix(src[i:], []byte("::")):
				dst = append(dst, `\::`...)
				i += 2
				atStart = false
				continue
			}
			atStart = false
		}
		switch {
		case c == '\n' && m != line:
			dst = append(dst, c)
			atStart = m == text
			i++
		case c == '\t' && m != line:
			dst = append(dst, c)
			i++
		case c == '\n':
			dst = append(dst, `\n`...)
			i++
		case c == '\r':
			dst = append(dst, `\r`...)
			i++
		case c == '\t':
			dst = append(dst, `\t`...)
			i++
		case c < 0x20:
			dst = append(dst, '\\', 'x', hex[c>>4], hex[c&0xf])
			i++
		case c == 0x7f:
			dst = append(dst, `\u007f`...)
			i++
		case c == '#' && bytes.HasPrefix(src[i:], []byte("##[")):
			dst = append(dst, `#\u0023[`...)
			i += 3
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			i++
		default:
			r, size := utf8.DecodeRune(src[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				dst = append(dst, '\\', 'x', hex[c>>4], hex[c&0xf])
			case dangerous(r):
				dst = append(dst, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
			default:
				dst = append(dst, src[i:i+size]...)
			}
			i += size
		}
	}
	return dst
}
