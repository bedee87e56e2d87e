package gguf

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/modelgate/modelgate/internal/modelfile"
)

func build(t testing.TB, spec string) []byte {
	t.Helper()
	b, err := modelfile.Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func read(data []byte) (*File, error) {
	return Read("model.gguf", bytes.NewReader(data), int64(len(data)))
}

func TestRead(t *testing.T) {
	data := build(t, `gguf 3
general.architecture str llama
general.name str "Tiny Llama"
llama.block_count u32 2
llama.rope.freq_base f32 10000
llama.attention.layer_norm_rms_epsilon f32 1e-05
llama.vocab_only bool true
llama.offset i64 -9223372036854775808
llama.big u64 18446744073709551615
llama.heads []i32 8 8 4
tokenizer.ggml.tokens tokens 5 2=hello
tensor token_embd.weight Q4_K 64x5
tensor blk.0.attn_q.weight F16 64x64
`)
	f, err := read(data)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, kv := range f.Metadata {
		got = append(got, kv.Key+"="+kv.Value.Text())
	}
	want := []string{`general.architecture="llama"`, `general.name="Tiny Llama"`, "llama.block_count=2", "llama.rope.freq_base=10000",
		"llama.attention.layer_norm_rms_epsilon=1e-05", "llama.vocab_only=true", "llama.offset=-9223372036854775808",
		"llama.big=18446744073709551615", "llama.heads=[8, 8, 4]"}
	for i, w := range want {
		if got[i] != w {
			t.Errorf("metadata %d = %s, want %s", i, got[i], w)
		}
	}
	tok, ok := f.Lookup("tokenizer.ggml.tokens")
	if !ok || !tok.Summarised || tok.Len != 5 || len(tok.Hashes) != 5 || tok.Elem != TypeString {
		t.Fatalf("tokens = %+v, want a summary of 5 strings with 5 hashes", tok)
	}
	if !strings.HasPrefix(tok.Text(), "[5 × string, sha256:") {
		t.Errorf("tokens text %q", tok.Text())
	}
	if tok.Hashes[2] != fnv(fnvOffset, []byte("hello")) || tok.Hashes[0] != fnv(fnvOffset, []byte("<t0>")) {
		t.Error("a token's hash is not the FNV-1a of its text")
	}
	if len(f.Tensors) != 2 || f.Tensors[0].TypeName() != "Q4_K" || f.Tensors[0].Dims[0] != 64 || f.Tensors[0].Dims[1] != 5 ||
		f.Tensors[1].TypeName() != "F16" || f.Tensors[1].Offset == 0 {
		t.Errorf("tensors = %+v", f.Tensors)
	}
	if f.HeaderSize >= f.Size {
		t.Errorf("read %d of %d bytes: the tensor data was read", f.HeaderSize, f.Size)
	}
}

// TestTokensDiffer: one changed token changes its hash and the digest,
// nothing else.
func TestTokensDiffer(t *testing.T) {
	a, _ := read(build(t, "gguf\ntokenizer.ggml.tokens tokens 100\n"))
	b, _ := read(build(t, "gguf\ntokenizer.ggml.tokens tokens 100 42=x\n"))
	ta, _ := a.Lookup("tokenizer.ggml.tokens")
	tb, _ := b.Lookup("tokenizer.ggml.tokens")
	if ta.Digest == tb.Digest {
		t.Error("digests equal for different token lists")
	}
	for i := range ta.Hashes {
		if (ta.Hashes[i] != tb.Hashes[i]) != (i == 42) {
			t.Errorf("hash %d: equal=%v", i, ta.Hashes[i] == tb.Hashes[i])
		}
	}
}

func TestNested(t *testing.T) {
	inner := modelfile.Array(modelfile.GGUFUint32, modelfile.U32(1), modelfile.U32(2))
	g := &modelfile.GGUF{}
	g.KV("x.nested", modelfile.Array(modelfile.GGUFArray, inner, inner))
	f, err := read(g.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	v := f.Metadata[0].Value
	if !v.Summarised || v.Len != 2 || v.Elem != TypeArray || v.Hashes[0] != v.Hashes[1] {
		t.Errorf("nested = %+v", v)
	}
	// Nested beyond the bound.
	deep := modelfile.U32(1)
	for i := 0; i < MaxDepth+1; i++ {
		deep = modelfile.Array(deep.Type, deep)
	}
	g = &modelfile.GGUF{}
	g.KV("x.deep", deep)
	if _, err := read(g.Bytes()); err == nil || !strings.Contains(err.Error(), "nested more than 8 deep") {
		t.Errorf("deep nesting: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	good := build(t, "gguf\ngeneral.architecture str llama\ntensor w F32 4x4\n")
	le := binary.LittleEndian
	patch := func(off int, v []byte) []byte {
		b := bytes.Clone(good)
		copy(b[off:], v)
		return b
	}
	u64 := func(v uint64) []byte { return le.AppendUint64(nil, v) }
	u32 := func(v uint32) []byte { return le.AppendUint32(nil, v) }
	keyLen := 24              // offset of the first key's length
	typeAt := keyLen + 8 + 20 // "general.architecture" is 20 bytes
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"not gguf", []byte("PK\x03\x04 zip"), "model.gguf: offset 0: not a GGUF file"},
		{"empty", nil, "model.gguf: offset 0: the file ends inside the magic"},
		{"big-endian", patch(4, []byte{0, 0, 0, 3}), "offset 4: a big-endian GGUF file (version 3 in big-endian byte order)"},
		{"version 1", patch(4, u32(1)), "GGUF version 1"},
		{"version 9", patch(4, u32(9)), "GGUF version 9; modelgate reads versions 2 and 3"},
		{"lying tensor count", patch(8, u64(1<<62)), "offset 8: the tensor count is 4611686018427387904, but"},
		{"lying metadata count", patch(16, u64(1<<62)), "offset 16: the metadata count is 4611686018427387904"},
		{"lying key length", patch(keyLen, u64(1<<40)), "offset 24: metadata key length is 1099511627776, but"},
		{"unknown value type", patch(typeAt, u32(13)), `"general.architecture": unknown value type 13`},
		{"non-UTF-8 key", patch(keyLen+8, []byte{0xff, 0xfe}), "metadata key \"\uFFFDneral.architecture\" is not UTF-8"},
		{"truncated", good[:60], "the file ends inside"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := read(tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %v, want one line with %q", err, tt.want)
			}
		})
	}
}

func TestIs(t *testing.T) {
	for _, tt := range []struct {
		name string
		head string
		want bool
	}{{"m.gguf", "", true}, {"m.GGUF", "", true}, {"model.bin", "GGUF\x03", true}, {"config.json", "{", false}} {
		if got := Is(tt.name, []byte(tt.head)); got != tt.want {
			t.Errorf("Is(%q, %q) = %v", tt.name, tt.head, got)
		}
	}
}

// FuzzRead feeds arbitrary bytes to the reader: bad input is one error
// line naming the file, never a panic. The seed corpus is in
// testdata/fuzz/FuzzRead.
func FuzzRead(f *testing.F) {
	f.Add(build(f, "gguf\ngeneral.architecture str llama\nllama.block_count u32 2\ntokenizer.ggml.tokens tokens 3\ntensor w Q4_K 32x2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := read(data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), "model.gguf: offset ") {
				t.Errorf("error %q: want one line starting with the file name and offset", err)
			}
			return
		}
		if file.HeaderSize > int64(len(data)) {
			t.Errorf("header of %d bytes in a file of %d", file.HeaderSize, len(data))
		}
	})
}

func BenchmarkRead(b *testing.B) {
	g := Bench256k()
	data := g.Header()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := read(data); err != nil {
			b.Fatal(err)
		}
	}
}

// Bench256k is the benchmark's header: a 256,000-token vocabulary with
// scores and types, and 1,000 tensors.
func Bench256k() *modelfile.GGUF {
	return modelfile.BenchGGUF(256000, 1000)
}
