// Package onnx reads the interface and the parameter signature of an ONNX
// model from its ModelProto wire format, with
// google.golang.org/protobuf/encoding/protowire and no generated model in
// memory: the IR version, the operator sets imported per domain, the
// producer, the graph's inputs and outputs (name, element type, shape with
// symbolic dims) and its initializers (name, dims, data type). Tensor bytes
// (raw_data, float_data, …) and the nodes are skipped by their length: on
// a file that can seek (a Git LFS object) they are never read, on a git
// blob they stream past in bounded memory. External data locations are
// recorded, never followed, and refused when they leave the model's folder.
//
// It returns raw facts and the differences between two models (Diff); it
// knows nothing of versions: package check decides the bumps.
package onnx

import (
	"bufio"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/modelgate/modelgate/internal/excerpt"
)

// Limits of what the reader accepts.
const (
	MaxInitializers = 1 << 20
	MaxValues       = 1 << 16 // graph inputs or outputs
	MaxDims         = 64
	MaxOpsets       = 1 << 10
	MaxMetadata     = 1 << 12
	maxString       = 1 << 16 // names, domains, producer
	maxTypeDepth    = 16
)

// Dim is one dimension of a shape: a fixed size, a symbolic name, or
// unknown (neither set).
type Dim struct {
	Value int64
	Param string
	Fixed bool
}

// String renders a dim: 64, batch, or ?.
func (d Dim) String() string {
	switch {
	case d.Fixed:
		return strconv.FormatInt(d.Value, 10)
	case d.Param != "":
		return d.Param
	}
	return "?"
}

// Value is a graph input or output.
type Value struct {
	Name string
	// Type is the type as ONNX writes it: tensor(float),
	// sequence(tensor(int64)), map(string,tensor(float)).
	Type string
	// Shape is the shape of a tensor type; nil when none is given (any
	// rank).
	Shape []Dim
	// DocDigest is the SHA-256 of the doc_string ("" when there is none).
	DocDigest string
}

// ShapeText renders the shape: [batch, 3, 224, 224], or (any) when the
// model gives none.
func (v *Value) ShapeText() string {
	if v.Shape == nil {
		return "(any)"
	}
	parts := make([]string, len(v.Shape))
	for i, d := range v.Shape {
		parts[i] = d.String()
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// Initializer is a weight of the graph: its signature, not its data.
type Initializer struct {
	Name     string
	Dims     []int64
	DataType int32
	// External is the location of data stored outside the model file,
	// relative to the model's folder; "" for data inside it.
	External string
	// DataBytes is the length of the data inside the file (raw_data and
	// the typed data fields), skipped unread.
	DataBytes int64
}

// Opset is an operator set the model imports.
type Opset struct {
	Domain  string // "" and "ai.onnx" are the default domain
	Version int64
}

// Model is what modelgate reads of an ONNX model.
type Model struct {
	// Path is the repository path of the model (the name Read was given
	// until the caller sets it).
	Path            string
	IRVersion       int64
	Opsets          []Opset
	Producer        string
	ProducerVersion string
	Domain          string
	ModelVersion    int64
	DocDigest       string
	Metadata        [][2]string
	GraphName       string
	Inputs          []Value
	Outputs         []Value
	Initializers    []Initializer
	// Size is the file's size; Read the bytes decoded (the rest, tensor
	// data and nodes, was skipped).
	Size, Read int64
}

// DataTypes names TensorProto.DataType values as ONNX writes them.
var DataTypes = map[int32]string{0: "undefined", 1: "float", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32",
	7: "int64", 8: "string", 9: "bool", 10: "float16", 11: "double", 12: "uint32", 13: "uint64", 14: "complex64",
	15: "complex128", 16: "bfloat16", 17: "float8e4m3fn", 18: "float8e4m3fnuz", 19: "float8e5m2", 20: "float8e5m2fnuz",
	21: "uint4", 22: "int4", 23: "float4e2m1", 24: "float8e8m0", 25: "uint2", 26: "int2"}

// DataType names a TensorProto.DataType, e.g. float; unknown numbers as
// "type 99".
func DataType(t int32) string {
	if n, ok := DataTypes[t]; ok {
		return n
	}
	return "type " + strconv.FormatInt(int64(t), 10)
}

// Is reports whether a file is an ONNX model: its name ends in .onnx, or
// its first bytes are a ModelProto's ir_version field (tag 0x08, a small
// version) followed by another field of the model.
func Is(name string, head []byte) bool {
	if strings.EqualFold(path.Ext(name), ".onnx") {
		return true
	}
	if len(head) < 3 || head[0] != 0x08 || head[1] == 0 || head[1] > 0x20 {
		return false
	}
	num, typ, n := protowire.ConsumeTag(head[2:])
	return n > 0 && (num >= 2 && num <= 8 && typ == protowire.BytesType || num == 5 && typ == protowire.VarintType)
}

// Read reads a model of size bytes from r. When r is an io.Seeker the
// tensor bytes are skipped by seeking, otherwise by reading past them.
// name names the file in errors, each one line with the byte offset and
// the field where the file went wrong.
func Read(name string, r io.Reader, size int64) (*Model, error) {
	s := &stream{label: name, src: r, size: size}
	buf := 64 << 10
	if sk, ok := r.(io.Seeker); ok {
		// Between weights there are a few dozen bytes to read: small
		// buffers, so that each read after a seek stays small.
		s.seeker, buf = sk, 1<<10
	}
	s.r = bufio.NewReaderSize(r, buf)
	m := &Model{Path: name, Size: size}
	if err := s.model(m); err != nil {
		return nil, err
	}
	m.Read = s.read
	return m, nil
}

// stream decodes protobuf from a reader, counting the offset.
type stream struct {
	label  string
	src    io.Reader
	r      *bufio.Reader
	seeker io.Seeker
	off    int64 // bytes consumed
	read   int64 // bytes actually read (not skipped by seeking)
	size   int64
	names  map[string]bool // "graph.input name" and "graph.output name" seen so far
}

// named refuses a graph input or output (list p) whose name an earlier
// entry of the same list has, at offset off: a graph names each once.
func (s *stream) named(off int64, p, name string) error {
	key := p + " " + name
	if s.names[key] {
		return s.errorf(off, "%s %s appears twice; a graph names each once", p, excerpt.Quote(name))
	}
	if s.names == nil {
		s.names = map[string]bool{}
	}
	s.names[key] = true
	return nil
}

func (s *stream) errorf(off int64, format string, args ...any) error {
	return fmt.Errorf("%s: offset %d: %s", s.label, off, fmt.Sprintf(format, args...))
}

// fill reads len(p) bytes.
func (s *stream) fill(p []byte, field string) error {
	n, err := io.ReadFull(s.r, p)
	s.off += int64(n)
	s.read += int64(n)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return s.errorf(s.off, "%s: the file ends early: it is truncated; fetch it again", field)
		}
		return s.errorf(s.off, "%s: %v", field, err)
	}
	return nil
}

// skip moves past n bytes: by seeking when the source can, else by
// reading through them into nothing.
func (s *stream) skip(n int64, field string) error {
	if b := int64(s.r.Buffered()); n > b && s.seeker != nil {
		_, _ = s.r.Discard(int(b))
		if _, err := s.seeker.Seek(n-b, io.SeekCurrent); err != nil {
			return s.errorf(s.off, "%s: skipping %d bytes: %v", field, n, err)
		}
		s.r.Reset(s.src)
		s.off += n
		return nil
	}
	for n > 0 {
		k := int(min(n, 1<<30))
		d, err := s.r.Discard(k)
		s.off += int64(d)
		n -= int64(d)
		if err != nil {
			return s.errorf(s.off, "%s: the file ends early: it is truncated; fetch it again", field)
		}
	}
	return nil
}

// varint reads a varint that must end before end.
func (s *stream) varint(end int64, field string) (uint64, error) {
	at := s.off
	b, perr := s.r.Peek(min(10, int(max(end-s.off, 0))))
	v, n := protowire.ConsumeVarint(b)
	if n < 0 && perr != nil && !errors.Is(perr, io.EOF) {
		return 0, s.errorf(at, "%s: %v", field, perr)
	}
	if n < 0 {
		if len(b) < 10 && int64(len(b)) < end-s.off {
			return 0, s.errorf(at, "%s: the file ends early: it is truncated; fetch it again", field)
		}
		return 0, s.errorf(at, "%s: malformed varint: %v", field, protowire.ParseError(n))
	}
	_, _ = s.r.Discard(n)
	s.off += int64(n)
	s.read += int64(n)
	return v, nil
}

// tag reads a field's tag.
func (s *stream) tag(end int64, msg string) (protowire.Number, protowire.Type, error) {
	at := s.off
	v, err := s.varint(end, msg)
	if err != nil {
		return 0, 0, err
	}
	num, typ := protowire.DecodeTag(v)
	if num < protowire.MinValidNumber || num > protowire.MaxValidNumber {
		return 0, 0, s.errorf(at, "%s: field number %d is out of range: the file is corrupt or not ONNX", msg, int64(v>>3))
	}
	return num, typ, nil
}

// length reads a length-delimited field's length, which must fit before
// end, and returns where the field ends.
func (s *stream) length(end int64, field string) (int64, error) {
	at := s.off
	n, err := s.varint(end, field)
	if err != nil {
		return 0, err
	}
	if n > uint64(end-s.off) {
		if end == s.size {
			return 0, s.errorf(at, "%s: length %d is more than the %d bytes left in the file: it is truncated or the length lies", field, n, end-s.off)
		}
		return 0, s.errorf(at, "%s: length %d is more than the %d bytes left in its message: the length lies", field, n, end-s.off)
	}
	return s.off + int64(n), nil
}

// field is a field being decoded: where, which, what wire type.
type field struct {
	s    *stream
	at   int64
	num  protowire.Number
	typ  protowire.Type
	path string // e.g. graph.input[2].type
	end  int64  // the end of the enclosing message
}

func (f *field) name(n string) string { return fmt.Sprintf("%s (field %d)", n, f.num) }

var wireNames = map[protowire.Type]string{protowire.VarintType: "varint", protowire.Fixed32Type: "fixed32",
	protowire.Fixed64Type: "fixed64", protowire.BytesType: "length-delimited", protowire.StartGroupType: "start-group",
	protowire.EndGroupType: "end-group"}

func wireName(t protowire.Type) string {
	if n, ok := wireNames[t]; ok {
		return n
	}
	return "wire type " + strconv.Itoa(int(t))
}

func (f *field) want(t protowire.Type) error {
	if f.typ != t {
		return f.s.errorf(f.at, "%s has wire type %s, want %s: the file is corrupt or not ONNX", f.path, wireName(f.typ), wireName(t))
	}
	return nil
}

// int reads a varint field as int64.
func (f *field) int() (int64, error) {
	if err := f.want(protowire.VarintType); err != nil {
		return 0, err
	}
	v, err := f.s.varint(f.end, f.path)
	return int64(v), err
}

// str reads a string field of at most max bytes of UTF-8.
func (f *field) str(max int64) (string, error) {
	if err := f.want(protowire.BytesType); err != nil {
		return "", err
	}
	end, err := f.s.length(f.end, f.path)
	if err != nil {
		return "", err
	}
	n := end - f.s.off
	if n > max {
		return "", f.s.errorf(f.at, "%s is %d bytes, more than the %d modelgate reads", f.path, n, max)
	}
	b := make([]byte, n)
	if err := f.s.fill(b, f.path); err != nil {
		return "", err
	}
	if !utf8.Valid(b) {
		return "", f.s.errorf(f.at, "%s is not UTF-8: the file is corrupt", f.path)
	}
	return string(b), nil
}

// digest reads a string field of any length into a SHA-256, in chunks.
func (f *field) digest() (string, error) {
	if err := f.want(protowire.BytesType); err != nil {
		return "", err
	}
	end, err := f.s.length(f.end, f.path)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	buf := make([]byte, 32<<10)
	for f.s.off < end {
		k := min(end-f.s.off, int64(len(buf)))
		if err := f.s.fill(buf[:k], f.path); err != nil {
			return "", err
		}
		h.Write(buf[:k])
	}
	return fmt.Sprintf("%x", h.Sum(nil)), nil
}

// skip moves past the field's value.
func (f *field) skip() error {
	switch f.typ {
	case protowire.VarintType:
		_, err := f.s.varint(f.end, f.path)
		return err
	case protowire.Fixed32Type, protowire.Fixed64Type:
		n := int64(4)
		if f.typ == protowire.Fixed64Type {
			n = 8
		}
		if n > f.end-f.s.off {
			return f.s.errorf(f.at, "%s overruns its message: the file is truncated or corrupt", f.path)
		}
		return f.s.skip(n, f.path)
	case protowire.BytesType:
		end, err := f.s.length(f.end, f.path)
		if err != nil {
			return err
		}
		return f.s.skip(end-f.s.off, f.path)
	}
	return f.s.errorf(f.at, "%s has %s, which ONNX never uses: the file is corrupt or not ONNX", f.path, wireName(f.typ))
}

// message decodes the fields of a message that ends at end; each is
// handed to fn, which reads or skips it. path names the message.
func (s *stream) message(end int64, path string, fn func(f *field) error) error {
	for s.off < end {
		at := s.off
		num, typ, err := s.tag(end, path)
		if err != nil {
			return err
		}
		f := &field{s: s, at: at, num: num, typ: typ, end: end, path: fmt.Sprintf("%s field %d", path, num)}
		if err := fn(f); err != nil {
			return err
		}
	}
	if s.off != end {
		return s.errorf(s.off, "%s: a field overruns the message", path)
	}
	return nil
}

// sub decodes a length-delimited sub-message field.
func (f *field) sub(path string, fn func(f *field) error) error {
	if err := f.want(protowire.BytesType); err != nil {
		return err
	}
	end, err := f.s.length(f.end, f.path)
	if err != nil {
		return err
	}
	return f.s.message(end, path, fn)
}

// once refuses a singular field that appears twice.
type once map[protowire.Number]bool

func (o once) check(f *field, name string) error {
	if o[f.num] {
		return f.s.errorf(f.at, "%s appears twice", name)
	}
	o[f.num] = true
	return nil
}

func (s *stream) model(m *Model) error {
	seen := once{}
	return s.message(s.size, "ModelProto", func(f *field) error {
		switch f.num {
		case 1, 2, 3, 4, 5, 6, 7:
			names := map[protowire.Number]string{1: "ir_version", 2: "producer_name", 3: "producer_version", 4: "domain", 5: "model_version", 6: "doc_string", 7: "graph"}
			f.path = f.name(names[f.num])
			if err := seen.check(f, f.path); err != nil {
				return err
			}
		case 8, 14:
			f.path = f.name(map[protowire.Number]string{8: "opset_import", 14: "metadata_props"}[f.num])
		}
		var err error
		switch f.num {
		case 1:
			m.IRVersion, err = f.int()
		case 2:
			m.Producer, err = f.str(maxString)
		case 3:
			m.ProducerVersion, err = f.str(maxString)
		case 4:
			m.Domain, err = f.str(maxString)
		case 5:
			m.ModelVersion, err = f.int()
		case 6:
			m.DocDigest, err = f.digest()
		case 7:
			err = f.sub("graph", func(g *field) error { return s.graph(m, g) })
		case 8:
			if len(m.Opsets) == MaxOpsets {
				return s.errorf(f.at, "more than %d opset imports", MaxOpsets)
			}
			var o Opset
			p := fmt.Sprintf("opset_import[%d]", len(m.Opsets))
			err = f.sub(p, func(g *field) error {
				switch g.num {
				case 1:
					g.path = p + ".domain"
					o.Domain, err = g.str(maxString)
					return err
				case 2:
					g.path = p + ".version"
					o.Version, err = g.int()
					return err
				}
				return g.skip()
			})
			if err == nil {
				for _, prev := range m.Opsets {
					if canonical(prev.Domain) == canonical(o.Domain) {
						return s.errorf(f.at, "%s: domain %s is imported twice", p, excerpt.Quote(domainName(o.Domain)))
					}
				}
				m.Opsets = append(m.Opsets, o)
			}
		case 14:
			if len(m.Metadata) == MaxMetadata {
				return s.errorf(f.at, "more than %d metadata_props", MaxMetadata)
			}
			var kv [2]string
			kv, err = s.entry(f, fmt.Sprintf("metadata_props[%d]", len(m.Metadata)))
			m.Metadata = append(m.Metadata, kv)
		default:
			err = f.skip() // functions, training_info, configuration, unknown fields
		}
		return err
	})
}

// entry reads a StringStringEntryProto.
func (s *stream) entry(f *field, p string) ([2]string, error) {
	var kv [2]string
	err := f.sub(p, func(g *field) error {
		var err error
		switch g.num {
		case 1:
			g.path = p + ".key"
			kv[0], err = g.str(maxString)
		case 2:
			g.path = p + ".value"
			kv[1], err = g.str(1 << 20)
		default:
			err = g.skip()
		}
		return err
	})
	return kv, err
}

func (s *stream) graph(m *Model, f *field) error {
	var err error
	switch f.num {
	case 2:
		f.path = "graph.name (field 2)"
		m.GraphName, err = f.str(maxString)
	case 5:
		if len(m.Initializers) == MaxInitializers {
			return s.errorf(f.at, "more than %d initializers", MaxInitializers)
		}
		var t Initializer
		t, err = s.tensor(f, fmt.Sprintf("graph.initializer[%d]", len(m.Initializers)))
		m.Initializers = append(m.Initializers, t)
	case 15:
		if len(m.Initializers) == MaxInitializers {
			return s.errorf(f.at, "more than %d initializers", MaxInitializers)
		}
		var t Initializer
		t, err = s.sparse(f, fmt.Sprintf("graph.sparse_initializer[%d]", len(m.Initializers)))
		m.Initializers = append(m.Initializers, t)
	case 11, 12:
		list := &m.Inputs
		p := "graph.input"
		if f.num == 12 {
			list, p = &m.Outputs, "graph.output"
		}
		if len(*list) == MaxValues {
			return s.errorf(f.at, "more than %d entries in %s", MaxValues, p)
		}
		var v Value
		at := fmt.Sprintf("%s[%d]", p, len(*list))
		v, err = s.valueInfo(f, at)
		if err != nil {
			return err
		}
		if v.Name == "" {
			// The ONNX checker refuses it too: a graph's inputs and
			// outputs are bound by name, so a nameless one is unusable.
			return s.errorf(f.at, "%s has no name; ONNX names every graph input and output", at)
		}
		if err := s.named(f.at, p, v.Name); err != nil {
			return err
		}
		*list = append(*list, v)
	default:
		err = f.skip() // nodes, value_info, doc_string, annotations
	}
	return err
}

// tensor reads a TensorProto's signature, skipping its data.
func (s *stream) tensor(f *field, p string) (Initializer, error) {
	var t Initializer
	seen := once{}
	err := f.sub(p, func(g *field) error {
		var err error
		switch g.num {
		case 1:
			g.path = p + ".dims (field 1)"
			t.Dims, err = g.ints(t.Dims)
		case 2:
			g.path = p + ".data_type (field 2)"
			if err := seen.check(g, g.path); err != nil {
				return err
			}
			var v int64
			v, err = g.int()
			t.DataType = int32(v)
		case 8:
			g.path = p + ".name (field 8)"
			if err := seen.check(g, g.path); err != nil {
				return err
			}
			t.Name, err = g.str(maxString)
		case 13:
			g.path = p + ".external_data (field 13)"
			var kv [2]string
			kv, err = s.entry(g, g.path)
			if err == nil && kv[0] == "location" {
				if err := checkLocation(kv[1]); err != nil {
					return s.errorf(g.at, "%s %s: external data %s: %v", p, excerpt.Quote(t.Name), excerpt.Quote(kv[1]), err)
				}
				t.External = kv[1]
			}
		case 4, 5, 6, 7, 9, 10, 11:
			// float_data, int32_data, string_data, int64_data, raw_data,
			// double_data, uint64_data: the weights, skipped unread.
			g.path = fmt.Sprintf("%s field %d (tensor data)", p, g.num)
			if g.typ != protowire.BytesType {
				return g.skip()
			}
			end, err := s.length(g.end, g.path)
			if err != nil {
				return err
			}
			t.DataBytes += end - s.off
			return s.skip(end-s.off, g.path)
		default:
			err = g.skip()
		}
		return err
	})
	return t, err
}

// sparse reads a SparseTensorProto: its values tensor names it, its dims
// are the dense shape.
func (s *stream) sparse(f *field, p string) (Initializer, error) {
	var t Initializer
	var dims []int64
	err := f.sub(p, func(g *field) error {
		var err error
		switch g.num {
		case 1:
			t, err = s.tensor(g, p+".values")
		case 3:
			g.path = p + ".dims (field 3)"
			dims, err = g.ints(dims)
		default:
			err = g.skip()
		}
		return err
	})
	t.Dims = dims
	return t, err
}

// ints reads a repeated int64 field, packed or not.
func (f *field) ints(into []int64) ([]int64, error) {
	if f.typ == protowire.VarintType {
		if len(into) == MaxDims {
			return nil, f.s.errorf(f.at, "%s: more than %d dims", f.path, MaxDims)
		}
		v, err := f.s.varint(f.end, f.path)
		return append(into, int64(v)), err
	}
	if err := f.want(protowire.BytesType); err != nil {
		return nil, err
	}
	end, err := f.s.length(f.end, f.path)
	if err != nil {
		return nil, err
	}
	for f.s.off < end {
		if len(into) == MaxDims {
			return nil, f.s.errorf(f.at, "%s: more than %d dims", f.path, MaxDims)
		}
		v, err := f.s.varint(end, f.path)
		if err != nil {
			return nil, err
		}
		into = append(into, int64(v))
	}
	return into, nil
}

// checkLocation refuses an external data location that leaves the model's
// folder, as the onnx checker does.
func checkLocation(loc string) error {
	switch {
	case loc == "":
		return errors.New("an empty location")
	case strings.Contains(loc, "://"):
		return errors.New("a URL; external data lives next to the model")
	case path.IsAbs(loc) || strings.HasPrefix(loc, `\`) || len(loc) > 1 && loc[1] == ':':
		return errors.New("an absolute path; external data lives next to the model, relative to its folder")
	}
	clean := path.Clean(strings.ReplaceAll(loc, `\`, "/"))
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return errors.New("leaves the model's folder; keep external data next to the model")
	}
	return nil
}

// valueInfo reads a ValueInfoProto.
func (s *stream) valueInfo(f *field, p string) (Value, error) {
	var v Value
	seen := once{}
	err := f.sub(p, func(g *field) error {
		var err error
		switch g.num {
		case 1:
			g.path = p + ".name (field 1)"
			if err := seen.check(g, g.path); err != nil {
				return err
			}
			v.Name, err = g.str(maxString)
		case 2:
			g.path = p + ".type (field 2)"
			if err := seen.check(g, g.path); err != nil {
				return err
			}
			v.Type, v.Shape, err = s.typeProto(g, p+".type", 0)
		case 3:
			g.path = p + ".doc_string (field 3)"
			v.DocDigest, err = g.digest()
		default:
			err = g.skip()
		}
		return err
	})
	return v, err
}

// typeProto reads a TypeProto: its text and, for a tensor, its shape.
func (s *stream) typeProto(f *field, p string, depth int) (string, []Dim, error) {
	if depth > maxTypeDepth {
		return "", nil, s.errorf(f.at, "%s: types nested more than %d deep", p, maxTypeDepth)
	}
	var text string
	var shape []Dim
	err := f.sub(p, func(g *field) error {
		var err error
		switch g.num {
		case 1, 8: // tensor_type, sparse_tensor_type
			kind := map[protowire.Number]string{1: "tensor", 8: "sparse_tensor"}[g.num]
			var elem int64
			err = g.sub(p+"."+kind+"_type", func(h *field) error {
				var err error
				switch h.num {
				case 1:
					h.path = p + "." + kind + "_type.elem_type (field 1)"
					elem, err = h.int()
				case 2:
					h.path = p + "." + kind + "_type.shape (field 2)"
					shape = []Dim{}
					err = h.sub(h.path, func(d *field) error {
						if d.num != 1 {
							return d.skip()
						}
						if len(shape) == MaxDims {
							return s.errorf(d.at, "%s: more than %d dims", h.path, MaxDims)
						}
						var dim Dim
						dp := fmt.Sprintf("%s.dim[%d]", h.path, len(shape))
						err := d.sub(dp, func(e *field) error {
							var err error
							switch e.num {
							case 1:
								e.path = dp + ".dim_value"
								dim.Value, err = e.int()
								dim.Fixed, dim.Param = true, ""
							case 2:
								e.path = dp + ".dim_param"
								dim.Param, err = e.str(maxString)
								dim.Fixed = false
							default:
								err = e.skip()
							}
							return err
						})
						shape = append(shape, dim)
						return err
					})
				default:
					err = h.skip()
				}
				return err
			})
			text = kind + "(" + DataType(int32(elem)) + ")"
		case 4, 9: // sequence_type, optional_type
			kind := map[protowire.Number]string{4: "sequence", 9: "optional"}[g.num]
			var inner string
			err = g.sub(p+"."+kind+"_type", func(h *field) error {
				if h.num != 1 {
					return h.skip()
				}
				var err error
				inner, _, err = s.typeProto(h, p+"."+kind+"_type.elem_type", depth+1)
				return err
			})
			text = kind + "(" + inner + ")"
		case 5: // map_type
			var key int64
			var val string
			err = g.sub(p+".map_type", func(h *field) error {
				var err error
				switch h.num {
				case 1:
					h.path = p + ".map_type.key_type"
					key, err = h.int()
				case 2:
					val, _, err = s.typeProto(h, p+".map_type.value_type", depth+1)
				default:
					err = h.skip()
				}
				return err
			})
			text = "map(" + DataType(int32(key)) + "," + val + ")"
		case 7:
			text = "opaque"
			err = g.skip()
		default:
			err = g.skip()
		}
		return err
	})
	return text, shape, err
}

// canonical maps the two spellings of the default domain to one.
func canonical(domain string) string {
	if domain == "ai.onnx" {
		return ""
	}
	return domain
}

// domainName names a domain in reports: ai.onnx for the default.
func domainName(domain string) string {
	if domain == "" {
		return "ai.onnx"
	}
	return domain
}

// errorf is an error about the whole file (no offset).
func errorf(name, format string, args ...any) error {
	return fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...))
}
