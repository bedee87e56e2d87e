package tokenizer

import (
	"cmp"
	"hash/maphash"
	"slices"
	"strings"
)

// tokenIndex finds the tokens of a vocabulary by their text: a 64-bit
// hash of each token's text and its position, sorted by hash. Reading a
// vocabulary of hundreds of thousands of tokens appends to it, and sorts
// it once at the end (radix sort, 8 passes over 16-byte entries), which
// costs a fraction of a map insert a token (a cache miss each) and holds
// no strings. Texts with one hash are told apart by comparing them.
type tokenIndex struct {
	entries []hashPos
}

// hashPos is a token's hash and its position in the vocabulary.
type hashPos struct {
	h uint64
	i int32
}

// tokenHash is the hash of a token's text; tests replace it with a weak
// one to exercise collisions.
var tokenHash = func(text string) uint64 { return maphash.String(seeds[0], text) }

// add records the position of the next token.
func (x *tokenIndex) add(text string, i int32) {
	x.entries = append(grow(x.entries), hashPos{tokenHash(text), i})
}

// build sorts the index of vocab, and reports the first token in vocab's
// order whose text an earlier one has, if any, as dup.
func (x *tokenIndex) build(vocab []Token) (dup int32, ok bool) {
	sortByHash(x.entries)
	dup = -1
	e := x.entries
	for lo := 0; lo < len(e); {
		hi := lo + 1
		for hi < len(e) && e[hi].h == e[lo].h {
			hi++
		}
		// A run of one hash (nearly always one token): a token whose
		// text an earlier one of the run has is listed twice.
		for a := lo + 1; a < hi; a++ {
			for b := lo; b < a; b++ {
				if vocab[e[a].i].Text == vocab[e[b].i].Text {
					if dup < 0 || e[a].i < dup {
						dup = e[a].i
					}
					break
				}
			}
		}
		lo = hi
	}
	return dup, dup < 0
}

// get returns the position of the token text in vocab.
func (x *tokenIndex) get(text string, vocab []Token) (int32, bool) {
	h := tokenHash(text)
	e := x.entries
	k, _ := slices.BinarySearchFunc(e, h, func(p hashPos, h uint64) int { return cmp.Compare(p.h, h) })
	for ; k < len(e) && e[k].h == h; k++ {
		if vocab[e[k].i].Text == text {
			return e[k].i, true
		}
	}
	return 0, false
}

// sortByHash sorts entries by hash, then position. They are added in
// position order, so a stable sort by hash is enough: a least significant
// digit radix sort, 8 bits at a time, for all but small vocabularies.
func sortByHash(a []hashPos) {
	if len(a) < 1<<12 {
		slices.SortFunc(a, func(x, y hashPos) int {
			if c := cmp.Compare(x.h, y.h); c != 0 {
				return c
			}
			return cmp.Compare(x.i, y.i)
		})
		return
	}
	var count [8][256]int
	for _, e := range a {
		for d := range 8 {
			count[d][byte(e.h>>(8*d))]++
		}
	}
	src, dst := a, make([]hashPos, len(a))
	for d := range 8 {
		c := &count[d]
		sum := 0
		for k, n := range c {
			c[k] = sum
			sum += n
		}
		shift := 8 * d
		for _, e := range src {
			k := byte(e.h >> shift)
			dst[c[k]] = e
			c[k]++
		}
		src, dst = dst, src
	}
	// An even number of passes: the result is back in a.
}

// keepTexts copies the texts of the tokens, which are slices of the file
// being read, into one string: the file is not kept, and one allocation
// holds a vocabulary's texts rather than one a token.
func keepTexts(vocab []Token) {
	n := 0
	for _, t := range vocab {
		n += len(t.Text)
	}
	var b strings.Builder
	b.Grow(n)
	for _, t := range vocab {
		b.WriteString(t.Text)
	}
	all := b.String()
	at := 0
	for i := range vocab {
		end := at + len(vocab[i].Text)
		vocab[i].Text = all[at:end]
		at = end
	}
}
