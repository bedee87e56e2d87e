package tensors

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/modelgate/modelgate/internal/excerpt"
)

// JSON reads a JSON tensors file: a Hugging Face index, whose weight_map
// names the tensors (names only), or a map of tensor name -> {shape, dtype}
// or a shape list. It matches files named *.json, and files without an
// extension that hold a JSON object.
var JSON = Format{
	Name: "Hugging Face index, JSON map",
	Match: func(p string, data []byte) bool {
		ext := strings.ToLower(path.Ext(p))
		return ext == ".json" || ext == "" && bytes.HasPrefix(bytes.TrimSpace(data), []byte("{"))
	},
	Parse: func(file string, data []byte, opts Options) (*Set, error) { return scanJSON(file, data, -1, opts) },
}

// scanJSON reads tensor signatures from JSON without building a tree: an
// index's weight_map holds names only, any other object maps names to
// {shape, dtype}. It keeps file order and lines and is linear in the size
// of the file, so a 100,000-tensor index costs milliseconds. dataSize >= 0
// marks a safetensors header followed by dataSize bytes of tensor data,
// which every entry's data_offsets must stay within. Malformed JSON is
// reported by opts.Syntax, with its line.
func scanJSON(file string, data []byte, dataSize int64, opts Options) (*Set, error) {
	if bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data) {
		return nil, fmt.Errorf("%s: binary content, not a JSON text file", file)
	}
	ts, err := scanTensors(file, data, dataSize, dataSize < 0 && bytes.Contains(data, []byte(`"weight_map"`)), opts.MaxDepth)
	var se *jsonSyntaxError
	var de *duplicateKeyError
	switch {
	case errors.As(err, &de) && dataSize >= 0:
		return nil, fmt.Errorf("%s: the safetensors header gives key %s twice: the file is corrupt", file, excerpt.Quote(de.key))
	case errors.As(err, &de):
		return nil, fmt.Errorf("%s:%d: duplicate key %s; remove one of them", file, de.line, excerpt.Quote(de.key))
	case errors.As(err, &se) && dataSize >= 0:
		return nil, fmt.Errorf("%s: the safetensors header is not valid JSON (%s): the file is corrupt or not a safetensors file", file, se.msg)
	case errors.As(err, &se):
		// Let the caller's parser say where the JSON is broken.
		if opts.Syntax != nil {
			if perr := opts.Syntax(file, data); perr != nil {
				return nil, perr
			}
		}
		return nil, fmt.Errorf("%s:%d: invalid JSON: %s", file, se.line, se.msg)
	}
	if err == nil && ts == nil {
		// "weight_map" was not a top-level key: a plain map after all.
		return scanTensors(file, data, dataSize, false, opts.MaxDepth)
	}
	return ts, err
}

// tensorScan reads the entries of one tensors object.
type tensorScan struct {
	*jsonScan
	file string
	// dataSize >= 0 marks a safetensors header: every entry needs dtype,
	// shape and data_offsets within the dataSize bytes of tensor data.
	dataSize int64
	// index reads the names of a weight_map: each value is a shard file.
	index bool
	ts    *Set
}

// scanTensors scans the tensors of data; with index, those of the top-level
// weight_map (nil, nil if there is none).
func scanTensors(file string, data []byte, dataSize int64, index bool, maxDepth int) (*Set, error) {
	s := &tensorScan{jsonScan: &jsonScan{data: data, maxDepth: maxDepth}, file: file, dataSize: dataSize, index: index}
	est := max(bytes.Count(data, []byte{'\n'}), bytes.Count(data, []byte(`"dtype"`)), 8)
	s.ts = NewSet(file, 1, est)
	s.ws()
	if s.peek() != '{' {
		return nil, fmt.Errorf("%s:%d: tensors must be a map of tensor name -> {shape, dtype}, or an index with a weight_map", file, s.line(s.pos))
	}
	found := false
	err := s.object(func(key string, keyOff int) error {
		if !index {
			return s.entry(key, keyOff)
		}
		if key != "weight_map" {
			return s.skip()
		}
		found = true
		s.ts.Line = s.line(keyOff)
		if s.peek() != '{' {
			return fmt.Errorf("%s:%d: weight_map must map tensor names to shard files", file, s.ts.Line)
		}
		return s.object(s.entry)
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
	return s.ts, nil
}

// entry reads one tensor: its key is at keyOff, its value at pos.
func (s *tensorScan) entry(key string, keyOff int) error {
	line := s.line(keyOff)
	if key == "__metadata__" {
		return s.skip()
	}
	t := Tensor{Line: line}
	start := s.pos
	safetensors := s.dataSize >= 0
	switch c := s.peek(); {
	case s.index:
		if c != '"' {
			return s.bad(key, line, start, "the name of its shard file")
		}
		if _, err := s.str(); err != nil {
			return err
		}
	case c == '{':
		if err := s.signature(key, line, start, &t); err != nil {
			return err
		}
	case safetensors:
		return s.bad(key, line, start, `{"dtype", "shape", "data_offsets"}`)
	case c == '[':
		shape, err := s.ints()
		if err != nil {
			return fmt.Errorf("%s:%d: tensor %q: shape %w", s.file, line, key, err)
		}
		t.Shape = shape
	case c == '"' || c == 'n':
		if err := s.skip(); err != nil {
			return err
		}
	default:
		return s.bad(key, line, start, `{"shape": [...], "dtype": "..."}, a shape list or a shard file name`)
	}
	if !s.ts.Add(key, t) {
		return fmt.Errorf("%s:%d: duplicate tensor %s; remove one of them", s.file, line, excerpt.Quote(key))
	}
	return nil
}

// signature reads the object {"shape", "dtype"} (and, in a safetensors
// header, "data_offsets") of the tensor whose value starts at start.
func (s *tensorScan) signature(key string, line, start int, t *Tensor) error {
	var offsets []int64
	var dtype bool
	err := s.object(func(k string, _ int) error {
		var err error
		switch k {
		case "shape":
			if t.Shape, err = s.ints(); err != nil {
				return fmt.Errorf("%s:%d: tensor %q: shape %w", s.file, line, key, err)
			}
		case "data_offsets":
			if offsets, err = s.ints(); err != nil {
				return fmt.Errorf("%s:%d: tensor %q: data_offsets %w", s.file, line, key, err)
			}
		case "dtype":
			if s.peek() != '"' {
				return s.bad(key, line, start, `{"shape": [...], "dtype": "..."} with dtype a name such as BF16`)
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
	if s.dataSize >= 0 {
		if t.Shape == nil || !dtype || len(offsets) != 2 {
			return fmt.Errorf("%s: tensor %q: want {\"dtype\", \"shape\", \"data_offsets\"}, not %s: not a safetensors header", s.file, key, snippet(s.data[start:s.pos]))
		}
		if b, e := offsets[0], offsets[1]; b > e || e > s.dataSize {
			return fmt.Errorf("%s: tensor %q: data_offsets [%d, %d] lie outside the %d bytes of tensor data: the file is truncated or corrupt", s.file, key, b, e, s.dataSize)
		}
	} else if t.Shape == nil && t.DType == "" {
		return fmt.Errorf("%s:%d: tensor %q: want {\"shape\": [...], \"dtype\": \"...\"}, not %s", s.file, line, key, snippet(s.data[start:s.pos]))
	}
	return nil
}

// bad skips the value at pos and reports that the tensor whose value starts
// at start is not what want says.
func (s *tensorScan) bad(key string, line, start int, want string) error {
	if err := s.skip(); err != nil {
		return err
	}
	return fmt.Errorf("%s:%d: tensor %q: want %s, not %s", s.file, line, key, want, snippet(s.data[start:s.pos]))
}
