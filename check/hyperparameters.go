package check

import (
	"fmt"
	"io/fs"
	"path"

	"github.com/modelgate/modelgate/internal/excerpt"
)

// loadHyperparameters resolves the hyperparameters field of a manifest when
// it names training configs instead of holding them inline: a path, or a
// list of paths, to YAML, JSON or TOML files. One path resolves to the
// file's tree; a list to a map from each path, as written, to its file's
// tree. The files join m.Files (the field's name, or field[i] for a list),
// so they count as hyperparameters, not as changed files of the model. It
// returns the field unchanged when it is an inline map.
func loadHyperparameters(fsys fs.FS, m *Model, manifest string, v *Node) (*Node, error) {
	const field = "hyperparameters"
	load := func(at *Node, key string) (*Node, error) {
		p, err := resolvePointer(path.Dir(manifest), at.Str)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %s: %w", manifest, at.Pos.Line, field, err)
		}
		data, err := readFile(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %s points to %s: %w", manifest, at.Pos.Line, field, excerpt.Quote(at.Str), err)
		}
		tree, err := Parse(p, data)
		if err != nil {
			return nil, err
		}
		m.Files[key] = p
		return tree, nil
	}
	switch v.Kind {
	case KindString:
		return load(v, field)
	case KindList:
		out := &Node{Kind: KindMap, Fields: map[string]*Node{}, Pos: v.Pos}
		for i, it := range v.Items {
			if it.Kind != KindString || it.Str == "" {
				return nil, fmt.Errorf("%s:%d: %s must be a map of training settings, a path, or a list of paths, not %s", manifest, it.Pos.Line, field, excerpt.Of(it.Text()))
			}
			if _, dup := out.Fields[it.Str]; dup {
				return nil, fmt.Errorf("%s:%d: %s lists %s twice", manifest, it.Pos.Line, field, excerpt.Quote(it.Str))
			}
			tree, err := load(it, fmt.Sprintf("%s[%d]", field, i))
			if err != nil {
				return nil, err
			}
			out.Keys = append(out.Keys, it.Str)
			out.Fields[it.Str] = tree
		}
		return out, nil
	}
	return v, nil
}
