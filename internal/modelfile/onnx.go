package modelfile

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"
)

// ONNXDataTypes maps the element type names of a spec to
// TensorProto.DataType.
var ONNXDataTypes = map[string]int32{"float": 1, "uint8": 2, "int8": 3, "uint16": 4, "int16": 5, "int32": 6, "int64": 7,
	"string": 8, "bool": 9, "float16": 10, "double": 11, "uint32": 12, "uint64": 13, "bfloat16": 16}

// ONNXValue is a graph input or output: a name, an element type and a
// shape whose dims are numbers or symbolic names ("batch").
type ONNXValue struct {
	Name string
	Elem int32
	Dims []string // nil: no shape
	Doc  string
}

// ONNXInit is an initializer: name, type, dims, and its data as raw_data of
// RawSize bytes or in an external file.
type ONNXInit struct {
	Name     string
	Elem     int32
	Dims     []int64
	RawSize  int64
	External string
}

// ONNX builds an ONNX ModelProto.
type ONNX struct {
	IR              int64
	Producer        string
	ProducerVersion string
	ModelVersion    int64
	Doc             string
	Opsets          [][2]string // domain ("" is ai.onnx), version
	Inputs, Outputs []ONNXValue
	Inits           []ONNXInit
	Meta            [][2]string
	DataSeed        byte
}

// segment is a piece of the file: bytes, or a run of raw_data bytes that
// a sparse writer leaves as a hole.
type segment struct {
	b    []byte
	hole int64
	seed byte
}

func segLen(s []segment) int64 {
	var n int64
	for _, x := range s {
		n += int64(len(x.b)) + x.hole
	}
	return n
}

func str(b []byte, num protowire.Number, s string) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func varint(b []byte, num protowire.Number, v uint64) []byte {
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func msg(b []byte, num protowire.Number, m []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, m)
}

func entry(k, v string) []byte { return str(str(nil, 1, k), 2, v) }

// valueInfo encodes a ValueInfoProto.
func valueInfo(v ONNXValue) []byte {
	tensor := varint(nil, 1, uint64(v.Elem))
	if v.Dims != nil {
		var shape []byte
		for _, d := range v.Dims {
			var dim []byte
			if n, err := strconv.ParseInt(d, 10, 64); err == nil {
				dim = varint(nil, 1, uint64(n))
			} else if d != "?" {
				dim = str(nil, 2, d)
			}
			shape = msg(shape, 1, dim)
		}
		tensor = msg(tensor, 2, shape)
	}
	b := str(nil, 1, v.Name)
	b = msg(b, 2, msg(nil, 1, tensor))
	if v.Doc != "" {
		b = str(b, 3, v.Doc)
	}
	return b
}

// segments encodes the whole ModelProto as segments.
func (m *ONNX) segments() []segment {
	var graph []segment
	// One node, skipped by readers of the interface.
	node := str(str(str(nil, 1, "x"), 2, "y"), 4, "Identity")
	graph = append(graph, segment{b: str(msg(nil, 1, node), 2, "main")})
	for i, in := range m.Inits {
		var t []byte
		for _, d := range in.Dims {
			t = varint(t, 1, uint64(d))
		}
		t = varint(t, 2, uint64(in.Elem))
		t = str(t, 8, in.Name)
		var body []segment
		if in.External != "" {
			t = msg(t, 13, entry("location", in.External))
			t = varint(t, 14, 1)
			body = []segment{{b: t}}
		} else {
			t = protowire.AppendTag(t, 9, protowire.BytesType)
			t = protowire.AppendVarint(t, uint64(in.RawSize))
			body = []segment{{b: t}, {hole: in.RawSize, seed: m.DataSeed + byte(i)}}
		}
		head := protowire.AppendTag(nil, 5, protowire.BytesType)
		head = protowire.AppendVarint(head, uint64(segLen(body)))
		graph = append(graph, segment{b: head})
		graph = append(graph, body...)
	}
	var tail []byte
	for _, v := range m.Inputs {
		tail = msg(tail, 11, valueInfo(v))
	}
	for _, v := range m.Outputs {
		tail = msg(tail, 12, valueInfo(v))
	}
	graph = append(graph, segment{b: tail})

	ir := m.IR
	if ir == 0 {
		ir = 8
	}
	b := varint(nil, 1, uint64(ir))
	if m.Producer != "" {
		b = str(b, 2, m.Producer)
	}
	if m.ProducerVersion != "" {
		b = str(b, 3, m.ProducerVersion)
	}
	if m.ModelVersion != 0 {
		b = varint(b, 5, uint64(m.ModelVersion))
	}
	if m.Doc != "" {
		b = str(b, 6, m.Doc)
	}
	b = protowire.AppendTag(b, 7, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(segLen(graph)))
	out := append([]segment{{b: b}}, graph...)
	var after []byte
	for _, o := range m.Opsets {
		v, _ := strconv.ParseInt(o[1], 10, 64)
		var op []byte
		if o[0] != "" {
			op = str(op, 1, o[0])
		}
		after = msg(after, 8, varint(op, 2, uint64(v)))
	}
	for _, kv := range m.Meta {
		after = msg(after, 14, entry(kv[0], kv[1]))
	}
	return append(out, segment{b: after})
}

// Bytes returns the whole file, raw_data written out.
func (m *ONNX) Bytes() []byte {
	var b []byte
	for _, s := range m.segments() {
		b = append(b, s.b...)
		for j := int64(0); j < s.hole; j++ {
			b = append(b, s.seed+byte(j*7))
		}
	}
	return b
}

// WriteSparse writes the file to w, leaving every raw_data as a hole (it
// reads as zeros): a model of gigabytes of weights that takes no disk.
func (m *ONNX) WriteSparse(w io.WriteSeeker) (int64, error) {
	var n int64
	for _, s := range m.segments() {
		if _, err := w.Write(s.b); err != nil {
			return n, err
		}
		n += int64(len(s.b))
		if s.hole > 0 {
			if _, err := w.Seek(s.hole, io.SeekCurrent); err != nil {
				return n, err
			}
			n += s.hole
		}
	}
	return n, nil
}

// parseONNX builds an ONNX file from its spec lines (see Build).
func parseONNX(lines []string) ([]byte, error) {
	m := &ONNX{IR: 8}
	for i, line := range lines {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		fail := func(format string, args ...any) ([]byte, error) {
			return nil, fmt.Errorf("onnx spec line %d: %s", i+1, fmt.Sprintf(format, args...))
		}
		num := func(s string) (int64, bool) {
			v, err := strconv.ParseInt(s, 10, 64)
			return v, err == nil
		}
		dims := func(s string) []string {
			if s == "-" {
				return nil
			}
			if s == "scalar" {
				return []string{}
			}
			return strings.Split(s, ",")
		}
		switch f[0] {
		case "onnx":
			for _, kv := range f[1:] {
				k, v, _ := strings.Cut(kv, "=")
				n, ok := num(v)
				if !ok {
					return fail("bad %s", kv)
				}
				switch k {
				case "ir":
					m.IR = n
				case "model_version":
					m.ModelVersion = n
				default:
					return fail("unknown %s", k)
				}
			}
		case "producer":
			if len(f) != 3 {
				return fail("want producer NAME VERSION")
			}
			m.Producer, m.ProducerVersion = f[1], f[2]
		case "opset":
			if len(f) != 3 {
				return fail("want opset DOMAIN VERSION")
			}
			d := f[1]
			if d == "ai.onnx" {
				d = ""
			}
			m.Opsets = append(m.Opsets, [2]string{d, f[2]})
		case "input", "output":
			if len(f) < 4 {
				return fail("want %s NAME TYPE DIMS [doc TEXT]", f[0])
			}
			t, ok := ONNXDataTypes[f[2]]
			if !ok {
				return fail("unknown element type %q", f[2])
			}
			v := ONNXValue{Name: f[1], Elem: t, Dims: dims(f[3])}
			if len(f) > 5 && f[4] == "doc" {
				v.Doc = strings.Join(f[5:], " ")
			}
			if f[0] == "input" {
				m.Inputs = append(m.Inputs, v)
			} else {
				m.Outputs = append(m.Outputs, v)
			}
		case "init":
			// init NAME TYPE DIMS [raw=N | external=PATH]
			if len(f) < 4 {
				return fail("want init NAME TYPE DIMS [raw=N|external=PATH]")
			}
			t, ok := ONNXDataTypes[f[2]]
			if !ok {
				return fail("unknown element type %q", f[2])
			}
			in := ONNXInit{Name: f[1], Elem: t, RawSize: 16}
			for _, d := range dims(f[3]) {
				v, ok := num(d)
				if !ok {
					return fail("bad dim %q", d)
				}
				in.Dims = append(in.Dims, v)
			}
			for _, o := range f[4:] {
				k, v, _ := strings.Cut(o, "=")
				switch k {
				case "raw":
					n, ok := num(v)
					if !ok {
						return fail("bad %s", o)
					}
					in.RawSize = n
				case "external":
					in.External = v
				default:
					return fail("unknown %s", o)
				}
			}
			m.Inits = append(m.Inits, in)
		case "doc":
			m.Doc = strings.Join(f[1:], " ")
		case "meta":
			if len(f) < 3 {
				return fail("want meta KEY VALUE")
			}
			m.Meta = append(m.Meta, [2]string{f[1], strings.Join(f[2:], " ")})
		case "data":
			s, err := strconv.ParseUint(f[len(f)-1], 10, 8)
			if err != nil {
				return fail("want data SEED")
			}
			m.DataSeed = byte(s)
		default:
			return fail("unknown line %q", f[0])
		}
	}
	return m.Bytes(), nil
}

// Build writes the file a spec describes. The first word says the format:
//
//	gguf [VERSION]                 a GGUF file (version 3 by default)
//	KEY TYPE VALUE                 metadata: TYPE is u8 i8 u16 i16 u32 i32 u64 i64 f32 f64 bool str
//	KEY []TYPE V...                an array
//	KEY tokens N [ID=TEXT...]      N generated tokens <t0>… with some replaced
//	tensor NAME TYPE DIMS          a tensor info: ggml type (Q4_K, F16…), dims innermost first (64x32)
//	data SEED                      varies the tensor data, not the header
//	header-only                    writes the header without tensor data
//
//	onnx [ir=N] [model_version=N]  an ONNX model (IR 8 by default)
//	producer NAME VERSION
//	opset DOMAIN VERSION           ai.onnx is the default domain
//	input NAME TYPE DIMS [doc T]   DIMS: 1,seq,64 (names are symbolic), - for no shape, scalar
//	output NAME TYPE DIMS [doc T]
//	init NAME TYPE DIMS [raw=N|external=PATH]
//	doc TEXT / meta KEY VALUE / data SEED
func Build(spec string) ([]byte, error) {
	lines := strings.Split(spec, "\n")
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch f[0] {
		case "gguf":
			return parseGGUF(lines)
		case "onnx":
			return parseONNX(lines)
		}
		break
	}
	return nil, fmt.Errorf("a model spec starts with gguf or onnx")
}

// IsSpec reports whether data is a spec Build reads rather than a binary
// file.
func IsSpec(data []byte) bool {
	s := strings.TrimLeft(string(data), " \n")
	return strings.HasPrefix(s, "gguf") || strings.HasPrefix(s, "onnx")
}
