package tensors

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// groupChangesReference is the grouping of earlier versions, kept verbatim
// as the oracle of TestGroupChangesSameAsReference: it rebuilt the key of
// every group at every position, quadratic in the length of the names.
func groupChangesReference(changes []Change) []*Group {
	byKey := map[string]*Group{}
	var groups []*Group
	for i, c := range changes {
		parts := strings.Split(c.Name, ".")
		var skel strings.Builder
		for _, p := range parts {
			if _, ok := numeric(p); ok {
				skel.WriteString("#.")
			} else {
				skel.WriteString(p)
				skel.WriteByte('.')
			}
		}
		if c.Kind == Reshaped {
			skel.WriteString("\x00" + sigText(c.Old) + "\x00" + sigText(c.New))
		}
		g := byKey[skel.String()]
		if g == nil {
			g = &Group{Kind: c.Kind, First: c, order: i, Uniform: true, Old: c.Old, New: c.New}
			g.comps = make([]patternComp, len(parts))
			for j, p := range parts {
				if _, ok := numeric(p); ok {
					g.comps[j].nums = map[int64]bool{}
				} else {
					g.comps[j].word = p
				}
			}
			byKey[skel.String()] = g
			groups = append(groups, g)
		}
		for j, p := range parts {
			if g.comps[j].nums != nil {
				n, _ := numeric(p)
				g.comps[j].nums[n] = true
			}
		}
		g.Names = append(g.Names, c.Name)
		if g.Uniform && (sigText(g.Old) != sigText(c.Old) || sigText(g.New) != sigText(c.New)) {
			g.Uniform = false
		}
	}
	for merged := true; merged; {
		merged = false
		maxLen := 0
		for _, g := range groups {
			maxLen = max(maxLen, len(g.comps))
		}
		for pos := 0; pos < maxLen; pos++ {
			byKey := map[string]*Group{}
			var kept []*Group
			for _, g := range groups {
				if pos >= len(g.comps) || g.comps[pos].nums != nil {
					kept = append(kept, g)
					continue
				}
				var k strings.Builder
				fmt.Fprintf(&k, "%d\x00", len(g.comps))
				for j, c := range g.comps {
					if j == pos {
						k.WriteString("*")
					} else {
						k.WriteString(referenceKey(c))
					}
					k.WriteByte('\x00')
				}
				if g.Kind == Reshaped {
					k.WriteString(sigText(g.Old) + "\x00" + sigText(g.New))
				}
				into := byKey[k.String()]
				if into == nil || into.alternatives(pos)+g.alternatives(pos) > maxAlternatives {
					byKey[k.String()] = g
					kept = append(kept, g)
					continue
				}
				referenceAbsorb(into, g, pos)
				merged = true
			}
			groups = kept
		}
	}
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].order < groups[j].order })
	return groups
}

func referenceKey(c patternComp) string {
	switch {
	case c.nums != nil:
		nums := make([]int64, 0, len(c.nums))
		for n := range c.nums {
			nums = append(nums, n)
		}
		slices.Sort(nums)
		return "#" + fmt.Sprint(nums)
	case c.alts != nil:
		return "|" + strings.Join(c.alts, "|")
	}
	return "=" + c.word
}

func referenceAbsorb(t, g *Group, pos int) {
	c := &t.comps[pos]
	if c.alts == nil {
		c.alts = []string{c.word}
	}
	add := g.comps[pos].alts
	if add == nil {
		add = []string{g.comps[pos].word}
	}
	for _, a := range add {
		if !slices.Contains(c.alts, a) {
			c.alts = append(c.alts, a)
		}
	}
	t.Names = append(t.Names, g.Names...)
	if g.order < t.order {
		t.order, t.First = g.order, g.First
	}
	if !g.Uniform || sigText(g.Old) != sigText(t.Old) || sigText(g.New) != sigText(t.New) {
		t.Uniform = false
	}
}
