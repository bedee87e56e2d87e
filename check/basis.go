package check

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/modelgate/modelgate/check/evidence/tensors"
	"github.com/modelgate/modelgate/internal/abbrev"
)

// explain completes a tree finding: its basis, and for a renamed or moved
// key its old path and a message that says so.
func explain(f *Finding, r *Rule, s *subject) {
	f.Basis = BasisRule
	switch {
	case r.basis != "":
		f.Basis = r.basis
	case s.consulted != nil && s.consulted.basis != "":
		f.Basis = s.consulted.basis
	}
	if s.From == nil {
		return
	}
	f.OldPath = s.From.String()
	if r == ruleKeyRenamed {
		f.summary = fmt.Sprintf("%s -> %s: %s", f.OldPath, f.Path, abbrev.Value(f.newText))
		f.Message = fmt.Sprintf("%s renamed to %s: %s", f.OldPath, f.Path, r.Reason)
		return
	}
	f.summary = fmt.Sprintf("%s -> %s: %s -> %s", f.OldPath, f.Path, abbrev.Value(f.oldText), abbrev.Value(f.newText))
	f.Message = fmt.Sprintf("%s renamed to %s and %s", f.OldPath, f.Path, f.Message)
}

// fillBasis gives findings made outside the tree diff (tensors, OpenAPI,
// files) the basis of their rule.
func fillBasis(fs []Finding) []Finding {
	for i := range fs {
		if fs[i].Basis != "" {
			continue
		}
		fs[i].Basis = BasisRule
		if r := LookupRule(fs[i].Rule); r != nil && r.basis != "" {
			fs[i].Basis = r.basis
		}
	}
	return fs
}

// capUnclassified applies "evidence beats proxies" (DESIGN §2.1): when the
// tensor signatures (names, shapes, dtypes) are known at both revisions and
// identical, old checkpoints load by definition, so a finding that only
// counts as major because no rule knows its key is capped at minor. Rules
// with a known meaning are not capped.
func capUnclassified(fs []Finding, base, head *tensors.Set) {
	if !sameSignatures(base, head) {
		return
	}
	for i := range fs {
		f := &fs[i]
		if f.Basis != BasisUnclassified || f.Bump <= BumpMinor {
			continue
		}
		f.Bump = BumpMinor
		f.Basis = BasisEvidence
		f.Message = reasonless(f.Message) + ": unclassified key, but the tensor signatures are identical at both revisions, so old checkpoints load: capped at minor"
	}
}

// reasonless returns a finding message without its reason.
func reasonless(msg string) string {
	if r := reasonOf(msg); r != "" {
		return msg[:len(msg)-len(r)-2]
	}
	return msg
}

// sameSignatures reports whether two tensor signatures are both known in
// full (every tensor with a shape and a dtype) and identical.
func sameSignatures(base, head *tensors.Set) bool {
	if base == nil || head == nil || base.Unavailable != "" || head.Unavailable != "" ||
		len(base.Names) == 0 || len(base.Names) != len(head.Names) {
		return false
	}
	for i, name := range base.Names {
		b := base.Sigs[i]
		if b.Shape == nil || b.DType == "" {
			return false
		}
		h, ok := head.Lookup(name)
		if !ok || h.DType != b.DType || !slices.Equal(h.Shape, b.Shape) {
			return false
		}
	}
	return true
}

// conservative reports whether a required bump rests only on findings no
// rule knows: every finding that requires it is unclassified.
func conservative(fs []Finding, required Bump) bool {
	if required == BumpNone {
		return false
	}
	for _, f := range fs {
		if f.Suppressed == "" && f.Bump == required && f.Basis != BasisUnclassified {
			return false
		}
	}
	return true
}

// UnknownKeys returns the paths of the findings no rule knows (basis
// unclassified), each once, in report order; suppressed findings are left
// out, and so is the remainder of a capped rule, which names no key.
func (m *ModelReport) UnknownKeys() []string {
	var out []string
	for _, f := range m.Findings {
		if f.Basis == BasisUnclassified && f.Suppressed == "" && f.Count <= 1 && !slices.Contains(out, f.Path) {
			out = append(out, f.Path)
		}
	}
	return out
}

// RuleSnippet returns the rules section of .modelgate.yaml that would
// classify the keys at paths (DESIGN §7), one custom rule each, at major:
// the reader lowers each bump to what a change of the key requires.
func RuleSnippet(paths []string) string {
	var b strings.Builder
	b.WriteString("rules:\n")
	used := map[string]bool{}
	for _, p := range paths {
		id := snippetRuleID(p)
		for i := 2; used[id] || LookupRule(id) != nil; i++ {
			id = fmt.Sprintf("%s-%d", snippetRuleID(p), i)
		}
		used[id] = true
		fmt.Fprintf(&b, "  %s:\n    match: %s\n    bump: major  # or minor, patch, none: what a change of this key requires\n", id, strconv.Quote(p))
	}
	return b.String()
}

// snippetRuleID makes a kebab-case rule ID from the last key of a path.
func snippetRuleID(p string) string {
	last := p
	if i := strings.LastIndexAny(p, ".]"); i >= 0 && i+1 < len(p) {
		last = p[i+1:]
	}
	var words []string
	for _, w := range splitWords(last) {
		var b strings.Builder
		for _, r := range w {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				b.WriteRune(r)
			}
		}
		if b.Len() > 0 {
			words = append(words, b.String())
		}
	}
	if len(words) == 0 {
		return "unknown-key"
	}
	return strings.Join(words, "-") + "-key"
}
