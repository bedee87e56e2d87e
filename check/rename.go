package check

import "strings"

// Renames are not changes (DESIGN §2.1): a key whose concept and value are
// unchanged but whose spelling or place changed is one key-renamed finding,
// never a removal plus an addition. pairRenames finds them among the
// changes of a tree diff.

// renameLeaf is one key added or removed, possibly inside a map that was
// added or removed as a whole.
type renameLeaf struct {
	path   Path
	node   *Node
	orig   int // index of the change it comes from
	id     string
	parent string // the normalised parent path
	// parts are the named parts of the network on the path (encoder,
	// vision_cfg): a key moved from one part into another is not a rename.
	parts  string
	paired int // index of the leaf it is paired with, or -1
	// restated: the pair says the same thing in another form (a flag
	// rms-norm: true that became norm: rmsnorm); with paired -1 the leaf
	// restates the map that moved from or to other, a choice key.
	restated bool
	other    Path
}

// maxRenameLeaves bounds the leaves considered; beyond it a change is
// reported key by key, as git reports a rename too large to detect.
const maxRenameLeaves = 1 << 16

// pairRenames replaces each removed key whose concept reappears elsewhere
// in the same manifest section with the same value by one change of Kind
// Changed with From set to the old path and Path to the new one. A map
// added or removed as a whole is looked into: when some of its keys pair,
// the rest are reported key by key. When a concept is removed once and
// added once with another value, the two become one change of its value
// (From set, Old and New differ), classified like any change of that key.
func pairRenames(changes []Change) []Change {
	var removed, added []renameLeaf
	for i, c := range changes {
		switch c.Kind {
		case Removed:
			removed = collectLeaves(removed, c.Path, c.Old, i)
		case Added:
			added = collectLeaves(added, c.Path, c.New, i)
		}
		if len(removed)+len(added) > maxRenameLeaves {
			return changes
		}
	}
	if len(removed) == 0 || len(added) == 0 {
		return changes
	}
	byID := map[string][]int{}
	for ai, a := range added {
		byID[a.id] = append(byID[a.id], ai)
	}
	// Same concept, same value: a rename. Prefer the same parent, then the
	// longest common tail of the path, then file order.
	for ri := range removed {
		r := &removed[ri]
		best, bestScore := -1, -1
		for _, ai := range byID[r.id] {
			a := &added[ai]
			if a.paired >= 0 || !samePlace(a, r) || !Equal(a.node, r.node) {
				continue
			}
			if score := commonTail(a, r); score > bestScore {
				best, bestScore = ai, score
			}
		}
		if best >= 0 {
			r.paired, added[best].paired = best, ri
		}
	}
	// Same concept, removed once and added once with another value: one
	// change of that concept.
	unpaired := map[string]int{}
	for _, r := range removed {
		if r.paired < 0 {
			unpaired[r.id]++
		}
	}
	for ri := range removed {
		r := &removed[ri]
		if r.paired >= 0 || r.node.Kind == KindMap {
			continue
		}
		match := -1
		for _, ai := range byID[r.id] {
			a := &added[ai]
			if a.paired >= 0 || !samePlace(a, r) || a.node.Kind == KindMap {
				continue
			}
			if match >= 0 {
				match = -2
				break
			}
			match = ai
		}
		if match >= 0 && unpaired[r.id] == 1 {
			r.paired, added[match].paired = match, ri
		}
	}
	pairRestated(removed, added)
	pairedFrom := map[int]bool{}
	for _, l := range removed {
		if l.paired >= 0 || l.restated {
			pairedFrom[l.orig] = true
		}
	}
	for _, l := range added {
		if l.paired >= 0 || l.restated {
			pairedFrom[l.orig] = true
		}
	}
	if len(pairedFrom) == 0 {
		return changes
	}
	var out []Change
	for i, c := range changes {
		if !pairedFrom[i] {
			out = append(out, c)
			continue
		}
		switch c.Kind {
		case Added:
			for _, a := range added {
				if a.orig != i {
					continue
				}
				if a.paired < 0 && a.restated {
					out = append(out, Change{Kind: Changed, Path: a.path, Old: a.node, New: a.node, At: a.node.Pos, From: a.other, restated: true})
					continue
				}
				if a.paired < 0 {
					out = append(out, Change{Kind: Added, Path: a.path, New: a.node, At: a.node.Pos})
					continue
				}
				r := removed[a.paired]
				out = append(out, Change{Kind: Changed, Path: a.path, Old: r.node, New: a.node, At: a.node.Pos, From: r.path,
					restated: a.restated || r.restated})
			}
		case Removed:
			for _, r := range removed {
				if r.orig == i && r.paired < 0 && r.restated {
					out = append(out, Change{Kind: Changed, Path: r.other, Old: r.node, New: r.node, At: c.At, From: r.path, restated: true})
				} else if r.orig == i && r.paired < 0 {
					out = append(out, Change{Kind: Removed, Path: r.path, Old: r.node, At: c.At})
				}
			}
		}
	}
	return out
}

// collectLeaves appends the keys of an added or removed value: the value
// itself when its path ends in a map key, and the keys inside it when it is
// a map.
func collectLeaves(out []renameLeaf, p Path, n *Node, orig int) []renameLeaf {
	if len(p) < 2 || n == nil {
		return out
	}
	last := p[len(p)-1]
	if last.Keyed || last.Key == "" {
		return out
	}
	if n.Kind == KindMap && len(n.Keys) > 0 {
		for _, k := range n.Keys {
			out = collectLeaves(out, append(clonePath(p), Step{Key: k}), n.Fields[k], orig)
			if len(out) > maxRenameLeaves {
				return out
			}
		}
		return out
	}
	return append(out, renameLeaf{path: clonePath(p), node: n, orig: orig, id: identity(last.Key), parent: normParent(p),
		parts: networkParts(p), paired: -1})
}

// samePlace reports whether two leaves can be one key renamed or moved:
// the same concept in the same manifest section and the same part of the
// network.
func samePlace(a, b *renameLeaf) bool {
	return a.id == b.id && a.path[0] == b.path[0] && a.parts == b.parts && nested(a.path, b.path)
}

// nested reports whether one leaf's parents are the other's with wrappers
// added or dropped (d_model -> model.d_model, model.gpt2.hidden_dim ->
// model.hidden_dim): the parents of one, normalised, are a subsequence of
// the other's, leaving out the containers that only hold a model (model ->
// model_config). A key that moved from one block into a sibling block
// (stage1.channels -> stage2.channels) is not a rename.
func nested(a, b Path) bool {
	pa, pb := uncontained(a[1:len(a)-1]), uncontained(b[1:len(b)-1])
	if len(pa) > len(pb) {
		pa, pb = pb, pa
	}
	j := 0
	for _, s := range pb {
		if j < len(pa) && normKey(pa[j].Key) == normKey(s.Key) && pa[j].Keyed == s.Keyed && pa[j].Index == s.Index {
			j++
		}
	}
	return j == len(pa)
}

// networkParts lists the architecture sections on a path that name a part
// of the network (encoder, text_cfg, backbone), leaving out the containers
// that only hold a model (model, model_config, architecture).
func networkParts(p Path) string {
	var b []byte
	for _, s := range p[1 : len(p)-1] {
		k := normKey(s.Key)
		if class, ok := sections()[k]; ok && class == classUnknown && !containers[k] {
			b = append(b, '/')
			b = append(b, k...)
		}
	}
	return string(b)
}

// containers are architecture sections that hold a whole model.
var containers = map[string]bool{"model": true, "model_config": true, "model_args": true, "modelargs": true,
	"architecture": true, "arch": true, "network": true, "net": true, "model_kwargs": true}

// normParent returns the normalised spelling of a path without its last
// step.
func normParent(p Path) string {
	var b []byte
	for _, s := range p[:len(p)-1] {
		b = append(b, '/')
		b = append(b, normKey(s.Key)...)
	}
	return string(b)
}

// commonTail scores how alike two leaves' places are: the same normalised
// parent scores highest, else the number of equal normalised steps from the
// end.
func commonTail(a, b *renameLeaf) int {
	if a.parent == b.parent {
		return 1 << 20
	}
	n := 0
	for i, j := len(a.path)-2, len(b.path)-2; i >= 0 && j >= 0; i, j = i-1, j-1 {
		if normKey(a.path[i].Key) != normKey(b.path[j].Key) {
			break
		}
		n++
	}
	return n
}

// expandUnknown looks into a map added to or removed from the architecture
// whose own key nothing classifies (a Detectron2 RPN block added with two
// loss settings): when some keys inside it are known, each key becomes its
// own change, so the known ones are judged by what they are. A block of
// unknown keys stays one change.
func expandUnknown(changes []Change, tc *treeContext) []Change {
	var out []Change
	for _, c := range changes {
		v := c.New
		if c.Kind == Removed {
			v = c.Old
		}
		if c.Kind == Changed || len(c.Path) < 2 || c.Path[0].Key != "architecture" || v == nil || v.Kind != KindMap || len(v.Keys) == 0 {
			out = append(out, c)
			continue
		}
		keys := c.Path[1:].keys()
		if len(keys) == 0 || hfTableClass(keys[0]) != classUnknown || classifyKeys(keys, &keyContext{Change: &c, tree: tc}, true).class != classUnknown {
			out = append(out, c)
			continue
		}
		leaves := collectLeaves(nil, c.Path, v, 0)
		known := false
		for _, l := range leaves {
			lc := Change{Kind: c.Kind, Path: l.path}
			if classifyKeys(l.path[1:].keys(), &keyContext{Change: &lc, tree: tc}, true).class != classUnknown {
				known = true
				break
			}
		}
		if !known || len(leaves) > maxRenameLeaves {
			out = append(out, c)
			continue
		}
		for _, l := range leaves {
			if c.Kind == Added {
				out = append(out, Change{Kind: Added, Path: l.path, New: l.node, At: l.node.Pos})
			} else {
				out = append(out, Change{Kind: Removed, Path: l.path, Old: l.node, At: c.At})
			}
		}
	}
	return out
}

// pairRestated pairs the leaves left over that restate a setting in another
// form, in the same parent and the same part of the network:
//
//   - a spelling fix: the same value under a key one or two letters apart
//     (expandeable_segments -> expandable_segments), for keys the
//     vocabulary does not know;
//   - a flag that became a choice: rms-norm: true -> norm: rmsnorm;
//   - a choice that became a key (draccus, Hydra): model.gpt2: {...} ->
//     model.type: gpt2 next to the keys moved out of model.gpt2, and back.
func pairRestated(removed, added []renameLeaf) {
	pair := func(ri, ai int) {
		removed[ri].paired, added[ai].paired = ai, ri
		removed[ri].restated, added[ai].restated = true, true
	}
	byParent := map[string][]int{}
	for ai, a := range added {
		if a.paired < 0 {
			byParent[a.parent] = append(byParent[a.parent], ai)
		}
	}
	for ri := range removed {
		r := &removed[ri]
		for _, ai := range byParent[r.parent] {
			a := &added[ai]
			if r.paired >= 0 || a.paired >= 0 || a.path[0] != r.path[0] || a.parts != r.parts {
				continue
			}
			rk, ak := normKey(r.path[len(r.path)-1].Key), normKey(a.path[len(a.path)-1].Key)
			switch {
			case Equal(a.node, r.node) && !strings.HasPrefix(r.id, "concept:") && !strings.HasPrefix(a.id, "concept:") && typo(rk, ak):
				pair(ri, ai)
			case flagToChoice(r.node, rk, a.node), flagToChoice(a.node, ak, r.node):
				pair(ri, ai)
			}
		}
	}
	// A choice that became a key: the value names a map that was moved.
	// moved maps a key that is on the paths of paired leaves on one side
	// but not on their partners' to the path up to it.
	moved := func(leaves, partners []renameLeaf) map[string]Path {
		m := map[string]Path{}
		for _, l := range leaves {
			if l.paired < 0 {
				continue
			}
			for i, st := range l.path {
				if _, seen := m[st.Key]; !seen && !st.Keyed && st.Key != "" && stepIndex(partners[l.paired].path, st.Key) < 0 {
					m[st.Key] = clonePath(l.path[:i+1])
				}
			}
		}
		return m
	}
	choice := func(leaves []renameLeaf, from map[string]Path) {
		for i := range leaves {
			l := &leaves[i]
			if l.paired >= 0 || l.node.Kind != KindString || l.node.Str == "" {
				continue
			}
			if p, ok := from[l.node.Str]; ok && p[0] == l.path[0] {
				l.restated, l.other = true, p
			}
		}
	}
	choice(added, moved(removed, added))
	choice(removed, moved(added, removed))
}

// flagToChoice reports whether a flag set to true names the value of the
// choice that replaced it: rms-norm: true and norm: rmsnorm.
func flagToChoice(flag *Node, key string, choice *Node) bool {
	return flag.Kind == KindBool && flag.Bool && choice.Kind == KindString &&
		strings.ReplaceAll(key, "_", "") == strings.ReplaceAll(normKey(choice.Str), "_", "")
}

// stepIndex returns the index of the map key k on a path, or -1.
func stepIndex(p Path, k string) int {
	for i, s := range p {
		if !s.Keyed && s.Key == k {
			return i
		}
	}
	return -1
}

// typo reports whether two keys of at least six letters, without digits,
// are one or two edits apart (insertion, deletion, substitution).
func typo(a, b string) bool {
	if len(a) < 6 || len(b) < 6 || strings.ContainsAny(a+b, "0123456789") {
		return false
	}
	if d := len(a) - len(b); d > 2 || d < -2 {
		return false
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)] <= 2
}

// uncontained returns the steps that are not model containers.
func uncontained(p Path) Path {
	var out Path
	for _, s := range p {
		if s.Keyed || s.Key == "" || !containers[normKey(s.Key)] {
			out = append(out, s)
		}
	}
	return out
}
