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
}

// patternComp is one dot-separated component of a pattern: a literal word,
// a set of numbers, or alternative words.
type patternComp struct {
	word string
	nums map[int64]bool
	alts []string
}

func (c patternComp) key() string {
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
	// Merge groups that differ in one word component, position by position,
	// until nothing merges.
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
						k.WriteString(c.key())
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
				into.absorb(g, pos)
				merged = true
			}
			groups = kept
		}
	}
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
		for !strings.HasPrefix(a, prefix) {
			prefix = prefix[:len(prefix)-1]
		}
		for !strings.HasSuffix(a, suffix) {
			suffix = suffix[1:]
		}
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
