package tensors

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Group is a set of tensor changes of one kind whose names share a
// pattern: the same words, with numbers (and, after merging, words) varying
// at some positions.
type Group struct {
	Kind Kind
	// Names are the members' names, in the order of the changes.
	Names []string
	// First is the member that came first.
	First Change
	// Old and New are the signatures shared by every member, when Uniform.
	Old, New *Tensor
	Uniform  bool

	comps []patternComp
	order int

	// For mergeGroups: the IDs of the components, of every prefix
	// (pre[j]: comps[:j]) and suffix (suf[j]: comps[j:]), of a reshaped
	// group's signatures; gone once merged into another group.
	ids, pre, suf []uint32
	sig           uint32
	gone          bool
}

// patternComp is one dot-separated component of a pattern: a literal word,
// a set of numbers, or alternative words.
type patternComp struct {
	word string
	nums map[int64]bool
	alts []string
}

// key identifies the component for merging: its word, numbers or words.
func (c patternComp) key() string {
	switch {
	case c.nums != nil:
		nums := make([]int64, 0, len(c.nums))
		for n := range c.nums {
			nums = append(nums, n)
		}
		slices.Sort(nums)
		var b strings.Builder
		b.WriteByte('#')
		for _, n := range nums {
			b.WriteString(strconv.FormatInt(n, 10))
			b.WriteByte(' ')
		}
		return b.String()
	case c.alts != nil:
		var b strings.Builder
		b.WriteByte('|')
		for _, a := range c.alts {
			b.WriteString(strconv.Itoa(len(a)))
			b.WriteByte(':')
			b.WriteString(a)
		}
		return b.String()
	}
	return "=" + c.word
}

// numeric reports whether a name component is a plain number (no sign, no
// leading zero), which varies across layers or experts.
func numeric(s string) (int64, bool) {
	if s == "" || len(s) > 1 && s[0] == '0' || len(s) > 12 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func sigText(t *Tensor) string {
	if t == nil {
		return ""
	}
	return t.Text()
}

// GroupChanges groups tensor changes by pattern: names that differ only in
// numeric components form one group (the numbers become sets), then groups
// that differ in one word and share everything else merge into an
// alternation. Reshaped tensors group only with the same old and new
// signatures. Groups come in the order of their first member.
func GroupChanges(changes []Change) []*Group {
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
	groups = mergeGroups(groups)
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].order < groups[j].order })
	return groups
}

// maxAlternatives bounds the words of one alternation, so that unrelated
// names are not strung together into one unreadable pattern.
const maxAlternatives = 8

// alternatives returns how many words the component at pos stands for.
func (t *Group) alternatives(pos int) int {
	if a := t.comps[pos].alts; a != nil {
		return len(a)
	}
	return 1
}

// absorb merges g, which differs from t only in the word at pos, into t.
func (t *Group) absorb(g *Group, pos int) {
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

// Pattern renders the group's names as one pattern, e.g.
// model.layers.{0..39}.mlp.experts.{128..179}.{gate,up,down}_proj.weight,
// and reports whether every name the pattern spans is in the group.
func (t *Group) Pattern() (string, bool) {
	if len(t.Names) == 1 {
		return t.Names[0], true
	}
	parts := make([]string, len(t.comps))
	span := 1
	for i, c := range t.comps {
		switch {
		case c.nums != nil:
			s, n := renderNums(c.nums)
			parts[i] = s
			span = mulCap(span, n)
		case c.alts != nil:
			parts[i] = renderAlts(c.alts)
			span = mulCap(span, len(c.alts))
		default:
			parts[i] = c.word
		}
	}
	return strings.Join(parts, "."), span == len(t.Names)
}

// Span returns how many names the pattern denotes.
func (t *Group) Span() int {
	span := 1
	for _, c := range t.comps {
		switch {
		case c.nums != nil:
			_, n := renderNums(c.nums)
			span = mulCap(span, n)
		case c.alts != nil:
			span = mulCap(span, len(c.alts))
		}
	}
	return span
}

func mulCap(a, b int) int {
	if a > 1<<40/max(b, 1) {
		return 1 << 40
	}
	return a * b
}

// renderNums renders a set of numbers as ranges, e.g. 5, {0..39} or
// {0..3,7,9..12}, and returns how many numbers the text denotes. Sets of
// many scattered runs are written as their whole range.
func renderNums(set map[int64]bool) (string, int) {
	nums := make([]int64, 0, len(set))
	for n := range set {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	if len(nums) == 1 {
		return strconv.FormatInt(nums[0], 10), 1
	}
	var runs [][2]int64
	for _, n := range nums {
		if len(runs) > 0 && runs[len(runs)-1][1]+1 == n {
			runs[len(runs)-1][1] = n
			continue
		}
		runs = append(runs, [2]int64{n, n})
	}
	if len(runs) > 6 {
		lo, hi := nums[0], nums[len(nums)-1]
		return fmt.Sprintf("{%d..%d}", lo, hi), int(hi - lo + 1)
	}
	parts := make([]string, len(runs))
	for i, r := range runs {
		switch {
		case r[0] == r[1]:
			parts[i] = strconv.FormatInt(r[0], 10)
		case r[0]+1 == r[1]:
			parts[i] = fmt.Sprintf("%d,%d", r[0], r[1])
		default:
			parts[i] = fmt.Sprintf("%d..%d", r[0], r[1])
		}
	}
	return "{" + strings.Join(parts, ",") + "}", len(nums)
}

// renderAlts renders alternative words, factoring out a common prefix or
// suffix that ends or starts at a '_' or '-': {gate,up,down}_proj.
func renderAlts(alts []string) string {
	prefix, suffix := alts[0], alts[0]
	for _, a := range alts[1:] {
		n := 0
		for n < len(prefix) && n < len(a) && a[n] == prefix[n] {
			n++
		}
		prefix = prefix[:n]
		n = 0
		for n < len(suffix) && n < len(a) && a[len(a)-1-n] == suffix[len(suffix)-1-n] {
			n++
		}
		suffix = suffix[len(suffix)-n:]
	}
	if i := strings.LastIndexAny(prefix, "_-"); i >= 0 {
		prefix = prefix[:i+1]
	} else {
		prefix = ""
	}
	if i := strings.IndexAny(suffix, "_-"); i >= 0 {
		suffix = suffix[i:]
	} else {
		suffix = ""
	}
	shortest := len(alts[0])
	for _, a := range alts {
		shortest = min(shortest, len(a))
	}
	if len(prefix)+len(suffix) >= shortest {
		prefix, suffix = "", ""
	}
	mid := make([]string, len(alts))
	for i, a := range alts {
		mid[i] = a[len(prefix) : len(a)-len(suffix)]
	}
	return prefix + "{" + strings.Join(mid, ",") + "}" + suffix
}

// mergeGroups merges groups that differ in one word component and share
// everything else (and, when reshaped, their signatures), position by
// position, until nothing merges; merged groups are dropped, the rest keep
// their order.
//
// Comparing groups with one position left out would cost the length of the
// pattern at every position, quadratic in the length of the names. Instead
// every component gets an ID, and every prefix and suffix of a group's
// components an ID in two tries (an ID and the next component give the ID
// of the longer prefix), so that the key of a group with position pos left
// out is its length, the ID of comps[:pos] and that of comps[pos+1:]: a
// pass costs time linear in the total length of the patterns.
func mergeGroups(groups []*Group) []*Group {
	m := &merger{comps: map[string]uint32{}, sigs: map[string]uint32{}}
	for _, g := range groups {
		g.ids = make([]uint32, len(g.comps))
		for j := range g.comps {
			g.ids[j] = m.comp(&g.comps[j])
		}
		if g.Kind == Reshaped {
			k := sigText(g.Old) + "\x00" + sigText(g.New)
			if g.sig = m.sigs[k]; g.sig == 0 {
				g.sig = uint32(len(m.sigs) + 1)
				m.sigs[k] = g.sig
			}
		}
	}
	type key struct {
		n             int
		pre, suf, sig uint32
	}
	for merged := true; merged; {
		merged = false
		m.prefixes, m.suffixes = map[[2]uint32]uint32{}, map[[2]uint32]uint32{}
		var byPos [][]*Group // the groups with a word at each position, in order
		for _, g := range groups {
			g.pre, g.suf = make([]uint32, len(g.comps)+1), make([]uint32, len(g.comps)+1)
			m.index(g, 0)
			for len(byPos) < len(g.comps) {
				byPos = append(byPos, nil)
			}
			for j, c := range g.comps {
				if c.nums == nil {
					byPos[j] = append(byPos[j], g)
				}
			}
		}
		for pos, members := range byPos {
			into := map[key]*Group{}
			for _, g := range members {
				if g.gone {
					continue
				}
				k := key{len(g.comps), g.pre[pos], g.suf[pos+1], g.sig}
				t := into[k]
				if t == nil || t.alternatives(pos)+g.alternatives(pos) > maxAlternatives {
					into[k] = g
					continue
				}
				t.absorb(g, pos)
				g.gone = true
				t.ids[pos] = m.comp(&t.comps[pos])
				m.index(t, pos)
				merged = true
			}
		}
		kept := groups[:0]
		for _, g := range groups {
			if !g.gone {
				kept = append(kept, g)
			}
		}
		groups = kept
	}
	for _, g := range groups {
		g.ids, g.pre, g.suf = nil, nil, nil
	}
	return groups
}

// merger holds the IDs of mergeGroups: of component keys, of reshaped
// signature pairs, and the tries of prefixes and suffixes (ID 0 is the empty
// one).
type merger struct {
	comps, sigs        map[string]uint32
	prefixes, suffixes map[[2]uint32]uint32
}

// comp returns the ID of a component.
func (m *merger) comp(c *patternComp) uint32 {
	k := c.key()
	id, ok := m.comps[k]
	if !ok {
		id = uint32(len(m.comps) + 1)
		m.comps[k] = id
	}
	return id
}

// index computes the IDs of g's prefixes that end after position from and
// of its suffixes that start at or before it: those a new component at from
// changes, and all of them for from 0.
func (m *merger) index(g *Group, from int) {
	n := len(g.comps)
	for j := from; j < n; j++ {
		g.pre[j+1] = node(m.prefixes, g.pre[j], g.ids[j])
	}
	start := from
	if from == 0 {
		start = n - 1
	}
	for j := start; j >= 0; j-- {
		g.suf[j] = node(m.suffixes, g.suf[j+1], g.ids[j])
	}
}

// node returns the ID of the trie node under parent by the edge comp.
func node(trie map[[2]uint32]uint32, parent, comp uint32) uint32 {
	k := [2]uint32{parent, comp}
	id, ok := trie[k]
	if !ok {
		id = uint32(len(trie) + 1)
		trie[k] = id
	}
	return id
}
