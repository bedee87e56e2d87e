package check

import (
	"fmt"
	"io"
	"io/fs"

	"github.com/modelgate/modelgate/check/evidence"
	"github.com/modelgate/modelgate/check/evidence/gguf"
	"github.com/modelgate/modelgate/check/evidence/onnx"
	"github.com/modelgate/modelgate/check/evidence/openapi"
	"github.com/modelgate/modelgate/check/evidence/tensors"
	"github.com/modelgate/modelgate/internal/excerpt"
)

// The evidence readers (DESIGN §2.3). Each format is a package under
// check/evidence that reads files and returns raw facts — tensor
// signatures, API changes — and knows nothing of versions; it is registered
// here with one line, and check turns its facts into findings with the
// rules of the catalogue (tensorFindings, apiFindings).

// tensorFormats read the file a tensors field names, tried in order once a
// Git LFS pointer is resolved: the first that matches reads it.
var tensorFormats = []tensors.Format{
	tensors.Safetensors,
	gguf.Tensors,
	onnx.Tensors,
	tensors.JSON,
	treeTensors,
}

// apiFormats read the serving API schema an api field holds or names: the
// first whose match accepts the parsed schema loads it, and two revisions
// are compared by the format's reader. A schema no format matches is
// diffed as a tree and classified by the generic API rules.
var apiFormats = []apiFormat{
	{name: "OpenAPI 3", match: isOpenAPI, load: loadOpenAPI},
	{name: "MLflow MLmodel", match: isMLmodel, load: loadMLmodel, rules: mlflowRules},
	{name: "ONNX model", sniff: onnx.Is, stream: readONNX, rules: onnxRules},
}

// configFormats read an architecture file that is not a text config: the
// first whose sniff accepts the file's name or first bytes reads it into a
// config tree (see formats.go).
var configFormats = []configFormat{
	{name: "GGUF metadata", sniff: gguf.Is, stream: ggufConfig},
}

// LoadOptions are what Load may read besides the files of the revision.
type LoadOptions struct {
	// LFS is the local Git LFS object store (.git/lfs/objects): the object of
	// a pointer file "oid sha256:<oid>" is <oid[0:2]>/<oid[2:4]>/<oid> in it.
	// nil means no store: evidence behind LFS pointers is unavailable.
	LFS fs.FS
}

// loadTensors reads the tensor signatures at p with the registered formats.
// tensors.ErrNotFound means there is no file; other errors name the file.
func loadTensors(fsys fs.FS, p string, opts LoadOptions) (*tensors.Set, error) {
	return tensors.Load(fsys, p, tensors.Options{LFS: opts.LFS, Formats: tensorFormats, MaxFileSize: MaxFileSize, MaxDepth: maxDepth,
		Syntax: func(file string, data []byte) error {
			_, err := Parse(file, data)
			return err
		}})
}

// treeTensors reads a YAML (or TOML) tensors file with the tree parser: a
// map of tensor name -> {shape, dtype}, or an index with a weight_map. It
// takes every file the other formats leave.
var treeTensors = tensors.Format{
	Name:  "YAML or TOML map",
	Match: func(string, []byte) bool { return true },
	Parse: func(file string, data []byte, _ tensors.Options) (*tensors.Set, error) {
		root, err := Parse(file, data)
		if err != nil {
			return nil, err
		}
		return tensorsFromNode(file, root)
	},
}

// tensorsFromNode reads tensor signatures from a parsed tree: the manifest's
// inline tensors map, or a YAML (or TOML) tensors file.
func tensorsFromNode(file string, root *Node) (*tensors.Set, error) {
	if root.Kind != KindMap {
		return nil, fmt.Errorf("%s:%d: tensors must be a map of tensor name -> {shape, dtype}, or an index with a weight_map", file, root.Pos.Line)
	}
	m := root
	if wm := root.Get("weight_map"); wm != nil {
		if wm.Kind != KindMap {
			return nil, fmt.Errorf("%s:%d: weight_map must map tensor names to shard files", file, wm.Pos.Line)
		}
		m = wm
	}
	ts := tensors.NewSet(file, m.Pos.Line, len(m.Keys))
	for _, k := range m.Keys {
		if k == "__metadata__" {
			continue
		}
		v := m.Fields[k]
		t, err := nodeTensor(file, k, v)
		if err != nil {
			return nil, err
		}
		ts.Add(k, t) // the tree parser already refused duplicate keys
	}
	return ts, nil
}

// nodeTensor reads the signature of tensor k: {shape, dtype}, a shape list,
// or a shard file name (names only).
func nodeTensor(file, k string, v *Node) (tensors.Tensor, error) {
	t := tensors.Tensor{Line: v.Pos.Line}
	switch v.Kind {
	case KindNull, KindString:
	case KindList:
		shape, err := nodeShape(file, k, v)
		if err != nil {
			return t, err
		}
		t.Shape = shape
	case KindMap:
		if s := v.Get("shape"); s != nil {
			shape, err := nodeShape(file, k, s)
			if err != nil {
				return t, err
			}
			t.Shape = shape
		}
		if d := v.Get("dtype"); d != nil {
			if d.Kind != KindString || d.Str == "" {
				return t, fmt.Errorf("%s:%d: tensor %s: dtype must be a name such as BF16, not %s", file, d.Pos.Line, excerpt.Quote(k), excerpt.Of(d.Text()))
			}
			t.DType = d.Str
		}
		if !t.Known() {
			return t, fmt.Errorf("%s:%d: tensor %s: want {shape: [...], dtype: ...}, not %s", file, v.Pos.Line, excerpt.Quote(k), excerpt.Of(v.Text()))
		}
	default:
		return t, fmt.Errorf("%s:%d: tensor %s: want {shape: [...], dtype: ...}, a shape list or a shard file name, not %s", file, v.Pos.Line, excerpt.Quote(k), excerpt.Of(v.Text()))
	}
	return t, nil
}

func nodeShape(file, name string, n *Node) ([]int64, error) {
	if n.Kind != KindList {
		return nil, fmt.Errorf("%s:%d: tensor %s: shape must be a list of sizes such as [4096, 4096], not %s", file, n.Pos.Line, excerpt.Quote(name), excerpt.Of(n.Text()))
	}
	shape := make([]int64, 0, len(n.Items))
	for _, it := range n.Items {
		v, ok := it.Int64() // exact: 2^53+1 is not 2^53
		if !ok || v < 0 {
			return nil, fmt.Errorf("%s:%d: tensor %s: shape sizes must be whole numbers of at least 0 that fit 64 bits, not %s", file, it.Pos.Line, excerpt.Quote(name), excerpt.Of(it.Text()))
		}
		shape = append(shape, v)
	}
	return shape, nil
}

// apiFormat is a reader of one kind of serving API schema.
type apiFormat struct {
	name string
	// match reports whether a parsed api tree is of the format.
	match func(api *Node) bool
	// load loads the schema file holds (data); read follows references to
	// other files; inline marks a schema written inside the manifest.
	load func(file string, data []byte, read evidence.ReadFunc, inline bool) (evidence.API, error)
	// sniff and stream read a binary schema instead (an ONNX graph): sniff
	// accepts the file by its name and first bytes, stream reads it.
	sniff  func(name string, head []byte) bool
	stream func(name, file string, r io.Reader, size int64) (evidence.API, error)
	// rules maps the reader's change IDs to rules (schemaFindings); nil
	// means the reader's levels decide (apiFindings, for oasdiff).
	rules map[string]*Rule
}

// apiField returns the API format of manifest field k with value v (the
// schema, parsed), or nil when k is not api or no format reads v.
func apiField(k string, v *Node) *apiFormat {
	if k != "api" {
		return nil
	}
	for i := range apiFormats {
		if apiFormats[i].match != nil && apiFormats[i].match(v) {
			return &apiFormats[i]
		}
	}
	return nil
}

// isOpenAPI reports whether an api tree is an OpenAPI 3 document.
func isOpenAPI(n *Node) bool {
	v := n.Get("openapi")
	return v != nil && v.Kind == KindString && openapi.IsOpenAPI3(v.Str)
}

func loadOpenAPI(file string, data []byte, read evidence.ReadFunc, inline bool) (evidence.API, error) {
	doc, err := openapi.Load(file, data, read, inline)
	if err != nil {
		return nil, err
	}
	return doc, nil
}
