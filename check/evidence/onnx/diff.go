package onnx

import "fmt"

// Kinds of differences between two models. They are facts; package check
// maps each to a rule of its catalogue.
const (
	InputRemoved       = "input-removed"
	InputRenamed       = "input-renamed"
	InputRetyped       = "input-retyped"
	InputReshaped      = "input-reshaped" // a fixed dim changed, a dim became fixed, the rank changed
	InputRelaxed       = "input-relaxed"  // a fixed dim became symbolic or the shape was dropped
	InputAdded         = "input-added"
	InputAddedOptional = "input-added-with-default" // the new input has a same-named initializer
	OutputAdded        = "output-added"
	OutputRemoved      = "output-removed"
	OutputRenamed      = "output-renamed"
	OutputRetyped      = "output-retyped"
	OutputReshaped     = "output-reshaped"
	OpsetRaised        = "opset-raised" // a domain's opset raised, or a domain imported
	OpsetLowered       = "opset-lowered"
	IRRaised           = "ir-version-raised"
	IRLowered          = "ir-version-lowered"
	MetadataChanged    = "metadata" // producer, doc strings, model_version, metadata_props, dim names
)

// Change is one difference between two models.
type Change struct {
	Kind string
	// Name is the input, output or domain concerned; "" for the model.
	Name     string
	Old, New string
	// Text says what changed, on one line.
	Text string
}

// opsetReleases maps an ai.onnx opset to the first ONNX release that
// defines it; irReleases does the same for IR versions (docs/Versioning.md
// of the onnx repository).
var (
	opsetReleases = map[int64]string{7: "1.2", 8: "1.3", 9: "1.4.1", 10: "1.5.0", 11: "1.6.0", 12: "1.7.0", 13: "1.8.0",
		14: "1.9.0", 15: "1.10.0", 16: "1.11.0", 17: "1.12.0", 18: "1.13.0", 19: "1.14.0", 20: "1.15.0", 21: "1.16.0",
		22: "1.17.0", 23: "1.18.0", 24: "1.19.0", 25: "1.20.0", 26: "1.21.0", 27: "1.22.0"}
	irReleases = map[int64]string{3: "1.0", 4: "1.4.1", 5: "1.5.0", 6: "1.6.0", 7: "1.7.0", 8: "1.10.0", 9: "1.14.0",
		10: "1.16.0", 11: "1.18.0", 12: "1.19.0", 13: "1.20.0"}
)

// Diff compares two models' interfaces: graph inputs and outputs by name,
// operator sets by domain, the IR version, and the metadata.
func Diff(base, head *Model) []Change {
	var out []Change
	if base.IRVersion != head.IRVersion {
		c := Change{Kind: IRLowered, Old: fmt.Sprint(base.IRVersion), New: fmt.Sprint(head.IRVersion),
			Text: fmt.Sprintf("IR version %d -> %d", base.IRVersion, head.IRVersion)}
		if head.IRVersion > base.IRVersion {
			c.Kind = IRRaised
			if r, ok := irReleases[head.IRVersion]; ok {
				c.Text += fmt.Sprintf(": runtimes older than ONNX %s cannot load it", r)
			} else {
				c.Text += fmt.Sprintf(": runtimes that only know IR version %d cannot load it", base.IRVersion)
			}
		}
		out = append(out, c)
	}
	out = append(out, diffOpsets(base.Opsets, head.Opsets)...)
	bInits, hInits := initNames(base), initNames(head)
	out = append(out, diffValues("input", base.Inputs, head.Inputs, bInits, hInits)...)
	out = append(out, diffValues("output", base.Outputs, head.Outputs, nil, nil)...)
	meta := func(what, o, n string) {
		if o != n {
			out = append(out, Change{Kind: MetadataChanged, Name: what, Old: o, New: n, Text: what + " changed"})
		}
	}
	meta("producer", base.Producer+" "+base.ProducerVersion, head.Producer+" "+head.ProducerVersion)
	meta("doc_string", base.DocDigest, head.DocDigest)
	meta("model_version", fmt.Sprint(base.ModelVersion), fmt.Sprint(head.ModelVersion))
	meta("domain", base.Domain, head.Domain)
	meta("graph name", base.GraphName, head.GraphName)
	meta("metadata_props", fmt.Sprint(base.Metadata), fmt.Sprint(head.Metadata))
	return out
}

func initNames(m *Model) map[string]bool {
	s := make(map[string]bool, len(m.Initializers))
	for _, t := range m.Initializers {
		s[t.Name] = true
	}
	return s
}

func diffOpsets(base, head []Opset) []Change {
	var out []Change
	find := func(list []Opset, d string) (Opset, bool) {
		for _, o := range list {
			if canonical(o.Domain) == canonical(d) {
				return o, true
			}
		}
		return Opset{}, false
	}
	for _, h := range head {
		name := domainName(canonical(h.Domain))
		b, ok := find(base, h.Domain)
		switch {
		case !ok:
			out = append(out, Change{Kind: OpsetRaised, Name: name, Old: "(absent)", New: fmt.Sprint(h.Version),
				Text: fmt.Sprintf("imports %s opset %d: runtimes without that domain cannot load it", name, h.Version)})
		case h.Version > b.Version:
			c := Change{Kind: OpsetRaised, Name: name, Old: fmt.Sprint(b.Version), New: fmt.Sprint(h.Version),
				Text: fmt.Sprintf("%s opset %d -> %d", name, b.Version, h.Version)}
			if r, ok := opsetReleases[h.Version]; ok && canonical(h.Domain) == "" {
				c.Text += fmt.Sprintf(": runtimes older than ONNX %s cannot load it", r)
			} else {
				c.Text += fmt.Sprintf(": runtimes that implement only opset %d of %s cannot load it", b.Version, name)
			}
			out = append(out, c)
		case h.Version < b.Version:
			out = append(out, Change{Kind: OpsetLowered, Name: name, Old: fmt.Sprint(b.Version), New: fmt.Sprint(h.Version),
				Text: fmt.Sprintf("%s opset %d -> %d: operators of an older version", name, b.Version, h.Version)})
		}
	}
	for _, b := range base {
		if _, ok := find(head, b.Domain); !ok {
			name := domainName(canonical(b.Domain))
			out = append(out, Change{Kind: OpsetLowered, Name: name, Old: fmt.Sprint(b.Version), New: "(absent)",
				Text: fmt.Sprintf("no longer imports %s", name)})
		}
	}
	return out
}

// diffValues compares graph inputs (which = "input") or outputs by name;
// an unmatched one at the same position with the same type is renamed.
func diffValues(which string, base, head []Value, bInits, hInits map[string]bool) []Change {
	kinds := map[string][2]string{"input": {InputRemoved, InputRenamed}, "output": {OutputRemoved, OutputRenamed}}[which]
	var out []Change
	headIdx := map[string]int{}
	for i, v := range head {
		headIdx[v.Name] = i
	}
	baseIdx := map[string]int{}
	for i, v := range base {
		baseIdx[v.Name] = i
	}
	renamedTo := map[int]bool{}
	for i, b := range base {
		j, ok := headIdx[b.Name]
		if ok {
			out = append(out, diffValue(which, &b, &head[j])...)
			continue
		}
		if i < len(head) {
			h := head[i]
			if _, taken := baseIdx[h.Name]; !taken && h.Type == b.Type && h.ShapeText() == b.ShapeText() && !bInits[b.Name] {
				renamedTo[i] = true
				out = append(out, Change{Kind: kinds[1], Name: h.Name, Old: b.Name, New: h.Name,
					Text: fmt.Sprintf("%s %q renamed to %q", which, b.Name, h.Name)})
				continue
			}
		}
		out = append(out, Change{Kind: kinds[0], Name: b.Name, Old: b.Type + " " + b.ShapeText(), New: "(absent)",
			Text: fmt.Sprintf("%s %q removed (was %s %s)", which, b.Name, b.Type, b.ShapeText())})
	}
	for i, h := range head {
		if _, ok := baseIdx[h.Name]; ok || renamedTo[i] {
			continue
		}
		c := Change{Kind: OutputAdded, Name: h.Name, Old: "(absent)", New: h.Type + " " + h.ShapeText(),
			Text: fmt.Sprintf("%s %q added: %s %s", which, h.Name, h.Type, h.ShapeText())}
		if which == "input" {
			c.Kind = InputAdded
			if hInits[h.Name] {
				c.Kind = InputAddedOptional
				c.Text += ", with a default (a same-named initializer)"
			}
		}
		out = append(out, c)
	}
	return out
}

// diffValue compares one input or output present on both sides.
func diffValue(which string, b, h *Value) []Change {
	input := which == "input"
	pick := func(in, outp string) string {
		if input {
			return in
		}
		return outp
	}
	if b.Type != h.Type {
		return []Change{{Kind: pick(InputRetyped, OutputRetyped), Name: h.Name, Old: b.Type, New: h.Type,
			Text: fmt.Sprintf("%s %q retyped %s -> %s", which, h.Name, b.Type, h.Type)}}
	}
	reshaped := fmt.Sprintf("%s %q reshaped %s -> %s", which, h.Name, b.ShapeText(), h.ShapeText())
	mk := func(kind, text string) []Change {
		return []Change{{Kind: kind, Name: h.Name, Old: b.ShapeText(), New: h.ShapeText(), Text: text}}
	}
	var docs []Change
	if b.DocDigest != h.DocDigest {
		docs = []Change{{Kind: MetadataChanged, Name: h.Name, Text: fmt.Sprintf("%s %q: doc_string changed", which, h.Name)}}
	}
	switch {
	case b.Shape == nil && h.Shape == nil:
		return docs
	case b.Shape == nil:
		return mk(pick(InputReshaped, OutputReshaped), reshaped+": a shape is now required")
	case h.Shape == nil:
		return mk(pick(InputRelaxed, OutputReshaped), reshaped+": any shape is accepted")
	case len(b.Shape) != len(h.Shape):
		return mk(pick(InputReshaped, OutputReshaped), reshaped)
	}
	relaxed, renamed := false, false
	for i := range b.Shape {
		o, n := b.Shape[i], h.Shape[i]
		switch {
		case o == n:
		case o.Fixed && n.Fixed, !o.Fixed && n.Fixed:
			return mk(pick(InputReshaped, OutputReshaped), reshaped)
		case o.Fixed && !n.Fixed:
			if !input {
				return mk(OutputReshaped, reshaped)
			}
			relaxed = true
		default:
			renamed = true // a symbolic dim renamed or made unknown
		}
	}
	switch {
	case relaxed:
		return mk(InputRelaxed, reshaped+": a fixed dimension became symbolic")
	case renamed:
		return append(mk(MetadataChanged, fmt.Sprintf("%s %q: symbolic dimension renamed %s -> %s", which, h.Name, b.ShapeText(), h.ShapeText())), docs...)
	}
	return docs
}
