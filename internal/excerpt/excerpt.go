// Package excerpt shortens text taken from input files before an error
// message quotes it, so that a hostile value (a megabyte-long key, a number
// of a million digits) costs one short line, never a megabyte of stderr.
package excerpt

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Max is the longest excerpt, in characters, before the count of the
// characters left out.
const Max = 48

// MaxMessage is the longest message of a parsing library that an error line
// repeats: they quote input too.
const MaxMessage = 200

// Of returns s on one line (white space runs folded to one space) and, when
// it is longer than Max characters, its first and last characters around the
// count of those left out: "1234567890123456789012345678901234567890…(999952
// more)…12345678".
func Of(s string) string { return cut(s, Max) }

// Quote is Of as a Go string literal: quoted, with control characters
// escaped. Escapes widen a character up to ten (an invalid byte is \xfc,
// a format character \u202e), so fewer characters are kept when they
// would make the literal longer than MaxQuoted.
func Quote(s string) string {
	for n := Max; ; n /= 2 {
		q := strconv.Quote(cut(s, n))
		if len(q) <= MaxQuoted || n <= 8 {
			return q
		}
	}
}

// MaxQuoted is the longest literal Quote returns, in bytes, unless even
// eight characters escape wider.
const MaxQuoted = 2 * Max

// Message shortens a message a library wrote about the input (which may
// quote the input) to MaxMessage characters.
func Message(s string) string { return cut(s, MaxMessage) }

// cut folds white space and keeps at most max characters of s. It reads at
// most a bounded prefix and suffix of s, so it costs the same for a short
// string and for sixteen megabytes.
func cut(s string, max int) string {
	head := max * 5 / 6
	tail := max - head
	n := utf8.RuneCountInString(s)
	if n <= max {
		return fold(s)
	}
	// Take head runes from the front and tail runes from the back.
	i := 0
	for r := 0; r < head; r++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	j := len(s)
	for r := 0; r < tail; r++ {
		_, size := utf8.DecodeLastRuneInString(s[:j])
		j -= size
	}
	return fmt.Sprintf("%s…(%d more)…%s", fold(s[:i]), n-head-tail, fold(s[j:]))
}

// fold puts s on one line: every run of white space becomes one space.
func fold(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return r != ' ' && unicode.IsSpace(r) }) < 0 {
		return s
	}
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}
