package check

import "fmt"

// MaxFindingsPerRule bounds the findings, and the problems, a report lists
// for one rule; the rest are counted in one remainder finding (or problem)
// of the rule (DESIGN §8). The required bump and the verdict are decided on
// all of them before they are capped.
const MaxFindingsPerRule = 100

// capFindings keeps the first max findings of each rule and replaces the
// rest of each rule by one remainder finding, at the place of the first
// finding it stands for, that counts them (see capper). Findings that
// already sum up others (remainders, and the tensor groups and files beyond
// their own caps) are kept and not counted.
func capFindings(findings []Finding, max int) []Finding {
	c := newCapper(max)
	for _, f := range findings {
		c.add(f)
	}
	if out := c.findings(); out != nil {
		return out
	}
	return []Finding{}
}

// capper caps findings as they come, so that memory holds max findings of
// each rule however many there are. The remainder of a rule has the highest
// bump that counts among the findings it stands for (suppressed only when
// all of them are), so the required bump over the capped findings is the
// one over all of them.
type capper struct {
	max       int
	out       []Finding
	kept      map[string]int    // rule -> findings listed
	remainder map[string]int    // rule -> index in out of its remainder finding
	reason    map[string]string // rule -> the reason of the first finding left out
}

func newCapper(max int) *capper {
	return &capper{max: max, kept: map[string]int{}, remainder: map[string]int{}, reason: map[string]string{}}
}

// add lists f, or counts it in its rule's remainder.
func (c *capper) add(f Finding) {
	if f.omitted > 0 || c.kept[f.Rule] < c.max {
		if f.omitted == 0 {
			c.kept[f.Rule]++
		}
		c.out = append(c.out, f)
		return
	}
	i, ok := c.remainder[f.Rule]
	if !ok {
		i = len(c.out)
		c.remainder[f.Rule] = i
		c.reason[f.Rule] = f.Reason()
		c.out = append(c.out, Finding{Rule: f.Rule, Bump: f.Bump, File: f.File, Line: f.Line, Suppressed: f.Suppressed, effect: f.effect})
	}
	r := &c.out[i]
	r.omitted++
	switch {
	case r.Suppressed != "" && f.Suppressed == "":
		r.Suppressed, r.Bump = "", f.Bump
	case (r.Suppressed == "") == (f.Suppressed == "") && f.Bump > r.Bump:
		r.Bump = f.Bump
	}
}

// findings returns the findings listed, the remainders written out.
func (c *capper) findings() []Finding {
	for rule, i := range c.remainder {
		r := &c.out[i]
		n := thousands(r.omitted)
		r.Path = fmt.Sprintf("(%s more)", n)
		r.Count = r.omitted
		r.summary = fmt.Sprintf("%s more %s findings, not listed: a report lists %d of each rule", n, rule, c.max)
		r.Message = r.summary
		if c.reason[rule] != "" {
			r.Message += ": " + c.reason[rule]
		}
	}
	return c.out
}

// Omitted returns how many findings a remainder finding stands for, and 0
// for a finding that stands for itself.
func (f *Finding) Omitted() int { return f.omitted }

// FindingCount returns how many findings the report has, those a
// remainder finding stands for included.
func (m *ModelReport) FindingCount() int {
	n := 0
	for _, f := range m.Findings {
		if f.omitted > 0 {
			n += f.omitted
		} else {
			n++
		}
	}
	return n
}

// capProblems keeps the first max problems of each rule and replaces the
// rest of each rule by one remainder problem, at the place of the first
// problem it stands for, with that problem's level and fix. It works in
// place.
func capProblems(problems []Problem, max int) []Problem {
	kept := map[string]int{}
	remainder := map[string]int{}
	out := problems[:0]
	for _, p := range problems {
		if kept[p.Rule] < max {
			kept[p.Rule]++
			out = append(out, p)
			continue
		}
		i, ok := remainder[p.Rule]
		if !ok {
			i = len(out)
			remainder[p.Rule] = i
			out = append(out, Problem{Rule: p.Rule, Level: p.Level, File: p.File, Line: p.Line, Fix: p.Fix})
		}
		r := &out[i]
		r.omitted++
		if p.Level == LevelError {
			r.Level = LevelError
		}
	}
	for rule, i := range remainder {
		r := &out[i]
		r.Message = fmt.Sprintf("%s more %s problems, not listed: a report lists %d of each rule", thousands(r.omitted), rule, max)
	}
	return out
}
