package tokenizer

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// small is a tokenizer.json with the structure tokenizers writes, small
// enough to edit by hand in the cases below.
const small = `{
  "version": "1.0",
  "truncation": null,
  "padding": null,
  "added_tokens": [
    {
      "id": 0,
      "content": "<|endoftext|>",
      "single_word": false,
      "lstrip": false,
      "rstrip": false,
      "normalized": false,
      "special": true
    }
  ],
  "normalizer": null,
  "pre_tokenizer": {
    "type": "ByteLevel",
    "add_prefix_space": false
  },
  "post_processor": null,
  "decoder": {
    "type": "ByteLevel"
  },
  "model": {
    "type": "BPE",
    "dropout": null,
    "unk_token": null,
    "vocab": {
      "<|endoftext|>": 0,
      "a": 1,
      "b": 2,
      "Ġ": 3,
      "ab": 4,
      "Ġab": 5
    },
    "merges": [
      [
        "a",
        "b"
      ],
      [
        "Ġ",
        "ab"
      ]
    ]
  }
}
`

func mustRead(t *testing.T, data string) *File {
	t.Helper()
	f, err := Read("tokenizer.json", data)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return f
}

func TestRead(t *testing.T) {
	f := mustRead(t, small)
	if f.Model != "BPE" || len(f.Vocab) != 6 || f.MergeCount != 2 || len(f.merges) != 2 || len(f.Added) != 1 {
		t.Fatalf("model %q, %d tokens, %d merges, %d added", f.Model, len(f.Vocab), f.MergeCount, len(f.Added))
	}
	if got := f.Vocab[5]; got != (Token{Text: "Ġab", ID: 5, Line: 35}) {
		t.Errorf("vocab[5] = %+v", got)
	}
	if f.VocabLine != 29 || f.MergesLine != 37 || f.AddedLine != 5 || f.mergeLines[1] != 42 {
		t.Errorf("lines: vocab %d, merges %d, added %d, merge 1 at %d", f.VocabLine, f.MergesLine, f.AddedLine, f.mergeLines[1])
	}
	if f.merges[1] != pairHash("Ġ", "ab") || f.merges[0] == pairHash("ab", "") || pairHash("a", "bc") == pairHash("ab", "c") {
		t.Errorf("merge 1 is not the pair (Ġ, ab), or different pairs hash alike")
	}
	if a := f.Added[0]; a.Text != "<|endoftext|>" || a.ID != 0 || a.Line != 6 ||
		a.Flags != "lstrip=false normalized=false rstrip=false single_word=false special=true" {
		t.Errorf("added[0] = %+v", a)
	}
	var keys []string
	for _, s := range f.Sections {
		keys = append(keys, fmt.Sprintf("%s@%d", s.Key, s.Line))
	}
	want := "version@2 truncation@3 padding@4 normalizer@16 pre_tokenizer@17 post_processor@21 decoder@22 model.type@26 model.dropout@27 model.unk_token@28"
	if got := strings.Join(keys, " "); got != want {
		t.Errorf("sections\n%s\nwant\n%s", got, want)
	}
	if f.Sections[4].Raw != "{\n    \"type\": \"ByteLevel\",\n    \"add_prefix_space\": false\n  }" {
		t.Errorf("pre_tokenizer raw = %q", f.Sections[4].Raw)
	}
	if f.Size() != 6 {
		t.Errorf("Size = %d, want 6 (<|endoftext|> is in both the vocab and added_tokens)", f.Size())
	}
}

// edit returns small with each old string replaced by the new one once.
func edit(t *testing.T, pairs ...string) string {
	t.Helper()
	s := small
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("edit: %q not in the fixture", pairs[i])
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return s
}

func TestCompare(t *testing.T) {
	compact, err := json.Marshal(json.RawMessage(small))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		head string
		// want is the diff, one fact per line.
		want string
	}{
		{"unchanged", small, ""},
		{"minified, every line joined", string(compact), ""},
		{"merges as legacy strings", edit(t, "[\n        \"a\",\n        \"b\"\n      ]", `"a b"`, "[\n        \"Ġ\",\n        \"ab\"\n      ]", `"Ġ ab"`), ""},
		{"two ids swapped", edit(t, `"a": 1`, `"a": 2`, `"b": 2`, `"b": 1`),
			"renumbered \"b\" 2 -> 1 line 32\nrenumbered \"a\" 1 -> 2 line 31"},
		{"a token removed", edit(t, `"Ġab": 5`, `"Ġba": 5`),
			"removed \"Ġab\" (was id 5) line 35\nadded \"Ġba\" (id 5) line 35"},
		{"tokens appended", edit(t, `"Ġab": 5`, `"Ġab": 5, "c": 6, "Ġc": 7`),
			"added \"c\" (id 6) line 35\nadded \"Ġc\" (id 7) line 35"},
		{"an added token appended", edit(t, "      \"special\": true\n    }\n", "      \"special\": true\n    },\n    {\"id\": 6, \"content\": \"<|im_start|>\", \"special\": true}\n"),
			"added \"<|im_start|>\" (id 6) line 15"},
		{"an added token renumbered over the vocab", edit(t, "\"id\": 0,", "\"id\": 9,"),
			"renumbered \"<|endoftext|>\" 0 -> 9 line 6"},
		{"an added token's flags", edit(t, `"lstrip": false`, `"lstrip": true`),
			"flags \"<|endoftext|>\" 0 -> 0 line 6"},
		{"a merge added", edit(t, "\"ab\"\n      ]\n    ]", "\"ab\"\n      ],\n      [\"Ġ\", \"a\"]\n    ]"),
			"merges added 1 removed 0 reranked 0 scores 0 of 2 -> 3 line 46"},
		{"merges swapped", edit(t, "[\n        \"a\",\n        \"b\"\n      ]", `"Ġ ab"`, "[\n        \"Ġ\",\n        \"ab\"\n      ]", `"a b"`),
			"merges added 0 removed 0 reranked 1 scores 0 of 2 -> 2 line 38"},
		{"a merge removed", edit(t, "[\n        \"a\",\n        \"b\"\n      ],", ""),
			"merges added 0 removed 1 reranked 0 scores 0 of 2 -> 1 line 39"},
	}
	base := mustRead(t, small)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := render(Compare(base, mustRead(t, c.head))); got != c.want {
				t.Errorf("diff\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

func render(d *Diff) string {
	var lines []string
	for _, l := range []struct {
		what string
		cs   []Change
	}{{"renumbered", d.Renumbered}, {"removed", d.Removed}, {"added", d.Added}, {"flags", d.Flags}} {
		for _, c := range l.cs {
			lines = append(lines, fmt.Sprintf("%s %s line %d", l.what, Examples([]Change{c}, 1), c.Line))
		}
	}
	if m := d.Merges; m.Changed() {
		lines = append(lines, fmt.Sprintf("merges added %d removed %d reranked %d scores %d of %d -> %d line %d", m.Added, m.Removed, m.Reranked, m.Scores, m.Old, m.New, m.Line))
	}
	return strings.Join(lines, "\n")
}

func TestCompareUnigram(t *testing.T) {
	doc := func(scores ...string) string {
		return `{"model": {"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0.0], ["▁the", ` + scores[0] + `], ["s", ` + scores[1] + `]]}}`
	}
	base := mustRead(t, doc("-3.5", "-4.25"))
	if base.Model != "Unigram" || len(base.Vocab) != 3 || base.Vocab[2].ID != 2 || base.Scores[1] != -3.5 {
		t.Fatalf("read %+v scores %v", base.Vocab, base.Scores)
	}
	if got := render(Compare(base, mustRead(t, doc("-3.50", "-425e-2")))); got != "" {
		t.Errorf("the same scores written differently: %s", got)
	}
	if got := render(Compare(base, mustRead(t, doc("-3.5", "-4.0")))); got != "merges added 0 removed 0 reranked 0 scores 1 of 0 -> 0 line 1" {
		t.Errorf("a score changed: %s", got)
	}
	swapped := `{"model": {"type": "Unigram", "vocab": [["<unk>", 0.0], ["s", -4.25], ["▁the", -3.5]]}}`
	if got := render(Compare(base, mustRead(t, swapped))); got != "renumbered \"s\" 2 -> 1 line 1\nrenumbered \"▁the\" 1 -> 2 line 1" {
		t.Errorf("pieces reordered: %s", got)
	}
}

func TestMergesReranked(t *testing.T) {
	pairs := func(names ...string) *File {
		f := &File{}
		for _, n := range names {
			f.merges = append(f.merges, pairHash(n, "x"))
			f.mergeLines = append(f.mergeLines, int32(len(f.merges)))
		}
		f.mergesSum = sumOf(strings.Join(names, ","))
		return f
	}
	cases := []struct {
		old, new []string
		want     MergeDiff
	}{
		// One merge moved from the end to the front: one move, not four.
		{[]string{"a", "b", "c", "d", "e"}, []string{"e", "a", "b", "c", "d"}, MergeDiff{Reranked: 1, Old: 5, New: 5, Line: 1}},
		// A merge inserted at the front shifts every rank but moves none.
		{[]string{"a", "b", "c"}, []string{"z", "a", "b", "c"}, MergeDiff{Added: 1, Old: 3, New: 4, Line: 1}},
		{[]string{"a", "b", "c"}, []string{"a", "b"}, MergeDiff{Removed: 1, Old: 3, New: 2, Line: 0}},
		{[]string{"a", "b", "c", "d"}, []string{"d", "c", "b", "a"}, MergeDiff{Reranked: 3, Old: 4, New: 4, Line: 1}},
	}
	for _, c := range cases {
		if got := compareMerges(pairs(c.old...), pairs(c.new...)); got != c.want {
			t.Errorf("%v -> %v: %+v, want %+v", c.old, c.new, got, c.want)
		}
	}
}

func TestReadErrors(t *testing.T) {
	cases := []struct{ name, doc, want string }{
		{"a token twice", edit(t, `"ab": 4,`, `"ab": 4, "b": 7,`), `tokenizer.json:34: duplicate key "b" in model.vocab: a token listed twice; remove one of them`},
		{"an id with a fraction", edit(t, `"ab": 4`, `"ab": 4.5`), `tokenizer.json:34: the id of token "ab" must be a whole number from 0, not 4.5`},
		{"a negative id", edit(t, `"ab": 4`, `"ab": -4`), `tokenizer.json:34: the id of token "ab" must be a whole number from 0, not -4`},
		{"an id as text", edit(t, `"ab": 4`, `"ab": "4"`), `tokenizer.json:34: invalid JSON: a number, found "\"4\", \"Ġab"`},
		{"a merge of three", edit(t, "[\n        \"a\",\n        \"b\"\n      ]", `"a b c"`), `tokenizer.json:38: merge 0 is "a b c"; a merge is two tokens separated by one space, or a ["left", "right"] pair`},
		{"a merge of one", edit(t, "[\n        \"a\",\n        \"b\"\n      ]", `["a"]`), `tokenizer.json:38: invalid JSON: ',' and the second token of the merge, found "], ["`},
		{"a trailing comma", edit(t, `"Ġab": 5`, `"Ġab": 5,`), `tokenizer.json:36: invalid JSON: a value after the comma, found "}, \"merges\":"`},
		{"a duplicate key in a section", edit(t, `"type": "ByteLevel",`, `"type": "ByteLevel", "type": "Metaspace",`), `tokenizer.json:18: duplicate key "type"; remove one of them`},
		{"a duplicate top-level key", edit(t, `"padding": null,`, `"padding": null, "version": "2",`), `tokenizer.json:4: duplicate key "version"; remove one of them`},
		{"an added token twice", edit(t, "      \"special\": true\n    }\n", "      \"special\": true\n    },\n    {\"id\": 7, \"content\": \"<|endoftext|>\"}\n"), `tokenizer.json:15: duplicate added token "<|endoftext|>"; remove one of them`},
		{"an added token without an id", edit(t, `"id": 0,`, ``), `tokenizer.json:6: added token 0 needs an id and a content, as tokenizers writes them`},
		{"a raw newline in a string", edit(t, `"Ġab": 5`, "\"Ġa\nb\": 5"), `tokenizer.json:35: invalid JSON: control character 0x0a in a string; escape it`},
		{"a bad escape", edit(t, `"Ġab": 5`, `"Ġa\qb": 5`), `tokenizer.json:35: invalid JSON: invalid escape "\\q" in a string`},
		{"cut short", small[:400], `tokenizer.json:21: invalid JSON: unexpected end of file`},
		{"two documents", small + "{}", `tokenizer.json:49: invalid JSON: unexpected content after the JSON value`},
		{"not an object", `[1, 2]`, `tokenizer.json:1: invalid JSON: a JSON object such as {"model": {...}}, found "[1, 2]"`},
		{"vocab not a map", `{"model": {"vocab": 3}}`, `tokenizer.json:1: invalid JSON: model.vocab as an object, found "3}}"`},
		{"a leading zero", `{"model": {"vocab": {"a": 01}}}`, `tokenizer.json:1: invalid JSON: ',' or '}', found "1}}}"`},
		{"nested too deep", `{"normalizer": ` + strings.Repeat("[", 300) + strings.Repeat("]", 300) + `}`, `tokenizer.json:1: nested more than 200 levels deep`},
		{"a score out of range", `{"model": {"vocab": [["a", 1e999]]}}`, `tokenizer.json:1: the score of piece "a" is out of range: 1e999`},
		{"a comment", "{\n// comment\n}", `tokenizer.json:2: invalid JSON: a string, found "// comment }"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Read("tokenizer.json", c.doc)
			if err == nil {
				t.Fatalf("no error, want %s", c.want)
			}
			if err.Error() != c.want {
				t.Errorf("error\n%s\nwant\n%s", err, c.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("the error is more than one line: %q", err)
			}
		})
	}
}

// TestReadAgreesWithEncodingJSON checks the scanner against encoding/json
// on the documents of the tests: what it reads is valid JSON, and the
// strings it decodes are those encoding/json decodes.
func TestReadAgreesWithEncodingJSON(t *testing.T) {
	doc := `{"model": {"vocab": {"a\"b": 0, "\u00e9\ud83d\ude00": 1, "\ud800x": 2, "tab\there\/": 3}}}`
	f := mustRead(t, doc)
	var v struct {
		Model struct{ Vocab map[string]int }
	}
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatal(err)
	}
	for _, tok := range f.Vocab {
		if id, ok := v.Model.Vocab[tok.Text]; !ok || int64(id) != tok.ID {
			t.Errorf("token %q (id %d): encoding/json has no such token", tok.Text, tok.ID)
		}
	}
}

func TestGenerated(t *testing.T) {
	base := genTokenizer(genSpec{vocab: 5000, merges: 4000})
	head := genTokenizer(genSpec{vocab: 5000, merges: 4000, renumber: 10})
	if !json.Valid([]byte(base)) || !json.Valid([]byte(head)) {
		t.Fatal("the generator writes invalid JSON")
	}
	b, err := Read("tokenizer.json", base)
	if err != nil {
		t.Fatal(err)
	}
	h, err := Read("tokenizer.json", head)
	if err != nil {
		t.Fatal(err)
	}
	d := Compare(b, h)
	if len(d.Renumbered) != 20 || len(d.Added)+len(d.Removed)+len(d.Flags) != 0 || d.Merges.Changed() {
		t.Errorf("10 swapped pairs: %d renumbered, %d added, %d removed, merges %+v", len(d.Renumbered), len(d.Added), len(d.Removed), d.Merges)
	}
	legacy, err := Read("tokenizer.json", genTokenizer(genSpec{vocab: 5000, merges: 4000, legacyMerges: true}))
	if err != nil {
		t.Fatal(err)
	}
	if d := Compare(b, legacy); d.Merges.Changed() {
		t.Errorf("the same merges as legacy strings: %+v", d.Merges)
	}
}

// TestHashCollisions runs the reading and comparing tests again with a
// token hash that collides all the time (three values), so that the
// index's collision path finds every token and every duplicate as the
// real hash does.
func TestHashCollisions(t *testing.T) {
	real := tokenHash
	tokenHash = func(text string) uint64 { return uint64(len(text) % 3) }
	t.Cleanup(func() { tokenHash = real })
	for _, test := range []func(*testing.T){TestRead, TestCompare, TestCompareUnigram, TestReadErrors, TestReadAgreesWithEncodingJSON, TestGenerated} {
		test(t)
	}
	f := mustRead(t, edit(t, `"Ġab": 5`, `"Ġab": 5, "cd": 6, "dc": 7`))
	for i, tok := range f.Vocab {
		if j, ok := f.vocab.get(tok.Text, f.Vocab); !ok || int(j) != i {
			t.Errorf("token %q found at %d, %v; want %d", tok.Text, j, ok, i)
		}
	}
	if _, ok := f.vocab.get("ba", f.Vocab); ok {
		t.Error(`"ba" found, a token the vocabulary does not have`)
	}
}

// TestDuplicateInLargeVocab checks that in a vocabulary large enough for
// the radix sort, the token reported twice is the first one listed again
// in the file's order, as a reader that stops at it reports it.
func TestDuplicateInLargeVocab(t *testing.T) {
	var b strings.Builder
	b.WriteString("{\"model\": {\"vocab\": {\n")
	line, want := 1, 0
	for i := range 5000 {
		fmt.Fprintf(&b, "\"t%d\": %d,\n", i, i)
		line++
		switch i {
		case 1999: // listed first here, again at 4500
			b.WriteString("\"t4500\": 9000,\n")
			line++
		case 2999: // listed again: the first token listed twice
			b.WriteString("\"t10\": 9001,\n")
			line++
			want = line
		}
	}
	b.WriteString("\"end\": 9002}}}\n")
	for _, hash := range []string{"real", "weak"} {
		t.Run(hash, func(t *testing.T) {
			if hash == "weak" {
				real := tokenHash
				tokenHash = func(text string) uint64 { return uint64(len(text) % 3) }
				t.Cleanup(func() { tokenHash = real })
			}
			_, err := Read("tokenizer.json", b.String())
			if w := fmt.Sprintf(`tokenizer.json:%d: duplicate key "t10" in model.vocab: a token listed twice; remove one of them`, want); err == nil || err.Error() != w {
				t.Errorf("error %v, want %s", err, w)
			}
		})
	}
}
