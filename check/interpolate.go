package check

import (
	"regexp"
	"strings"
	"sync"
)

// Interpolations: llm-foundry, Hydra and OmegaConf configurations refer to
// other values as ${path.to.value}. What counts is the value a reference
// resolves to: moving the variables under a new parent and following them
// with ${variables.max_seq_len} changes nothing, and changing a variable
// changes every key that refers to it. interpolate resolves whole-string
// references within each top-level section of the manifest (each parsed
// file) before the trees are diffed; the resolved value keeps the position
// of the reference.

// refRE matches a value that is one reference, ${a.b.c}; resolvers such as
// ${oc.env:HOME} and relative references (${.x}) are left as written.
var refRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^\$\{([A-Za-z_][A-Za-z0-9_\-]*(?:\.[A-Za-z0-9_\-]+)*)\}$`)
})

// maxRefDepth bounds chains of references (a -> b -> c).
const maxRefDepth = 16

// interpolate returns root with every resolvable reference replaced by its
// value, or root itself when it holds none.
func interpolate(root *Node) *Node {
	if root == nil || root.Kind != KindMap || !hasRef(root, 0) {
		return root
	}
	out := &Node{Kind: KindMap, Pos: root.Pos, Keys: root.Keys, Fields: make(map[string]*Node, len(root.Keys))}
	for _, k := range root.Keys {
		section := root.Fields[k]
		out.Fields[k] = resolveRefs(section, section, 0)
	}
	return out
}

func hasRef(n *Node, depth int) bool {
	if n == nil || depth > maxDepth {
		return false
	}
	switch n.Kind {
	case KindString:
		return strings.HasPrefix(n.Str, "${") && refRE().MatchString(n.Str)
	case KindList:
		for _, it := range n.Items {
			if hasRef(it, depth+1) {
				return true
			}
		}
	case KindMap:
		for _, k := range n.Keys {
			if hasRef(n.Fields[k], depth+1) {
				return true
			}
		}
	}
	return false
}

// resolveRefs copies n, resolving references against file.
func resolveRefs(file, n *Node, depth int) *Node {
	if n == nil || depth > maxDepth {
		return n
	}
	switch n.Kind {
	case KindString:
		if v := lookupRef(file, n.Str, 0); v != nil {
			c := *v
			c.Pos = n.Pos
			return &c
		}
	case KindList:
		c := *n
		c.Items = make([]*Node, len(n.Items))
		for i, it := range n.Items {
			c.Items[i] = resolveRefs(file, it, depth+1)
		}
		return &c
	case KindMap:
		c := *n
		c.Fields = make(map[string]*Node, len(n.Keys))
		for _, k := range n.Keys {
			c.Fields[k] = resolveRefs(file, n.Fields[k], depth+1)
		}
		return &c
	}
	return n
}

// lookupRef returns the value a reference string resolves to in file, or
// nil when s is not a reference or does not resolve to a scalar.
func lookupRef(file *Node, s string, depth int) *Node {
	m := refRE().FindStringSubmatch(s)
	if m == nil || depth > maxRefDepth {
		return nil
	}
	n := file
	for _, part := range strings.Split(m[1], ".") {
		if n = n.Get(part); n == nil {
			return nil
		}
	}
	switch n.Kind {
	case KindMap, KindList:
		return nil
	case KindString:
		if refRE().MatchString(n.Str) {
			return lookupRef(file, n.Str, depth+1)
		}
	}
	return n
}
