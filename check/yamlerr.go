package check

import (
	"bytes"
	"io"

	"go.yaml.in/yaml/v3"
)

// yamlErrorLine finds the line of a YAML syntax error. The YAML library
// reports the start of the enclosing block, often far above the mistake, so
// the line is worked out from three linear passes, whatever the size of the
// file:
//
//  1. the library parses the file once more through a reader that hands it
//     one byte at a time, which shows how far it read before it failed;
//  2. one parse of the file up to the start of that line says whether the
//     mistake is on it or above it (a look-ahead into the next line);
//  3. a lexical scan marks the line ends where no quoted scalar or flow
//     collection is open: the error line is the one after the last such line
//     end before the mistake, so an unclosed quote or bracket is reported
//     where it opens.
//
// It returns 0 when data parses.
func yamlErrorLine(data []byte) int {
	r := &byteReader{data: data}
	var doc yaml.Node
	if yaml.NewDecoder(r).Decode(&doc) == nil {
		return 0
	}
	stop := r.off
	if stop > 0 && data[stop-1] == '\n' {
		stop-- // the line just read to its end is the one that failed
	}
	line := 1 + bytes.Count(data[:stop], []byte{'\n'})
	start := bytes.LastIndexByte(data[:stop], '\n') + 1 // of the line
	var prefix yaml.Node
	if line > 1 && yaml.Unmarshal(data[:start], &prefix) != nil {
		line-- // the file is already broken above: the failure was a look-ahead
	}
	closed := closedLineEnds(data, line)
	for l := line - 1; l >= 1; l-- {
		if closed[l-1] {
			return l + 1
		}
	}
	return 1
}

// byteReader reads data one byte per call.
type byteReader struct {
	data []byte
	off  int
}

func (r *byteReader) Read(p []byte) (int, error) {
	if r.off >= len(r.data) {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = r.data[r.off]
	r.off++
	return 1, nil
}

// closedLineEnds scans the first lines of YAML text lexically and reports,
// for each line, whether no quoted scalar or flow collection is open at its
// end. It knows just enough YAML for that: quotes and brackets count only
// where a value may start, # starts a comment after white space, and the
// content lines of a block scalar (| or >) are skipped.
func closedLineEnds(data []byte, lines int) []bool {
	out := make([]bool, 0, lines)
	var (
		quote       byte // ' or " inside a quoted scalar
		flow        int  // depth of [ and {
		blockIndent = -1 // >= 0 inside a block scalar: its parent's indentation
		lineStart   = true
		indent      int
		parent      int  // indentation of the line that holds the current value
		tokenStart  bool // the next character may start a value
	)
	for i := 0; i < len(data) && len(out) < lines; i++ {
		c := data[i]
		if lineStart {
			indent = 0
			for i < len(data) && data[i] == ' ' {
				indent++
				i++
			}
			if i >= len(data) {
				break
			}
			c = data[i]
			lineStart = false
			if blockIndent >= 0 {
				if c == '\n' || c == '\r' || indent > blockIndent {
					j := bytes.IndexByte(data[i:], '\n')
					if j < 0 {
						break
					}
					i += j
					out = append(out, true)
					lineStart = true
					continue
				}
				blockIndent = -1
			}
			if quote == 0 && flow == 0 {
				parent = indent
				tokenStart = true
			}
		}
		switch {
		case c == '\n':
			out = append(out, quote == 0 && flow == 0)
			lineStart = true
			tokenStart = tokenStart || flow > 0
			continue
		case quote == '"':
			switch c {
			case '\\':
				if i+1 < len(data) && data[i+1] != '\n' {
					i++
				}
			case '"':
				quote = 0
			}
			continue
		case quote == '\'':
			if c == '\'' {
				if i+1 < len(data) && data[i+1] == '\'' {
					i++
				} else {
					quote = 0
				}
			}
			continue
		case c == ' ' || c == '\t' || c == '\r':
			continue
		case c == '#' && (i == 0 || data[i-1] == ' ' || data[i-1] == '\t' || data[i-1] == '\n'):
			if j := bytes.IndexByte(data[i:], '\n'); j >= 0 {
				i += j - 1
			} else {
				i = len(data)
			}
			continue
		}
		start := tokenStart
		tokenStart = false
		switch c {
		case '"', '\'':
			if start {
				quote = c
			}
		case '[', '{':
			if start || flow > 0 {
				flow++
				tokenStart = true
			}
		case ']', '}':
			if flow > 0 {
				flow--
			}
		case ',':
			tokenStart = flow > 0
		case '-', '?', ':':
			next := byte(' ')
			if i+1 < len(data) {
				next = data[i+1]
			}
			tokenStart = next == ' ' || next == '\n' || next == '\r' || flow > 0 && c == ':'
		case '&', '!':
			// An anchor or a tag: the value may start after it.
			for i+1 < len(data) && data[i+1] != ' ' && data[i+1] != '\n' {
				i++
			}
			tokenStart = start
		case '|', '>':
			if start && flow == 0 {
				blockIndent = parent
				if j := bytes.IndexByte(data[i:], '\n'); j >= 0 {
					i += j - 1
				} else {
					i = len(data)
				}
			}
		}
	}
	for len(out) < lines {
		out = append(out, quote == 0 && flow == 0)
	}
	return out
}
