package check

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/modelgate/modelgate/check/evidence"
	"github.com/modelgate/modelgate/check/evidence/gguf"
	"github.com/modelgate/modelgate/check/evidence/lfs"
	"github.com/modelgate/modelgate/check/evidence/mlflow"
	"github.com/modelgate/modelgate/check/evidence/onnx"
	"github.com/modelgate/modelgate/check/evidence/tensors"
	"github.com/modelgate/modelgate/internal/fsutil"
)

// Binary evidence under the architecture and api fields (DESIGN §1: a
// field names a role, the content decides the format): a GGUF header is
// the architecture config, an ONNX graph the api. The readers are
// registered in evidence.go; this file opens the files (following Git
// LFS pointers), turns a GGUF header into a config tree, and maps the
// readers' facts to the rules of the catalogue.

// configFormat reads an architecture file that is not a text config.
type configFormat struct {
	name string
	// sniff reports whether the format reads the file, from its name and
	// first bytes (nil when only the name is known: an LFS object that is
	// not fetched).
	sniff func(name string, head []byte) bool
	// stream reads the file into a config tree; raw is what findings
	// outside the tree need (a *gguf.File).
	stream func(name, file string, r io.Reader, size int64) (tree *Node, raw any, err error)
}

// sniffLen is how many first bytes the formats sniff.
const sniffLen = 16

// evidenceFile is a file a pointer field names, opened for a streaming
// reader: itself, or the Git LFS object it points to.
type evidenceFile struct {
	name string // names the file in errors
	head []byte // the first bytes
	r    io.Reader
	size int64
	// unavailable says why the content cannot be read: an LFS object that
	// is not in the local store.
	unavailable string
	close       func()
}

// openEvidence opens the file at p for the reader that sniff accepts. ok is
// false when no file is there, it is a folder, or sniff does not accept
// it: the caller reads it as text.
func openEvidence(fsys fs.FS, p string, opts LoadOptions, sniff func(name string, head []byte) bool) (ef *evidenceFile, ok bool, err error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, false, nil // readFile reports it
	}
	keep := false
	defer func() {
		if !keep {
			f.Close()
		}
	}()
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		return nil, false, nil
	}
	head := make([]byte, min(st.Size(), lfs.MaxPointer))
	if _, err := io.ReadFull(f, head); err != nil {
		return nil, false, fmt.Errorf("%s: %w", p, fsutil.UnwrapPath(err))
	}
	ptr, isPtr, perr := lfs.Parse(head)
	if !isPtr {
		if !sniff(p, head[:min(len(head), sniffLen)]) {
			return nil, false, nil
		}
		keep = true
		return &evidenceFile{name: p, head: head, r: &prefixReader{head: head, r: f}, size: st.Size(), close: func() { f.Close() }}, true, nil
	}
	if perr != nil {
		if !sniff(p, nil) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("%s: %w", p, perr)
	}
	name := fmt.Sprintf("%s (Git LFS object %s…)", p, ptr.Short())
	obj, err := ptr.Open(opts.LFS)
	if errors.Is(err, fs.ErrNotExist) {
		if !sniff(p, nil) {
			return nil, false, nil
		}
		return &evidenceFile{name: name, unavailable: ptr.Unavailable(p), close: func() {}}, true, nil
	}
	if err != nil {
		if !sniff(p, nil) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("%s: %w", name, fsutil.UnwrapPath(err))
	}
	ohead := make([]byte, min(ptr.Size, sniffLen))
	if _, err := io.ReadFull(obj, ohead); err != nil {
		obj.Close()
		return nil, false, fmt.Errorf("%s: %w", name, fsutil.UnwrapPath(err))
	}
	if !sniff(p, ohead) {
		obj.Close()
		return nil, false, nil
	}
	return &evidenceFile{name: name, head: ohead, r: &prefixReader{head: ohead, r: obj}, size: ptr.Size, close: func() { obj.Close() }}, true, nil
}

// prefixReader reads head, then r. It seeks forward when r can (an LFS
// object, a git blob), so a reader can skip tensor bytes without reading
// them; otherwise it reads past them.
type prefixReader struct {
	head []byte
	r    io.Reader
	pos  int64
}

func (p *prefixReader) Read(b []byte) (int, error) {
	if len(p.head) > 0 {
		n := copy(b, p.head)
		p.head = p.head[n:]
		p.pos += int64(n)
		return n, nil
	}
	n, err := p.r.Read(b)
	p.pos += int64(n)
	return n, err
}

// Seek moves forward from the current position (io.SeekCurrent, offset
// at least 0), the only move the readers make.
func (p *prefixReader) Seek(off int64, whence int) (int64, error) {
	if whence != io.SeekCurrent || off < 0 {
		return p.pos, errors.New("only forward seeks")
	}
	k := min(off, int64(len(p.head)))
	p.head, p.pos, off = p.head[k:], p.pos+k, off-k
	if off == 0 {
		return p.pos, nil
	}
	if s, ok := p.r.(io.Seeker); ok {
		if _, err := s.Seek(off, io.SeekCurrent); err != nil {
			return p.pos, err
		}
	} else if _, err := io.CopyN(io.Discard, p.r, off); err != nil {
		return p.pos, err
	}
	p.pos += off
	return p.pos, nil
}

// anyFormat returns a sniff that accepts what any of the formats read.
func anyFormat(sniffs ...func(string, []byte) bool) func(string, []byte) bool {
	return func(name string, head []byte) bool {
		for _, s := range sniffs {
			if s(name, head) {
				return true
			}
		}
		return false
	}
}

// loadEvidenceFile reads the architecture or api file at p with a binary
// format registered for the field. ok is false when none reads it.
func (m *Model) loadEvidenceFile(fsys fs.FS, k, p string, v *Node, opts LoadOptions) (*Node, bool, error) {
	var sniffs []func(string, []byte) bool
	switch k {
	case "architecture":
		for _, cf := range configFormats {
			sniffs = append(sniffs, cf.sniff)
		}
	case "api":
		for _, af := range apiFormats {
			if af.sniff != nil {
				sniffs = append(sniffs, af.sniff)
			}
		}
	default:
		return nil, false, nil
	}
	ef, ok, err := openEvidence(fsys, p, opts, anyFormat(sniffs...))
	if !ok || err != nil {
		return nil, ok, err
	}
	defer ef.close()
	if m.weights == nil {
		m.weights, m.unavailable = map[string]bool{}, map[string]string{}
	}
	m.weights[p] = true // GGUF and ONNX files hold the weights too
	if ef.unavailable != "" {
		m.unavailable[k] = ef.unavailable
		return v, true, nil
	}
	if k == "architecture" {
		for _, cf := range configFormats {
			if cf.sniff(p, ef.head) {
				tree, raw, err := cf.stream(ef.name, p, ef.r, ef.size)
				if err != nil {
					return nil, false, err
				}
				if g, ok := raw.(*gguf.File); ok {
					m.gguf = g
				}
				return tree, true, nil
			}
		}
	}
	for i, af := range apiFormats {
		if af.sniff != nil && af.sniff(p, ef.head) {
			api, err := af.stream(ef.name, p, ef.r, ef.size)
			if err != nil {
				return nil, false, err
			}
			m.API, m.apiFormat = api, &apiFormats[i]
			return v, true, nil
		}
	}
	return nil, false, nil
}

// ggufConfig reads a GGUF header as an architecture config: a map of the
// metadata keys, as written (llama.block_count), in file order. The
// tokenizer keys are left out of the tree: they are compared by
// ggufFindings, token lists by their hashes.
func ggufConfig(name, file string, r io.Reader, size int64) (*Node, any, error) {
	f, err := gguf.Read(name, r, size)
	if err != nil {
		return nil, nil, err
	}
	pos := Pos{File: file}
	tree := &Node{Kind: KindMap, Fields: map[string]*Node{}, Pos: pos}
	for i := range f.Metadata {
		kv := &f.Metadata[i]
		if isTokenizerKey(kv.Key) {
			continue
		}
		n, err := ggufNode(name, kv.Key, &kv.Value, pos)
		if err != nil {
			return nil, nil, err
		}
		tree.Keys = append(tree.Keys, kv.Key)
		tree.Fields[kv.Key] = n
	}
	return tree, f, nil
}

func isTokenizerKey(k string) bool { return strings.HasPrefix(k, "tokenizer.") }

// ggufNode turns a metadata value into a tree node: numbers exact,
// summaries as their text ([1,000 × u32, sha256:…]).
func ggufNode(name, key string, v *gguf.Value, pos Pos) (*Node, error) {
	switch {
	case v.Summarised:
		return &Node{Kind: KindString, Str: v.Text(), Pos: pos}, nil
	case v.Type == gguf.TypeString:
		return &Node{Kind: KindString, Str: v.Str, Pos: pos}, nil
	case v.Type == gguf.TypeBool:
		return &Node{Kind: KindBool, Bool: v.Bool, Pos: pos}, nil
	case v.Type == gguf.TypeArray:
		list := &Node{Kind: KindList, Pos: pos, Items: make([]*Node, 0, len(v.Items))}
		for i := range v.Items {
			it, err := ggufNode(name, key, &v.Items[i], pos)
			if err != nil {
				return nil, err
			}
			list.Items = append(list.Items, it)
		}
		return list, nil
	}
	f, text, err := newNumber(v.Num)
	if err != nil {
		return nil, fmt.Errorf("%s: metadata %s: %s %w", name, key, v.Num, err)
	}
	return &Node{Kind: KindNumber, Num: f, Str: text, Pos: pos}, nil
}

// readONNX reads an ONNX model under api.
func readONNX(name, file string, r io.Reader, size int64) (evidence.API, error) {
	m, err := onnx.Read(name, r, size)
	if err != nil {
		return nil, err
	}
	m.Path = file
	return m, nil
}

// isMLmodel reports whether an api tree is an MLflow MLmodel.
func isMLmodel(n *Node) bool { return n.Kind == KindMap && mlflow.Is(n.Keys) }

func loadMLmodel(file string, data []byte, _ evidence.ReadFunc, _ bool) (evidence.API, error) {
	m, err := mlflow.Load(file, data)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// onnxRules and mlflowRules map the readers' change IDs to rules.
var (
	onnxRules = map[string]*Rule{
		onnx.InputRemoved: ruleSignatureInputChanged, onnx.InputRenamed: ruleSignatureInputChanged,
		onnx.InputRetyped: ruleSignatureInputChanged, onnx.InputReshaped: ruleSignatureInputChanged,
		onnx.InputRelaxed: ruleSignatureInputCompatible, onnx.InputAddedOptional: ruleSignatureInputCompatible,
		onnx.InputAdded: ruleSignatureInputAdded, onnx.OutputAdded: ruleSignatureOutputAdded,
		onnx.OutputRemoved: ruleSignatureOutputChanged, onnx.OutputRenamed: ruleSignatureOutputChanged,
		onnx.OutputRetyped: ruleSignatureOutputChanged, onnx.OutputReshaped: ruleSignatureOutputChanged,
		onnx.OpsetRaised: ruleOnnxOpsetRaised, onnx.IRRaised: ruleOnnxOpsetRaised,
		onnx.OpsetLowered: ruleOnnxOpsetLowered, onnx.IRLowered: ruleOnnxOpsetLowered,
		onnx.MetadataChanged: ruleSignatureMetadataChanged,
	}
	mlflowRules = map[string]*Rule{
		mlflow.InputRemoved: ruleSignatureInputChanged, mlflow.InputRetyped: ruleSignatureInputChanged,
		mlflow.InputRequired: ruleSignatureInputChanged, mlflow.InputSchemaAdded: ruleSignatureInputChanged,
		mlflow.InputAdded: ruleSignatureInputAdded, mlflow.InputAddedOptional: ruleSignatureInputCompatible,
		mlflow.InputRelaxed: ruleSignatureInputCompatible, mlflow.InputSchemaRemoved: ruleSignatureInputCompatible,
		mlflow.OutputAdded: ruleSignatureOutputAdded, mlflow.OutputRemoved: ruleSignatureOutputChanged,
		mlflow.OutputRetyped: ruleSignatureOutputChanged, mlflow.ParamAdded: ruleSignatureParamAdded,
		mlflow.ParamRemoved: ruleSignatureParamChanged, mlflow.ParamRetyped: ruleSignatureParamChanged,
		mlflow.ParamDefaultChanged: ruleSignatureParamDefaultChanged, mlflow.FlavorRemoved: ruleMlflowFlavorRemoved,
		mlflow.FlavorChanged: ruleMlflowLoaderChanged, mlflow.MetadataChanged: ruleSignatureMetadataChanged,
	}
)

// schemaFindings compares two API schemas whose reader reports change IDs
// (ONNX, MLflow): one finding per change, by the format's rule map. An ID
// the map lacks counts as api-changed (major): the gate never under-asks.
func schemaFindings(cfg *Config, fm *apiFormat, base, head evidence.API) ([]Finding, error) {
	changes, err := head.Changes(base)
	if err != nil {
		return nil, err
	}
	var out []Finding
	for _, c := range changes {
		r := fm.rules[c.ID]
		if r == nil {
			r = ruleApiChanged
		}
		p := "api"
		if c.Path != "" {
			p += "." + c.Path
		}
		f := Finding{Rule: r.ID, Bump: cfg.bumpOf(r), Path: p, File: c.File, Line: c.Line,
			Message: c.Text + ": " + r.Reason, summary: c.Text, effect: r.Effect, oldText: "(absent)", newText: "(absent)"}
		f.Suppressed = cfg.suppressed(r.ID, f.Path)
		out = append(out, f)
	}
	return out, nil
}

// apiFormatChanged is the finding of an api whose format changed between
// the revisions (an OpenAPI document replaced by an ONNX model).
func apiFormatChanged(cfg *Config, base, head *Model) Finding {
	name := func(m *Model) string {
		if m.apiFormat != nil {
			return m.apiFormat.name
		}
		return "API schema"
	}
	r := ruleApiChanged
	what := fmt.Sprintf("api is now %s %s, was %s %s", name(head), head.API.File(), name(base), base.API.File())
	f := Finding{Rule: r.ID, Bump: cfg.bumpOf(r), Path: "api", File: head.API.File(), Message: what + ": " + r.Reason,
		summary: what, effect: r.Effect, oldText: "(absent)", newText: "(absent)"}
	f.Suppressed = cfg.suppressed(r.ID, f.Path)
	return f
}

// ggufTokens is the GGUF key of the vocabulary.
const ggufTokens = "tokenizer.ggml.tokens"

// ggufFindings compares the tokenizer keys of two GGUF headers: the token
// list by its per-token hashes (appended tokens, changed or removed ids),
// the other keys (merges, scores, token types, special ids, chat template)
// by value or digest.
func ggufFindings(cfg *Config, base, head *gguf.File, file string) []Finding {
	var out []Finding
	emit := func(r *Rule, key, oldText, newText, what string) {
		f := Finding{Rule: r.ID, Bump: cfg.bumpOf(r), Path: "architecture." + key, File: file, Old: oldText, New: newText,
			oldText: oldText, newText: newText, Message: what + ": " + r.Reason, summary: what, effect: r.Effect}
		f.Suppressed = cfg.suppressed(r.ID, f.Path)
		out = append(out, f)
	}
	text := func(v *gguf.Value) string {
		if v == nil {
			return "(absent)"
		}
		return v.Text()
	}
	var keys []string
	for _, f := range []*gguf.File{head, base} {
		for _, kv := range f.Metadata {
			if isTokenizerKey(kv.Key) && !containsString(keys, kv.Key) {
				keys = append(keys, kv.Key)
			}
		}
	}
	for _, k := range keys {
		o, _ := base.Lookup(k)
		n, _ := head.Lookup(k)
		ot, nt := text(o), text(n)
		if ot == nt {
			continue
		}
		if k == ggufTokens && o != nil && n != nil {
			r, what := tokenChange(o, n)
			emit(r, k, ot, nt, what)
			continue
		}
		what := fmt.Sprintf("%s: %s -> %s", k, ot, nt)
		if o != nil && n != nil && len(o.Hashes) > 0 && len(n.Hashes) > 0 {
			differ := 0
			for i := range min(len(o.Hashes), len(n.Hashes)) {
				if o.Hashes[i] != n.Hashes[i] {
					differ++
				}
			}
			differ += abs(len(o.Hashes) - len(n.Hashes))
			what = fmt.Sprintf("%s changed: %s of %s entries differ", k, thousands(differ), thousands(max(len(o.Hashes), len(n.Hashes))))
		}
		emit(ruleGgufTokenizerChanged, k, ot, nt, what)
	}
	return out
}

// tokenChange classifies a changed vocabulary as the Hugging Face
// tokenizer rules do: tokens only appended is minor; an existing id whose
// token changed, or that was removed, is major.
func tokenChange(o, n *gguf.Value) (*Rule, string) {
	if o.Hashes == nil || n.Hashes == nil || o.Elem != n.Elem {
		return ruleGgufTokensChanged, fmt.Sprintf("%s changed: %s -> %s (too long to compare token by token)", ggufTokens, o.Text(), n.Text())
	}
	common := min(len(o.Hashes), len(n.Hashes))
	changed, first := 0, -1
	for i := range common {
		if o.Hashes[i] != n.Hashes[i] {
			changed++
			if first < 0 {
				first = i
			}
		}
	}
	removed := len(o.Hashes) - common
	appended := len(n.Hashes) - common
	if changed == 0 && removed == 0 {
		return ruleGgufTokensAdded, fmt.Sprintf("%s: %s appended (ids %d-%d)", ggufTokens, plural(appended, "token"), common, len(n.Hashes)-1)
	}
	var parts []string
	if changed > 0 {
		parts = append(parts, fmt.Sprintf("%s changed (first: id %d)", plural(changed, "token id"), first))
	}
	if removed > 0 {
		parts = append(parts, fmt.Sprintf("%s removed (%d-%d)", plural(removed, "id"), common, len(o.Hashes)-1))
	}
	if appended > 0 {
		parts = append(parts, fmt.Sprintf("%s appended", thousands(appended)))
	}
	return ruleGgufTokensChanged, ggufTokens + ": " + strings.Join(parts, ", ")
}

// plural writes n things: 1 token, 2 tokens.
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return thousands(n) + " " + thing + "s"
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// fileEvidence reports architecture and api evidence that could not be
// read at a revision (a Git LFS object not fetched): that field's diff was
// skipped. One warning rule serves every kind of evidence.
func (r *ModelReport) fileEvidence(cfg *Config, in Input) {
	for _, k := range []string{"architecture", "api"} {
		var missing []string
		sides := []struct {
			ref string
			m   *Model
		}{{in.HeadRef.Ref, in.Head}}
		if in.Base != nil {
			sides = append([]struct {
				ref string
				m   *Model
			}{{in.BaseRef.Ref, in.Base}}, sides...)
		}
		for _, side := range sides {
			if why := side.m.unavailable[k]; why != "" {
				missing = append(missing, fmt.Sprintf("at %s: %s", side.ref, why))
			}
		}
		if len(missing) == 0 {
			continue
		}
		msg := fmt.Sprintf("%s evidence unavailable %s: the %s diff was skipped and the other rules decide", k, strings.Join(missing, "; "), k)
		r.Notices = append(r.Notices, msg)
		if in.Base == nil {
			continue
		}
		line := in.Head.IDPos.Line
		if n := in.Head.Root.Get(k); n != nil {
			line = n.Pos.Line
		}
		r.addProblem(cfg, Problem{Rule: ruleTensorEvidenceUnavailable.ID, File: in.Head.Manifest, Line: line, Message: msg,
			Fix: fmt.Sprintf("fetch the LFS objects of both revisions (git lfs fetch origin %s %s; lfs: true in actions/checkout)", in.BaseRef.Ref, in.HeadRef.Ref)})
	}
}

// skipped reports whether a field's evidence is unavailable at either
// revision, so its changes are not judged.
func skipped(base, head *Model, field string) bool {
	return base.unavailable[field] != "" || head.unavailable[field] != ""
}

// isWeights reports whether a tensors file holds weights besides the
// header read (a .gguf or .onnx file): its changes count as changed files.
func isWeights(p string) bool {
	return gguf.Tensors.Match(p, nil) || onnx.Tensors.Match(p, nil)
}

// reuseTensors returns the tensor signature of the file at p when the
// architecture or api field already read it (a GGUF header, an ONNX
// model): one read per file and revision. nil means it was not read.
func (m *Model) reuseTensors(p string) (*tensors.Set, error) {
	if m.gguf != nil && m.Files["architecture"] == p {
		return gguf.SetOf(m.gguf, p), nil
	}
	if om, ok := m.API.(*onnx.Model); ok && m.Files["api"] == p {
		return onnx.SetOf(om, p, p)
	}
	return nil, nil
}
