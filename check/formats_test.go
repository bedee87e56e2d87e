package check

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/modelgate/modelgate/check/evidence/gguf"
	"github.com/modelgate/modelgate/internal/modelfile"
)

func tokensValue(t *testing.T, spec string) *gguf.Value {
	t.Helper()
	data, err := modelfile.Build("gguf\ntokenizer.ggml.tokens " + spec + "\n")
	if err != nil {
		t.Fatal(err)
	}
	f, err := gguf.Read("m.gguf", bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := f.Lookup("tokenizer.ggml.tokens")
	return v
}

// TestTokenChange: a vocabulary compared by its per-token hashes follows
// the Hugging Face tokenizer rules: appended is minor, an id changed or
// removed is major.
func TestTokenChange(t *testing.T) {
	tests := []struct {
		name, base, head string
		rule             *Rule
		text             string
	}{
		{"appended", "tokens 10", "tokens 13", ruleGgufTokensAdded, "3 tokens appended (ids 10-12)"},
		{"one changed", "tokens 10", "tokens 10 4=x", ruleGgufTokensChanged, "1 token id changed (first: id 4)"},
		{"removed", "tokens 10", "tokens 8", ruleGgufTokensChanged, "2 ids removed (8-9)"},
		{"changed and appended", "tokens 10 2=a", "tokens 12 2=b 5=c", ruleGgufTokensChanged, "2 token ids changed (first: id 2), 2 appended"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, text := tokenChange(tokensValue(t, tt.base), tokensValue(t, tt.head))
			if r != tt.rule || !strings.HasSuffix(text, tt.text) {
				t.Errorf("got %s %q, want %s %q", r.ID, text, tt.rule.ID, tt.text)
			}
		})
	}
}

// seeker counts how the prefix reader moves through what it wraps.
type seeker struct {
	r      *bytes.Reader
	sought int64
}

func (s *seeker) Read(p []byte) (int, error) { return s.r.Read(p) }
func (s *seeker) Seek(off int64, whence int) (int64, error) {
	s.sought += off
	return s.r.Seek(off, whence)
}

func TestPrefixReader(t *testing.T) {
	data := []byte("0123456789abcdef")
	for _, canSeek := range []bool{true, false} {
		src := &seeker{r: bytes.NewReader(data[4:])}
		var under io.Reader = src
		if !canSeek {
			under = struct{ io.Reader }{src}
		}
		p := &prefixReader{head: data[:4], r: under}
		buf := make([]byte, 2)
		if _, err := io.ReadFull(p, buf); err != nil || string(buf) != "01" {
			t.Fatalf("read %q, %v", buf, err)
		}
		if pos, err := p.Seek(10, io.SeekCurrent); err != nil || pos != 12 {
			t.Fatalf("seek to %d, %v", pos, err)
		}
		rest, _ := io.ReadAll(p)
		if string(rest) != "cdef" {
			t.Errorf("after the seek: %q, want cdef", rest)
		}
		if canSeek && src.sought != 8 || !canSeek && src.sought != 0 {
			t.Errorf("seekable %v: sought %d bytes in the source", canSeek, src.sought)
		}
		if _, err := p.Seek(-1, io.SeekCurrent); err == nil {
			t.Error("a backward seek succeeded")
		}
	}
}

// TestGGUFKeysInVocabulary: GGUF metadata keys, dotted and with the list
// indexes GGUF numbers struct entries with, find their concept in the
// vocabulary; a key it does not know finds none (and is unclassified).
func TestGGUFKeysInVocabulary(t *testing.T) {
	for _, tc := range []struct {
		key, concept string
		class        keyClass
	}{
		{"general.architecture", "model-class", classShape},
		{"general.name", "model-card", classMetadata},
		{"general.license.link", "license", classMetadata},
		{"general.source.huggingface.repository", "homepage", classMetadata},
		{"general.base_model.0.name", "provenance", classMetadata},
		{"general.base_model.12.repo_url", "provenance", classMetadata},
		{"general.dataset.3.organization", "provenance", classMetadata},
		{"general.file_type", "weight-quantization-type", classBehaviour},
		{"general.alignment", "file-alignment", classRuntime},
		{"llama.block_count", "layer-count", classShape},
		{"llama.frobnication", "", 0},
		{"general.base_model.0.frobnication", "", 0},
		{"general.7", "", 0},
	} {
		c := lookupConcept(tc.key)
		switch {
		case tc.concept == "" && c != nil:
			t.Errorf("%s: concept %s, want none", tc.key, c.id)
		case tc.concept == "":
		case c == nil:
			t.Errorf("%s: no concept, want %s", tc.key, tc.concept)
		case c.id != tc.concept || c.class != tc.class:
			t.Errorf("%s: concept %s (class %v), want %s (class %v)", tc.key, c.id, c.class, tc.concept, tc.class)
		}
	}
}
