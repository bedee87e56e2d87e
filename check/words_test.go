package check

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// The indexed classifier must say what the word lists say. The reference
// below is the straightforward reading of the lists (every entry tried at
// every word), as the classifier was written before it was indexed.

func refSplitWords(key string) []string {
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

func refMatchWords(words []string, list []string) bool {
	for _, entry := range list {
		phrase := strings.Fields(entry)
		for i := 0; i+len(phrase) <= len(words); i++ {
			ok := true
			for j, p := range phrase {
				if strings.HasSuffix(p, "*") {
					ok = strings.HasPrefix(words[i+j], strings.TrimSuffix(p, "*"))
				} else {
					ok = words[i+j] == p
				}
				if !ok {
					break
				}
			}
			if ok {
				return true
			}
		}
	}
	return false
}

func refClassifyKey(key string) keyClass {
	words := refSplitWords(key)
	switch {
	case refMatchWords(words, trainingWords):
		return classTraining
	case refMatchWords(words, runtimeWords):
		return classRuntime
	case refMatchWords(words, behaviourWords):
		return classBehaviour
	case refMatchWords(words, shapeWords):
		return classShape
	case refMatchWords(words, metadataWords):
		return classMetadata
	}
	return classUnknown
}

// checkWords compares splitWords, normKey and classifyKey with the
// reference on one key.
func checkWords(t *testing.T, key string) {
	t.Helper()
	want := refSplitWords(key)
	if got := splitWords(key); !slices.Equal(got, want) {
		t.Errorf("splitWords(%q) = %q, want %q", key, got, want)
	}
	if got, want := normKey(key), strings.Join(want, "_"); got != want {
		t.Errorf("normKey(%q) = %q, want %q", key, got, want)
	}
	if got, want := classifyKey(key), refClassifyKey(key); got != want {
		t.Errorf("classifyKey(%q) = %d, want %d", key, got, want)
	}
}

// TestWordIndexMatchesLists: every entry of the word lists, in the
// spellings a configuration writes it (a phrase's words joined by _, -, .,
// camel case, upper case), alone and inside longer keys, classifies as the
// lists say; so do the vocabulary's keys and sections.
func TestWordIndexMatchesLists(t *testing.T) {
	var keys []string
	for _, o := range wordClassOrder {
		for _, entry := range *o.list {
			words := strings.Fields(strings.ReplaceAll(entry, "*", "x"))
			stems := strings.Fields(strings.ReplaceAll(entry, "*", ""))
			camel := words[0]
			for _, w := range words[1:] {
				camel += strings.ToUpper(w[:1]) + w[1:]
			}
			keys = append(keys,
				strings.Join(words, "_"), strings.Join(stems, "_"), strings.Join(words, "-"), strings.Join(words, "."),
				camel, strings.ToUpper(strings.Join(words, "_")), "num_"+strings.Join(words, "_")+"_per_gpu",
				strings.Join(words, "")+"_size", "x"+strings.Join(stems, "_"), strings.Join(words[:len(words)-1], "_"))
		}
	}
	for _, c := range concepts {
		keys = append(keys, c.keys...)
	}
	for s := range sections() {
		keys = append(keys, s)
	}
	keys = append(keys, "", "_", "__x__", "a__b", "_name_or_path", "HiddenSize", "hidden_Size", "ABCDef", "v2Width",
		"llama.attention.head_count_kv", "Größe_layer", "héad_count", "ÉTAT", "layerNorm", "x\u00a0layer", "layer\u2028x")
	for _, k := range keys {
		checkWords(t, k)
	}
	if len(keys) < 1000 {
		t.Fatalf("only %d keys checked", len(keys))
	}
}

// FuzzClassifyKey: for any key, the indexed classifier agrees with the
// reference reading of the word lists.
func FuzzClassifyKey(f *testing.F) {
	for _, k := range []string{"hidden_size", "train_micro_batch_size_per_gpu", "maxPositionEmbeddings", "LR_DECAY_STYLE", "seq-len"} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, key string) {
		checkWords(t, key)
	})
}

// BenchmarkClassifyKey classifies 100,000 distinct keys no list knows,
// and as many the lists know.
// go test ./check -run '^$' -bench ClassifyKey -benchmem
func BenchmarkClassifyKey(b *testing.B) {
	keys := make([]string, 0, 200_000)
	for i := range 100_000 {
		keys = append(keys, fmt.Sprintf("key_%d", i), fmt.Sprintf("layerNorm%d.hiddenDropout", i))
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, k := range keys {
			classifyKey(k)
		}
	}
}
