package check

import (
	"fmt"
	"slices"
)

// MaxFindingsPerRule bounds the findings, and the problems, a report lists
// for one rule; the rest are counted in one remainder finding (or problem)
// of the rule (DESIGN §8). The required bump and the verdict are decided on
// all of them before they are capped.
const MaxFindingsPerRule = 100

// capFindings keeps the first max findings of each rule and replaces the
// rest of each rule by one remainder finding, at the place of the first
// finding it stands for, that counts them. The remainder has the highest
// bump of the findings it stands for that count (suppressed only when all
// of them are). Findings that already sum up
// others (the tensor groups and files beyond their own caps) are kept and
// not counted. It works in place.
func capFindings(findings []Finding, max int) []Finding {
	kept := map[string]int{}      // rule -> findings listed
	remainder := map[string]int{} // rule -> index in out of its remainder finding
	reason := map[string]string{} // rule -> the reason of the first finding left out
	out := findings[:0]
	for _, f := range findings {
		if f.omitted > 0 || kept[f.Rule] < max {
			if f.omitted == 0 {
				kept[f.Rule]++
			}
			out = append(out, f)
			continue
		}
		i, ok := remainder[f.Rule]
		if !ok {
			i = len(out)
			remainder[f.Rule] = i
			reason[f.Rule] = f.Reason()
			out = append(out, Finding{Rule: f.Rule, Bump: f.Bump, File: f.File, Line: f.Line, Suppressed: f.Suppressed, effect: f.effect})
		}
		r := &out[i]
		r.omitted++
		switch {
		case r.Suppressed != "" && f.Suppressed == "":
			r.Suppressed, r.Bump = "", f.Bump
		case (r.Suppressed == "") == (f.Suppressed == "") && f.Bump > r.Bump:
			r.Bump = f.Bump
		}
	}
	for rule, i := range remainder {
		r := &out[i]
		n := thousands(r.omitted)
		r.Path = fmt.Sprintf("(%s more)", n)
		r.Count = r.omitted
		r.summary = fmt.Sprintf("%s more %s findings, not listed: a report lists %d of each rule", n, rule, max)
		r.Message = r.summary
		if reason[rule] != "" {
			r.Message += ": " + reason[rule]
		}
	}
	if len(out) < len(findings)/2 {
		// Let the findings left out go.
		out = slices.Clone(out)
	}
	return out
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
