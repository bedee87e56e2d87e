// Package modelfile writes real GGUF (version 3) and ONNX model files byte
// by byte, for tests: the rule fixtures, the testscript scenarios, the
// benchmarks and the fuzz seeds. A file is described in a small text spec
// (see Build), or built with the writers directly. It writes the formats as
// llama.cpp's gguf-py and the onnx package write them, without depending
// on either.
package modelfile

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// GGUF value types (gguf_type).
const (
	GGUFUint8   = 0
	GGUFInt8    = 1
	GGUFUint16  = 2
	GGUFInt16   = 3
	GGUFUint32  = 4
	GGUFInt32   = 5
	GGUFFloat32 = 6
	GGUFBool    = 7
	GGUFString  = 8
	GGUFArray   = 9
	GGUFUint64  = 10
	GGUFInt64   = 11
	GGUFFloat64 = 12
)

// GGUFValue is a metadata value to write: a type and its encoded bytes.
type GGUFValue struct {
	Type uint32
	Data []byte // the encoding after the type
}

// GGUFTensor is a tensor to write: its info and the size of its data.
type GGUFTensor struct {
	Name     string
	Dims     []uint64 // innermost first, as GGUF stores them
	Type     uint32   // ggml type
	DataSize int64
}

// GGUF builds a GGUF file.
type GGUF struct {
	Version  uint32
	Keys     []string
	Values   []GGUFValue
	Tensors  []GGUFTensor
	DataSeed byte // varies the tensor data without changing any header
}

// KV appends a metadata entry.
func (g *GGUF) KV(key string, v GGUFValue) {
	g.Keys = append(g.Keys, key)
	g.Values = append(g.Values, v)
}

func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
func le64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

// GGUFStr encodes a gguf_string: a uint64 length, then the bytes.
func GGUFStr(s string) []byte { return append(le64(uint64(len(s))), s...) }

// Str is a string value.
func Str(s string) GGUFValue { return GGUFValue{GGUFString, GGUFStr(s)} }

// U32 is a uint32 value.
func U32(v uint32) GGUFValue { return GGUFValue{GGUFUint32, le32(v)} }

// F32 is a float32 value.
func F32(v float32) GGUFValue { return GGUFValue{GGUFFloat32, le32(math.Float32bits(v))} }

// Array is an array of values of one type.
func Array(elem uint32, items ...GGUFValue) GGUFValue {
	d := append(le32(elem), le64(uint64(len(items)))...)
	for _, it := range items {
		d = append(d, it.Data...)
	}
	return GGUFValue{GGUFArray, d}
}

// Tokens is an array of n generated tokens, "<t0>" … , with the given ids
// replaced.
func Tokens(n int, replace map[int]string) GGUFValue {
	d := append(le32(GGUFString), le64(uint64(n))...)
	for i := 0; i < n; i++ {
		t, ok := replace[i]
		if !ok {
			t = "<t" + strconv.Itoa(i) + ">"
		}
		d = append(d, GGUFStr(t)...)
	}
	return GGUFValue{GGUFArray, d}
}

// Header returns the header: magic, version, counts, metadata, tensor
// infos, padded to the 32-byte alignment.
func (g *GGUF) Header() []byte {
	v := g.Version
	if v == 0 {
		v = 3
	}
	b := []byte("GGUF")
	b = append(b, le32(v)...)
	b = append(b, le64(uint64(len(g.Tensors)))...)
	b = append(b, le64(uint64(len(g.Keys)))...)
	for i, k := range g.Keys {
		b = append(b, GGUFStr(k)...)
		b = append(b, le32(g.Values[i].Type)...)
		b = append(b, g.Values[i].Data...)
	}
	var off uint64
	for _, t := range g.Tensors {
		b = append(b, GGUFStr(t.Name)...)
		b = append(b, le32(uint32(len(t.Dims)))...)
		for _, d := range t.Dims {
			b = append(b, le64(d)...)
		}
		b = append(b, le32(t.Type)...)
		b = append(b, le64(off)...)
		off += uint64(align(t.DataSize))
	}
	for len(b)%32 != 0 {
		b = append(b, 0)
	}
	return b
}

func align(n int64) int64 { return (n + 31) / 32 * 32 }

// Bytes returns the whole file: the header, then each tensor's data
// (bytes derived from DataSeed), aligned.
func (g *GGUF) Bytes() []byte {
	b := g.Header()
	for i, t := range g.Tensors {
		for j := int64(0); j < align(t.DataSize); j++ {
			b = append(b, byte(int64(g.DataSeed)*31+int64(i)*7+j))
		}
	}
	return b
}

// ggmlTypes are the ggml type names the spec accepts.
var ggmlTypes = map[string]uint32{"F32": 0, "F16": 1, "Q4_0": 2, "Q4_1": 3, "Q5_0": 6, "Q5_1": 7, "Q8_0": 8,
	"Q2_K": 10, "Q3_K": 11, "Q4_K": 12, "Q5_K": 13, "Q6_K": 14, "IQ4_XS": 23, "BF16": 30}

// ggufScalar encodes one scalar of a spec type.
func ggufScalar(typ, text string) (GGUFValue, error) {
	bad := fmt.Errorf("bad %s value %q", typ, text)
	switch typ {
	case "str":
		if u, err := strconv.Unquote(text); err == nil {
			text = u
		}
		return Str(text), nil
	case "bool":
		switch text {
		case "true":
			return GGUFValue{GGUFBool, []byte{1}}, nil
		case "false":
			return GGUFValue{GGUFBool, []byte{0}}, nil
		}
		return GGUFValue{}, bad
	case "f32":
		f, err := strconv.ParseFloat(text, 32)
		if err != nil {
			return GGUFValue{}, bad
		}
		return F32(float32(f)), nil
	case "f64":
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return GGUFValue{}, bad
		}
		return GGUFValue{GGUFFloat64, le64(math.Float64bits(f))}, nil
	}
	ints := map[string]struct {
		t    uint32
		size int
		sign bool
	}{"u8": {GGUFUint8, 1, false}, "i8": {GGUFInt8, 1, true}, "u16": {GGUFUint16, 2, false}, "i16": {GGUFInt16, 2, true},
		"u32": {GGUFUint32, 4, false}, "i32": {GGUFInt32, 4, true}, "u64": {GGUFUint64, 8, false}, "i64": {GGUFInt64, 8, true}}
	it, ok := ints[typ]
	if !ok {
		return GGUFValue{}, fmt.Errorf("unknown type %q", typ)
	}
	var u uint64
	if it.sign {
		v, err := strconv.ParseInt(text, 10, it.size*8)
		if err != nil {
			return GGUFValue{}, bad
		}
		u = uint64(v)
	} else {
		v, err := strconv.ParseUint(text, 10, it.size*8)
		if err != nil {
			return GGUFValue{}, bad
		}
		u = v
	}
	return GGUFValue{it.t, le64(u)[:it.size]}, nil
}

// parseGGUF builds a GGUF file from its spec lines (see Build).
func parseGGUF(lines []string) ([]byte, error) {
	g := &GGUF{Version: 3}
	header := false
	for i, line := range lines {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		fail := func(format string, args ...any) ([]byte, error) {
			return nil, fmt.Errorf("gguf spec line %d: %s", i+1, fmt.Sprintf(format, args...))
		}
		switch {
		case f[0] == "gguf":
			if len(f) > 1 {
				v, err := strconv.ParseUint(f[1], 10, 32)
				if err != nil {
					return fail("bad version %q", f[1])
				}
				g.Version = uint32(v)
			}
		case f[0] == "header-only":
			header = true
		case f[0] == "data":
			if len(f) != 2 {
				return fail("want data SEED")
			}
			s, err := strconv.ParseUint(f[1], 10, 8)
			if err != nil {
				return fail("bad seed %q", f[1])
			}
			g.DataSeed = byte(s)
		case f[0] == "tensor":
			// tensor NAME TYPE DIMS (innermost first, e.g. 64x32)
			if len(f) != 4 {
				return fail("want tensor NAME TYPE DIMS")
			}
			t := GGUFTensor{Name: f[1]}
			tt, ok := ggmlTypes[f[2]]
			if !ok {
				return fail("unknown ggml type %q", f[2])
			}
			t.Type = tt
			n := int64(1)
			for _, d := range strings.Split(f[3], "x") {
				v, err := strconv.ParseUint(d, 10, 63)
				if err != nil {
					return fail("bad dims %q", f[3])
				}
				t.Dims = append(t.Dims, v)
				n *= int64(v)
			}
			t.DataSize = min(n, 1<<20) / 8 // enough distinct bytes to tell data apart
			g.Tensors = append(g.Tensors, t)
		case len(f) >= 3 && f[1] == "tokens":
			// KEY tokens N [ID=TEXT ...]
			n, err := strconv.Atoi(f[2])
			if err != nil {
				return fail("bad token count %q", f[2])
			}
			repl := map[int]string{}
			for _, r := range f[3:] {
				id, text, ok := strings.Cut(r, "=")
				k, err := strconv.Atoi(id)
				if !ok || err != nil {
					return fail("bad replacement %q; want ID=TEXT", r)
				}
				repl[k] = text
			}
			g.KV(f[0], Tokens(n, repl))
		case len(f) >= 2 && strings.HasPrefix(f[1], "[]"):
			// KEY []TYPE V...
			typ := strings.TrimPrefix(f[1], "[]")
			var items []GGUFValue
			elem := uint32(0)
			for _, s := range f[2:] {
				v, err := ggufScalar(typ, s)
				if err != nil {
					return fail("%v", err)
				}
				items = append(items, v)
				elem = v.Type
			}
			if len(items) == 0 {
				v, err := ggufScalar(typ, "0")
				if err != nil && typ != "str" {
					return fail("%v", err)
				}
				elem = v.Type
			}
			g.KV(f[0], Array(elem, items...))
		case len(f) >= 3:
			// KEY TYPE VALUE (a str value may hold spaces)
			v, err := ggufScalar(f[1], strings.Join(f[2:], " "))
			if err != nil {
				return fail("%v", err)
			}
			g.KV(f[0], v)
		default:
			return fail("want KEY TYPE VALUE, KEY []TYPE V..., KEY tokens N, tensor NAME TYPE DIMS or data SEED")
		}
	}
	if header {
		return g.Header(), nil
	}
	return g.Bytes(), nil
}

// BenchGGUF returns a Llama-like GGUF of a vocabulary of vocab tokens (with
// scores and token types, as llama.cpp writes them) and n tensors: the
// header the benchmarks read.
func BenchGGUF(vocab, n int) *GGUF {
	g := &GGUF{Version: 3}
	g.KV("general.architecture", Str("llama"))
	g.KV("general.name", Str("bench"))
	g.KV("llama.block_count", U32(uint32(n/10)))
	g.KV("llama.embedding_length", U32(4096))
	g.KV("llama.context_length", U32(8192))
	g.KV("tokenizer.ggml.model", Str("gpt2"))
	g.KV("tokenizer.ggml.tokens", Tokens(vocab, nil))
	scores := append(le32(GGUFFloat32), le64(uint64(vocab))...)
	types := append(le32(GGUFInt32), le64(uint64(vocab))...)
	for i := 0; i < vocab; i++ {
		scores = append(scores, le32(math.Float32bits(float32(-i)))...)
		types = append(types, le32(1)...)
	}
	g.KV("tokenizer.ggml.scores", GGUFValue{GGUFArray, scores})
	g.KV("tokenizer.ggml.token_type", GGUFValue{GGUFArray, types})
	for i := 0; i < n; i++ {
		g.Tensors = append(g.Tensors, GGUFTensor{Name: fmt.Sprintf("blk.%d.ffn_%d.weight", i/10, i%10), Dims: []uint64{4096, 4096}, Type: 12, DataSize: 32})
	}
	return g
}
