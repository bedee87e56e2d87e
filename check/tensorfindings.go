package check

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/modelgate/modelgate/check/evidence/tensors"
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

// tensorRules are the rules of the tensor changes the tensors reader
// reports, in the order their findings are listed, with the word that says
// what happened.
var tensorRules = []struct {
	kind    tensors.Kind
	requant bool // a reshape that only changes a quantised dtype
	rule    *Rule
	verb    string
}{
	{tensors.Removed, false, ruleTensorRemoved, "removed"},
	{tensors.Reshaped, false, ruleTensorReshaped, "reshaped"},
	{tensors.Reshaped, true, ruleTensorQuantizationChanged, "requantized"},
	{tensors.Added, false, ruleTensorAdded, "added"},
}

// requantized reports whether a change keeps a tensor's shape and only
// changes its quantisation type, in signatures whose dtypes are quantised
// storage types (GGUF).
func requantized(base, head *tensors.Set, c tensors.Change) bool {
	return c.Kind == tensors.Reshaped && base.Quantized && head.Quantized && c.Old.DType != c.New.DType &&
		slices.Equal(c.Old.Shape, c.New.Shape)
}

// tensorFindings classifies the tensor changes between two signatures,
// grouped by pattern unless opts.AllTensors.
func tensorFindings(cfg *Config, base, head *tensors.Set, opts ClassifyOptions) []Finding {
	changes := tensors.Diff(base, head)
	if len(changes) == 0 {
		return nil
	}
	at := func(c tensors.Change) Pos {
		if c.New != nil {
			return Pos{File: head.File, Line: c.New.Line}
		}
		return Pos{File: head.File, Line: head.Line}
	}
	var out []Finding
	if opts.AllTensors {
		for _, c := range changes {
			g := &tensors.Group{Kind: c.Kind, Names: []string{c.Name}, Old: c.Old, New: c.New, Uniform: true}
			r, verb := tensorRule(c.Kind, requantized(base, head, c))
			out = append(out, groupFinding(cfg, g, r, verb, c.Name, true, at(c)))
		}
		return out
	}
	for _, tr := range tensorRules {
		var sel []tensors.Change
		for _, c := range changes {
			if c.Kind == tr.kind && requantized(base, head, c) == tr.requant {
				sel = append(sel, c)
			}
		}
		if len(sel) == 0 {
			continue
		}
		r := tr.rule
		groups := tensors.GroupChanges(sel)
		for i, g := range groups {
			if i == maxTensorGroups {
				n := 0
				for _, rest := range groups[i:] {
					n += len(rest.Names)
				}
				f := Finding{Rule: r.ID, Bump: cfg.bumpOf(r), Path: fmt.Sprintf("tensors.(%s more tensors)", thousands(n)),
					File: head.File, Line: head.Line, Count: n, effect: r.Effect,
					summary: fmt.Sprintf("%s more tensors in %d more patterns %s (--all-tensors lists them)", thousands(n), len(groups)-i, tr.verb),
					oldText: "(absent)", newText: "(absent)", omitted: len(groups) - i}
				f.Message = f.summary + ": " + r.Reason
				f.Suppressed = cfg.suppressed(r.ID, f.Path)
				out = append(out, f)
				break
			}
			pattern, exact := g.Pattern()
			out = append(out, groupFinding(cfg, g, r, tr.verb, pattern, exact, at(g.First)))
		}
	}
	return out
}

// tensorRule returns the rule and verb of a kind of tensor change.
func tensorRule(k tensors.Kind, requant bool) (*Rule, string) {
	for _, tr := range tensorRules {
		if tr.kind == k && tr.requant == requant {
			return tr.rule, tr.verb
		}
	}
	panic(fmt.Sprintf("tensor change kind %d has no rule", k))
}

// groupFinding turns a group of tensor changes into one finding of rule r
// named by pattern.
func groupFinding(cfg *Config, t *tensors.Group, r *Rule, verb, pattern string, exact bool, at Pos) Finding {
	n := len(t.Names)
	f := Finding{Rule: r.ID, Bump: cfg.bumpOf(r), Path: "tensors." + pattern, File: at.File, Line: at.Line, Count: n,
		oldText: "(absent)", newText: "(absent)", effect: r.Effect}
	if t.Uniform {
		if t.Old != nil {
			f.Old, f.oldText = t.Old.Value(), t.Old.Text()
		}
		if t.New != nil {
			f.New, f.newText = t.New.Value(), t.New.Text()
		}
	}
	what := verb
	if t.Kind == tensors.Reshaped && t.Uniform {
		what = fmt.Sprintf("%s %s -> %s", verb, f.oldText, f.newText)
	}
	var sum string
	switch {
	case n == 1 && t.Kind == tensors.Added && t.New.Known():
		sum = fmt.Sprintf("`%s` added: %s", pattern, f.newText)
	case n == 1 && t.Kind == tensors.Removed && t.Old.Known():
		sum = fmt.Sprintf("`%s` removed (was %s)", pattern, f.oldText)
	case n == 1:
		sum = fmt.Sprintf("`%s` %s", pattern, what)
	case exact:
		sum = fmt.Sprintf("`%s` %s: %s tensors", pattern, what, thousands(n))
	default:
		sum = fmt.Sprintf("`%s` %s: %s of the %s tensors the pattern spans", pattern, what, thousands(n), thousands(t.Span()))
	}
	if n > 1 && t.Kind != tensors.Reshaped && t.Uniform {
		sig := f.newText
		if t.Kind == tensors.Removed {
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

// tensorsAddedBesideBreaking is the reason of added tensors when another
// change already stops old checkpoints from loading as they are (experts
// added to a mixture of experts reshape the router's weight).
const tensorsAddedBesideBreaking = "the new tensors start from their initialisation, and old checkpoints load only after the migration the major changes need"

// breaksLoading reports whether a finding means old checkpoints no longer
// load as they are: a major change that counts, outside the serving API.
func breaksLoading(f *Finding) bool {
	return f.Bump == BumpMajor && f.Suppressed == "" && f.OasdiffID == "" && f.Path != "api" && !strings.HasPrefix(f.Path, "api.")
}

// reconcileTensorsAdded keeps one story across a report: when a finding says
// old checkpoints do not load, the added tensors no longer say they do.
func reconcileTensorsAdded(findings []Finding) {
	if !slices.ContainsFunc(findings, func(f Finding) bool { return breaksLoading(&f) }) {
		return
	}
	for i := range findings {
		if f := &findings[i]; f.Rule == ruleTensorAdded.ID && f.summary != "" {
			f.Message = f.summary + ": " + tensorsAddedBesideBreaking
		}
	}
}
