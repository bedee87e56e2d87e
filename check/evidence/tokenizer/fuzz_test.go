package tokenizer

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzRead feeds Read arbitrary bytes: it never panics, refuses with one
// line naming the file, reads only valid JSON, and a file compared with
// itself differs in nothing. The seed corpus is in testdata/fuzz/FuzzRead.
func FuzzRead(f *testing.F) {
	f.Add(small)
	f.Add(`{"model": {"type": "Unigram", "vocab": [["<unk>", 0], ["▁a", -1.5e0]]}}`)
	f.Add(`{"model": {"vocab": {"a\u0041\ud83d\ude00": 0}, "merges": ["a b", ["c", "d"]]}}`)
	f.Fuzz(func(t *testing.T, data string) {
		file, err := Read("tokenizer.json", data)
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "tokenizer.json:") || strings.Contains(msg, "\n") {
				t.Fatalf("error %q: want one line naming tokenizer.json and a line", msg)
			}
			return
		}
		if !json.Valid([]byte(data)) {
			t.Fatalf("Read accepted invalid JSON %q", data)
		}
		if n := len(file.merges); n != file.MergeCount {
			t.Fatalf("%d merges read, %d counted", n, file.MergeCount)
		}
		d := Compare(file, file)
		if len(d.Renumbered)+len(d.Added)+len(d.Removed)+len(d.Flags) != 0 || d.Merges.Changed() {
			t.Fatalf("a file compared with itself differs: %+v", d)
		}
	})
}
