package check

import (
	"path"
	"sort"
)

// Paths returns the folders and files the model reads, repository-relative:
// its manifest's folder first, then its Hugging Face folder and the files
// its pointer fields name wherever they lie outside that folder (a
// huggingface: ../../hf/chat, a tensors: ../../weights/model.safetensors),
// sorted, each once and none inside another. A change to any of them is a
// change to the model.
func (m *Model) Paths() []string {
	dir := path.Dir(m.Manifest)
	var more []string
	if m.HF != nil {
		more = append(more, m.HF.Dir)
	}
	for _, p := range m.Files {
		more = append(more, p)
	}
	return appendPaths([]string{dir}, more...)
}

// PathsOf returns the paths (Paths) of a model at two revisions, the
// manifest's folder first: a file the baseline read and the head no longer
// does changed all the same. Nil models are skipped.
func PathsOf(ms ...*Model) []string {
	var out []string
	for _, m := range ms {
		if m == nil {
			continue
		}
		if out == nil {
			out = m.Paths()
			continue
		}
		out = appendPaths(out, m.Paths()[1:]...)
	}
	return out
}

// appendPaths adds to out, whose first element is the model's folder, the
// paths that do not lie inside one already there, keeping out[1:] sorted
// and dropping the paths the new ones hold.
func appendPaths(out []string, more ...string) []string {
	sort.Strings(more)
	for _, p := range more {
		inside := false
		for _, q := range out {
			inside = inside || under(p, q)
		}
		if inside {
			continue
		}
		kept := out[:1]
		for _, q := range out[1:] {
			if !under(q, p) {
				kept = append(kept, q)
			}
		}
		out = append(kept, p)
	}
	rest := out[1:]
	sort.Strings(rest)
	return out
}

// PointerFiles returns the repository paths that the pointer fields of a
// parsed manifest (architecture, tensors, metrics, api, release_notes,
// migrations) name, without reading them; a value that is no path inside
// the repository names none. The pre-commit hook's fast path uses it to see
// a commit that touches only such a file.
func PointerFiles(manifest string, root *Node) []string {
	if root == nil || root.Kind != KindMap {
		return nil
	}
	var out []string
	for _, k := range root.Keys {
		v := root.Fields[k]
		if !pointerFields[k] || v == nil || v.Kind != KindString {
			continue
		}
		if p, err := resolvePointer(path.Dir(manifest), v.Str); err == nil {
			out = append(out, p)
		}
	}
	return out
}
