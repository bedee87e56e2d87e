// Package mlflow reads an MLflow MLmodel file: its signature (the inputs,
// outputs and params schemas, each a JSON string of a column-based or
// tensor-based schema) and its flavors (how MLflow loads the model). It
// compares two revisions and reports each difference as an
// evidence.APIChange whose ID says what happened (input-removed,
// param-default-changed, flavor-changed, metadata-changed, …); package
// check maps the IDs to the rules of its catalogue.
//
// MLflow rewrites run_id, model_uuid, utc_time_created, model_size_bytes
// and the tool versions on every save: those are metadata, so a re-logged
// model with the same signature is no interface change.
package mlflow

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/modelgate/modelgate/check/evidence"
	"github.com/modelgate/modelgate/internal/excerpt"
)

// The kinds of differences, as APIChange IDs.
const (
	InputRemoved        = "input-removed"
	InputRetyped        = "input-retyped"  // type, dtype, or a fixed dim changed
	InputRequired       = "input-required" // an optional input made required
	InputAdded          = "input-added"    // a required input added
	InputAddedOptional  = "input-added-optional"
	InputRelaxed        = "input-relaxed" // made optional, a fixed dim made variable
	InputSchemaAdded    = "inputs-schema-added"
	InputSchemaRemoved  = "inputs-schema-removed"
	OutputAdded         = "output-added"
	OutputRemoved       = "output-removed"
	OutputRetyped       = "output-retyped"
	ParamAdded          = "param-added"
	ParamRemoved        = "param-removed"
	ParamRetyped        = "param-retyped"
	ParamDefaultChanged = "param-default-changed"
	FlavorRemoved       = "flavor-removed"
	FlavorChanged       = "flavor-changed" // a loader setting changed, a flavor added, another MLmodel key
	MetadataChanged     = "metadata"
)

// metadataKeys are top-level MLmodel keys that MLflow rewrites on every
// save or that only describe the model.
var metadataKeys = map[string]bool{"run_id": true, "model_uuid": true, "utc_time_created": true, "model_size_bytes": true,
	"mlflow_version": true, "artifact_path": true, "saved_input_example_info": true, "databricks_runtime": true,
	"metadata": true, "model_id": true, "source_run_id": true, "name": true}

// Column is one input, output or param of a schema.
type Column struct {
	// Name is the column's name, or #<position> for an unnamed tensor.
	Name string
	// Type is the type as canonical JSON (without name, required and, for
	// params, default): "double", {"items":…,"type":"array"}; tensors keep
	// their dtype here and their shape in Shape.
	Type     string
	Shape    []int64 // tensor shape; -1 is any size
	Tensor   bool
	Required bool
	Default  string // params: the default as JSON
	Line     int
}

// Schema is a list of columns; nil means the MLmodel declares none.
type Schema []Column

// Model is a loaded MLmodel.
type Model struct {
	file                    string
	inputs, outputs, params Schema
	hasInputs, hasOutputs   bool
	hasParams               bool
	sigLine                 int
	// settings flattens everything but the signature: "flavors.sklearn.pickled_model" -> JSON value.
	settings map[string]string
	lines    map[string]int
	keys     []string
}

// File returns the repository path the MLmodel was read from.
func (m *Model) File() string { return m.file }

// Is reports whether a parsed document is an MLmodel: a map with flavors
// or a signature.
func Is(keys []string) bool {
	return slices.Contains(keys, "flavors") || slices.Contains(keys, "signature")
}

// Load reads an MLmodel file (YAML). Errors name the file and line.
func Load(file string, data []byte) (*Model, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: invalid MLmodel YAML: %s", file, excerpt.Message(err.Error()))
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: an MLmodel is a map with flavors and a signature", file)
	}
	m := &Model{file: file, settings: map[string]string{}, lines: map[string]int{}}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Value == "signature" {
			m.sigLine = k.Line
			if err := m.signature(v); err != nil {
				return nil, err
			}
			continue
		}
		m.flatten(k.Value, v, k.Line, 0)
	}
	return m, nil
}

// flatten records the settings below key, two levels into flavors.
func (m *Model) flatten(key string, v *yaml.Node, line, depth int) {
	if v.Kind == yaml.MappingNode && (strings.HasPrefix(key, "flavors") && depth < 2) {
		if depth == 1 {
			m.settings[key] = "(flavor)" // the flavor itself: added or removed
			m.lines[key] = line
			m.keys = append(m.keys, key)
		}
		for i := 0; i+1 < len(v.Content); i += 2 {
			m.flatten(key+"."+v.Content[i].Value, v.Content[i+1], v.Content[i].Line, depth+1)
		}
		return
	}
	var val any
	_ = v.Decode(&val)
	b, err := json.Marshal(val)
	if err != nil {
		b = []byte(fmt.Sprint(val))
	}
	m.settings[key] = string(b)
	m.lines[key] = line
	m.keys = append(m.keys, key)
}

// signature reads the inputs, outputs and params JSON strings.
func (m *Model) signature(v *yaml.Node) error {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		return fmt.Errorf("%s:%d: signature must be a map of inputs, outputs and params", m.file, v.Line)
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, s := v.Content[i], v.Content[i+1]
		if s.Tag == "!!null" {
			continue
		}
		if s.Kind != yaml.ScalarNode || s.Tag != "!!str" {
			return fmt.Errorf("%s:%d: signature.%s must be a JSON string, as MLflow writes it", m.file, s.Line, k.Value)
		}
		schema, err := parseSchema(m.file, k.Value, s.Value, k.Line)
		if err != nil {
			return err
		}
		switch k.Value {
		case "inputs":
			m.inputs, m.hasInputs = schema, true
		case "outputs":
			m.outputs, m.hasOutputs = schema, true
		case "params":
			m.params, m.hasParams = schema, true
		}
	}
	return nil
}

// parseSchema reads a schema's JSON: a list of column or tensor specs.
func parseSchema(file, which, text string, line int) (Schema, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s:%d: signature.%s: %s", file, line, which, fmt.Sprintf(format, args...))
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var raw []map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, fail("not a JSON list of columns: %s", excerpt.Message(err.Error()))
	}
	if dupKey(text) {
		return nil, fail("a column spec has a key twice")
	}
	schema := Schema{}
	seen := map[string]bool{}
	for i, c := range raw {
		col := Column{Line: line, Required: true}
		if n, ok := c["name"].(string); ok {
			col.Name = n
		} else if c["name"] != nil {
			return nil, fail("column %d: name must be a string", i)
		} else {
			col.Name = fmt.Sprintf("#%d", i)
		}
		if seen[col.Name] {
			return nil, fail("column %s appears twice", excerpt.Quote(col.Name))
		}
		seen[col.Name] = true
		if r, ok := c["required"].(bool); ok {
			col.Required = r
		}
		t, _ := c["type"].(string)
		if t == "" {
			return nil, fail("column %s has no type", excerpt.Quote(col.Name))
		}
		if t == "tensor" {
			spec, _ := c["tensor-spec"].(map[string]any)
			dtype, _ := spec["dtype"].(string)
			if dtype == "" {
				return nil, fail("tensor %s: want tensor-spec with a dtype and a shape", excerpt.Quote(col.Name))
			}
			col.Tensor, col.Type = true, "tensor "+dtype
			shape, _ := spec["shape"].([]any)
			for _, d := range shape {
				n, ok := d.(json.Number)
				v, err := n.Int64()
				if !ok || err != nil {
					return nil, fail("tensor %s: shape sizes must be whole numbers, -1 for any", excerpt.Quote(col.Name))
				}
				col.Shape = append(col.Shape, v)
			}
		} else {
			rest := map[string]any{}
			for k, v := range c {
				if k != "name" && k != "required" && k != "default" && !(which == "params" && k == "shape") {
					rest[k] = v
				}
			}
			if which == "params" {
				rest["shape"] = c["shape"]
			}
			b, _ := json.Marshal(rest)
			col.Type = string(b)
			if len(rest) == 1 {
				col.Type = t
			}
		}
		if which == "params" {
			b, _ := json.Marshal(c["default"])
			col.Default = string(b)
		}
		schema = append(schema, col)
	}
	return schema, nil
}

// dupKey reports whether a JSON document has an object with a key twice:
// MLflow's own reader would keep one silently (DESIGN §8 refuses them).
func dupKey(text string) bool {
	dec := json.NewDecoder(strings.NewReader(text))
	type frame struct {
		keys   map[string]bool
		object bool
		key    bool // the next string is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				if top != nil && top.object {
					top.key = true
				}
				stack = append(stack, &frame{keys: map[string]bool{}, object: true, key: true})
			case '[':
				if top != nil && top.object {
					top.key = true
				}
				stack = append(stack, &frame{})
			default:
				stack = stack[:len(stack)-1]
			}
		case string:
			if top != nil && top.object && top.key {
				if top.keys[t] {
					return true
				}
				top.keys[t] = true
				top.key = false
				continue
			}
			if top != nil && top.object {
				top.key = true
			}
		default:
			if top != nil && top.object {
				top.key = true
			}
		}
	}
}

// Changes compares the MLmodel with base, which must be an MLmodel too.
func (m *Model) Changes(base evidence.API) ([]evidence.APIChange, error) {
	b, ok := base.(*Model)
	if !ok {
		return nil, fmt.Errorf("%s: the baseline's api is not an MLmodel; compare like with like", m.file)
	}
	return Diff(b, m), nil
}

// Diff lists the differences between two MLmodels: the signature's
// schemas column by column, then the other settings.
func Diff(base, head *Model) []evidence.APIChange {
	var out []evidence.APIChange
	add := func(id, p, text string, line int) {
		out = append(out, evidence.APIChange{ID: id, Path: p, Text: text, File: head.file, Line: line})
	}
	line := head.sigLine
	switch {
	case !base.hasInputs && head.hasInputs:
		add(InputSchemaAdded, "signature.inputs", "the signature now declares inputs: requests are checked against them", line)
	case base.hasInputs && !head.hasInputs:
		add(InputSchemaRemoved, "signature.inputs", "the signature no longer declares inputs: requests are no longer checked", line)
	case head.hasInputs:
		out = append(out, diffColumns(head.file, "input", base.inputs, head.inputs)...)
	}
	switch {
	case !base.hasOutputs && head.hasOutputs:
		add(OutputAdded, "signature.outputs", "the signature now declares outputs", line)
	case base.hasOutputs && !head.hasOutputs:
		add(OutputRemoved, "signature.outputs", "the signature no longer declares outputs", line)
	case head.hasOutputs:
		out = append(out, diffColumns(head.file, "output", base.outputs, head.outputs)...)
	}
	switch {
	case !base.hasParams && head.hasParams:
		add(ParamAdded, "signature.params", "the signature now declares params", line)
	case base.hasParams && !head.hasParams:
		add(ParamRemoved, "signature.params", "the signature no longer declares params", line)
	case head.hasParams:
		out = append(out, diffColumns(head.file, "param", base.params, head.params)...)
	}
	// under reports whether k lies in a flavor only one side has.
	under := func(k string, in, notIn *Model) bool {
		parts := strings.SplitN(k, ".", 3)
		if len(parts) < 3 {
			return false
		}
		f := parts[0] + "." + parts[1]
		_, a := in.settings[f]
		_, b := notIn.settings[f]
		return a && !b
	}
	for _, k := range head.keys {
		o, had := base.settings[k]
		n := head.settings[k]
		switch {
		case had && o == n, under(k, head, base):
		case !had && n == "(flavor)":
			add(FlavorChanged, k, fmt.Sprintf("%s added", k), head.lines[k])
		case isMetadata(k):
			add(MetadataChanged, k, fmt.Sprintf("%s: %s -> %s", k, short(o, had), excerpt.Of(n)), head.lines[k])
		default:
			add(FlavorChanged, k, fmt.Sprintf("%s: %s -> %s", k, short(o, had), excerpt.Of(n)), head.lines[k])
		}
	}
	for _, k := range base.keys {
		if _, ok := head.settings[k]; ok || under(k, base, head) {
			continue
		}
		switch {
		case base.settings[k] == "(flavor)":
			add(FlavorRemoved, k, fmt.Sprintf("%s removed: code that loads the model with it breaks", k), 0)
		case isMetadata(k):
			add(MetadataChanged, k, k+" removed", 0)
		default:
			add(FlavorChanged, k, k+" removed", 0)
		}
	}
	return out
}

func short(s string, ok bool) string {
	if !ok {
		return "(absent)"
	}
	return excerpt.Of(s)
}

// isMetadata reports whether a setting is metadata: a top-level key MLflow
// rewrites on every save, or a tool version.
func isMetadata(key string) bool {
	top, _, _ := strings.Cut(key, ".")
	return metadataKeys[top] || strings.HasSuffix(key, "_version")
}

// diffColumns compares two schemas column by column.
func diffColumns(file, which string, base, head Schema) []evidence.APIChange {
	var out []evidence.APIChange
	add := func(id, p, text string, line int) {
		out = append(out, evidence.APIChange{ID: id, Path: "signature." + which + "s." + p, Text: text, File: file, Line: line})
	}
	ids := map[string]map[string]string{
		"input":  {"removed": InputRemoved, "retyped": InputRetyped, "added": InputAdded},
		"output": {"removed": OutputRemoved, "retyped": OutputRetyped, "added": OutputAdded},
		"param":  {"removed": ParamRemoved, "retyped": ParamRetyped, "added": ParamAdded},
	}[which]
	find := func(s Schema, name string) *Column {
		for i := range s {
			if s[i].Name == name {
				return &s[i]
			}
		}
		return nil
	}
	for _, h := range head {
		b := find(base, h.Name)
		name := excerpt.Quote(h.Name)
		if b == nil {
			switch {
			case which == "input" && !h.Required:
				add(InputAddedOptional, h.Name, fmt.Sprintf("optional input %s added: %s", name, typeText(&h)), h.Line)
			default:
				add(ids["added"], h.Name, fmt.Sprintf("%s %s added: %s", which, name, typeText(&h)), h.Line)
			}
			continue
		}
		if b.Type != h.Type {
			add(ids["retyped"], h.Name, fmt.Sprintf("%s %s retyped %s -> %s", which, name, typeText(b), typeText(&h)), h.Line)
			continue
		}
		if !slices.Equal(b.Shape, h.Shape) {
			if which == "input" && relaxes(b.Shape, h.Shape) {
				add(InputRelaxed, h.Name, fmt.Sprintf("input %s accepts more shapes: %v -> %v", name, b.Shape, h.Shape), h.Line)
			} else {
				add(ids["retyped"], h.Name, fmt.Sprintf("%s %s reshaped %v -> %v", which, name, b.Shape, h.Shape), h.Line)
			}
			continue
		}
		if which == "input" && b.Required != h.Required {
			if h.Required {
				add(InputRequired, h.Name, fmt.Sprintf("input %s is now required", name), h.Line)
			} else {
				add(InputRelaxed, h.Name, fmt.Sprintf("input %s is now optional", name), h.Line)
			}
		}
		if which == "param" && b.Default != h.Default {
			add(ParamDefaultChanged, h.Name, fmt.Sprintf("param %s default %s -> %s", name, excerpt.Of(b.Default), excerpt.Of(h.Default)), h.Line)
		}
	}
	at := 0 // a removal points at the schema it was removed from
	if len(head) > 0 {
		at = head[0].Line
	}
	for _, b := range base {
		if find(head, b.Name) == nil {
			add(ids["removed"], b.Name, fmt.Sprintf("%s %s removed (was %s)", which, excerpt.Quote(b.Name), typeText(&b)), at)
		}
	}
	return out
}

// relaxes reports whether shape n accepts everything o did: same rank,
// each fixed size kept or made -1.
func relaxes(o, n []int64) bool {
	if len(o) != len(n) {
		return false
	}
	for i := range o {
		if o[i] != n[i] && n[i] != -1 {
			return false
		}
	}
	return true
}

func typeText(c *Column) string {
	if c.Tensor {
		return fmt.Sprintf("%s %v", c.Type, c.Shape)
	}
	return excerpt.Of(c.Type)
}
