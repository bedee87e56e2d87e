package tensors

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/modelgate/modelgate/internal/excerpt"
)

// jsonSyntaxError is malformed JSON met by the scanner.
type jsonSyntaxError struct {
	line int
	msg  string
}

func (e *jsonSyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

// jsonScan walks JSON by hand, for the tensor files whose size makes a tree
// of nodes too slow. It checks the structure it walks; what it skips, it
// checks only as far as finding the value's end.
type jsonScan struct {
	data []byte
	pos  int
	// lastOff and lastLine make line lookups, made in file order, linear.
	lastOff, lastLine int
	depth             int // of the values being skipped, bounded by maxDepth
	maxDepth          int
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
	if s.depth++; s.depth > s.maxDepth {
		return s.syntax(fmt.Sprintf("nested more than %d levels deep", s.maxDepth))
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
		return s.syntax(fmt.Sprintf("invalid value %s", excerpt.Quote(lit)))
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
	var seen keySet
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
		if !seen.add(key) {
			return &duplicateKeyError{line: s.line(keyOff), key: key}
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
	return excerpt.Of(string(b))
}

// duplicateKeyError is a key given twice in one JSON object: JSON decoders
// disagree on which one wins, so every file read refuses it.
type duplicateKeyError struct {
	line int
	key  string
}

func (e *duplicateKeyError) Error() string {
	return fmt.Sprintf("line %d: duplicate key %s; remove one of them", e.line, excerpt.Quote(e.key))
}

// keySet holds the keys of one object: a short list for the few keys of a
// tensor entry, a map once an object (a weight_map) grows.
type keySet struct {
	few  []string
	many map[string]struct{}
}

// add records key and reports whether it is new.
func (k *keySet) add(key string) bool {
	if k.many == nil {
		for _, f := range k.few {
			if f == key {
				return false
			}
		}
		if len(k.few) < 8 {
			k.few = append(k.few, key)
			return true
		}
		k.many = make(map[string]struct{}, 16)
		for _, f := range k.few {
			k.many[f] = struct{}{}
		}
	}
	if _, dup := k.many[key]; dup {
		return false
	}
	k.many[key] = struct{}{}
	return true
}
