package check

import (
	"fmt"
	"slices"

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
