package tensors

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// randomChanges builds n changes of one kind whose names draw their
// components from a small vocabulary, so that many of them group and merge.
func randomChanges(rng *rand.Rand, n, maxComps int) []Change {
	words := []string{"a", "b", "c", "w_x", "x_w", "up_proj", "down_proj", "0", "1", "2", "10", "007", ""}
	sigs := []*Tensor{{}, {Shape: []int64{4}, DType: "F32"}, {Shape: []int64{8}, DType: "F32"}}
	kind := Kind(1 + rng.IntN(3))
	var out []Change
	for range n {
		parts := make([]string, 1+rng.IntN(maxComps))
		for j := range parts {
			parts[j] = words[rng.IntN(len(words))]
		}
		c := Change{Kind: kind, Name: strings.Join(parts, ".")}
		if kind != Added {
			c.Old = sigs[rng.IntN(len(sigs))]
		}
		if kind != Removed {
			c.New = sigs[rng.IntN(len(sigs))]
		}
		out = append(out, c)
	}
	return out
}

// TestGroupChangesSameAsReference checks that the linear grouping gives
// the groups of the quadratic one it replaced (groupChangesReference), in
// the same order with the same members, on random names.
func TestGroupChangesSameAsReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		changes := randomChanges(rng, 1+rng.IntN(40), 1+rng.IntN(6))
		got, want := describeGroups(GroupChanges(changes)), describeGroups(groupChangesReference(changes))
		if got != want {
			t.Fatalf("case %d: grouping differs from the reference\nchanges: %v\ngot:\n%s\nwant:\n%s", i, changes, got, want)
		}
	}
}

// longNames returns n names of comps components each, alternately a word
// and a number that varies from name to name:
// model.w0.<i+1>.w2.<i+3>...
func longNames(n, comps int) []Change {
	out := make([]Change, n)
	for i := range out {
		var b strings.Builder
		b.WriteString("model")
		for j := range comps {
			if j%2 == 0 {
				fmt.Fprintf(&b, ".w%d", j)
			} else {
				fmt.Fprintf(&b, ".%d", i+j)
			}
		}
		out[i] = Change{Kind: Added, Name: b.String(), New: &Tensor{}}
	}
	return out
}

// TestGroupChangesLongNames groups names of thousands of components: one
// pattern whose numbers are ranges, the same as the reference's, and
// long words that differ in one component merge into an alternation with
// the common prefix and suffix factored out.
func TestGroupChangesLongNames(t *testing.T) {
	changes := longNames(50, 400)
	groups := GroupChanges(changes)
	if got, want := describeGroups(groups), describeGroups(groupChangesReference(changes)); got != want {
		t.Fatalf("grouping of long names differs from the reference:\n%.2000s\nwant:\n%.2000s", got, want)
	}
	if len(groups) != 1 || len(groups[0].Names) != 50 {
		t.Fatalf("%d groups, want 1 of 50 names", len(groups))
	}
	pattern, exact := groups[0].Pattern()
	if want := "model.w0.{1..50}.w2.{3..52}."; !strings.HasPrefix(pattern, want) || !strings.HasSuffix(pattern, ".w398.{399..448}") || exact {
		t.Errorf("pattern %.80s...%s (exact %t), want %s...w398.{399..448}, not exact: it spans 50^200 names", pattern, pattern[len(pattern)-40:], exact, want)
	}

	long := strings.Repeat("x", 100_000)
	var words []Change
	for _, w := range []string{"gate", "up", "down"} {
		words = append(words, Change{Kind: Added, Name: "model." + long + "_" + w + "_" + long + ".weight", New: &Tensor{}})
	}
	groups = GroupChanges(words)
	pattern, _ = groups[0].Pattern()
	if want := "model." + long + "_{gate,up,down}_" + long + ".weight"; len(groups) != 1 || pattern != want {
		t.Errorf("%d groups, pattern %.60s...; want 1 group, %.60s...", len(groups), pattern, want)
	}
}

// BenchmarkGroupChangesLongNames groups the changes of a 7 MB index of long
// names: 1,000 names of 1,000 components (one pattern), and 10,000 names
// whose long words differ in one component (alternations).
func BenchmarkGroupChangesLongNames(b *testing.B) {
	components := longNames(1000, 1000)
	var words []Change
	for i := range 10_000 {
		words = append(words, Change{Kind: Added, New: &Tensor{},
			Name: fmt.Sprintf("model.layers.%d.%s_%c_%s.weight", i/8, strings.Repeat("a", 300), 'a'+i%8, strings.Repeat("b", 300))})
	}
	for _, bc := range []struct {
		name    string
		changes []Change
	}{{"components", components}, {"words", words}} {
		size := 0
		for _, c := range bc.changes {
			size += len(c.Name)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				GroupChanges(bc.changes)
			}
		})
	}
}

// FuzzGroupChanges holds the grouping to the reference on any names: one
// name a line, of the kind the first byte picks.
func FuzzGroupChanges(f *testing.F) {
	f.Add("\x01model.layers.0.mlp.up_proj.weight\nmodel.layers.1.mlp.down_proj.weight\nmodel.layers.0.mlp.gate_proj.weight")
	f.Add("\x03a.1.b\na.2.b\nx.1.b\na..b\n.\n")
	f.Add("\x02h.a_x\nh.b_x\nh.c_x\nh.d_x\nh.e_x\nh.f_x\nh.g_x\nh.h_x\nh.i_x")
	f.Fuzz(func(t *testing.T, s string) {
		// The reference's keys join words with NUL and '|', so words that
		// hold them can collide there, where the linear grouping keeps them
		// apart.
		if s == "" || strings.ContainsAny(s, "\x00|") {
			return
		}
		kind := Kind(1 + int(s[0])%3)
		sigs := []*Tensor{{}, {Shape: []int64{2}, DType: "F32"}}
		var changes []Change
		for i, name := range strings.Split(s[1:], "\n") {
			c := Change{Kind: kind, Name: name}
			if kind != Added {
				c.Old = sigs[i%2]
			}
			if kind != Removed {
				c.New = sigs[i/2%2]
			}
			changes = append(changes, c)
		}
		if got, want := describeGroups(GroupChanges(changes)), describeGroups(groupChangesReference(changes)); got != want {
			t.Fatalf("grouping of %q differs from the reference:\ngot:\n%s\nwant:\n%s", s, got, want)
		}
	})
}
