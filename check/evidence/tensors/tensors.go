// Package tensors reads the tensor signatures of a model (names, shapes,
// dtypes) from the files a manifest's tensors field names: the header of a
// .safetensors file, a Hugging Face *.safetensors.index.json, a JSON map of
// name -> {shape, dtype}, each possibly behind a Git LFS pointer. It
// compares two signatures name by name and groups the differences by name
// pattern.
//
// It returns raw facts: which tensors were added, removed or reshaped. It
// knows nothing of versions or rules; package check decides the bumps.
// Weights are never read, only headers.
package tensors

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"

	"github.com/modelgate/modelgate/internal/fsutil"
)

// Tensor is the signature of one parameter tensor.
type Tensor struct {
	Shape []int64 // nil when the source lists names only (an index)
	DType string  // "" when the source lists names only
	Line  int     // where the tensor is named; 0 in binary files
}

// Known reports whether the source gave the tensor's shape or dtype.
func (t Tensor) Known() bool { return t.Shape != nil || t.DType != "" }

// Text renders the signature, e.g. "[4096, 4096] BF16", or "(present)" for
// a name without a signature.
func (t Tensor) Text() string {
	if !t.Known() {
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

// Value returns the signature as JSON-ready values: {"shape": [...],
// "dtype": "..."} with what is known.
func (t Tensor) Value() map[string]any {
	v := map[string]any{}
	if t.Shape != nil {
		v["shape"] = t.Shape
	}
	if t.DType != "" {
		v["dtype"] = t.DType
	}
	return v
}

// Set is the parameter signature of one revision of a model, read from the
// manifest's tensors field.
type Set struct {
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
	// LFS is set when the signatures came from a Git LFS object, or would
	// have; OID is that object's sha256.
	LFS bool
	OID string
	// Quantized says the dtypes are storage types a runtime converts on
	// load (GGUF's ggml types: Q4_K, Q8_0, F16): a change of dtype alone
	// is a requantisation of the same parameters, not a new shape.
	Quantized bool

	// index maps names to their position, built when first needed: files
	// whose names come in ascending order (as Hugging Face writes them) are
	// read and compared without one.
	index  map[string]int32
	sorted bool
}

// NewSet returns an empty set of signatures read from file, with room for
// n tensors.
func NewSet(file string, line, n int) *Set {
	return &Set{File: file, Line: line, Names: make([]string, 0, n), Sigs: make([]Tensor, 0, n)}
}

// Lookup returns the signature of a tensor.
func (ts *Set) Lookup(name string) (Tensor, bool) {
	i, ok := ts.find(name)
	if !ok {
		return Tensor{}, false
	}
	return ts.Sigs[i], true
}

func (ts *Set) find(name string) (int, bool) {
	if ts.index == nil {
		ts.index = make(map[string]int32, len(ts.Names))
		for i, n := range ts.Names {
			ts.index[n] = int32(i)
		}
	}
	i, ok := ts.index[name]
	return int(i), ok
}

// Add appends a tensor, refusing (false) a name that is already there.
func (ts *Set) Add(name string, t Tensor) bool {
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

// A Format reads the tensor signatures of one kind of file. Load tries the
// formats it is given in order, after resolving a Git LFS pointer: Stream
// formats are matched by the file's name and read as a stream (only the
// header of a .safetensors file is read); the others get the whole file.
type Format struct {
	// Name names the format in documentation, e.g. "safetensors header".
	Name string
	// Match reports whether the format reads the file at path p; data is
	// nil for Stream formats and the whole file for the others.
	Match func(p string, data []byte) bool
	// Stream reads the signatures from r, which holds size bytes. name
	// names the file in errors; file is the repository path in findings.
	Stream func(name, file string, r io.Reader, size int64, opts Options) (*Set, error)
	// Parse reads the signatures from the whole file.
	Parse func(file string, data []byte, opts Options) (*Set, error)
}

// Options are what Load needs besides the file.
type Options struct {
	// LFS is the local Git LFS object store (.git/lfs/objects): the object of
	// a pointer file "oid sha256:<oid>" is <oid[0:2]>/<oid[2:4]>/<oid> in it.
	// nil means no store: evidence behind LFS pointers is unavailable.
	LFS fs.FS
	// Formats are the readers tried in order; the first that matches reads
	// the file.
	Formats []Format
	// MaxFileSize bounds the bytes read of any file.
	MaxFileSize int64
	// MaxDepth bounds the nesting of JSON values skipped by the scanner.
	MaxDepth int
	// Syntax, when set, reports where malformed JSON is broken, with the
	// caller's parser (its messages name the line); the scanner's own
	// message is used when it returns nil.
	Syntax func(file string, data []byte) error
}

// ErrNotFound reports that the tensors file does not exist.
var ErrNotFound = errors.New("file not found")

// Load reads the tensor signatures at p in fsys. ErrNotFound means there is
// no file; other errors name the file.
func Load(fsys fs.FS, p string, opts Options) (*Set, error) {
	f, err := fsys.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, fsutil.UnwrapPath(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, fsutil.UnwrapPath(err))
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s: is a folder; point tensors at a file", p)
	}
	size := st.Size()
	var r io.Reader = f
	if size <= maxLFSPointer {
		small, err := io.ReadAll(io.LimitReader(f, maxLFSPointer+1))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, fsutil.UnwrapPath(err))
		}
		ptr, ok, err := parseLFSPointer(small)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if ok {
			return loadLFS(p, ptr, opts)
		}
		r, size = bytes.NewReader(small), int64(len(small))
	}
	if fm := streamFormat(p, opts); fm != nil {
		return fm.Stream(p, p, r, size, opts)
	}
	if size > opts.MaxFileSize {
		return nil, fmt.Errorf("%s: file is %d bytes, more than the %d modelgate reads; point tensors at a .safetensors file or its index", p, size, opts.MaxFileSize)
	}
	data, err := readAll(r, size)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, fsutil.UnwrapPath(err))
	}
	return parse(p, data, opts)
}

// streamFormat returns the first Stream format that matches p, or nil.
func streamFormat(p string, opts Options) *Format {
	for i, fm := range opts.Formats {
		if fm.Stream != nil && fm.Match(p, nil) {
			return &opts.Formats[i]
		}
	}
	return nil
}

// parse reads a whole file with the first Parse format that matches it.
func parse(p string, data []byte, opts Options) (*Set, error) {
	for _, fm := range opts.Formats {
		if fm.Parse != nil && fm.Match(p, data) {
			return fm.Parse(p, data, opts)
		}
	}
	return nil, fmt.Errorf("%s: no reader for this tensors file; point tensors at a .safetensors file, its index, or a JSON or YAML map of name -> {shape, dtype}", p)
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
