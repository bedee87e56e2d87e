// Package gguf reads the header of a GGUF file (llama.cpp, Ollama, LM
// Studio): the magic, the version (2 or 3, little-endian), the metadata
// key-values of every type, nested arrays included, and the tensor infos
// (name, dims, ggml type, offset). It stops where the tensor data starts:
// weights are never read.
//
// Arrays are streamed. One with more than MaxInline elements, any nested
// array, and every array under the tokenizer. prefix (a vocabulary of
// 250,000 tokens) is kept as its element type, length, SHA-256 digest and
// one 64-bit FNV-1a hash per element, never as Go strings: enough to tell
// whether two token lists are equal, which ids changed and whether tokens
// were only appended.
//
// Counts and lengths are checked against the bytes that remain before
// anything is allocated for them, so a header that claims 2^62 entries is
// refused at once. It returns raw facts and knows nothing of versions;
// package check decides the bumps.
package gguf

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"math/bits"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/modelgate/modelgate/internal/excerpt"
)

// Type is the type of a metadata value (gguf_type).
type Type uint32

// The metadata value types of the GGUF specification.
const (
	TypeUint8   Type = 0
	TypeInt8    Type = 1
	TypeUint16  Type = 2
	TypeInt16   Type = 3
	TypeUint32  Type = 4
	TypeInt32   Type = 5
	TypeFloat32 Type = 6
	TypeBool    Type = 7
	TypeString  Type = 8
	TypeArray   Type = 9
	TypeUint64  Type = 10
	TypeInt64   Type = 11
	TypeFloat64 Type = 12
)

var typeNames = [...]string{"u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string", "array", "u64", "i64", "f64"}

// String names a type as gguf-py abbreviates it: u32, f32, string, array.
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "type " + strconv.FormatUint(uint64(t), 10)
}

// size is the encoded size of a scalar type; 0 for strings and arrays.
func (t Type) size() int {
	switch t {
	case TypeUint8, TypeInt8, TypeBool:
		return 1
	case TypeUint16, TypeInt16:
		return 2
	case TypeUint32, TypeInt32, TypeFloat32:
		return 4
	case TypeUint64, TypeInt64, TypeFloat64:
		return 8
	}
	return 0
}

// minSize is the fewest bytes a value of the type takes: the bound that
// checks a count against the bytes that remain.
func (t Type) minSize() int64 {
	switch t {
	case TypeString:
		return 8 // the length
	case TypeArray:
		return 12 // element type and count
	}
	return int64(t.size())
}

// Limits of what the reader accepts or keeps whole.
const (
	// MaxInline is the most elements an array is kept with; longer arrays
	// are kept as a summary.
	MaxInline = 64
	// MaxString is the longest string value kept whole; longer strings are
	// kept as a summary (length and digest).
	MaxString = 64 << 10
	// MaxHashes is the most per-element hashes a summary keeps (8 bytes
	// each); a longer array keeps its length and digest only.
	MaxHashes = 1 << 22
	// MaxDepth bounds the nesting of arrays.
	MaxDepth = 8
	// MaxKeys bounds the metadata entries; MaxTensors the tensor infos.
	MaxKeys    = 1 << 16
	MaxTensors = 1 << 20
	// MaxDims is the most dimensions a tensor has (GGML_MAX_DIMS).
	MaxDims = 4
	// maxName bounds keys and tensor names.
	maxName = 1<<16 - 1
	// keepBudget bounds the array elements kept whole in one file.
	keepBudget = 1 << 16
)

// Value is one metadata value. Numbers are kept as their exact decimal
// text; strings up to MaxString bytes and arrays of at most MaxInline
// scalars whole; anything longer as a summary.
type Value struct {
	Type Type
	// Num is a number's exact value: 32, -1, 1e-05, NaN.
	Num  string
	Bool bool
	// Str is a string kept whole.
	Str string
	// Elem is an array's element type.
	Elem Type
	// Items are the elements of an array kept whole.
	Items []Value
	// Summarised marks a long string or array kept as Len, Digest and,
	// for arrays, Hashes.
	Summarised bool
	// Len is the length of a summarised value: bytes of a string, elements
	// of an array.
	Len uint64
	// Digest is the SHA-256 of a summarised value's encoding.
	Digest [32]byte
	// Hashes holds one FNV-1a hash per element of a summarised array (the
	// bytes of a string, the encoding of anything else), when it has at
	// most MaxHashes elements.
	Hashes []uint64
}

// Text renders a value on one line: 32, "llama", [1, 2], or a summary such
// as [32,000 × string, sha256:1a2b3c4d5e6f].
func (v *Value) Text() string {
	switch {
	case v.Summarised && v.Type == TypeString:
		return fmt.Sprintf("(%s bytes, sha256:%x)", thousands(v.Len), v.Digest[:6])
	case v.Summarised:
		return fmt.Sprintf("[%s × %s, sha256:%x]", thousands(v.Len), v.Elem, v.Digest[:6])
	case v.Type == TypeString:
		return strconv.Quote(v.Str)
	case v.Type == TypeBool:
		return strconv.FormatBool(v.Bool)
	case v.Type == TypeArray:
		parts := make([]string, len(v.Items))
		for i := range v.Items {
			parts[i] = v.Items[i].Text()
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return v.Num
}

// KV is one metadata entry.
type KV struct {
	Key   string
	Value Value
}

// Tensor is the info of one tensor: where its data is, not the data.
type Tensor struct {
	Name string
	// Dims are the sizes in GGUF's order, innermost first (ne[0]): a
	// PyTorch weight of shape [32000, 4096] has dims [4096, 32000].
	Dims []int64
	// Type is the ggml type, e.g. Q4_K; TypeName names it.
	Type   uint32
	Offset uint64
}

// TypeName names the tensor's ggml type, e.g. Q4_K, F16, or "type 208" for
// a type this reader does not know.
func (t Tensor) TypeName() string { return GGMLType(t.Type) }

// File is the header of a GGUF file.
type File struct {
	Version  uint32
	Metadata []KV
	Tensors  []Tensor
	// Size is the size of the whole file; HeaderSize the bytes read.
	Size, HeaderSize int64
}

// Lookup returns the value of a metadata key.
func (f *File) Lookup(key string) (*Value, bool) {
	for i := range f.Metadata {
		if f.Metadata[i].Key == key {
			return &f.Metadata[i].Value, true
		}
	}
	return nil, false
}

// ggmlTypes names the ggml tensor types (ggml.h); gaps are types that were
// removed.
var ggmlTypes = map[uint32]string{
	0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 6: "Q5_0", 7: "Q5_1", 8: "Q8_0", 9: "Q8_1",
	10: "Q2_K", 11: "Q3_K", 12: "Q4_K", 13: "Q5_K", 14: "Q6_K", 15: "Q8_K",
	16: "IQ2_XXS", 17: "IQ2_XS", 18: "IQ3_XXS", 19: "IQ1_S", 20: "IQ4_NL", 21: "IQ3_S", 22: "IQ2_S", 23: "IQ4_XS",
	24: "I8", 25: "I16", 26: "I32", 27: "I64", 28: "F64", 29: "IQ1_M", 30: "BF16",
	34: "TQ1_0", 35: "TQ2_0", 39: "MXFP4",
}

// GGMLType names a ggml tensor type.
func GGMLType(t uint32) string {
	if n, ok := ggmlTypes[t]; ok {
		return n
	}
	return "type " + strconv.FormatUint(uint64(t), 10)
}

// GGMLTypeID returns the number of a ggml type name, e.g. 12 for Q4_K.
func GGMLTypeID(name string) (uint32, bool) {
	for id, n := range ggmlTypes {
		if strings.EqualFold(n, name) {
			return id, true
		}
	}
	return 0, false
}

// Magic starts every GGUF file.
const Magic = "GGUF"

// Is reports whether a file is GGUF: its name ends in .gguf or its first
// bytes are the magic.
func Is(name string, head []byte) bool {
	return strings.EqualFold(path.Ext(name), ".gguf") || strings.HasPrefix(string(head), Magic)
}

// Read reads the header of a GGUF file of size bytes from r and stops
// where the tensor data starts. name names the file in errors, each one
// line with the byte offset where the file went wrong.
func Read(name string, r io.Reader, size int64) (*File, error) {
	rd := &reader{label: name, r: bufio.NewReaderSize(r, 64<<10), size: size, budget: keepBudget, chunk: make([]byte, 4096)}
	f, err := rd.file()
	if err != nil {
		return nil, err
	}
	f.Size, f.HeaderSize = size, rd.off
	return f, nil
}

// reader decodes a GGUF header from a stream, counting the offset.
type reader struct {
	label  string
	r      *bufio.Reader
	off    int64
	size   int64
	budget int // array elements that may still be kept whole
	buf    [8]byte
	chunk  []byte
	// sinks receive every byte read while a summary is being hashed.
	sum    hash.Hash
	elem   bool // hash into elemHash
	elemH  uint64
	hashes *[]uint64
}

func (r *reader) errorf(off int64, format string, args ...any) error {
	return fmt.Errorf("%s: offset %d: %s", r.label, off, fmt.Sprintf(format, args...))
}

// remaining is the bytes of the file after the offset.
func (r *reader) remaining() int64 { return r.size - r.off }

// read fills p, feeding the bytes to the hashes of a summary in progress.
func (r *reader) read(p []byte, what, key string) error {
	n, err := io.ReadFull(r.r, p)
	if err != nil {
		if key != "" {
			what += " " + excerpt.Quote(key)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return r.errorf(r.off+int64(n), "the file ends inside %s: it is truncated; download it again", what)
		}
		return r.errorf(r.off+int64(n), "reading %s: %v", what, err)
	}
	r.off += int64(len(p))
	if r.sum != nil {
		r.sum.Write(p)
	}
	if r.elem {
		r.elemH = fnv(r.elemH, p)
	}
	return nil
}

func (r *reader) u32(what, key string) (uint32, error) {
	if err := r.read(r.buf[:4], what, key); err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(r.buf[:4]), nil
}

func (r *reader) u64(what, key string) (uint64, error) {
	if err := r.read(r.buf[:8], what, key); err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(r.buf[:8]), nil
}

// count reads a count of items of at least minSize bytes each and refuses
// one the rest of the file cannot hold.
func (r *reader) count(what, key string, minSize int64, limit uint64) (uint64, error) {
	at := r.off
	n, err := r.u64(what, key)
	if err != nil {
		return 0, err
	}
	if minSize > 0 && n > uint64(r.remaining())/uint64(minSize) || limit > 0 && n > limit {
		if key != "" {
			what += " " + excerpt.Quote(key)
		}
	}
	if minSize > 0 && n > uint64(r.remaining())/uint64(minSize) {
		return 0, r.errorf(at, "%s is %d, but %d entries need at least %s bytes and only %d remain: the header lies or the file is truncated", what, n, n, mulText(n, minSize), r.remaining())
	}
	if limit > 0 && n > limit {
		return 0, r.errorf(at, "%s is %d, more than the %d modelgate reads", what, n, limit)
	}
	return n, nil
}

// name reads a key or tensor name: at most maxName bytes of UTF-8.
func (r *reader) name(what string) (string, error) {
	at := r.off
	n, err := r.count(what+" length", "", 1, maxName)
	if err != nil {
		return "", err
	}
	b := make([]byte, n)
	if err := r.read(b, what, ""); err != nil {
		return "", err
	}
	if !utf8.Valid(b) {
		return "", r.errorf(at, "%s %s is not UTF-8: the file is corrupt", what, excerpt.Quote(strings.ToValidUTF8(string(b), "\uFFFD")))
	}
	return string(b), nil
}

func (r *reader) file() (*File, error) {
	var magic [4]byte
	if err := r.read(magic[:], "the magic", ""); err != nil {
		return nil, err
	}
	if string(magic[:]) != Magic {
		return nil, r.errorf(0, "not a GGUF file: it starts with %q, not %q", magic[:], Magic)
	}
	version, err := r.u32("the version", "")
	if err != nil {
		return nil, err
	}
	switch {
	case version&0xffff == 0 && version != 0:
		be := version>>24 | version>>8&0xff00
		return nil, r.errorf(4, "a big-endian GGUF file (version %d in big-endian byte order): modelgate reads little-endian GGUF, as llama.cpp writes it; convert it on a little-endian machine", be)
	case version == 1:
		return nil, r.errorf(4, "GGUF version 1, which llama.cpp no longer reads; convert the model again to version 3")
	case version != 2 && version != 3:
		return nil, r.errorf(4, "GGUF version %d; modelgate reads versions 2 and 3", version)
	}
	nt, err := r.count("the tensor count", "", 8+4+4+8, MaxTensors)
	if err != nil {
		return nil, err
	}
	nkv, err := r.count("the metadata count", "", 8+4+1, MaxKeys)
	if err != nil {
		return nil, err
	}
	f := &File{Version: version, Metadata: make([]KV, 0, nkv), Tensors: make([]Tensor, 0, nt)}
	seen := make(map[string]bool, nkv)
	for i := uint64(0); i < nkv; i++ {
		at := r.off
		key, err := r.name("metadata key")
		if err != nil {
			return nil, err
		}
		if seen[key] {
			return nil, r.errorf(at, "metadata key %s appears twice", excerpt.Quote(key))
		}
		seen[key] = true
		tat := r.off
		t, err := r.u32("the type of", key)
		if err != nil {
			return nil, err
		}
		v, err := r.value(key, Type(t), tat, 0)
		if err != nil {
			return nil, err
		}
		f.Metadata = append(f.Metadata, KV{Key: key, Value: v})
	}
	names := make(map[string]bool, nt)
	for i := uint64(0); i < nt; i++ {
		at := r.off
		n, err := r.name("tensor name")
		if err != nil {
			return nil, err
		}
		if names[n] {
			return nil, r.errorf(at, "tensor %s appears twice", excerpt.Quote(n))
		}
		names[n] = true
		dat := r.off
		nd, err := r.u32("the dimension count of tensor", n)
		if err != nil {
			return nil, err
		}
		if nd > MaxDims {
			return nil, r.errorf(dat, "tensor %s has %d dimensions; GGUF allows at most %d", excerpt.Quote(n), nd, MaxDims)
		}
		t := Tensor{Name: n, Dims: make([]int64, nd)}
		for d := range t.Dims {
			at := r.off
			v, err := r.u64("the dimensions of tensor", n)
			if err != nil {
				return nil, err
			}
			if v > math.MaxInt64 {
				return nil, r.errorf(at, "tensor %s: dimension %d does not fit 63 bits", excerpt.Quote(n), v)
			}
			t.Dims[d] = int64(v)
		}
		if t.Type, err = r.u32("the type of tensor", n); err != nil {
			return nil, err
		}
		if t.Offset, err = r.u64("the offset of tensor", n); err != nil {
			return nil, err
		}
		f.Tensors = append(f.Tensors, t)
	}
	return f, nil
}

// value reads a value of type t for key; at is where its type was read.
func (r *reader) value(key string, t Type, at int64, depth int) (Value, error) {
	v := Value{Type: t}
	switch t {
	case TypeString:
		sat := r.off
		n, err := r.count("the length of", key, 1, 0)
		if err != nil {
			return v, err
		}
		if n > MaxString {
			return r.summary(v, n, func() error { return r.copy(int64(n), key) })
		}
		b := make([]byte, n)
		if err := r.read(b, "the value of", key); err != nil {
			return v, err
		}
		if !utf8.Valid(b) {
			return v, r.errorf(sat, "the value of %s is not UTF-8: the file is corrupt", excerpt.Quote(key))
		}
		v.Str = string(b)
	case TypeArray:
		if depth >= MaxDepth {
			return v, r.errorf(at, "%s: arrays nested more than %d deep", excerpt.Quote(key), MaxDepth)
		}
		eat := r.off
		e, err := r.u32("the element type of", key)
		if err != nil {
			return v, err
		}
		v.Elem = Type(e)
		if v.Elem > TypeFloat64 {
			return v, r.errorf(eat, "%s: unknown element type %d (known are 0 to 12); the file is corrupt or newer than modelgate", excerpt.Quote(key), e)
		}
		n, err := r.count("the length of", key, v.Elem.minSize(), 0)
		if err != nil {
			return v, err
		}
		if depth > 0 || n > MaxInline || v.Elem == TypeArray || strings.HasPrefix(key, "tokenizer.") || int(n) > r.budget {
			return r.summary(v, n, func() error { return r.elements(key, v.Elem, n, depth+1) })
		}
		r.budget -= int(n)
		v.Items = make([]Value, 0, n)
		for i := uint64(0); i < n; i++ {
			item, err := r.value(key, v.Elem, eat, depth+1)
			if err != nil {
				return v, err
			}
			v.Items = append(v.Items, item)
		}
	case TypeBool:
		if err := r.read(r.buf[:1], "the value of", key); err != nil {
			return v, err
		}
		if r.buf[0] > 1 {
			return v, r.errorf(r.off-1, "%s: bool value %d; want 0 or 1", excerpt.Quote(key), r.buf[0])
		}
		v.Bool = r.buf[0] == 1
	default:
		sz := t.size()
		if sz == 0 {
			return v, r.errorf(at, "%s: unknown value type %d (known are 0 to 12); the file is corrupt or newer than modelgate", excerpt.Quote(key), uint32(t))
		}
		b := r.buf[:sz]
		if err := r.read(b, "the value of", key); err != nil {
			return v, err
		}
		v.Num = number(t, b)
	}
	return v, nil
}

// number renders a scalar number exactly.
func number(t Type, b []byte) string {
	le := binary.LittleEndian
	switch t {
	case TypeUint8:
		return strconv.FormatUint(uint64(b[0]), 10)
	case TypeInt8:
		return strconv.FormatInt(int64(int8(b[0])), 10)
	case TypeUint16:
		return strconv.FormatUint(uint64(le.Uint16(b)), 10)
	case TypeInt16:
		return strconv.FormatInt(int64(int16(le.Uint16(b))), 10)
	case TypeUint32:
		return strconv.FormatUint(uint64(le.Uint32(b)), 10)
	case TypeInt32:
		return strconv.FormatInt(int64(int32(le.Uint32(b))), 10)
	case TypeUint64:
		return strconv.FormatUint(le.Uint64(b), 10)
	case TypeInt64:
		return strconv.FormatInt(int64(le.Uint64(b)), 10)
	case TypeFloat32:
		return strconv.FormatFloat(float64(math.Float32frombits(le.Uint32(b))), 'g', -1, 32)
	case TypeFloat64:
		return strconv.FormatFloat(math.Float64frombits(le.Uint64(b)), 'g', -1, 64)
	}
	return ""
}

// summary reads a long string or array with body, keeping its length, its
// digest and (for arrays, through elements) per-element hashes.
func (r *reader) summary(v Value, n uint64, body func() error) (Value, error) {
	outer := r.sum
	if outer == nil {
		r.sum = sha256.New()
	}
	v.Summarised, v.Len = true, n
	if v.Type == TypeArray && outer == nil && n <= MaxHashes {
		v.Hashes = make([]uint64, 0, n)
		r.hashes = &v.Hashes
	}
	err := body()
	r.hashes = nil
	if outer == nil {
		copy(v.Digest[:], r.sum.Sum(nil))
		r.sum = nil
	}
	return v, err
}

// elements reads n elements of type t of a summarised array.
func (r *reader) elements(key string, t Type, n uint64, depth int) error {
	hashes := r.hashes
	r.hashes = nil
	defer func() { r.hashes = hashes }()
	for i := uint64(0); i < n; i++ {
		r.elem, r.elemH = hashes != nil, fnvOffset
		err := r.element(key, t, depth)
		r.elem = false
		if err != nil {
			return err
		}
		if hashes != nil {
			*hashes = append(*hashes, r.elemH)
		}
	}
	return nil
}

// element reads one element of a summarised array: its bytes go to the
// hashes only (a string's length prefix to the digest alone).
func (r *reader) element(key string, t Type, depth int) error {
	switch t {
	case TypeString:
		elem := r.elem
		r.elem = false
		n, err := r.count("the length of a string in", key, 1, 0)
		r.elem = elem
		if err != nil {
			return err
		}
		return r.copy(int64(n), key)
	case TypeArray:
		if depth >= MaxDepth {
			return r.errorf(r.off, "%s: arrays nested more than %d deep", excerpt.Quote(key), MaxDepth)
		}
		eat := r.off
		e, err := r.u32("the element type of an array in", key)
		if err != nil {
			return err
		}
		if Type(e) > TypeFloat64 {
			return r.errorf(eat, "%s: unknown element type %d (known are 0 to 12); the file is corrupt or newer than modelgate", excerpt.Quote(key), e)
		}
		n, err := r.count("the length of an array in", key, Type(e).minSize(), 0)
		if err != nil {
			return err
		}
		for i := uint64(0); i < n; i++ {
			if err := r.element(key, Type(e), depth+1); err != nil {
				return err
			}
		}
		return nil
	case TypeBool:
		if err := r.read(r.buf[:1], "an element of", key); err != nil {
			return err
		}
		if r.buf[0] > 1 {
			return r.errorf(r.off-1, "%s: bool value %d; want 0 or 1", excerpt.Quote(key), r.buf[0])
		}
		return nil
	}
	return r.read(r.buf[:t.size()], "an element of", key)
}

// copy reads n bytes into the hashes in chunks, never holding them whole.
func (r *reader) copy(n int64, key string) error {
	for n > 0 {
		k := min(n, int64(len(r.chunk)))
		if err := r.read(r.chunk[:k], "the value of", key); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

// FNV-1a, 64 bits.
const (
	fnvOffset uint64 = 14695981039346656037
	fnvPrime  uint64 = 1099511628211
)

func fnv(h uint64, p []byte) uint64 {
	for _, c := range p {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return h
}

// mulText writes n*m exactly, also beyond 64 bits.
func mulText(n uint64, m int64) string {
	hi, lo := bits.Mul64(n, uint64(m))
	if hi == 0 {
		return thousands(lo)
	}
	return fmt.Sprintf("%d×%d", n, m)
}

// thousands writes n with comma separators.
func thousands(n uint64) string {
	s := strconv.FormatUint(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
