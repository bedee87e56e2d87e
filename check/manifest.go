package check

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/modelgate/modelgate/check/evidence"
	"github.com/modelgate/modelgate/check/evidence/gguf"
	"github.com/modelgate/modelgate/check/evidence/tensors"
	"github.com/modelgate/modelgate/internal/excerpt"
	"github.com/modelgate/modelgate/internal/fsutil"
)

// DefaultManifests are the manifest names looked for at the repository root
// when .modelgate.yaml lists no models.
var DefaultManifests = []string{"manifest.yaml", "manifest.yml", "manifest.json"}

// pointerFields are the manifest fields whose string value is a path to a
// file (or folder) at the same revision.
var pointerFields = map[string]bool{
	"architecture": true, "tensors": true, "metrics": true, "api": true,
	"release_notes": true, "migrations": true,
}

// parsedPointers are the pointer fields whose file is parsed and diffed as a
// tree; tensors are read as signatures instead.
var parsedPointers = []string{"architecture", "metrics", "api"}

// Model is one revision of a model: its manifest, parsed, with the files
// that pointer fields name loaded in their place.
type Model struct {
	ID       Identifier
	IDPos    Pos               // where the model identifier is written
	Manifest string            // repository-relative path of the manifest
	Root     *Node             // the manifest as written
	Resolved *Node             // the manifest with parsed pointer files in place (tensors stay as written)
	Files    map[string]string // pointer field -> repository-relative path; field[i] for each path of a list
	// Tensors holds the parameter signatures the tensors field names, or
	// nil when the manifest has none.
	Tensors *tensors.Set
	// API is the serving API schema when a registered API format reads it
	// (an OpenAPI 3 document, compared with oasdiff; an MLflow MLmodel; an
	// ONNX graph) rather than as a tree.
	API evidence.API
	// HF is the Hugging Face model folder the huggingface field names, or
	// nil when the manifest has none.
	HF *HFFolder
	// hfArchitecture is set when the architecture is the folder's
	// config.json, not a field of the manifest.
	hfArchitecture bool

	apiFormat *apiFormat
	// gguf is the GGUF header the architecture field names, if it does.
	gguf *gguf.File
	// unavailable says, per field, why its evidence could not be read (an
	// LFS object not fetched); weights lists pointer files that hold
	// weights besides the header read (GGUF, ONNX): their changes count
	// as changed files too.
	unavailable map[string]string
	weights     map[string]bool
}

// Dir is the folder of the model's manifest ("." at the root).
func (m *Model) Dir() string { return path.Dir(m.Manifest) }

// Load reads and parses the manifest at name in fsys and the files its
// pointer fields name. Every error names the file and, where it can, the line.
func Load(fsys fs.FS, name string) (*Model, error) {
	return LoadWith(fsys, name, LoadOptions{})
}

// LoadWith is Load with options: where Git LFS objects are.
func LoadWith(fsys fs.FS, name string, opts LoadOptions) (*Model, error) {
	data, err := readFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	root, err := Parse(name, data)
	if err != nil {
		return nil, err
	}
	if root.Kind != KindMap {
		return nil, fmt.Errorf("%s:%d: a manifest is a map with at least a model field, e.g. model: lite-llm-base-v1.0.0", name, root.Pos.Line)
	}
	m := &Model{Manifest: name, Root: root, Files: map[string]string{}}
	idn := root.Get("model")
	if idn == nil {
		return nil, fmt.Errorf("%s: missing required field model; add e.g. model: lite-llm-base-v1.0.0", name)
	}
	if idn.Kind != KindString {
		return nil, fmt.Errorf("%s:%d: model must be a string such as lite-llm-base-v1.0.0, not %s", name, idn.Pos.Line, excerpt.Of(idn.Text()))
	}
	if m.ID, err = ParseIdentifier(idn.Str); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, idn.Pos.Line, err)
	}
	m.IDPos = idn.Pos
	if err := validateManifest(name, root); err != nil {
		return nil, err
	}
	resolved := &Node{Kind: KindMap, Fields: map[string]*Node{}, Pos: root.Pos}
	for _, k := range root.Keys {
		v := root.Fields[k]
		if k == "huggingface" {
			if m.HF, err = loadHF(fsys, name, v, opts); err != nil {
				return nil, err
			}
		} else if pointerFields[k] && v.Kind == KindString {
			p, err := resolvePointer(path.Dir(name), v.Str)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %s: %w", name, v.Pos.Line, k, err)
			}
			if k == "migrations" && (p == path.Dir(name) || p == "." || strings.HasPrefix(path.Dir(name)+"/", p+"/")) {
				return nil, fmt.Errorf("%s:%d: migrations must be a folder inside the model's folder, such as migrations/, not %s: its files would not count as changes", name, v.Pos.Line, excerpt.Quote(v.Str))
			}
			m.Files[k] = p
			switch {
			case k == "tensors":
				if ts, err := m.reuseTensors(p); ts != nil || err != nil {
					m.Tensors = ts
					if err != nil {
						return nil, err
					}
					break
				}
				if m.Tensors, err = loadTensors(fsys, p, opts); err != nil {
					if errors.Is(err, tensors.ErrNotFound) {
						return nil, fmt.Errorf("%s:%d: %s points to %s: %w", name, v.Pos.Line, k, excerpt.Quote(v.Str), err)
					}
					return nil, err
				}
			case slices.Contains(parsedPointers, k):
				nv, ok, err := m.loadEvidenceFile(fsys, k, p, v, opts)
				if err != nil {
					return nil, err
				}
				if ok {
					v = nv
					break
				}
				data, err := readFile(fsys, p)
				if err != nil {
					return nil, fmt.Errorf("%s:%d: %s points to %s: %w", name, v.Pos.Line, k, excerpt.Quote(v.Str), err)
				}
				if v, err = Parse(p, data); err != nil {
					return nil, err
				}
				if f := apiField(k, v); f != nil {
					if m.API, err = f.load(p, data, repoReader(fsys), false); err != nil {
						return nil, err
					}
					m.apiFormat = f
				}
			}
		} else if k == "hyperparameters" {
			if v, err = loadHyperparameters(fsys, m, name, v); err != nil {
				return nil, err
			}
		} else if k == "tensors" && v.Kind == KindMap {
			if m.Tensors, err = tensorsFromNode(name, v); err != nil {
				return nil, err
			}
		} else if f := apiField(k, v); f != nil {
			data, err := json.Marshal(v.Interface())
			if err != nil {
				return nil, fmt.Errorf("%s:%d: api: %w", name, v.Pos.Line, err)
			}
			if m.API, err = f.load(name, data, repoReader(fsys), true); err != nil {
				return nil, err
			}
			m.apiFormat = f
		}
		resolved.Keys = append(resolved.Keys, k)
		resolved.Fields[k] = v
	}
	m.Resolved = resolved
	if m.HF != nil {
		if err := m.fillFromHF(fsys, opts); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// repoReader reads the files an API schema's references ($refs) name.
func repoReader(fsys fs.FS) evidence.ReadFunc {
	return func(p string) ([]byte, error) {
		if !fs.ValidPath(p) {
			return nil, fmt.Errorf("%s is not a path inside the repository", excerpt.Quote(p))
		}
		data, err := readFile(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		// The schema reader would merge duplicate keys silently: parse the
		// file with the strict tree parser first (DESIGN §8).
		if _, err := Parse(p, data); err != nil {
			return nil, err
		}
		return data, nil
	}
}

// validateManifest checks the types of the fields modelgate interprets.
func validateManifest(name string, root *Node) error {
	want := map[string][]Kind{
		"release_notes":   {KindString},
		"migrations":      {KindString},
		"architecture":    {KindString, KindMap},
		"tensors":         {KindString, KindMap},
		"metrics":         {KindString, KindMap},
		"api":             {KindString, KindMap},
		"tiers":           {KindList},
		"routing":         {KindMap},
		"hyperparameters": {KindMap, KindString, KindList},
		"fingerprints":    {KindMap},
	}
	hint := map[string]string{
		"tiers":           "a list of {name, experts}",
		"routing":         "a map such as {strategy: top-2}",
		"hyperparameters": "a map of training settings, a path, or a list of paths",
		"fingerprints":    "a map of name: sha256:<hex>",
	}
	for _, k := range root.Keys {
		kinds, ok := want[k]
		if !ok {
			continue
		}
		v := root.Fields[k]
		if !slices.Contains(kinds, v.Kind) {
			h := hint[k]
			if h == "" {
				h = "a relative path or an inline map"
			}
			return fmt.Errorf("%s:%d: %s must be %s, not %s", name, v.Pos.Line, k, h, excerpt.Of(v.Text()))
		}
	}
	if tiers := root.Get("tiers"); tiers != nil {
		seen := map[string]bool{}
		for _, t := range tiers.Items {
			n := t.Get("name")
			if t.Kind != KindMap || n == nil || n.Kind != KindString || n.Str == "" {
				return fmt.Errorf("%s:%d: each tier must be a map with a name, e.g. {name: core, experts: 8}", name, t.Pos.Line)
			}
			if seen[n.Str] {
				return fmt.Errorf("%s:%d: duplicate tier name %s", name, n.Pos.Line, excerpt.Quote(n.Str))
			}
			seen[n.Str] = true
			if e := t.Get("experts"); e != nil && !wholeNumber(e) {
				return fmt.Errorf("%s:%d: experts of tier %s must be a whole number, not %s", name, e.Pos.Line, excerpt.Quote(n.Str), excerpt.Of(e.Text()))
			}
		}
	}
	return nil
}

// resolvePointer joins a manifest-relative pointer to the manifest's folder
// and refuses anything that would leave the repository.
func resolvePointer(dir, p string) (string, error) {
	switch {
	case p == "":
		return "", errors.New("empty path")
	case strings.Contains(p, "://"):
		return "", fmt.Errorf("%s is a URL; point to a file inside the repository", excerpt.Quote(p))
	case strings.HasPrefix(p, "/") || strings.HasPrefix(p, `\`) || (len(p) > 1 && p[1] == ':'):
		return "", fmt.Errorf("%s is an absolute path; use a path relative to the manifest", excerpt.Quote(p))
	case strings.ContainsAny(p, "\x00\\"):
		return "", fmt.Errorf("%s is not a valid repository path", excerpt.Quote(p))
	}
	full := path.Clean(path.Join(dir, p))
	if full == ".." || strings.HasPrefix(full, "../") || !fs.ValidPath(full) {
		return "", fmt.Errorf("%s leaves the repository; keep pointers inside it", excerpt.Quote(p))
	}
	return full, nil
}

// errNotFound reports a file that is not there.
var errNotFound = errors.New("file not found")

// readFile reads name from fsys, refusing folders and oversized files. Its
// errors say what is wrong without naming the file: callers do.
func readFile(fsys fs.FS, name string) ([]byte, error) {
	if st, err := fs.Stat(fsys, name); err == nil {
		if st.IsDir() {
			return nil, errors.New("is a folder, not a file")
		}
		if st.Size() > MaxFileSize {
			return nil, fmt.Errorf("file is %d bytes, more than the %d modelgate reads", st.Size(), MaxFileSize)
		}
	}
	data, err := fs.ReadFile(fsys, name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, fsutil.UnwrapPath(err)
	}
	return data, nil
}
