package abbrev

import (
	"strings"
	"testing"
)

func TestCommit(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"4be0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c", "4be0a1b"},
		{"4be0a1b", "4be0a1b"},
		{"abc", "abc"},
		{"", ""},
	} {
		if got := Commit(tt.in); got != tt.want {
			t.Errorf("Commit(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValue(t *testing.T) {
	long := strings.Repeat("x", 61)
	for _, tt := range []struct{ in, want string }{
		{"short", "short"},
		{strings.Repeat("x", 60), strings.Repeat("x", 60)},
		{long, strings.Repeat("x", 57) + "..."},
		{strings.Repeat("x", 56) + "日本語", strings.Repeat("x", 56) + "..."},
		{strings.Repeat("x", 55) + "日本語", strings.Repeat("x", 55) + "..."},
		{strings.Repeat("x", 54) + "日本語", strings.Repeat("x", 54) + "日..."},
	} {
		if got := Value(tt.in); got != tt.want {
			t.Errorf("Value(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
