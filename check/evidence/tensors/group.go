package check

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// ClassifyOptions change how findings are reported.
type ClassifyOptions struct {
	// AllTensors reports one finding per tensor instead of one per pattern
	// group (modelgate check --all-tensors).
	AllTensors bool
}

// maxTensorGroups bounds the tensor groups listed one by one for each rule;
// the rest are summed up in one finding.
const maxTensorGroups = 100

// tensorChange is one tensor that differs between two signatures.
type tensorChange struct {
	rule     string
	name     string
	old, new *Tensor
}

// diffTensors compares two tensor signatures by name: added, removed, and
// reshaped (shape or dtype changed where both sides know them). A tensor
// that only moved between shard files is unchanged. Names are matched in
// file order where the two lists agree, by lookup where they do not.
func diffTensors(base, head *TensorSet) []tensorChange {
	var out []tensorChange
	matched := make([]bool, len(base.Names))
	j := 0
	for i, name := range head.Names {
		k := j
		if j >= len(base.Names) || base.Names[j] != name {
			var ok bool
			if k, ok = base.find(name); !ok {
				out = append(out, tensorChange{rule: "tensor-added", name: name, new: &head.Sigs[i]})
				continue
			}
		}
		matched[k], j = true, k+1
		ot, nt := &base.Sigs[k], &head.Sigs[i]
		if ot.Shape != nil && nt.Shape != nil && !slices.Equal(ot.Shape, nt.Shape) || ot.DType != "" && nt.DType != "" && ot.DType != nt.DType {
			out = append(out, tensorChange{rule: "tensor-reshaped", name: name, old: ot, new: nt})
		}
	}
	for k, name := range base.Names {
		if !matched[k] {
			out = append(out, tensorChange{rule: "tensor-removed", name: name, old: &base.Sigs[k]})
		}
	}
	return out
}

// tensorFindings classifies the tensor changes between two signatures,
// grouped by pattern unless opts.AllTensors.
func tensorFindings(cfg *Config, base, head *TensorSet, opts ClassifyOptions) []Finding {
	changes := diffTensors(base, head)
	if len(changes) == 0 {
		return nil
	}
	at := func(c tensorChange) Pos {
		if c.new != nil {
			return Pos{File: head.File, Line: c.new.Line}
		}
		return Pos{File: head.File, Line: head.Line}
	}
	var out []Finding
	if opts.AllTensors {
		for _, c := range changes {
			r := LookupRule(c.rule)
			g := &tensorGroup{rule: c.rule, names: []string{c.name}, old: c.old, new: c.new, uniform: true}
			out = append(out, g.finding(cfg, r, c.name, true, at(c)))
		}
		return out
	}
	for _, rule := range []string{"tensor-removed", "tensor-reshaped", "tensor-added"} {
		var sel []tensorChange
		for _, c := range changes {
			if c.rule == rule {
				sel = append(sel, c)
			}
		}
		if len(sel) == 0 {
			continue
		}
		r := LookupRule(rule)
		groups := groupTensors(sel)
		for i, g := range groups {
			if i == maxTensorGroups {
				n := 0
				for _, rest := range groups[i:] {
					n += len(rest.names)
				}
				f := Finding{Rule: r.ID, Bump: cfg.bumpOf(r), Path: fmt.Sprintf("tensors.(%s more tensors)", thousands(n)),
					File: head.File, Line: head.Line, Count: n,
					summary: fmt.Sprintf("%s more tensors in %d more patterns %s (--all-tensors lists them)", thousands(n), len(groups)-i, strings.TrimPrefix(r.ID, "tensor-")),
					oldText: "(absent)", newText: "(absent)"}
				f.Message = f.summary + ": " + r.Reason
				f.Suppressed = cfg.suppressed(r.ID, f.Path)
				out = append(out, f)
				break
			}
			first := g.first
			pattern, exact := g.pattern()
			f := g.finding(cfg, r, pattern, exact, at(first))
			out = append(out, f)
		}
	}
	return out
}

// tensorGroup is a set of tensor changes of one rule whose names share a
// pattern: the same words, with numbers (and, after merging, words) varying
// at some positions.
type tensorGroup struct {
	rule  string
	comps []patternComp
	names []string
	first tensorChange
	// old and new are the signatures shared by every member, when uniform.
	old, new *Tensor
	uniform  bool
	order    int
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

// groupTensors groups tensor changes by pattern: names that differ only in
// numeric components form one group (the numbers become sets), then groups
// that differ in one word and share everything else merge into an
// alternation. Reshaped tensors group only with the same old and new
// signatures. Groups come in the order of their first member.
func groupTensors(changes []tensorChange) []*tensorGroup {
	byKey := map[string]*tensorGroup{}
	var groups []*tensorGroup
	for i, c := range changes {
		parts := strings.Split(c.name, ".")
		var skel strings.Builder
		for _, p := range parts {
			if _, ok := numeric(p); ok {
				skel.WriteString("#.")
			} else {
				skel.WriteString(p)
				skel.WriteByte('.')
			}
		}
		if c.rule == "tensor-reshaped" {
			skel.WriteString("\x00" + sigText(c.old) + "\x00" + sigText(c.new))
		}
		g := byKey[skel.String()]
		if g == nil {
			g = &tensorGroup{rule: c.rule, first: c, order: i, uniform: true, old: c.old, new: c.new}
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
		g.names = append(g.names, c.name)
		if g.uniform && (sigText(g.old) != sigText(c.old) || sigText(g.new) != sigText(c.new)) {
			g.uniform = false
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
			byKey := map[string]*tensorGroup{}
			var kept []*tensorGroup
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
				if g.rule == "tensor-reshaped" {
					k.WriteString(sigText(g.old) + "\x00" + sigText(g.new))
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
func (t *tensorGroup) alternatives(pos int) int {
	if a := t.comps[pos].alts; a != nil {
		return len(a)
	}
	return 1
}

// absorb merges g, which differs from t only in the word at pos, into t.
func (t *tensorGroup) absorb(g *tensorGroup, pos int) {
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
	t.names = append(t.names, g.names...)
	if g.order < t.order {
		t.order, t.first = g.order, g.first
	}
	if !g.uniform || sigText(g.old) != sigText(t.old) || sigText(g.new) != sigText(t.new) {
		t.uniform = false
	}
}

// pattern renders the group's names as one pattern, e.g.
// model.layers.{0..39}.mlp.experts.{128..179}.{gate,up,down}_proj.weight,
// and reports whether every name the pattern spans is in the group.
func (t *tensorGroup) pattern() (string, bool) {
	if len(t.names) == 1 {
		return t.names[0], true
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
	return strings.Join(parts, "."), span == len(t.names)
}

// span returns how many names the pattern denotes.
func (t *tensorGroup) span() int {
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

// finding turns the group into one finding named by pattern.
func (t *tensorGroup) finding(cfg *Config, r *Rule, pattern string, exact bool, at Pos) Finding {
	n := len(t.names)
	f := Finding{Rule: r.ID, Bump: cfg.bumpOf(r), Path: "tensors." + pattern, File: at.File, Line: at.Line, Count: n,
		oldText: "(absent)", newText: "(absent)"}
	if t.uniform {
		if t.old != nil {
			f.Old, f.oldText = t.old.value(), t.old.Text()
		}
		if t.new != nil {
			f.New, f.newText = t.new.value(), t.new.Text()
		}
	}
	what := strings.TrimPrefix(r.ID, "tensor-")
	if r.ID == "tensor-reshaped" && t.uniform {
		what = fmt.Sprintf("reshaped %s -> %s", f.oldText, f.newText)
	}
	var sum string
	switch {
	case n == 1 && r.ID == "tensor-added" && t.new.known():
		sum = fmt.Sprintf("`%s` added: %s", pattern, f.newText)
	case n == 1 && r.ID == "tensor-removed" && t.old.known():
		sum = fmt.Sprintf("`%s` removed (was %s)", pattern, f.oldText)
	case n == 1:
		sum = fmt.Sprintf("`%s` %s", pattern, what)
	case exact:
		sum = fmt.Sprintf("`%s` %s: %s tensors", pattern, what, thousands(n))
	default:
		sum = fmt.Sprintf("`%s` %s: %s of the %s tensors the pattern spans", pattern, what, thousands(n), thousands(t.span()))
	}
	if n > 1 && r.ID != "tensor-reshaped" && t.uniform {
		sig := f.newText
		if r.ID == "tensor-removed" {
			sig = f.oldText
		}
		if sig != "(present)" && sig != "(absent)" {
			sum += ", each " + sig
		}
	}
	f.summary = sum
	f.Message = sum + ": " + r.Reason
	f.Suppressed = cfg.suppressed(r.ID, f.Path)
	return f
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

// thousands formats n with comma separators: 6,240.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
