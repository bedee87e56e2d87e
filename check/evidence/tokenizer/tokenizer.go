// Package tokenizer reads a Hugging Face tokenizer.json: its vocabulary
// (model.vocab and added_tokens: which token has which id), its BPE merges
// or Unigram scores, and the rest of its pipeline (normalizer,
// pre-tokenizer, post-processor, decoder, padding, truncation, the model's
// options) as raw JSON sections. It compares two revisions and returns the
// differences as raw facts — tokens renumbered, removed or added, merges
// added, removed or re-ranked — and knows nothing of versions: package
// check decides the bumps and diffs the sections as trees.
//
// Tokenizer files of tens of MiB are normal (large-vocabulary models ship
// 10–35 MiB), so Read walks the bytes once with its own strict JSON
// scanner: no tree of nodes, duplicate keys refused with their line. A
// File keeps the tokens and a 64-bit hash of each merge, not the text:
// identical vocabularies and merge lists are told apart by 128-bit hashes
// of their bytes without a comparison.
package tokenizer

import (
	"fmt"
	"hash/maphash"
	"math/bits"
	"sort"
	"strconv"
	"strings"
)

// Token is one entry of a vocabulary.
type Token struct {
	Text string
	ID   int64
	Line int // where the entry is written
}

// AddedToken is one entry of added_tokens.
type AddedToken struct {
	Token
	// Flags are the entry's other fields, sorted, as written:
	// "lstrip=false normalized=false rstrip=false single_word=false special=true".
	Flags string
}

// seeds key the hashes of a process: the merges, and the raw bytes of the
// vocabulary and the merges (two seeds: 128 bits).
var seeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

// sum is a 128-bit hash of some bytes of the file.
type sum [2]uint64

func sumOf(s string) sum { return sum{maphash.String(seeds[0], s), maphash.String(seeds[1], s)} }

// pairHash is the hash of one BPE merge: the two tokens it joins, each
// hashed with its own seed, so that (a, bc) and (ab, c) differ.
func pairHash(left, right string) uint64 {
	return maphash.String(seeds[0], left) ^ bits.RotateLeft64(maphash.String(seeds[1], right), 29)
}

// Section is a part of the pipeline that Read does not interpret, as raw
// JSON: normalizer, pre_tokenizer, post_processor, decoder, padding,
// truncation, version, any other top-level key, and the model's options
// as model.<key> (type, unk_token, byte_fallback, ...).
type Section struct {
	Key  string
	Raw  string // the JSON value as written
	Line int    // where the key is written
}

// File is what modelgate reads of one revision of a tokenizer.json.
type File struct {
	Name string // the repository path, for error lines and findings
	// Model is model.type (BPE, WordPiece, WordLevel, Unigram), "" when absent.
	Model string
	// Vocab is model.vocab in file order; a Unigram vocabulary's ids are
	// the entries' positions and Scores holds their scores.
	Vocab     []Token
	Scores    []float64
	VocabLine int
	// Added is added_tokens in file order: tokens whose id overrides the
	// vocabulary's.
	Added     []AddedToken
	AddedLine int
	// MergeCount is the length of a BPE model's merge list, MergesLine
	// where model.merges is.
	MergeCount int
	MergesLine int
	Sections   []Section

	vocab tokenIndex       // text -> index in Vocab
	added map[string]int32 // text -> index in Added
	// vocabSum and mergesSum hash the bytes of model.vocab and
	// model.merges: identical bytes need no comparison.
	vocabSum, mergesSum sum
	// merges are the hashes of the merges (left, right), highest priority
	// first, whichever their spelling ("a b" or ["a", "b"]); mergeLines
	// are where they are written. A file keeps no text but its tokens'.
	merges     []uint64
	mergeLines []int32
}

// lookup returns the id a revision gives a token, and where: added_tokens
// first, as the tokenizers library resolves them.
func (f *File) lookup(text string) (id int64, line int, ok bool) {
	if i, ok := f.added[text]; ok {
		return f.Added[i].ID, f.Added[i].Line, true
	}
	if i, ok := f.vocab.get(text, f.Vocab); ok {
		return f.Vocab[i].ID, f.Vocab[i].Line, true
	}
	return 0, 0, false
}

// isAdded reports whether text is one of the added tokens.
func (f *File) isAdded(text string) bool {
	if len(f.added) == 0 {
		return false
	}
	_, ok := f.added[text]
	return ok
}

// Size returns the number of distinct tokens of the vocabulary, added
// tokens included.
func (f *File) Size() int {
	n := len(f.Vocab)
	for _, a := range f.Added {
		if _, dup := f.vocab.get(a.Text, f.Vocab); !dup {
			n++
		}
	}
	return n
}

// Change is one token whose id differs between two revisions.
type Change struct {
	Text         string
	OldID, NewID int64 // -1 where the token is absent
	Line         int   // where the token is written: head, or base for a removal
}

// MergeDiff counts how a BPE merge list (or a Unigram model's scores)
// changed. A merge is added or removed when only one revision has it,
// and re-ranked when its priority relative to the merges both revisions
// share changed (the fewest moves that turn the old order into the new).
type MergeDiff struct {
	Added, Removed, Reranked int
	// Scores counts the Unigram pieces whose score changed.
	Scores int
	// Old and New are the lengths of the merge lists.
	Old, New int
	// Line is where the first difference is in the head revision.
	Line int
}

// Changed reports whether the merges or scores differ.
func (m MergeDiff) Changed() bool { return m.Added+m.Removed+m.Reranked+m.Scores > 0 }

// Count is the number of merges (or scores) that differ.
func (m MergeDiff) Count() int { return m.Added + m.Removed + m.Reranked + m.Scores }

// Diff is how the vocabulary and merges of two revisions differ. The
// lists are in the head revision's order (removals in the base's).
type Diff struct {
	// Renumbered are tokens both revisions have under different ids: old
	// embedding rows now mean other tokens.
	Renumbered []Change
	// Removed are tokens only the base has.
	Removed []Change
	// Added are tokens only the head has.
	Added []Change
	// Flags are added tokens whose flags (special, lstrip, rstrip,
	// normalized, single_word) changed; their ids are in OldID and NewID.
	Flags  []Change
	Merges MergeDiff
}

// Compare compares the vocabulary and merges of two revisions.
func Compare(old, new *File) *Diff {
	d := &Diff{}
	if old.vocabSum != new.vocabSum || !sameAdded(old, new) {
		compareVocab(old, new, d)
	}
	for _, a := range new.Added {
		if i, ok := old.added[a.Text]; ok && old.Added[i].Flags != a.Flags {
			d.Flags = append(d.Flags, Change{Text: a.Text, OldID: old.Added[i].ID, NewID: a.ID, Line: a.Line})
		}
	}
	if old.mergesSum != new.mergesSum {
		d.Merges = compareMerges(old, new)
	}
	if old.Scores != nil && new.Scores != nil && old.vocabSum != new.vocabSum {
		for i, t := range new.Vocab {
			j, ok := old.vocab.get(t.Text, old.Vocab)
			if ok && old.Scores[j] != new.Scores[i] {
				if d.Merges.Scores == 0 {
					d.Merges.Line = t.Line
				}
				d.Merges.Scores++
			}
		}
	}
	return d
}

// compareVocab finds the tokens renumbered, added and removed. Entries at
// the same position with the same text are compared directly, so that a
// vocabulary written in the same order costs no lookups but for the
// entries that moved.
func compareVocab(old, new *File, d *Diff) {
	oldID := func(i int, text string) (int64, bool) {
		if i >= 0 && i < len(old.Vocab) && old.Vocab[i].Text == text && !old.isAdded(text) {
			return old.Vocab[i].ID, true
		}
		id, _, ok := old.lookup(text)
		return id, ok
	}
	visit := func(i int, t Token) {
		id, ok := oldID(i, t.Text)
		switch {
		case !ok:
			d.Added = append(d.Added, Change{Text: t.Text, OldID: -1, NewID: t.ID, Line: t.Line})
		case id != t.ID:
			d.Renumbered = append(d.Renumbered, Change{Text: t.Text, OldID: id, NewID: t.ID, Line: t.Line})
		}
	}
	for i, t := range new.Vocab {
		if !new.isAdded(t.Text) {
			visit(i, t)
		}
	}
	for _, a := range new.Added {
		visit(-1, a.Token)
	}
	removed := func(i int, t Token) {
		if i >= 0 && i < len(new.Vocab) && new.Vocab[i].Text == t.Text {
			return
		}
		if _, _, ok := new.lookup(t.Text); !ok {
			d.Removed = append(d.Removed, Change{Text: t.Text, OldID: t.ID, NewID: -1, Line: t.Line})
		}
	}
	for i, t := range old.Vocab {
		if !old.isAdded(t.Text) {
			removed(i, t)
		}
	}
	for _, a := range old.Added {
		removed(-1, a.Token)
	}
	byID := func(cs []Change, id func(Change) int64) {
		sort.SliceStable(cs, func(i, j int) bool { return id(cs[i]) < id(cs[j]) })
	}
	byID(d.Added, func(c Change) int64 { return c.NewID })
	byID(d.Renumbered, func(c Change) int64 { return c.NewID })
	byID(d.Removed, func(c Change) int64 { return c.OldID })
}

// sameAdded reports whether two revisions' added tokens have the same ids.
func sameAdded(old, new *File) bool {
	if len(old.Added) != len(new.Added) {
		return false
	}
	for i := range old.Added {
		if old.Added[i].Text != new.Added[i].Text || old.Added[i].ID != new.Added[i].ID {
			return false
		}
	}
	return true
}

// compareMerges counts the merges added, removed and re-ranked.
func compareMerges(old, new *File) MergeDiff {
	m := MergeDiff{Old: len(old.merges), New: len(new.merges), Line: new.MergesLine}
	first := -1
	for i := range new.merges {
		if i >= len(old.merges) || old.merges[i] != new.merges[i] {
			first = i
			break
		}
	}
	if first < 0 {
		if len(old.merges) == len(new.merges) {
			return MergeDiff{} // the same merges, written differently
		}
		first = len(new.merges)
	}
	if first < len(new.mergeLines) {
		m.Line = int(new.mergeLines[first])
	}
	// Only the merges from the first difference on can differ.
	rank := make(map[uint64]int32, len(old.merges)-first)
	for i, p := range old.merges[first:] {
		rank[p] = int32(i)
	}
	seq := make([]int32, 0, len(new.merges)-first)
	for _, p := range new.merges[first:] {
		if r, ok := rank[p]; ok {
			seq = append(seq, r)
		} else {
			m.Added++
		}
	}
	m.Removed = len(old.merges) - first - len(seq)
	m.Reranked = len(seq) - longestIncreasing(seq)
	return m
}

// longestIncreasing returns the length of the longest strictly increasing
// subsequence of s (patience sorting, n log n): the shared merges that
// keep their relative order.
func longestIncreasing(s []int32) int {
	var tails []int32
	for _, v := range s {
		i := sort.Search(len(tails), func(i int) bool { return tails[i] >= v })
		if i == len(tails) {
			tails = append(tails, v)
		} else {
			tails[i] = v
		}
	}
	return len(tails)
}

// Quote renders a token for a report: quoted, with control characters and
// invisible ones escaped, and cut to 40 characters.
func Quote(text string) string {
	r := []rune(text)
	if len(r) > 40 {
		text = string(r[:37]) + "…"
	}
	return strconv.QuoteToGraphic(text)
}

// Examples renders up to n changes as "text" old -> new, for a finding's
// message.
func Examples(cs []Change, n int) string {
	var parts []string
	for i, c := range cs {
		if i == n {
			parts = append(parts, fmt.Sprintf("and %d more", len(cs)-n))
			break
		}
		switch {
		case c.OldID < 0:
			parts = append(parts, fmt.Sprintf("%s (id %d)", Quote(c.Text), c.NewID))
		case c.NewID < 0:
			parts = append(parts, fmt.Sprintf("%s (was id %d)", Quote(c.Text), c.OldID))
		default:
			parts = append(parts, fmt.Sprintf("%s %d -> %d", Quote(c.Text), c.OldID, c.NewID))
		}
	}
	return strings.Join(parts, ", ")
}

// NewAdded returns a vocabulary of added tokens only, such as
// tokenizer_config.json's added_tokens_decoder lists. A token listed twice
// is returned as dup, and f is nil.
func NewAdded(name string, tokens []AddedToken) (f *File, dup *AddedToken) {
	f = &File{Name: name, Added: tokens, added: make(map[string]int32, len(tokens))}
	for i := range tokens {
		if _, ok := f.added[tokens[i].Text]; ok {
			return nil, &tokens[i]
		}
		f.added[tokens[i].Text] = int32(i)
	}
	return f, nil
}
