package check

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
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
// Maps keep their keys in file order.
type Node struct {
	Kind   Kind
	Bool   bool
	Num    float64
	Str    string // the string value, or a number's text as written
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
		if json.Valid([]byte(n.Str)) {
			return json.Number(n.Str)
		}
		if math.IsInf(n.Num, 0) || math.IsNaN(n.Num) {
			return n.Str // JSON has no infinity or NaN: keep the text as written
		}
		return n.Num
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
// value (4096 equals 4096.0) and maps ignore key order.
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
		return a.Num == b.Num || math.IsNaN(a.Num) && math.IsNaN(b.Num)
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
var yamlLineRE = regexp.MustCompile(`^line (\d+): (.*)$`)

func parseYAML(name string, data []byte) (*Node, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return &Node{Kind: KindNull, Pos: Pos{File: name, Line: 1, Col: 1}}, nil
		}
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		line := 0
		if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
		}
		if l := yamlErrorLine(data); l > 0 {
			line = l
		}
		lines := strings.Split(string(data), "\n")
		if line > 0 && line <= len(lines) && strings.HasPrefix(strings.TrimLeft(lines[line-1], " "), "\t") {
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

// yamlErrorLine finds the line of a YAML syntax error, which the YAML
// library reports as the start of the enclosing block: it is the line after
// the longest prefix of the file that still parses. Only small files are
// searched; 0 means unknown.
func yamlErrorLine(data []byte) int {
	lines := strings.SplitAfter(string(data), "\n")
	if len(lines) > 2000 || len(data) > 256<<10 {
		return 0
	}
	for n := len(lines) - 1; n >= 0; n-- {
		var doc yaml.Node
		err := yaml.Unmarshal([]byte(strings.Join(lines[:n], "")), &doc)
		if err == nil {
			if n == len(lines)-1 && strings.TrimSpace(lines[n]) == "" {
				return n
			}
			return n + 1
		}
	}
	return 0
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
		return nil, fmt.Errorf("%s:%d: YAML aliases (*%s) are not supported; write the value out", name, y.Line, y.Value)
	case yaml.MappingNode:
		n.Kind = KindMap
		n.Fields = make(map[string]*Node, len(y.Content)/2)
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			if k.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
				return nil, fmt.Errorf("%s:%d: unsupported mapping key; use plain string keys", name, k.Line)
			}
			if _, dup := n.Fields[k.Value]; dup {
				return nil, fmt.Errorf("%s:%d: duplicate key %q; remove one of them", name, k.Line, k.Value)
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
		}
	case yaml.SequenceNode:
		n.Kind = KindList
		for _, it := range y.Content {
			c, err := fromYAML(name, it, depth+1)
			if err != nil {
				return nil, err
			}
			n.Items = append(n.Items, c)
		}
	case yaml.ScalarNode:
		switch y.ShortTag() {
		case "!!null":
			n.Kind = KindNull
		case "!!bool":
			var b bool
			if err := y.Decode(&b); err != nil {
				return nil, fmt.Errorf("%s:%d: invalid boolean %q", name, y.Line, y.Value)
			}
			n.Kind, n.Bool = KindBool, b
		case "!!int", "!!float":
			var f float64
			if err := y.Decode(&f); err != nil {
				return nil, fmt.Errorf("%s:%d: invalid number %q", name, y.Line, y.Value)
			}
			n.Kind, n.Num, n.Str = KindNumber, f, canonNumber(y.Value, f)
		default:
			n.Kind, n.Str = KindString, y.Value
		}
	default:
		return nil, fmt.Errorf("%s:%d: unsupported YAML node", name, y.Line)
	}
	return n, nil
}

// canonNumber keeps a number's text when it is plain decimal and otherwise
// formats the value (0x10, 1_000, .inf).
func canonNumber(text string, f float64) string {
	if json.Valid([]byte(text)) {
		return text
	}
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return text
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
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
	return fmt.Errorf("%s:%d: invalid JSON: %v", p.name, p.line(off), err)
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
		f, err := t.Float64()
		if err != nil {
			return nil, fmt.Errorf("%s:%d: invalid number %s", p.name, n.Pos.Line, t)
		}
		n.Kind, n.Num, n.Str = KindNumber, f, t.String()
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
					return nil, fmt.Errorf("%s:%d: duplicate key %q; remove one of them", p.name, p.line(koff), k)
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
			return nil, fmt.Errorf("%s:%d: invalid TOML: %s", name, pe.Position.Line, pe.Message)
		}
		return nil, fmt.Errorf("%s: invalid TOML: %v", name, err)
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
		n.Kind, n.Num, n.Str = KindNumber, float64(t), strconv.FormatInt(t, 10)
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
