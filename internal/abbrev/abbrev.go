// Package abbrev shortens what reports show on one line: commit IDs and
// long values.
package abbrev

import "unicode/utf8"

// Commit abbreviates a commit ID to the 7 hex digits reports show.
func Commit(id string) string {
	if len(id) > 7 {
		return id[:7]
	}
	return id
}

// Value cuts a value to at most 60 bytes, ending a cut one with "...". It
// cuts between characters, never inside one.
func Value(s string) string {
	if len(s) > 60 {
		n := 57
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		return s[:n] + "..."
	}
	return s
}
