package tokenizer

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/modelgate/modelgate/internal/excerpt"
)

// MaxDepth bounds the nesting of the JSON values Read walks, so hostile
// input cannot exhaust the stack.
const MaxDepth = 200

// Read reads a tokenizer.json. The result keeps none of data: the tokens
// are copied, the merges hashed. Every error is one line naming the file and
// the line: malformed JSON, a duplicate key (a token listed twice in
// model.vocab is one), an id that is not a whole number, a merge that is
// not a pair.
func Read(name, data string) (*File, error) {
	s := &scanner{name: name, data: data, line: 1}
	f := &File{Name: name}
	if err := s.document(f); err != nil {
		return nil, err
	}
	return f, nil
}

// scanner walks JSON text strictly (RFC 8259: no trailing commas, no
// comments, no leading zeros, control characters escaped), keeping count
// of lines as it goes.
type scanner struct {
	name string
	data string
	pos  int
	line int
}

func (s *scanner) errorf(format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", s.name, s.line, fmt.Sprintf(format, args...))
}

func (s *scanner) syntax(what string) error {
	if s.pos >= len(s.data) {
		return s.errorf("invalid JSON: unexpected end of file")
	}
	return s.errorf("invalid JSON: %s, found %s", what, excerpt.Quote(s.data[s.pos:min(s.pos+16, len(s.data))]))
}

// ws skips white space, counting lines. It is the scanner's hottest loop
// (tokenizers indents its files): it works on locals.
func (s *scanner) ws() {
	data, pos, line := s.data, s.pos, s.line
	for ; pos < len(data); pos++ {
		c := data[pos]
		if c == '\n' {
			line++
		} else if c != ' ' && c != '\t' && c != '\r' {
			break
		}
	}
	s.pos, s.line = pos, line
}

func (s *scanner) peek() byte {
	if s.pos < len(s.data) {
		return s.data[s.pos]
	}
	return 0
}

// expect consumes c after white space.
func (s *scanner) expect(c byte, what string) error {
	s.ws()
	if s.peek() != c {
		return s.syntax(what)
	}
	s.pos++
	return nil
}

// more reports whether another element follows in an object or array
// closed by end, consuming the comma; first is true before the first one.
func (s *scanner) more(end byte, first bool) (bool, error) {
	s.ws()
	switch c := s.peek(); {
	case c == end:
		s.pos++
		return false, nil
	case first:
		return true, nil
	case c == ',':
		s.pos++
		s.ws()
		if s.peek() == end {
			return false, s.syntax("a value after the comma")
		}
		return true, nil
	}
	return false, s.syntax(fmt.Sprintf("',' or '%c'", end))
}

// str reads a string. Strings without escapes are slices of the input.
func (s *scanner) str() (string, error) {
	s.ws()
	if s.peek() != '"' {
		return "", s.syntax("a string")
	}
	start := s.pos + 1
	data := s.data
	for pos := start; pos < len(data); pos++ {
		c := data[pos]
		switch {
		case c == '"':
			s.pos = pos + 1
			return data[start:pos], nil
		case c == '\\':
			s.pos = pos
			return s.escaped(start)
		case c < 0x20:
			s.pos = pos
			return "", s.errorf("invalid JSON: control character %#02x in a string; escape it", c)
		}
	}
	s.pos = len(data)
	return "", s.syntax("the end of the string")
}

// escaped reads the rest of a string that has escapes, as encoding/json
// decodes it: lone surrogates become U+FFFD.
func (s *scanner) escaped(start int) (string, error) {
	var b strings.Builder
	b.WriteString(s.data[start:s.pos])
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			s.pos++
			return b.String(), nil
		case c < 0x20:
			return "", s.errorf("invalid JSON: control character %#02x in a string; escape it", c)
		case c != '\\':
			b.WriteByte(c)
			s.pos++
			continue
		}
		if s.pos+1 >= len(s.data) {
			break
		}
		s.pos += 2
		switch e := s.data[s.pos-1]; e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := s.hex4()
			if !ok {
				return "", s.errorf("invalid JSON: \\u must be followed by 4 hex digits")
			}
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if strings.HasPrefix(s.data[s.pos:], `\u`) {
					save := s.pos
					s.pos += 2
					if lo, ok := s.hex4(); ok && utf16.DecodeRune(r, lo) != utf8.RuneError {
						r2 = utf16.DecodeRune(r, lo)
					} else {
						s.pos = save
					}
				}
				r = r2
			}
			b.WriteRune(r)
		default:
			return "", s.errorf("invalid JSON: invalid escape %s in a string", excerpt.Quote(s.data[s.pos-2:s.pos]))
		}
	}
	return "", s.syntax("the end of the string")
}

func (s *scanner) hex4() (rune, bool) {
	if s.pos+4 > len(s.data) {
		return 0, false
	}
	v, err := strconv.ParseUint(s.data[s.pos:s.pos+4], 16, 32)
	if err != nil {
		return 0, false
	}
	s.pos += 4
	return rune(v), true
}

// number reads a number as written.
func (s *scanner) number() (string, error) {
	s.ws()
	start := s.pos
	if s.peek() == '-' {
		s.pos++
	}
	switch c := s.peek(); {
	case c == '0':
		s.pos++
	case c >= '1' && c <= '9':
		s.digits()
	default:
		s.pos = start
		return "", s.syntax("a number")
	}
	if s.peek() == '.' {
		s.pos++
		if !s.digits() {
			return "", s.syntax("digits after the decimal point")
		}
	}
	if c := s.peek(); c == 'e' || c == 'E' {
		s.pos++
		if c := s.peek(); c == '+' || c == '-' {
			s.pos++
		}
		if !s.digits() {
			return "", s.syntax("digits in the exponent")
		}
	}
	return s.data[start:s.pos], nil
}

func (s *scanner) digits() bool {
	start := s.pos
	for s.pos < len(s.data) && s.data[s.pos] >= '0' && s.data[s.pos] <= '9' {
		s.pos++
	}
	return s.pos > start
}

// id reads a token id: a whole number from 0 to 2^63-1. what and token
// name it in the error.
func (s *scanner) id(what, token string) (int64, error) {
	line := s.line
	num, err := s.number()
	if err != nil {
		return 0, err
	}
	v, perr := strconv.ParseInt(num, 10, 64)
	if perr != nil || v < 0 {
		s.line = line
		if token != "" {
			what += " " + excerpt.Quote(token)
		}
		return 0, s.errorf("%s must be a whole number from 0, not %s", what, excerpt.Of(num))
	}
	return v, nil
}

// skip walks over any value, checking it, and returns it as written.
func (s *scanner) skip(depth int) (string, error) {
	s.ws()
	start := s.pos
	if err := s.value(depth); err != nil {
		return "", err
	}
	return s.data[start:s.pos], nil
}

func (s *scanner) value(depth int) error {
	if depth > MaxDepth {
		return s.errorf("nested more than %d levels deep", MaxDepth)
	}
	s.ws()
	switch c := s.peek(); {
	case c == '{':
		return s.object("a value", func(string, int) error { return s.value(depth + 1) })
	case c == '[':
		s.pos++
		for first := true; ; first = false {
			ok, err := s.more(']', first)
			if err != nil || !ok {
				return err
			}
			if err := s.value(depth + 1); err != nil {
				return err
			}
		}
	case c == '"':
		_, err := s.str()
		return err
	case c == '-' || c >= '0' && c <= '9':
		_, err := s.number()
		return err
	}
	for _, lit := range []string{"true", "false", "null"} {
		if strings.HasPrefix(s.data[s.pos:], lit) {
			s.pos += len(lit)
			return nil
		}
	}
	return s.syntax("a value")
}

// object walks the members of an object, calling member with each key
// (after its colon) and refusing duplicate keys.
func (s *scanner) object(what string, member func(key string, line int) error) error {
	if err := s.expect('{', what+" as an object"); err != nil {
		return err
	}
	seen := map[string]bool{}
	for first := true; ; first = false {
		ok, err := s.more('}', first)
		if err != nil || !ok {
			return err
		}
		line := s.line
		k, err := s.str()
		if err != nil {
			return err
		}
		if seen[k] {
			s.line = line
			return s.errorf("duplicate key %s; remove one of them", excerpt.Quote(k))
		}
		seen[k] = true
		if err := s.expect(':', "':' after the key"); err != nil {
			return err
		}
		if err := member(k, line); err != nil {
			return err
		}
	}
}

// array walks the elements of an array.
func (s *scanner) array(what string, elem func(i, line int) error) error {
	if err := s.expect('[', what+" as an array"); err != nil {
		return err
	}
	for i, first := 0, true; ; i, first = i+1, false {
		ok, err := s.more(']', first)
		if err != nil || !ok {
			return err
		}
		if err := elem(i, s.line); err != nil {
			return err
		}
	}
}

// document reads the whole file.
func (s *scanner) document(f *File) error {
	s.ws()
	if s.peek() != '{' {
		return s.syntax("a JSON object such as {\"model\": {...}}")
	}
	err := s.object("the tokenizer", func(k string, line int) error {
		switch k {
		case "model":
			return s.model(f, line)
		case "added_tokens":
			f.AddedLine = line
			return s.addedTokens(f)
		}
		raw, err := s.skip(1)
		f.Sections = append(f.Sections, Section{Key: k, Raw: strings.Clone(raw), Line: line})
		return err
	})
	if err != nil {
		return err
	}
	s.ws()
	if s.pos < len(s.data) {
		return s.errorf("invalid JSON: unexpected content after the JSON value")
	}
	return nil
}

// model reads the model object: vocab and merges, and its options as
// sections.
func (s *scanner) model(f *File, line int) error {
	s.ws()
	if strings.HasPrefix(s.data[s.pos:], "null") {
		f.Sections = append(f.Sections, Section{Key: "model", Raw: "null", Line: line})
		s.pos += 4
		return nil
	}
	return s.object("model", func(k string, line int) error {
		switch k {
		case "vocab":
			f.VocabLine = line
			s.ws()
			start := s.pos
			var err error
			if s.peek() == '[' {
				err = s.unigram(f)
			} else {
				err = s.vocab(f)
			}
			f.vocabSum = sumOf(s.data[start:s.pos])
			return err
		case "merges":
			f.MergesLine = line
			s.ws()
			start := s.pos
			err := s.merges(f)
			f.mergesSum = sumOf(s.data[start:s.pos])
			return err
		}
		raw, err := s.skip(2)
		if k == "type" && err == nil {
			f.Model, _ = strconv.Unquote(raw)
		}
		f.Sections = append(f.Sections, Section{Key: "model." + k, Raw: strings.Clone(raw), Line: line})
		return err
	})
}

// vocab reads model.vocab as an object of token -> id (BPE, WordPiece,
// WordLevel). It is the bulk of the file, so it has its own loop; the
// index of the tokens, sorted at the end, finds a token listed twice.
func (s *scanner) vocab(f *File) error {
	if err := s.expect('{', "model.vocab as an object"); err != nil {
		return err
	}
	err := s.vocabEntries(f)
	// A token listed twice is the first error in the file's order, before
	// any error after it.
	if j, ok := f.vocab.build(f.Vocab); !ok {
		s.line = f.Vocab[j].Line
		return s.errorf("duplicate key %s in model.vocab: a token listed twice; remove one of them", excerpt.Quote(f.Vocab[j].Text))
	}
	if err == nil {
		keepTexts(f.Vocab)
	}
	return err
}

// vocabEntries reads the entries of model.vocab and its closing brace.
func (s *scanner) vocabEntries(f *File) error {
	for first := true; ; first = false {
		ok, err := s.more('}', first)
		if err != nil || !ok {
			return err
		}
		line := s.line
		k, err := s.str()
		if err != nil {
			return err
		}
		if err := s.expect(':', "':' after the key"); err != nil {
			return err
		}
		id, err := s.id("the id of token", k)
		if err != nil {
			return err
		}
		if len(f.Vocab) == math.MaxInt32 {
			return s.errorf("model.vocab has more than %d tokens", math.MaxInt32)
		}
		// k is a slice of the file until keepTexts copies the texts.
		f.vocab.add(k, int32(len(f.Vocab)))
		f.Vocab = append(grow(f.Vocab), Token{Text: k, ID: id, Line: line})
	}
}

// unigram reads a Unigram model's vocab: a list of [piece, score] whose
// positions are the ids.
func (s *scanner) unigram(f *File) error {
	f.Scores = []float64{}
	err := s.array("model.vocab", func(i, line int) error {
		if err := s.expect('[', "a [piece, score] pair"); err != nil {
			return err
		}
		text, err := s.str()
		if err != nil {
			return err
		}
		if err := s.expect(',', "',' and the score of the piece"); err != nil {
			return err
		}
		num, err := s.number()
		if err != nil {
			return err
		}
		score, perr := strconv.ParseFloat(num, 64)
		if perr != nil {
			s.line = line
			return s.errorf("the score of piece %s is out of range: %s", excerpt.Quote(text), excerpt.Of(num))
		}
		if err := s.expect(']', "']' after the score: a [piece, score] pair"); err != nil {
			return err
		}
		f.vocab.add(text, int32(len(f.Vocab)))
		f.Vocab = append(f.Vocab, Token{Text: text, ID: int64(i), Line: line})
		f.Scores = append(f.Scores, score)
		return nil
	})
	if j, ok := f.vocab.build(f.Vocab); !ok {
		s.line = f.Vocab[j].Line
		return s.errorf("duplicate piece %s in model.vocab; remove one of them", excerpt.Quote(f.Vocab[j].Text))
	}
	if err == nil {
		keepTexts(f.Vocab)
	}
	return err
}

// merges reads model.merges: "left right" strings or [left, right] pairs,
// kept as hashes.
func (s *scanner) merges(f *File) error {
	return s.array("model.merges", func(i, line int) error {
		s.ws()
		var left, right string
		if s.peek() == '[' {
			s.pos++
			var err error
			if left, err = s.str(); err != nil {
				return err
			}
			if err := s.expect(',', "',' and the second token of the merge"); err != nil {
				return err
			}
			if right, err = s.str(); err != nil {
				return err
			}
			if err := s.expect(']', "']': a merge is a pair of tokens"); err != nil {
				return err
			}
		} else {
			m, err := s.str()
			if err != nil {
				return err
			}
			var ok bool
			if left, right, ok = strings.Cut(m, " "); !ok || strings.Contains(right, " ") {
				s.line = line
				return s.errorf("merge %d is %s; a merge is two tokens separated by one space, or a [\"left\", \"right\"] pair", i, excerpt.Quote(m))
			}
		}
		f.MergeCount++
		f.merges = append(grow(f.merges), pairHash(left, right))
		f.mergeLines = append(grow(f.mergeLines), int32(min(line, math.MaxInt32)))
		return nil
	})
}

// addedTokens reads added_tokens: objects with an id, a content and flags.
func (s *scanner) addedTokens(f *File) error {
	f.added = map[string]int32{}
	return s.array("added_tokens", func(i, line int) error {
		a := AddedToken{Token: Token{ID: -1, Line: line}}
		var flags []string
		hasContent := false
		err := s.object("each added token", func(k string, kl int) error {
			switch k {
			case "id":
				id, err := s.id("the id of an added token", "")
				a.ID = id
				return err
			case "content":
				c, err := s.str()
				a.Text, hasContent = strings.Clone(c), true
				return err
			}
			raw, err := s.skip(3)
			flags = append(flags, k+"="+raw) // a new string
			return err
		})
		if err != nil {
			return err
		}
		if a.ID < 0 || !hasContent {
			s.line = line
			return s.errorf("added token %d needs an id and a content, as tokenizers writes them", i)
		}
		if _, dup := f.added[a.Text]; dup {
			s.line = line
			return s.errorf("duplicate added token %s; remove one of them", excerpt.Quote(a.Text))
		}
		sort.Strings(flags)
		a.Flags = strings.Join(flags, " ")
		f.added[a.Text] = int32(len(f.Added))
		f.Added = append(f.Added, a)
		return nil
	})
}

// grow makes room for one more element, doubling the capacity when s is
// full: append grows large slices by a quarter at a time, which copied a
// 250,000-token vocabulary a dozen times and left as much garbage.
func grow[T any](s []T) []T {
	if len(s) < cap(s) {
		return s
	}
	t := make([]T, len(s), max(2*cap(s), 256))
	copy(t, s)
	return t
}
