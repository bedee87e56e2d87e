package check

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// LoadOptions are what Load may read besides the files of the revision.
type LoadOptions struct {
	// LFS is the local Git LFS object store (.git/lfs/objects): the object of
	// a pointer file "oid sha256:<oid>" is <oid[0:2]>/<oid[2:4]>/<oid> in it.
	// nil means no store: evidence behind LFS pointers is unavailable.
	LFS fs.FS
}

// Tensor is the signature of one parameter tensor.
type Tensor struct {
	Shape []int64 // nil when the source lists names only (an index)
	DType string  // "" when the source lists names only
	Line  int     // where the tensor is named; 0 in binary files
}

// known reports whether the source gave the tensor's shape or dtype.
func (t Tensor) known() bool { return t.Shape != nil || t.DType != "" }

// Text renders the signature, e.g. "[4096, 4096] BF16", or "(present)" for
// a name without a signature.
func (t Tensor) Text() string {
	if !t.known() {
		return "(present)"
	}
	var b strings.Builder
	if t.Shape != nil {
		b.WriteByte('[')
		for i, d := range t.Shape {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.FormatInt(d, 10))
		}
		b.WriteByte(']')
	}
	if t.DType != "" {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.DType)
	}
	return b.String()
}

// value returns the signature as JSON-ready values: {"shape": [...],
// "dtype": "..."} with what is known.
func (t Tensor) value() map[string]any {
	v := map[string]any{}
	if t.Shape != nil {
		v["shape"] = t.Shape
	}
	if t.DType != "" {
		v["dtype"] = t.DType
	}
	return v
}

// TensorSet is the parameter signature of one revision of a model, read from
// the manifest's tensors field.
type TensorSet struct {
	// File is where the signatures were read: the repository path of the
	// tensors file (an LFS pointer's path for its object), or the manifest
	// for an inline map.
	File string
	// Line is the line of the map of tensors (0 in binary files).
	Line int
	// Names lists the tensors in file order; Sigs holds their signatures,
	// Sigs[i] that of Names[i].
	Names []string
	Sigs  []Tensor
	// Unavailable says why the signatures could not be read at this
	// revision, e.g. an LFS object that is not in the local store. Names is
	// then empty and the tensor diff is skipped.
	Unavailable string
	// LFS is set when the signatures came from a Git LFS object.
	LFS bool

	// index maps names to their position, built when first needed: files
	// whose names come in ascending order (as Hugging Face writes them) are
	// read and compared without one.
	index  map[string]int32
	sorted bool
}

// Lookup returns the signature of a tensor.
func (ts *TensorSet) Lookup(name string) (Tensor, bool) {
	i, ok := ts.find(name)
	if !ok {
		return Tensor{}, false
	}
	return ts.Sigs[i], true
}

func (ts *TensorSet) find(name string) (int, bool) {
	if ts.index == nil {
		ts.index = make(map[string]int32, len(ts.Names))
		for i, n := range ts.Names {
			ts.index[n] = int32(i)
		}
	}
	i, ok := ts.index[name]
	return int(i), ok
}

// add appends a tensor, refusing a name that is already there.
func (ts *TensorSet) add(name string, t Tensor) bool {
	if n := len(ts.Names); n == 0 {
		ts.sorted = true
	} else if ts.sorted && name <= ts.Names[n-1] {
		ts.sorted = false
		ts.find(name) // build the index from the names so far
	}
	if !ts.sorted {
		if ts.index == nil {
			ts.find(name)
		}
		if _, dup := ts.index[name]; dup {
			return false
		}
		ts.index[name] = int32(len(ts.Names))
	}
	ts.Names = append(ts.Names, name)
	ts.Sigs = append(ts.Sigs, t)
	return true
}

// maxLFSPointer bounds the size of a Git LFS pointer file (the spec says
// pointers are under 1024 bytes).
const maxLFSPointer = 1024

// lfsVersion starts every Git LFS pointer file.
const lfsVersion = "version https://git-lfs.github.com/spec/v1"

// maxSafetensorsHeader bounds the JSON header of a .safetensors file, so
// that the 8-byte length prefix and the header together stay within the
// bytes modelgate reads of any file.
const maxSafetensorsHeader = MaxFileSize - 8

var lfsOIDRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// lfsPointer is a parsed Git LFS pointer file.
type lfsPointer struct {
	oid  string
	size int64
}

// parseLFSPointer recognises a Git LFS pointer file. ok is false for any
// other content; err reports a pointer that is malformed.
func parseLFSPointer(data []byte) (p lfsPointer, ok bool, err error) {
	if !bytes.HasPrefix(data, []byte(lfsVersion)) {
		return p, false, nil
	}
	p.size = -1
	for _, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		k, v, _ := strings.Cut(strings.TrimSuffix(line, "\r"), " ")
		switch k {
		case "oid":
			hex, found := strings.CutPrefix(v, "sha256:")
			if !found || !lfsOIDRE.MatchString(hex) {
				return p, true, fmt.Errorf("invalid Git LFS pointer: oid %q; want sha256:<64 hex digits>", v)
			}
			p.oid = hex
		case "size":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return p, true, fmt.Errorf("invalid Git LFS pointer: size %q", v)
			}
			p.size = n
		}
	}
	if p.oid == "" || p.size < 0 {
		return p, true, errors.New("invalid Git LFS pointer: no oid or size line")
	}
	return p, true, nil
}

// isSafetensors reports whether a file name is a .safetensors file.
func isSafetensors(name string) bool {
	return strings.EqualFold(path.Ext(name), ".safetensors")
}

// loadTensors reads the tensor signatures at p. errNotFound means there is
// no file; other errors name the file.
func loadTensors(fsys fs.FS, p string, opts LoadOptions) (*TensorSet, error) {
	f, err := fsys.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, unwrapPath(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, unwrapPath(err))
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s: is a folder; point tensors at a file", p)
	}
	size := st.Size()
	var r io.Reader = f
	if size <= maxLFSPointer {
		small, err := io.ReadAll(io.LimitReader(f, maxLFSPointer+1))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, unwrapPath(err))
		}
		ptr, ok, err := parseLFSPointer(small)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if ok {
			return loadLFSTensors(p, ptr, opts)
		}
		r, size = bytes.NewReader(small), int64(len(small))
	}
	if isSafetensors(p) {
		return readSafetensors(p, p, r, size)
	}
	if size > MaxFileSize {
		return nil, fmt.Errorf("%s: file is %d bytes, more than the %d modelgate reads; point tensors at a .safetensors file or its index", p, size, MaxFileSize)
	}
	data, err := readAll(r, size)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, unwrapPath(err))
	}
	return parseTensorFile(p, data)
}

// readAll reads a file of the given size in one allocation.
func readAll(r io.Reader, size int64) ([]byte, error) {
	data := make([]byte, size)
	n, err := io.ReadFull(r, data)
	if err == io.ErrUnexpectedEOF {
		return data[:n], nil
	}
	if err != nil && !(err == io.EOF && size == 0) {
		return nil, err
	}
	return data, nil
}

// loadLFSTensors reads the tensor signatures of the object behind a Git LFS
// pointer from the local LFS store, or reports them unavailable.
func loadLFSTensors(p string, ptr lfsPointer, opts LoadOptions) (*TensorSet, error) {
	short := ptr.oid[:12]
	unavailable := &TensorSet{File: p, LFS: true,
		Unavailable: fmt.Sprintf("%s is a Git LFS pointer and its object sha256:%s… is not in the local LFS store (.git/lfs/objects)", p, short)}
	if opts.LFS == nil {
		return unavailable, nil
	}
	obj := path.Join(ptr.oid[0:2], ptr.oid[2:4], ptr.oid)
	f, err := opts.LFS.Open(obj)
	if errors.Is(err, fs.ErrNotExist) {
		return unavailable, nil
	}
	name := fmt.Sprintf("%s (Git LFS object %s…)", p, short)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, unwrapPath(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, unwrapPath(err))
	}
	if st.Size() != ptr.size {
		return nil, fmt.Errorf("%s: the object is %d bytes but the pointer says %d: an incomplete download; run git lfs fetch again", name, st.Size(), ptr.size)
	}
	var ts *TensorSet
	if isSafetensors(p) {
		ts, err = readSafetensors(name, p, f, st.Size())
	} else {
		if st.Size() > MaxFileSize {
			return nil, fmt.Errorf("%s: object is %d bytes, more than the %d modelgate reads", name, st.Size(), MaxFileSize)
		}
		var data []byte
		if data, err = readAll(f, st.Size()); err != nil {
			return nil, fmt.Errorf("%s: %w", name, unwrapPath(err))
		}
		ts, err = parseTensorFile(p, data)
	}
	if err != nil {
		return nil, err
	}
	ts.LFS = true
	return ts, nil
}

// readSafetensors reads the header of a .safetensors file of size bytes from
// r: an 8-byte little-endian length N, then N bytes of JSON. Only those
// 8+N bytes are read, never the tensor data. name names the file in errors;
// file is the repository path reported in findings.
func readSafetensors(name, file string, r io.Reader, size int64) (*TensorSet, error) {
	if size < 8 {
		return nil, fmt.Errorf("%s: %d bytes, too short for a safetensors file (an 8-byte header length, then the JSON header)", name, size)
	}
	var lenBuf [8]byte
	if _, err := io.ReadFull(r, lenBuf[:]); err != nil {
		return nil, fmt.Errorf("%s: reading the safetensors header length: %w", name, unwrapPath(err))
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	switch {
	case n > uint64(size-8):
		return nil, fmt.Errorf("%s: safetensors header length %d is more than the %d bytes that follow it: the file is truncated or not a safetensors file", name, n, size-8)
	case n > maxSafetensorsHeader:
		return nil, fmt.Errorf("%s: safetensors header of %d bytes, more than the %d modelgate reads", name, n, maxSafetensorsHeader)
	case n < 2:
		return nil, fmt.Errorf("%s: safetensors header length %d is too short for a JSON header", name, n)
	}
	header := make([]byte, n)
	if got, err := io.ReadFull(r, header); err != nil {
		return nil, fmt.Errorf("%s: the safetensors header ends after %d of %d bytes: %w", name, got, n, unwrapPath(err))
	}
	// The format pads the header with spaces to an 8-byte boundary.
	header = bytes.TrimRight(header, " \x00")
	if len(header) == 0 || header[0] != '{' {
		return nil, fmt.Errorf("%s: the safetensors header is not a JSON object: the file is corrupt or not a safetensors file", name)
	}
	ts, err := scanTensorJSON(name, header, size-8-int64(n))
	if err != nil {
		return nil, err
	}
	ts.File, ts.Line = file, 0
	for i := range ts.Sigs {
		ts.Sigs[i].Line = 0
	}
	return ts, nil
}

// parseTensorFile parses a tensors file: JSON or YAML, either a map of
// tensor name -> {shape, dtype} or an index with a weight_map of tensor
// name -> shard file (names only).
func parseTensorFile(p string, data []byte) (*TensorSet, error) {
	ext := strings.ToLower(path.Ext(p))
	if ext == ".json" || ext == "" && bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
		return scanTensorJSON(p, data, -1)
	}
	root, err := Parse(p, data)
	if err != nil {
		return nil, err
	}
	return tensorsFromNode(p, root)
}

// tensorsFromNode reads tensor signatures from a parsed tree: the manifest's
// inline tensors map, or a YAML (or TOML) tensors file.
func tensorsFromNode(file string, root *Node) (*TensorSet, error) {
	if root.Kind != KindMap {
		return nil, fmt.Errorf("%s:%d: tensors must be a map of tensor name -> {shape, dtype}, or an index with a weight_map", file, root.Pos.Line)
	}
	m := root
	if wm := root.Get("weight_map"); wm != nil {
		if wm.Kind != KindMap {
			return nil, fmt.Errorf("%s:%d: weight_map must map tensor names to shard files", file, wm.Pos.Line)
		}
		m = wm
	}
	ts := &TensorSet{File: file, Line: m.Pos.Line, Names: make([]string, 0, len(m.Keys)), Sigs: make([]Tensor, 0, len(m.Keys))}
	for _, k := range m.Keys {
		if k == "__metadata__" {
			continue
		}
		v := m.Fields[k]
		t := Tensor{Line: v.Pos.Line}
		switch v.Kind {
		case KindNull, KindString:
		case KindList:
			shape, err := nodeShape(file, k, v)
			if err != nil {
				return nil, err
			}
			t.Shape = shape
		case KindMap:
			if s := v.Get("shape"); s != nil {
				shape, err := nodeShape(file, k, s)
				if err != nil {
					return nil, err
				}
				t.Shape = shape
			}
			if d := v.Get("dtype"); d != nil {
				if d.Kind != KindString || d.Str == "" {
					return nil, fmt.Errorf("%s:%d: tensor %q: dtype must be a name such as BF16, not %s", file, d.Pos.Line, k, d.Text())
				}
				t.DType = d.Str
			}
			if !t.known() {
				return nil, fmt.Errorf("%s:%d: tensor %q: want {shape: [...], dtype: ...}, not %s", file, v.Pos.Line, k, shorten(v.Text()))
			}
		default:
			return nil, fmt.Errorf("%s:%d: tensor %q: want {shape: [...], dtype: ...}, a shape list or a shard file name, not %s", file, v.Pos.Line, k, v.Text())
		}
		ts.add(k, t) // the tree parser already refused duplicate keys
	}
	return ts, nil
}

func nodeShape(file, name string, n *Node) ([]int64, error) {
	if n.Kind != KindList {
		return nil, fmt.Errorf("%s:%d: tensor %q: shape must be a list of sizes such as [4096, 4096], not %s", file, n.Pos.Line, name, n.Text())
	}
	shape := make([]int64, 0, len(n.Items))
	for _, it := range n.Items {
		if it.Kind != KindNumber || it.Num < 0 || it.Num != float64(int64(it.Num)) {
			return nil, fmt.Errorf("%s:%d: tensor %q: shape sizes must be whole numbers, not %s", file, it.Pos.Line, name, it.Text())
		}
		shape = append(shape, int64(it.Num))
	}
	return shape, nil
}

// scanTensorJSON reads tensor signatures from JSON without building a tree:
// an index's weight_map holds names only, any other object maps names to
// {shape, dtype}. It keeps file order and lines and is linear in the size
// of the file, so a 100,000-tensor index costs milliseconds. dataSize >= 0
// marks a safetensors header followed by dataSize bytes of tensor data,
// which every entry's data_offsets must stay within. Malformed JSON is
// reported by the tree parser, with its line.
func scanTensorJSON(file string, data []byte, dataSize int64) (*TensorSet, error) {
	if bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data) {
		return nil, fmt.Errorf("%s: binary content, not a JSON text file", file)
	}
	ts, err := scanTensors(file, data, dataSize, dataSize < 0 && bytes.Contains(data, []byte(`"weight_map"`)))
	var se *jsonSyntaxError
	switch {
	case errors.As(err, &se) && dataSize >= 0:
		return nil, fmt.Errorf("%s: the safetensors header is not valid JSON (%s): the file is corrupt or not a safetensors file", file, se.msg)
	case errors.As(err, &se):
		// Let the tree parser say where the JSON is broken.
		if _, perr := Parse(file, data); perr != nil {
			return nil, perr
		}
		return nil, fmt.Errorf("%s:%d: invalid JSON: %s", file, se.line, se.msg)
	}
	if err == nil && ts == nil {
		// "weight_map" was not a top-level key: a plain map after all.
		return scanTensors(file, data, dataSize, false)
	}
	return ts, err
}

// jsonSyntaxError is malformed JSON met by the scanner.
type jsonSyntaxError struct {
	line int
	msg  string
}

func (e *jsonSyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

// scanTensors scans the tensors of data; with index, those of the top-level
// weight_map (nil, nil if there is none).
func scanTensors(file string, data []byte, dataSize int64, index bool) (*TensorSet, error) {
	safetensors := dataSize >= 0
	s := &jsonScan{data: data}
	est := max(bytes.Count(data, []byte{'\n'}), bytes.Count(data, []byte(`"dtype"`)), 8)
	ts := &TensorSet{File: file, Line: 1, Names: make([]string, 0, est), Sigs: make([]Tensor, 0, est)}
	entry := func(key string, keyOff int) error {
		line := s.line(keyOff)
		if key == "__metadata__" {
			return s.skip()
		}
		t := Tensor{Line: line}
		start := s.pos
		bad := func(want string) error {
			if err := s.skip(); err != nil {
				return err
			}
			return fmt.Errorf("%s:%d: tensor %q: want %s, not %s", file, line, key, want, snippet(s.data[start:s.pos]))
		}
		switch c := s.peek(); {
		case index:
			if c != '"' {
				return bad("the name of its shard file")
			}
			if _, err := s.str(); err != nil {
				return err
			}
		case c == '{':
			var offsets []int64
			var dtype bool
			err := s.object(func(k string, _ int) error {
				var err error
				switch k {
				case "shape":
					if t.Shape, err = s.ints(); err != nil {
						return fmt.Errorf("%s:%d: tensor %q: shape %w", file, line, key, err)
					}
				case "data_offsets":
					if offsets, err = s.ints(); err != nil {
						return fmt.Errorf("%s:%d: tensor %q: data_offsets %w", file, line, key, err)
					}
				case "dtype":
					if s.peek() != '"' {
						return bad(`{"shape": [...], "dtype": "..."} with dtype a name such as BF16`)
					}
					if t.DType, err = s.str(); err != nil {
						return err
					}
					dtype = true
				default:
					return s.skip()
				}
				return nil
			})
			if err != nil {
				return err
			}
			if safetensors {
				if t.Shape == nil || !dtype || len(offsets) != 2 {
					return fmt.Errorf("%s: tensor %q: want {\"dtype\", \"shape\", \"data_offsets\"}, not %s: not a safetensors header", file, key, snippet(s.data[start:s.pos]))
				}
				if b, e := offsets[0], offsets[1]; b > e || e > dataSize {
					return fmt.Errorf("%s: tensor %q: data_offsets [%d, %d] lie outside the %d bytes of tensor data: the file is truncated or corrupt", file, key, b, e, dataSize)
				}
			} else if t.Shape == nil && t.DType == "" {
				return fmt.Errorf("%s:%d: tensor %q: want {\"shape\": [...], \"dtype\": \"...\"}, not %s", file, line, key, snippet(s.data[start:s.pos]))
			}
		case safetensors:
			return bad(`{"dtype", "shape", "data_offsets"}`)
		case c == '[':
			shape, err := s.ints()
			if err != nil {
				return fmt.Errorf("%s:%d: tensor %q: shape %w", file, line, key, err)
			}
			t.Shape = shape
		case c == '"' || c == 'n':
			if err := s.skip(); err != nil {
				return err
			}
		default:
			return bad(`{"shape": [...], "dtype": "..."}, a shape list or a shard file name`)
		}
		if !ts.add(key, t) {
			return fmt.Errorf("%s:%d: duplicate tensor %q; remove one of them", file, line, key)
		}
		return nil
	}
	s.ws()
	if s.peek() != '{' {
		return nil, fmt.Errorf("%s:%d: tensors must be a map of tensor name -> {shape, dtype}, or an index with a weight_map", file, s.line(s.pos))
	}
	found := false
	err := s.object(func(key string, keyOff int) error {
		if !index {
			return entry(key, keyOff)
		}
		if key != "weight_map" {
			return s.skip()
		}
		found = true
		ts.Line = s.line(keyOff)
		if s.peek() != '{' {
			return fmt.Errorf("%s:%d: weight_map must map tensor names to shard files", file, ts.Line)
		}
		return s.object(entry)
	})
	if err == nil {
		if s.ws(); s.pos < len(s.data) {
			err = s.syntax("unexpected content after the JSON value")
		}
	}
	if err != nil {
		return nil, err
	}
	if index && !found {
		return nil, nil
	}
	return ts, nil
}

// jsonScan walks JSON by hand, for the tensor files whose size makes a tree
// of nodes too slow. It checks the structure it walks; what it skips, it
// checks only as far as finding the value's end.
type jsonScan struct {
	data []byte
	pos  int
	// lastOff and lastLine make line lookups, made in file order, linear.
	lastOff, lastLine int
	depth             int // of the values being skipped, bounded by maxDepth
}

func (s *jsonScan) syntax(msg string) error {
	return &jsonSyntaxError{line: s.line(s.pos), msg: msg}
}

func (s *jsonScan) peek() byte {
	if s.pos < len(s.data) {
		return s.data[s.pos]
	}
	return 0
}

func (s *jsonScan) ws() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\r', '\n':
			s.pos++
			continue
		}
		return
	}
}

// line returns the 1-based line of offset off.
func (s *jsonScan) line(off int) int {
	off = min(off, len(s.data))
	if off < s.lastOff || s.lastLine == 0 {
		s.lastOff, s.lastLine = 0, 1
	}
	s.lastLine += bytes.Count(s.data[s.lastOff:off], []byte{'\n'})
	s.lastOff = off
	return s.lastLine
}

// str reads the string at pos.
func (s *jsonScan) str() (string, error) {
	if s.peek() != '"' {
		return "", s.syntax("expected a string")
	}
	start := s.pos
	rest := s.data[start+1:]
	end := bytes.IndexByte(rest, '"')
	if end < 0 {
		return "", s.syntax("unterminated string")
	}
	if bytes.IndexByte(rest[:end], '\\') < 0 && bytes.IndexByte(rest[:end], '\n') < 0 {
		s.pos = start + 1 + end + 1
		return string(rest[:end]), nil
	}
	// Escapes: find the closing quote, then let encoding/json decode.
	for i := start + 1; i < len(s.data); i++ {
		switch s.data[i] {
		case '\\':
			i++
		case '"':
			var out string
			if err := json.Unmarshal(s.data[start:i+1], &out); err != nil {
				return "", s.syntax("invalid string")
			}
			s.pos = i + 1
			return out, nil
		}
	}
	return "", s.syntax("unterminated string")
}

// skip moves past the value at pos.
func (s *jsonScan) skip() error {
	if s.depth++; s.depth > maxDepth {
		return s.syntax(fmt.Sprintf("nested more than %d levels deep", maxDepth))
	}
	defer func() { s.depth-- }()
	switch c := s.peek(); c {
	case '"':
		_, err := s.str()
		return err
	case '{':
		return s.object(func(string, int) error { return s.skip() })
	case '[':
		s.pos++
		for first := true; ; first = false {
			s.ws()
			if s.peek() == ']' {
				s.pos++
				return nil
			}
			if !first {
				if s.peek() != ',' {
					return s.syntax("expected ',' or ']'")
				}
				s.pos++
				s.ws()
			}
			if err := s.skip(); err != nil {
				return err
			}
		}
	default:
		start := s.pos
		for s.pos < len(s.data) && !strings.ContainsRune(",}] \t\r\n", rune(s.data[s.pos])) {
			s.pos++
		}
		lit := string(s.data[start:s.pos])
		if lit == "true" || lit == "false" || lit == "null" || json.Valid([]byte(lit)) && lit != "" && lit[0] != '"' {
			return nil
		}
		s.pos = start
		return s.syntax(fmt.Sprintf("invalid value %q", shorten(lit)))
	}
}

// ints reads a list of whole numbers at least 0.
func (s *jsonScan) ints() ([]int64, error) {
	if s.peek() != '[' {
		return nil, errors.New("must be a list of whole numbers such as [4096, 4096]")
	}
	s.pos++
	out := []int64{}
	for first := true; ; first = false {
		s.ws()
		if s.peek() == ']' {
			s.pos++
			return out, nil
		}
		if !first {
			if s.peek() != ',' {
				return nil, s.syntax("expected ',' or ']'")
			}
			s.pos++
			s.ws()
		}
		start := s.pos
		for s.pos < len(s.data) && s.data[s.pos] >= '0' && s.data[s.pos] <= '9' {
			s.pos++
		}
		n, err := strconv.ParseInt(string(s.data[start:s.pos]), 10, 64)
		if err != nil || s.pos-start > 1 && s.data[start] == '0' || strings.ContainsRune(".eE-+", rune(s.peek())) {
			return nil, errors.New("must be a list of whole numbers of at least 0 such as [4096, 4096]")
		}
		out = append(out, n)
	}
}

// object walks the object at pos: fn gets each key and its offset and must
// consume the value that follows.
func (s *jsonScan) object(fn func(key string, keyOff int) error) error {
	if s.peek() != '{' {
		return s.syntax("expected an object")
	}
	s.pos++
	for first := true; ; first = false {
		s.ws()
		if s.peek() == '}' {
			s.pos++
			return nil
		}
		if !first {
			if s.peek() != ',' {
				return s.syntax("expected ',' or '}'")
			}
			s.pos++
			s.ws()
		}
		keyOff := s.pos
		key, err := s.str()
		if err != nil {
			return err
		}
		s.ws()
		if s.peek() != ':' {
			return s.syntax("expected ':'")
		}
		s.pos++
		s.ws()
		if err := fn(key, keyOff); err != nil {
			return err
		}
	}
}

// snippet shows raw JSON in an error message: on one line, shortened.
func snippet(b []byte) string {
	return shorten(strings.Join(strings.Fields(string(b)), " "))
}
