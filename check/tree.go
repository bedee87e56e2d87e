package check

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
	"github.com/modelgate/modelgate/internal/excerpt"
	"go.yaml.in/yaml/v3"
)

// Kind is the kind of a Node.
type Kind int

// The node kinds.
const (
	KindNull Kind = iota
	KindBool
	KindNumber
	KindString
	KindList
	KindMap
)

// Pos is where a value stands in a file.
type Pos struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"-"`
}

func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d", p.File, p.Line)
}

// Node is a parsed YAML, JSON or TOML value that remembers its position.
// Maps keep their keys in file order. A number's exact value is its Str
// (see number.go); Num is the nearest float64.
type Node struct {
	Kind   Kind
	Bool   bool
	Num    float64
	Str    string // the string value, or a number's exact text (JSON syntax, or an infinity or NaN)
	Keys   []string
	Fields map[string]*Node
	Items  []*Node
	Pos    Pos
}

// Get returns the value of key in a map node, or nil.
func (n *Node) Get(key string) *Node {
	if n == nil || n.Kind != KindMap {
		return nil
	}
	return n.Fields[key]
}

// Interface returns the node as plain Go values (nil, bool, float64 or
// json.Number, string, []any, map[string]any), ready for encoding/json.
func (n *Node) Interface() any {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case KindBool:
		return n.Bool
	case KindNumber:
		if validJSONNumber(n.Str) {
			return json.Number(n.Str) // exact, at any size
		}
		return n.Str // JSON has no infinity or NaN: keep the text as written
	case KindString:
		return n.Str
	case KindList:
		out := make([]any, len(n.Items))
		for i, it := range n.Items {
			out[i] = it.Interface()
		}
		return out
	case KindMap:
		out := make(map[string]any, len(n.Keys))
		for _, k := range n.Keys {
			out[k] = n.Fields[k].Interface()
		}
		return out
	}
	return nil
}

// Text renders the node on one line for reports, YAML-flow style.
func (n *Node) Text() string {
	if n == nil {
		return "(absent)"
	}
	switch n.Kind {
	case KindNull:
		return "null"
	case KindBool:
		return strconv.FormatBool(n.Bool)
	case KindNumber:
		return n.Str
	case KindString:
		if n.Str == "" || strings.ContainsAny(n.Str, " ,:[]{}\"'#") {
			return strconv.Quote(n.Str)
		}
		return n.Str
	case KindList:
		parts := make([]string, len(n.Items))
		for i, it := range n.Items {
			parts[i] = it.Text()
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case KindMap:
		parts := make([]string, len(n.Keys))
		for i, k := range n.Keys {
			parts[i] = k + ": " + n.Fields[k].Text()
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return "?"
}

// Equal reports whether two nodes hold the same value; numbers compare by
// exact value (4096 equals 4096.0, 9007199254740993 does not equal
// 9007199254740992; NaN equals NaN) and maps ignore key order.
func Equal(a, b *Node) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case KindNull:
		return true
	case KindBool:
		return a.Bool == b.Bool
	case KindNumber:
		if c, ok := CompareNumbers(a, b); ok {
			return c == 0
		}
		da, _ := numberOf(a)
		db, _ := numberOf(b)
		return da.class == numNaN && db.class == numNaN
	case KindString:
		return a.Str == b.Str
	case KindList:
		if len(a.Items) != len(b.Items) {
			return false
		}
		for i := range a.Items {
			if !Equal(a.Items[i], b.Items[i]) {
				return false
			}
		}
		return true
	case KindMap:
		if len(a.Keys) != len(b.Keys) {
			return false
		}
		for k, av := range a.Fields {
			if !Equal(av, b.Fields[k]) {
				return false
			}
		}
		return true
	}
	return false
}

// MaxFileSize is the largest file modelgate parses.
const MaxFileSize = 16 << 20

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 200

// Parse parses data as YAML, JSON or TOML, chosen by the extension of name
// (.json, .toml, anything else YAML). Errors name the file and line.
func Parse(name string, data []byte) (*Node, error) {
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s: file is %d bytes, more than the %d modelgate reads", name, len(data), MaxFileSize)
	}
	if bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data) {
		return nil, fmt.Errorf("%s: binary content, not a YAML, JSON or TOML text file", name)
	}
	switch strings.ToLower(path.Ext(name)) {
	case ".json":
		return parseJSON(name, data)
	case ".toml":
		return parseTOML(name, data)
	}
	return parseYAML(name, data)
}

// yamlLineRE finds the line in the YAML library's error messages.
var yamlLineRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^line (\d+): (.*)$`) })

func parseYAML(name string, data []byte) (*Node, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return &Node{Kind: KindNull, Pos: Pos{File: name, Line: 1, Col: 1}}, nil
		}
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		line := 0
		if m := yamlLineRE().FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
		}
		msg = excerpt.Message(msg)
		if l := yamlErrorLine(data); l > 0 {
			line = l
		}
		if line > 0 && strings.HasPrefix(strings.TrimLeft(lineOf(data, line), " "), "\t") {
			msg = "the line is indented with a tab; YAML indents with spaces"
		}
		if line == 0 {
			return nil, fmt.Errorf("%s: invalid YAML: %s", name, msg)
		}
		return nil, fmt.Errorf("%s:%d: invalid YAML: %s", name, line, msg)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, fmt.Errorf("%s:%d: more than one YAML document; keep one", name, extra.Line)
	} else if !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: more than one YAML document, and the second is invalid; keep one", name)
	}
	return fromYAML(name, &doc, 0)
}

func fromYAML(name string, y *yaml.Node, depth int) (*Node, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%s:%d: nested more than %d levels deep", name, y.Line, maxDepth)
	}
	n := &Node{Pos: Pos{File: name, Line: y.Line, Col: y.Column}}
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			n.Kind = KindNull
			return n, nil
		}
		return fromYAML(name, y.Content[0], depth+1)
	case yaml.AliasNode:
		return nil, fmt.Errorf("%s:%d: YAML aliases (*%s) are not supported; write the value out", name, y.Line, excerpt.Of(y.Value))
	case yaml.MappingNode:
		n.Kind = KindMap
		n.Fields = make(map[string]*Node, len(y.Content)/2)
		if len(y.Content) > 0 {
			n.Keys = make([]string, 0, len(y.Content)/2)
		}
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			if k.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
				return nil, fmt.Errorf("%s:%d: unsupported mapping key; use plain string keys", name, k.Line)
			}
			if _, dup := n.Fields[k.Value]; dup {
				return nil, fmt.Errorf("%s:%d: duplicate key %s; remove one of them", name, k.Line, excerpt.Quote(k.Value))
			}
			c, err := fromYAML(name, v, depth+1)
			if err != nil {
				return nil, err
			}
			if v.Kind == yaml.MappingNode || v.Kind == yaml.SequenceNode {
				c.Pos.Line, c.Pos.Col = k.Line, k.Column
			}
			n.Keys = append(n.Keys, k.Value)
			n.Fields[k.Value] = c
			y.Content[i], y.Content[i+1] = nil, nil // converted: the library's nodes can go
		}
	case yaml.SequenceNode:
		n.Kind = KindList
		if len(y.Content) > 0 {
			n.Items = make([]*Node, 0, len(y.Content))
		}
		for i, it := range y.Content {
			c, err := fromYAML(name, it, depth+1)
			if err != nil {
				return nil, err
			}
			n.Items = append(n.Items, c)
			y.Content[i] = nil
		}
	case yaml.ScalarNode:
		tag := y.ShortTag()
		if plain := strings.ReplaceAll(y.Value, "_", ""); tag == "!!str" && y.Style == 0 {
			// A plain number the YAML library left a string because no
			// 64-bit value holds it.
			switch {
			case yamlPrefixedIntRE().MatchString(plain) || isInteger(plain):
				tag = "!!int"
			case yamlNumberRE().MatchString(plain):
				tag = "!!float"
			}
		}
		switch tag {
		case "!!null":
			n.Kind = KindNull
		case "!!bool":
			var b bool
			if err := y.Decode(&b); err != nil {
				return nil, fmt.Errorf("%s:%d: invalid boolean %s", name, y.Line, excerpt.Quote(y.Value))
			}
			n.Kind, n.Bool = KindBool, b
		case "!!int", "!!float":
			f, text, err := yamlNumber(tag, y.Value)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: number %s %v", name, y.Line, excerpt.Of(y.Value), err)
			}
			n.Kind, n.Num, n.Str = KindNumber, f, text
		default:
			n.Kind, n.Str = KindString, y.Value
		}
	default:
		return nil, fmt.Errorf("%s:%d: unsupported YAML node", name, y.Line)
	}
	return n, nil
}

// yamlNumberRE matches the plain decimal numbers YAML resolves as floats
// (underscores removed), with the library's own pattern.
var yamlNumberRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)
})

// yamlPrefixedIntRE matches the hexadecimal, octal and binary integers YAML
// resolves (underscores removed).
var yamlPrefixedIntRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[-+]?0(x[0-9a-fA-F]+|o[0-7]+|b[01]+)$`) })

// yamlNumber returns the float64 and the exact text of a YAML !!int or
// !!float scalar: 0x10, 0o17, 0b11 and 1_000 become decimal integers at any
// size; a decimal keeps its text when it is valid JSON.
func yamlNumber(tag, value string) (float64, string, error) {
	plain := strings.ReplaceAll(value, "_", "")
	if tag == "!!int" {
		if i, ok := new(big.Int).SetString(plain, 0); ok {
			f, _ := new(big.Float).SetInt(i).Float64()
			if validJSONNumber(value) {
				return f, value, nil
			}
			return f, i.String(), nil
		}
	}
	return newNumber(plain)
}

// lineOf returns line n (1-based) of data, without its newline.
func lineOf(data []byte, n int) string {
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(data, '\n')
		if j < 0 {
			return ""
		}
		data = data[j+1:]
	}
	if j := bytes.IndexByte(data, '\n'); j >= 0 {
		data = data[:j]
	}
	return string(data)
}

func parseJSON(name string, data []byte) (*Node, error) {
	p := &jsonParser{name: name, data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	if _, err := p.dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%s:%d: unexpected content after the JSON value", name, p.line(p.dec.InputOffset()))
	}
	return n, nil
}

type jsonParser struct {
	name string
	data []byte
	dec  *json.Decoder
	// lastOff and lastLine remember the last conversion, so counting lines
	// as the parser moves forward costs one pass over the file.
	lastOff  int64
	lastLine int
}

// line converts a byte offset to a 1-based line number.
func (p *jsonParser) line(off int64) int {
	if off > int64(len(p.data)) {
		off = int64(len(p.data))
	}
	if off < p.lastOff || p.lastLine == 0 {
		p.lastOff, p.lastLine = 0, 1
	}
	p.lastLine += bytes.Count(p.data[p.lastOff:off], []byte{'\n'})
	p.lastOff = off
	return p.lastLine
}

// tokenStart returns the offset of the next token, skipping white space and
// the separators encoding/json consumes silently.
func (p *jsonParser) tokenStart() int64 {
	off := p.dec.InputOffset()
	for off < int64(len(p.data)) {
		switch p.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}

func (p *jsonParser) fail(off int64, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = se.Offset
	}
	if err == io.EOF {
		return fmt.Errorf("%s:%d: invalid JSON: unexpected end of file", p.name, p.line(off))
	}
	return fmt.Errorf("%s:%d: invalid JSON: %s", p.name, p.line(off), excerpt.Message(err.Error()))
}

func (p *jsonParser) value(depth int) (*Node, error) {
	off := p.tokenStart()
	if depth > maxDepth {
		return nil, fmt.Errorf("%s:%d: nested more than %d levels deep", p.name, p.line(off), maxDepth)
	}
	tok, err := p.dec.Token()
	if err != nil {
		return nil, p.fail(off, err)
	}
	n := &Node{Pos: Pos{File: p.name, Line: p.line(off)}}
	switch t := tok.(type) {
	case nil:
		n.Kind = KindNull
	case bool:
		n.Kind, n.Bool = KindBool, t
	case json.Number:
		f, text, err := newNumber(t.String())
		if err != nil {
			return nil, fmt.Errorf("%s:%d: number %s %v", p.name, n.Pos.Line, excerpt.Of(t.String()), err)
		}
		n.Kind, n.Num, n.Str = KindNumber, f, text
	case string:
		n.Kind, n.Str = KindString, t
	case json.Delim:
		switch t {
		case '{':
			n.Kind, n.Fields = KindMap, map[string]*Node{}
			for p.dec.More() {
				koff := p.tokenStart()
				kt, err := p.dec.Token()
				if err != nil {
					return nil, p.fail(koff, err)
				}
				k, _ := kt.(string)
				if _, dup := n.Fields[k]; dup {
					return nil, fmt.Errorf("%s:%d: duplicate key %s; remove one of them", p.name, p.line(koff), excerpt.Quote(k))
				}
				c, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				if c.Kind == KindMap || c.Kind == KindList {
					c.Pos.Line = p.line(koff)
				}
				n.Keys = append(n.Keys, k)
				n.Fields[k] = c
			}
		case '[':
			n.Kind = KindList
			for p.dec.More() {
				c, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.Items = append(n.Items, c)
			}
		}
		eoff := p.tokenStart()
		if _, err := p.dec.Token(); err != nil {
			return nil, p.fail(eoff, err)
		}
	}
	return n, nil
}

func parseTOML(name string, data []byte) (*Node, error) {
	var v map[string]any
	if _, err := toml.Decode(string(data), &v); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			// The rule for numbers out of range, worded as in JSON and YAML.
			if num, ok := strings.CutSuffix(pe.Message, " is out of range for float64"); ok {
				return nil, fmt.Errorf("%s:%d: number %s %v", name, pe.Position.Line, excerpt.Of(num), errOutOfRange)
			}
			if num, ok := strings.CutSuffix(pe.Message, " is out of range for int64"); ok {
				return nil, fmt.Errorf("%s:%d: number %s is out of range: TOML integers are 64-bit; quote it as a string, or write it in JSON or YAML", name, pe.Position.Line, excerpt.Of(num))
			}
			return nil, fmt.Errorf("%s:%d: invalid TOML: %s", name, pe.Position.Line, excerpt.Message(pe.Message))
		}
		return nil, fmt.Errorf("%s: invalid TOML: %s", name, excerpt.Message(err.Error()))
	}
	lines := tomlKeyLines(data)
	return fromTOML(name, v, "", lines, 0)
}

// fromTOML converts decoded TOML to a Node. TOML decoding loses positions, so
// lines come from tomlKeyLines, a scan of key and table lines.
func fromTOML(name string, v any, key string, lines map[string]int, depth int) (*Node, error) {
	n := &Node{Pos: Pos{File: name, Line: lines[key]}}
	if depth > maxDepth {
		return nil, fmt.Errorf("%s: nested more than %d levels deep", name, maxDepth)
	}
	switch t := v.(type) {
	case map[string]any:
		n.Kind, n.Fields = KindMap, make(map[string]*Node, len(t))
		for k := range t {
			n.Keys = append(n.Keys, k)
		}
		sort.Slice(n.Keys, func(i, j int) bool {
			li, lj := lines[joinKey(key, n.Keys[i])], lines[joinKey(key, n.Keys[j])]
			if li != lj {
				return li < lj
			}
			return n.Keys[i] < n.Keys[j]
		})
		for _, k := range n.Keys {
			c, err := fromTOML(name, t[k], joinKey(key, k), lines, depth+1)
			if err != nil {
				return nil, err
			}
			n.Fields[k] = c
		}
	case []map[string]any:
		n.Kind = KindList
		for _, it := range t {
			c, err := fromTOML(name, it, key, lines, depth+1)
			if err != nil {
				return nil, err
			}
			n.Items = append(n.Items, c)
		}
	case []any:
		n.Kind = KindList
		for _, it := range t {
			c, err := fromTOML(name, it, key, lines, depth+1)
			if err != nil {
				return nil, err
			}
			n.Items = append(n.Items, c)
		}
	case bool:
		n.Kind, n.Bool = KindBool, t
	case int64:
		n.Kind, n.Num, n.Str = KindNumber, float64(t), strconv.FormatInt(t, 10) // exact: Str, not Num
	case float64:
		n.Kind, n.Num, n.Str = KindNumber, t, strconv.FormatFloat(t, 'g', -1, 64)
	case string:
		n.Kind, n.Str = KindString, t
	default:
		n.Kind, n.Str = KindString, fmt.Sprint(t)
	}
	return n, nil
}

func joinKey(parent, k string) string {
	if parent == "" {
		return k
	}
	return parent + "." + k
}

// tomlKeyLines maps dotted keys to the line that defines them: table headers
// and "key = value" lines. Quoted keys and keys inside inline tables get the
// line of their table.
func tomlKeyLines(data []byte) map[string]int {
	lines := map[string]int{}
	table := ""
	for i, raw := range strings.Split(string(data), "\n") {
		s := strings.TrimSpace(raw)
		switch {
		case s == "" || s[0] == '#':
		case strings.HasPrefix(s, "[["):
			table = strings.TrimSpace(strings.Trim(strings.SplitN(s, "]]", 2)[0], "[ "))
			if _, ok := lines[table]; !ok {
				lines[table] = i + 1
			}
		case s[0] == '[':
			table = strings.TrimSpace(strings.Trim(strings.SplitN(s, "]", 2)[0], "[ "))
			lines[table] = i + 1
		default:
			if eq := strings.IndexByte(s, '='); eq > 0 {
				k := strings.Trim(strings.TrimSpace(s[:eq]), `"'`)
				full := joinKey(table, k)
				if _, ok := lines[full]; !ok {
					lines[full] = i + 1
				}
			}
		}
	}
	return lines
}
