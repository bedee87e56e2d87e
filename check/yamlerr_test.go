package check

import (
	"fmt"
	"strings"
	"testing"
)

func TestYAMLErrorLine(t *testing.T) {
	// bigPrefix is ~300 KB of valid YAML, so the cases below also hold for
	// a mistake at the end of a large file.
	var b strings.Builder
	for i := 0; b.Len() < 300<<10; i++ {
		fmt.Fprintf(&b, "layer_%d:\n  hidden_size: %d\n  name: \"layer %d\" # comment with ' and [\n  text: |\n    it's [not {a flow\n", i, i, i)
	}
	bigPrefix := b.String()
	bigLines := strings.Count(bigPrefix, "\n")

	tests := []struct {
		name string
		data string
		line int
	}{
		{"bad indentation", "model: m\narchitecture:\n    hidden_size: 4096\n  num_layers: 32\n", 4},
		{"unclosed flow", "model: m\narchitecture: {hidden_size: 4096, num_layers: 32\nrouting:\n  strategy: top-2\n", 2},
		{"unclosed quote on line 1", "model: \"m\narchitecture:\n  hidden_size: 4096\n", 1},
		{"unclosed quote further down", "a: 1\nb: 2\nc: 'x\nd: 4\ne: 5\n", 3},
		{"tab", "model: m\narchitecture:\n\thidden_size: 4096\n", 3},
		{"unclosed sequence", "ignore: [docs/**\n", 1},
		{"key without value then junk", "a: 1\nb: 2\n  c: 3\n", 3},
		{"apostrophe in plain text is no quote", "a: it's\nb: [1, 2\n", 2},
		{"block scalar content is skipped", "a: |\n  'open [ {\nb: {x: 1\nc: 2\n", 3},
		{"big file, bad indentation at the end", bigPrefix + "end:\n    a: 1\n  b: 2\n", bigLines + 3},
		{"big file, unclosed quote at the end", bigPrefix + "end: \"x\nmore: 1\n", bigLines + 1},
	}
	for _, tt := range tests {
		_, err := Parse("m.yaml", []byte(tt.data))
		want := fmt.Sprintf("m.yaml:%d: invalid YAML", tt.line)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: error %v, want %s", tt.name, err, want)
		}
	}
	if l := yamlErrorLine([]byte("a: 1\n")); l != 0 {
		t.Errorf("valid YAML: line %d, want 0", l)
	}
}

// BenchmarkYAMLErrorLine measures locating a syntax error at the end of a
// file of about 300 KB: three linear passes, however many lines it has.
func BenchmarkYAMLErrorLine(b *testing.B) {
	var s strings.Builder
	for i := 0; s.Len() < 300<<10; i++ {
		fmt.Fprintf(&s, "k%d: %d\n", i, i)
	}
	s.WriteString("end:\n    a: 1\n  b: 2\n")
	data := []byte(s.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("m.yaml", data); err == nil {
			b.Fatal("no error")
		}
	}
}
