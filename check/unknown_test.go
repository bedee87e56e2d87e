package check

import (
	"fmt"
	"strings"
	"testing"
)

// wideArch returns an architecture section of n keys no rule knows,
// k_000..., each set to v+i.
func wideArch(n, v int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "  k_%03d: %d\n", i, v+i)
	}
	return b.String()
}

// TestUnknownKeysCounted: a report with more keys no rule knows than it
// lists counts all of them, lists the first MaxUnknownKeysListed in report
// order, and proposes rules for exactly those.
func TestUnknownKeysCounted(t *testing.T) {
	for _, n := range []int{1, 99, 100, 101, 250} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			base, _ := model(t, "model: m-v1.0.0\narchitecture:\n"+wideArch(n, 0))
			head, fsys := model(t, "model: m-v2.0.0\narchitecture:\n"+wideArch(n, 1), "releases/v2.0.0.md", "Wider.\n\n## Migration\n\nNone.\n")
			r := evaluate(t, "", base, head, fsys)
			listed := r.UnknownKeys()
			if r.UnknownKeyCount() != n || len(listed) != min(n, MaxUnknownKeysListed) || listed[len(listed)-1] != fmt.Sprintf("architecture.k_%03d", len(listed)-1) {
				t.Fatalf("%d unknown keys counted, %d listed (last %q); want %d, %d", r.UnknownKeyCount(), len(listed), listed[len(listed)-1], n, min(n, MaxUnknownKeysListed))
			}
			if r.Unknown.Count != n || len(r.Unknown.Listed) != len(listed) || !r.Conservative {
				t.Errorf("report field %d keys, %d listed, conservative %v; want %d, %d, true", r.Unknown.Count, len(r.Unknown.Listed), r.Conservative, n, len(listed))
			}
			if got := strings.Count(RuleSnippet(listed), "    match: "); got != len(listed) {
				t.Errorf("snippet has %d rules for %d keys listed", got, len(listed))
			}
		})
	}
}

// TestEvidenceCapsBeyondFindingsCap: with identical tensor signatures,
// every unclassified key counts as minor, those beyond the findings cap
// too: the remainder of the rule is minor, the required bump is minor, and
// no key is reported as unknown.
func TestEvidenceCapsBeyondFindingsCap(t *testing.T) {
	tensors := `{"model.embed.weight": {"shape": [16, 8], "dtype": "BF16"}}`
	base, _ := model(t, "model: m-v1.0.0\narchitecture:\n"+wideArch(150, 0)+"tensors: tensors.json\n", "tensors.json", tensors)
	head, fsys := model(t, "model: m-v1.1.0\narchitecture:\n"+wideArch(150, 1)+"tensors: tensors.json\n", "tensors.json", tensors,
		"releases/v1.1.0.md", "Retuned.\n")
	r := evaluate(t, "", base, head, fsys)
	if r.RequiredBump != BumpMinor || r.FindingCount() != 150 || r.UnknownKeyCount() != 0 || r.Conservative {
		t.Fatalf("required %s over %d findings, %d unknown keys, conservative %v; want minor over 150, none unknown", r.RequiredBump, r.FindingCount(), r.UnknownKeyCount(), r.Conservative)
	}
	for _, f := range r.Findings {
		if f.Bump != BumpMinor {
			t.Errorf("%s %s %s: want minor", f.Bump, f.Rule, f.Path)
		}
	}
}
