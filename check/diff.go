package check

import (
	"fmt"
	"strings"
)

// ChangeKind says whether a value was added, removed or changed.
type ChangeKind int

// The change kinds.
const (
	Changed ChangeKind = iota
	Added
	Removed
)

func (k ChangeKind) String() string {
	return [...]string{"changed", "added", "removed"}[k]
}

// Step is one element of a path into a tree: a map key, a list element
// matched by its name or id, or a list index.
type Step struct {
	Key   string // map key, or the name/id of a keyed list element
	Index int    // list index when Keyed is false and Key is empty
	Keyed bool   // Key names a list element by its name or id
}

// Path is a location in a tree, printed like architecture.tiers[core].experts.
type Path []Step

func (p Path) String() string {
	var b strings.Builder
	for i, s := range p {
		switch {
		case s.Keyed:
			fmt.Fprintf(&b, "[%s]", s.Key)
		case s.Key == "" && i > 0:
			fmt.Fprintf(&b, "[%d]", s.Index)
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.Key)
		}
	}
	return b.String()
}

// keys returns the map keys along the path, last first.
func (p Path) keys() []string {
	var out []string
	for i := len(p) - 1; i >= 0; i-- {
		if p[i].Key != "" && !p[i].Keyed {
			out = append(out, p[i].Key)
		}
	}
	return out
}

// Change is one difference between two trees.
type Change struct {
	Kind     ChangeKind
	Path     Path
	Old, New *Node
	// At is where the change shows in the head revision: the new value, or
	// for a removal the nearest surviving parent.
	At Pos
	// From is the old path of a key that was renamed or moved (Path is the
	// new one); nil otherwise.
	From Path
	// restated: a renamed key whose value says the same in another form.
	restated bool
}

// Diff compares two trees and returns their differences in a stable order.
// Lists whose elements all carry a unique name or id are matched by it, so
// inserting an element is one addition rather than a cascade of changes.
func Diff(old, new *Node) []Change {
	var out []Change
	diffNode(&out, nil, old, new, new.Pos)
	return out
}

func diffNode(out *[]Change, p Path, a, b *Node, parent Pos) {
	switch {
	case a == nil && b == nil:
		return
	case a == nil:
		*out = append(*out, Change{Kind: Added, Path: clonePath(p), New: b, At: b.Pos})
		return
	case b == nil:
		*out = append(*out, Change{Kind: Removed, Path: clonePath(p), Old: a, At: parent})
		return
	}
	if a.Kind == KindMap && b.Kind == KindMap {
		for _, k := range b.Keys {
			diffNode(out, append(p, Step{Key: k}), a.Fields[k], b.Fields[k], b.Pos)
		}
		for _, k := range a.Keys {
			if _, ok := b.Fields[k]; !ok {
				diffNode(out, append(p, Step{Key: k}), a.Fields[k], nil, b.Pos)
			}
		}
		return
	}
	if a.Kind == KindList && b.Kind == KindList {
		ka, kb := listKey(a), listKey(b)
		if len(a.Items) == 0 {
			ka = kb
		}
		if len(b.Items) == 0 {
			kb = ka
		}
		if ka != "" && ka == kb {
			byKey := map[string]*Node{}
			for _, it := range a.Items {
				byKey[it.Get(ka).Text()] = it
			}
			seen := map[string]bool{}
			for _, it := range b.Items {
				k := it.Get(ka).Text()
				seen[k] = true
				diffNode(out, append(p, Step{Key: k, Keyed: true}), byKey[k], it, b.Pos)
			}
			for _, it := range a.Items {
				if k := it.Get(ka).Text(); !seen[k] {
					diffNode(out, append(p, Step{Key: k, Keyed: true}), it, nil, b.Pos)
				}
			}
			return
		}
		if len(a.Items) == len(b.Items) && hasContainers(a) && hasContainers(b) {
			for i := range a.Items {
				diffNode(out, append(p, Step{Index: i}), a.Items[i], b.Items[i], b.Pos)
			}
			return
		}
	}
	if !Equal(a, b) {
		*out = append(*out, Change{Kind: Changed, Path: clonePath(p), Old: a, New: b, At: b.Pos})
	}
}

// listKey returns "name" or "id" when every element of the list is a map
// with a unique scalar value under that key, else "".
func listKey(n *Node) string {
	if len(n.Items) == 0 {
		return ""
	}
	for _, key := range []string{"name", "id"} {
		seen := map[string]bool{}
		ok := true
		for _, it := range n.Items {
			v := it.Get(key)
			if v == nil || v.Kind == KindMap || v.Kind == KindList || v.Kind == KindNull || seen[v.Text()] {
				ok = false
				break
			}
			seen[v.Text()] = true
		}
		if ok {
			return key
		}
	}
	return ""
}

func hasContainers(n *Node) bool {
	for _, it := range n.Items {
		if it.Kind == KindMap || it.Kind == KindList {
			return true
		}
	}
	return false
}

func clonePath(p Path) Path { return append(Path(nil), p...) }
