package check

import (
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/modelgate/modelgate/internal/excerpt"
)

// MetricRule is an entry of the metrics: section of .modelgate.yaml: which
// direction is better for the metrics a pattern names, and how far they may
// move the other way before the gate fails (metric-regressed).
type MetricRule struct {
	// Pattern is a metric path below the metrics field, e.g. mmlu.accuracy;
	// * matches within a key and ** across keys.
	Pattern string
	// Higher is true when higher values are better (accuracy), false when
	// lower ones are (loss, perplexity).
	Higher bool
	// Tolerance is how far the metric may regress: an absolute amount, or
	// with Relative a percentage of the baseline's value.
	Tolerance float64
	Relative  bool
	Line      int
	re        *regexp.Regexp
	// tol is the tolerance exactly, as written.
	tol decimal
}

// Direction returns "higher" or "lower": which values are better.
func (m *MetricRule) Direction() string {
	if m.Higher {
		return "higher"
	}
	return "lower"
}

// ToleranceText returns the tolerance as written: 0.01 or 1%.
func (m *MetricRule) ToleranceText() string {
	s := strconv.FormatFloat(m.Tolerance, 'f', -1, 64)
	if m.Relative {
		return s + "%"
	}
	return s
}

// parseMetrics parses the metrics: section: metric path -> {direction,
// tolerance}.
func (c *Config) parseMetrics(name string, v *Node) error {
	if v.Kind != KindMap {
		return fmt.Errorf("%s:%d: metrics must map metric paths to {direction: higher|lower, tolerance: 0.01 or 1%%}", name, v.Pos.Line)
	}
	for _, key := range v.Keys {
		n := v.Fields[key]
		bad := func(at *Node, format string, args ...any) error {
			return fmt.Errorf("%s:%d: metric %s: %s", name, at.Pos.Line, excerpt.Quote(key), fmt.Sprintf(format, args...))
		}
		pattern := strings.TrimPrefix(key, "metrics.")
		if pattern == "" {
			return bad(n, "name the metric by its path below metrics, e.g. mmlu.accuracy")
		}
		if n.Kind != KindMap {
			return bad(n, "want {direction: higher|lower, tolerance: 0.01 or 1%%}")
		}
		m := MetricRule{Pattern: pattern, Line: n.Pos.Line, re: globRE(pattern, '.')}
		direction := false
		for _, k := range n.Keys {
			f := n.Fields[k]
			switch k {
			case "direction":
				if f.Kind != KindString || (f.Str != "higher" && f.Str != "lower") {
					return bad(f, "direction must be higher (higher is better, e.g. accuracy) or lower (e.g. loss), not %s", excerpt.Of(f.Text()))
				}
				m.Higher, direction = f.Str == "higher", true
			case "tolerance":
				t, rel, exact, err := parseTolerance(f)
				if err != nil {
					return bad(f, "%v", err)
				}
				m.Tolerance, m.Relative, m.tol = t, rel, exact
			default:
				return bad(f, "unknown key %s; known keys are direction, tolerance", excerpt.Quote(k))
			}
		}
		if !direction {
			return bad(n, "direction is required: higher or lower (which values are better)")
		}
		c.Metrics = append(c.Metrics, m)
	}
	return nil
}

// parseTolerance reads an absolute tolerance (0.01) or a relative one
// ("1%"), as a float and exactly.
func parseTolerance(n *Node) (float64, bool, decimal, error) {
	switch n.Kind {
	case KindNumber:
		d, ok := numberOf(n)
		if !ok || d.class != numFinite || d.neg || math.IsInf(n.Num, 0) {
			return 0, false, d, fmt.Errorf("tolerance must be a number of at least 0, not %s", excerpt.Of(n.Text()))
		}
		return n.Num, false, d, nil
	case KindString:
		if num, ok := strings.CutSuffix(strings.TrimSpace(n.Str), "%"); ok {
			num = strings.TrimSpace(num)
			f, err := strconv.ParseFloat(num, 64)
			d, ok := parseDecimal(num)
			if err == nil && ok && d.class == numFinite && !d.neg && validJSONNumber(strings.TrimPrefix(num, "+")) {
				return f, true, d, nil
			}
		}
	}
	return 0, false, decimal{}, fmt.Errorf("tolerance must be an absolute amount such as 0.01 or a percentage of the baseline such as \"1%%\", not %s", excerpt.Of(n.Text()))
}

// metricRule returns the rule for a metric path: an exact pattern first,
// then the first pattern that matches.
func (c *Config) metricRule(p string) *MetricRule {
	for i := range c.Metrics {
		if c.Metrics[i].Pattern == p {
			return &c.Metrics[i]
		}
	}
	for i := range c.Metrics {
		if c.Metrics[i].re.MatchString(p) {
			return &c.Metrics[i]
		}
	}
	return nil
}

// MetricChange is one metric compared between the baseline and head.
type MetricChange struct {
	Path     string // below the metrics field, e.g. mmlu.accuracy
	Old, New string // the values as written; "" when absent
	Delta    string // e.g. "-0.022, -3.1%"; "" unless both are numbers
	Pos      Pos    // where the metric is at head (or the metrics field)
	// Rule is the metrics: entry of .modelgate.yaml that applies, or nil.
	Rule *MetricRule
	// Regressed is set when the metric moved the wrong way by more than
	// its tolerance, or a metric with a rule is gone at head or is no
	// longer a number there (null, NaN, text).
	Regressed bool
	// Acknowledged is set when the release notes name a regressed metric
	// under a heading containing "Known regressions".
	Acknowledged bool
	// notNumber describes a value at head that is not a number (null,
	// NaN, the string "0.8"), or is "".
	notNumber string
}

type metricLeaf struct {
	path string
	node *Node
}

// metricLeaves flattens a metrics tree to its scalar values by path.
func metricLeaves(n *Node, prefix string, out *[]metricLeaf) {
	if n == nil {
		return
	}
	switch n.Kind {
	case KindMap:
		for _, k := range n.Keys {
			metricLeaves(n.Fields[k], joinKey(prefix, k), out)
		}
	case KindList:
		for i, it := range n.Items {
			key := fmt.Sprintf("%s[%d]", prefix, i)
			if name := it.Get("name"); name != nil && name.Kind == KindString {
				key = fmt.Sprintf("%s[%s]", prefix, name.Str)
			}
			metricLeaves(it, key, out)
		}
	default:
		*out = append(*out, metricLeaf{path: prefix, node: n})
	}
}

// compareMetrics compares the metrics of two revisions value by value and
// judges each against its rule in .modelgate.yaml.
func compareMetrics(cfg *Config, base, head *Model) []MetricChange {
	var olds, news []metricLeaf
	metricLeaves(base.Resolved.Get("metrics"), "", &olds)
	metricLeaves(head.Resolved.Get("metrics"), "", &news)
	oldBy := map[string]*Node{}
	for _, l := range olds {
		oldBy[l.path] = l.node
	}
	newBy := map[string]bool{}
	at := Pos{File: head.Manifest}
	if n := head.Resolved.Get("metrics"); n != nil {
		at = n.Pos
	}
	var out []MetricChange
	for _, l := range news {
		newBy[l.path] = true
		o := oldBy[l.path]
		if o != nil && Equal(o, l.node) {
			continue
		}
		mc := MetricChange{Path: l.path, New: l.node.Text(), Pos: l.node.Pos, Rule: cfg.metricRule(l.path)}
		if o != nil {
			mc.Old = o.Text()
		}
		if o != nil && o.Kind == KindNumber && l.node.Kind == KindNumber {
			mc.Delta = metricDelta(o, l.node)
		}
		if o != nil && mc.Rule != nil {
			mc.Regressed = mc.Rule.regressed(o, l.node)
		}
		mc.notNumber = notANumber(l.node)
		out = append(out, mc)
	}
	for _, l := range olds {
		if !newBy[l.path] {
			mc := MetricChange{Path: l.path, Old: l.node.Text(), Pos: at, Rule: cfg.metricRule(l.path)}
			mc.Regressed = mc.Rule != nil
			out = append(out, mc)
		}
	}
	return out
}

// regressed reports whether a guarded metric moved from old to new the wrong
// way by more than the tolerance, exactly. A metric that was a number and is
// no longer one (null, NaN, text, a boolean) has regressed: it cannot be
// shown not to have. Where exact arithmetic would take more than
// maxExactDigits digits (or a value is infinite), any move the wrong way
// counts.
func (m *MetricRule) regressed(old, cur *Node) bool {
	if c, ok := CompareNumbers(old, old); !ok || c != 0 {
		return false // the baseline was not a number: nothing to regress from
	}
	c, ok := CompareNumbers(cur, old)
	if !ok {
		return true // null, NaN, text: no longer a number
	}
	if c == 0 || m.Higher == (c > 0) {
		return false
	}
	o, ok1 := ratOf(old)
	n, ok2 := ratOf(cur)
	tol, ok3 := m.tol.rat()
	if !ok1 || !ok2 || !ok3 {
		return true
	}
	drop := new(big.Rat).Sub(o, n)
	drop.Abs(drop)
	if m.Relative {
		tol.Mul(tol, new(big.Rat).Abs(o))
		tol.Quo(tol, big.NewRat(100, 1))
	}
	return drop.Cmp(tol) > 0
}

// notANumber describes a metric value that is not a number, for messages:
// null, NaN, the string "0.8", the boolean false; "" for a number.
func notANumber(n *Node) string {
	switch n.Kind {
	case KindNull:
		return "null"
	case KindNumber:
		if d, ok := numberOf(n); ok && d.class == numNaN {
			return "NaN"
		}
		return ""
	case KindString:
		return "the string " + excerpt.Quote(n.Str)
	case KindBool:
		return "the boolean " + n.Text()
	}
	return excerpt.Of(n.Text())
}

// metricDelta renders new - old with the precision the values are written
// in, and the relative change: "-0.022, -3.1%".
func metricDelta(old, cur *Node) string {
	decimals := max(fracDigits(old.Str), fracDigits(cur.Str))
	d := cur.Num - old.Num
	var s string
	o, ok1 := ratOf(old)
	n, ok2 := ratOf(cur)
	switch {
	case decimals >= 0 && ok1 && ok2:
		// Exact: 0.1000000000000000000001 - 0.1 is not 0.
		s = new(big.Rat).Sub(n, o).FloatString(decimals)
	case decimals >= 0:
		s = strconv.FormatFloat(d, 'f', decimals, 64)
	default:
		s = strconv.FormatFloat(d, 'g', 6, 64)
	}
	if d >= 0 && !strings.HasPrefix(s, "-") {
		s = "+" + s
	}
	if old.Num != 0 && !math.IsInf(old.Num, 0) && !math.IsNaN(old.Num) {
		pct := d / math.Abs(old.Num) * 100
		switch {
		case math.Abs(pct) >= 0.1:
			s += fmt.Sprintf(", %+.1f%%", pct)
		case pct != 0:
			s += fmt.Sprintf(", %+.2g%%", pct)
		}
	}
	return s
}

// fracDigits returns the digits after the decimal point of a plain decimal
// number, or -1 for exponent forms.
func fracDigits(s string) int {
	if strings.ContainsAny(s, "eE") {
		return -1
	}
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}

// judgeMetrics turns metrics that regressed beyond their tolerance into
// metric-regressed problems, unless the release notes acknowledge them under
// a heading containing "Known regressions".
func (r *ModelReport) judgeMetrics(cfg *Config, in Input) {
	regressed := false
	for _, m := range r.Metrics {
		regressed = regressed || m.Regressed
	}
	if !regressed {
		return
	}
	notes, notesPath := r.NotesText, ""
	if r.ReleaseNotes.Found {
		notesPath = *r.ReleaseNotes.Path
	} else if in.HeadFS != nil {
		if v, err := ParseVersion(r.DeclaredVersion); err == nil {
			if n, err := FindNotes(in.HeadFS, in.Head, v, cfg.NotesDir, false); err == nil && n.Found {
				notes, notesPath = n.Text, n.Path
			}
		}
	}
	known := knownRegressions(notes)
	leafCount := map[string]int{}
	for _, m := range r.Metrics {
		leafCount[leafName(m.Path)]++
	}
	target := notesPath
	if target == "" {
		target = r.NotesTarget
	}
	for i := range r.Metrics {
		m := &r.Metrics[i]
		if !m.Regressed {
			continue
		}
		leaf := leafName(m.Path)
		if mentions(known, m.Path) || mentions(known, "metrics."+m.Path) || leafCount[leaf] == 1 && leaf != m.Path && mentions(known, leaf) {
			m.Acknowledged = true
			r.Notices = append(r.Notices, fmt.Sprintf("metric %s regressed beyond its tolerance; acknowledged under Known regressions in %s", m.Path, notesPath))
			continue
		}
		var msg string
		switch {
		case m.New == "":
			msg = fmt.Sprintf("metric %s is gone at %s, so it cannot be shown not to regress (%s is better, tolerance %s)", m.Path, in.HeadRef.Ref, m.Rule.Direction(), m.Rule.ToleranceText())
		case m.notNumber != "":
			msg = fmt.Sprintf("metric %s is %s at %s (was %s), not a number, so it cannot be shown not to regress (%s is better, tolerance %s)", m.Path, m.notNumber, in.HeadRef.Ref, excerpt.Of(m.Old), m.Rule.Direction(), m.Rule.ToleranceText())
		default:
			msg = fmt.Sprintf("metric %s regressed %s -> %s (%s), beyond its tolerance %s (%s is better)", m.Path, m.Old, m.New, m.Delta, m.Rule.ToleranceText(), m.Rule.Direction())
		}
		if !r.Gated {
			r.Notices = append(r.Notices, msg+": the next release's notes must acknowledge it under \"## Known regressions\"")
			continue
		}
		cfgFile := cfg.File
		if cfgFile == "" {
			cfgFile = DefaultConfigFile
		}
		r.addProblem(cfg, Problem{Rule: ruleMetricRegressed.ID, File: m.Pos.File, Line: m.Pos.Line, Message: msg,
			Fix: fmt.Sprintf("recover the metric, or acknowledge %s under a \"## Known regressions\" heading in %s (or change its tolerance in %s)", m.Path, target, cfgFile)})
	}
}

// leafName returns the last key of a metric path.
func leafName(p string) string {
	if i := strings.LastIndexAny(p, ".]"); i >= 0 {
		return strings.TrimPrefix(p[i+1:], "[")
	}
	return p
}

// knownRegressionsRE finds the headings of Known regressions sections.
var knownRegressionsRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)known regressions?`) })

// knownRegressions returns the text under the headings of notes that
// contain "Known regressions", each up to the next heading of the same or a
// higher level.
func knownRegressions(notes string) string {
	var b strings.Builder
	lines := strings.Split(notes, "\n")
	for i, l := range lines {
		h := headingRE().FindStringSubmatch(strings.TrimSpace(l))
		if h == nil || !knownRegressionsRE().MatchString(h[2]) {
			continue
		}
		for _, next := range lines[i+1:] {
			if g := headingRE().FindStringSubmatch(strings.TrimSpace(next)); g != nil && len(g[1]) <= len(h[1]) {
				break
			}
			b.WriteString(next + "\n")
		}
	}
	return b.String()
}

// mentions reports whether text names the metric name as a whole word: not
// as part of a longer name (accuracy in top5_accuracy or accuracy.std).
func mentions(text, name string) bool {
	word := func(c byte) bool {
		return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	for from := 0; ; {
		i := strings.Index(text[from:], name)
		if i < 0 {
			return false
		}
		i += from
		end := i + len(name)
		before := i == 0 || !word(text[i-1]) && !((text[i-1] == '.' || text[i-1] == '-') && i >= 2 && word(text[i-2]))
		after := end == len(text) || !word(text[end]) && !((text[end] == '.' || text[end] == '-') && end+1 < len(text) && word(text[end+1]))
		if before && after {
			return true
		}
		from = i + 1
	}
}
