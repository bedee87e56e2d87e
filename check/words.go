package check

import (
	"strings"
	"sync"
	"unicode"
)

// The key-name classifier's words (DESIGN §2): splitting a key into words
// and matching them against the word lists of rules.go. A configuration can
// have 100,000 keys, so both cost a few map look-ups per word: the lists are
// indexed once, and an ASCII key is split without converting it to runes.

// splitWords splits a key into lower-case words at '_', '-', '.', spaces,
// and lower-to-upper case changes.
func splitWords(key string) []string {
	lower, ok := asciiLower(key)
	if !ok {
		return splitWordsRunes(key)
	}
	words := make([]string, 0, 4)
	start := -1 // of the current word, -1 between words
	for i := 0; i < len(key); i++ {
		switch c := key[i]; {
		case c == '_' || c == '-' || c == '.' || c == ' ':
			if start >= 0 {
				words = append(words, lower[start:i])
				start = -1
			}
		case 'A' <= c && c <= 'Z' && i > 0 && isLowerOrDigit(key[i-1]):
			if start >= 0 {
				words = append(words, lower[start:i])
			}
			start = i
		default:
			if start < 0 {
				start = i
			}
		}
	}
	if start >= 0 {
		words = append(words, lower[start:])
	}
	return words
}

// asciiLower returns key in lower case and true when key is ASCII; it
// returns key itself when it has no upper-case letter.
func asciiLower(key string) (string, bool) {
	upper := false
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c >= 0x80 {
			return "", false
		}
		upper = upper || 'A' <= c && c <= 'Z'
	}
	if !upper {
		return key, true
	}
	return strings.ToLower(key), true
}

func isLowerOrDigit(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }

// splitWordsRunes is splitWords for keys that are not ASCII.
func splitWordsRunes(key string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(key)
	for i, r := range rs {
		switch {
		case r == '_' || r == '-' || r == '.' || r == ' ':
			flush()
		case unicode.IsUpper(r) && i > 0 && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1])):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return words
}

// classifyKey classifies a key by the words in its name; hidden-size,
// hiddenSize and hidden_size are alike. Under the architecture there is no
// metadata class: a name there (timm_model_name, tokenizer path) picks a
// part of the network, so it stays unclassified and counts as major.
func classifyKey(key string) keyClass {
	return keyWords().classify(splitWords(key))
}

// wordClassOrder is the order in which the word lists decide: the first
// list with an entry among a key's words gives its class.
var wordClassOrder = [...]struct {
	class keyClass
	list  *[]string
}{
	{classTraining, &trainingWords},
	{classRuntime, &runtimeWords},
	{classBehaviour, &behaviourWords},
	{classShape, &shapeWords},
	{classMetadata, &metadataWords},
}

// wordIndex is the word lists indexed by word. A class is a bit of a mask:
// bit i stands for wordClassOrder[i].
type wordIndex struct {
	// exact and stems hold the one-word entries: a word, or a prefix (an
	// entry ending in *).
	exact, stems map[string]uint8
	maxStem      int
	// phrases holds the entries of several words by their first word;
	// stemPhrases those whose first word is a prefix.
	phrases     map[string][]wordPhrase
	stemPhrases []wordPhrase
}

// wordPhrase is an entry of several consecutive words, each a word or a
// prefix ending in *.
type wordPhrase struct {
	words []string
	mask  uint8
}

// keyWords is the index of the word lists, built on first use.
var keyWords = sync.OnceValue(newWordIndex)

func newWordIndex() *wordIndex {
	x := &wordIndex{exact: map[string]uint8{}, stems: map[string]uint8{}, phrases: map[string][]wordPhrase{}}
	for i, o := range wordClassOrder {
		mask := uint8(1) << i
		for _, entry := range *o.list {
			words := strings.Fields(entry)
			switch {
			case len(words) == 0:
				panic("word lists: an empty entry")
			case len(words) > 1:
				p := wordPhrase{words: words, mask: mask}
				if strings.HasSuffix(words[0], "*") {
					x.stemPhrases = append(x.stemPhrases, p)
				} else {
					x.phrases[words[0]] = append(x.phrases[words[0]], p)
				}
			default:
				if stem, ok := strings.CutSuffix(words[0], "*"); ok {
					x.stems[stem] |= mask
					x.maxStem = max(x.maxStem, len(stem))
				} else {
					x.exact[words[0]] |= mask
				}
			}
		}
	}
	return x
}

// classify returns the class of the first list with an entry among words,
// or classUnknown.
func (x *wordIndex) classify(words []string) keyClass {
	var mask uint8
	for i, w := range words {
		mask |= x.exact[w]
		for n := 0; n <= min(x.maxStem, len(w)); n++ {
			mask |= x.stems[w[:n]]
		}
		for _, p := range x.phrases[w] {
			if p.matchAt(words, i) {
				mask |= p.mask
			}
		}
		for _, p := range x.stemPhrases {
			if p.matchAt(words, i) {
				mask |= p.mask
			}
		}
	}
	if mask == 0 {
		return classUnknown
	}
	for i, o := range wordClassOrder {
		if mask&(1<<i) != 0 {
			return o.class
		}
	}
	return classUnknown
}

// matchAt reports whether the phrase's words start at words[i].
func (p wordPhrase) matchAt(words []string, i int) bool {
	if i+len(p.words) > len(words) {
		return false
	}
	for j, pw := range p.words {
		w := words[i+j]
		if stem, ok := strings.CutSuffix(pw, "*"); ok {
			if !strings.HasPrefix(w, stem) {
				return false
			}
		} else if w != pw {
			return false
		}
	}
	return true
}

// joinedWords is normKey: the words of key joined by "_". A key that is
// already so written (most are) is returned as it is.
func joinedWords(key string) string {
	if isNormal(key) {
		return key
	}
	return strings.Join(splitWords(key), "_")
}

// isNormal reports whether key is its own normal spelling: lower-case
// letters and digits in words joined by single underscores.
func isNormal(key string) bool {
	for i := 0; i < len(key); i++ {
		switch c := key[i]; {
		case isLowerOrDigit(c):
		case c == '_' && i > 0 && i < len(key)-1 && key[i-1] != '_':
		default:
			return false
		}
	}
	return true
}
