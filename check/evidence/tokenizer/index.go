package tokenizer

import (
	"hash/maphash"
	"strings"
)

// tokenIndex finds the tokens of a vocabulary by their text. It maps a
// 64-bit hash of the text to the token's position: it holds no strings,
// and adding a token compares none, which matters for vocabularies of
// hundreds of thousands of tokens. Two different texts with one hash are
// told apart by collided.
type tokenIndex struct {
	byHash map[uint64]int32
	// collided holds the tokens whose hash an earlier, different token
	// already has in byHash.
	collided map[string]int32
}

// tokenHash is the hash of a token's text; tests replace it with a weak
// one to exercise collisions.
var tokenHash = func(text string) uint64 { return maphash.String(seeds[0], text) }

func newTokenIndex(size int) tokenIndex {
	return tokenIndex{byHash: make(map[uint64]int32, size)}
}

// add records that vocab[i] (not yet in vocab, which holds the tokens
// before it) is text. A token with the same text already there is
// returned as dup, and nothing is recorded.
func (x *tokenIndex) add(text string, i int32, vocab []Token) (dup int32, ok bool) {
	h := tokenHash(text)
	n := len(x.byHash)
	x.byHash[h] = i // one map operation a token
	if len(x.byHash) > n {
		return 0, true
	}
	// The hash was there (a token listed twice, or rarely two texts with
	// one hash): the first token with it owns the entry again.
	for j := range vocab {
		if tokenHash(vocab[j].Text) == h {
			x.byHash[h] = int32(j)
			if vocab[j].Text == text {
				return int32(j), false
			}
			break
		}
	}
	if j, dup := x.collided[text]; dup {
		return j, false
	}
	if x.collided == nil {
		x.collided = map[string]int32{}
	}
	x.collided[strings.Clone(text)] = i
	return 0, true
}

// get returns the position of the token text in vocab.
func (x *tokenIndex) get(text string, vocab []Token) (int32, bool) {
	i, ok := x.byHash[tokenHash(text)]
	if !ok {
		return 0, false
	}
	if vocab[i].Text == text {
		return i, true
	}
	i, ok = x.collided[text]
	return i, ok
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
