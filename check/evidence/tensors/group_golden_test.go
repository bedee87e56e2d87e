package tensors

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden")

// groupingCases are tensor changes as real checkpoints produce them, and a
// few odd names, for TestGroupChangesGolden.
func groupingCases() []struct {
	name    string
	changes []Change
} {
	bf16 := func(shape ...int64) *Tensor { return &Tensor{Shape: shape, DType: "BF16"} }
	present := &Tensor{}
	var deepseek, llama, scattered, reshaped, alternatives, lengths, mixed, odd []Change
	// DeepSeek-V3: experts 256-257 added to layers 10-19, with FP8 scales.
	for l := 10; l < 20; l++ {
		for e := 256; e < 258; e++ {
			for _, p := range []string{"gate_proj", "up_proj", "down_proj"} {
				for _, w := range []string{"weight", "weight_scale_inv"} {
					deepseek = append(deepseek, Change{Kind: Added, Name: fmt.Sprintf("model.layers.%d.mlp.experts.%d.%s.%s", l, e, p, w), New: present})
				}
			}
		}
	}
	// Llama: every projection of 32 layers, the norms, the embeddings.
	llama = append(llama, Change{Kind: Removed, Name: "model.embed_tokens.weight", Old: bf16(128256, 4096)})
	for l := 0; l < 32; l++ {
		for _, p := range []string{"q_proj", "k_proj", "v_proj", "o_proj"} {
			llama = append(llama, Change{Kind: Removed, Name: fmt.Sprintf("model.layers.%d.self_attn.%s.weight", l, p), Old: bf16(4096, 4096)})
		}
		for _, p := range []string{"gate_proj", "up_proj", "down_proj"} {
			llama = append(llama, Change{Kind: Removed, Name: fmt.Sprintf("model.layers.%d.mlp.%s.weight", l, p), Old: bf16(14336, 4096)})
		}
		for _, n := range []string{"input_layernorm", "post_attention_layernorm"} {
			llama = append(llama, Change{Kind: Removed, Name: fmt.Sprintf("model.layers.%d.%s.weight", l, n), Old: bf16(4096)})
		}
	}
	llama = append(llama, Change{Kind: Removed, Name: "model.norm.weight", Old: bf16(4096)}, Change{Kind: Removed, Name: "lm_head.weight", Old: bf16(128256, 4096)})
	// Numbers in short runs, and in many scattered ones.
	for _, l := range []int{0, 1, 2, 7, 9, 10, 11} {
		scattered = append(scattered, Change{Kind: Added, Name: fmt.Sprintf("blocks.%d.attn.weight", l), New: present})
	}
	for l := 0; l < 40; l += 3 {
		scattered = append(scattered, Change{Kind: Added, Name: fmt.Sprintf("blocks.%d.ffn.weight", l), New: present})
	}
	// Reshaped: the same new shape groups, another shape does not.
	for l := 0; l < 8; l++ {
		reshaped = append(reshaped, Change{Kind: Reshaped, Name: fmt.Sprintf("model.layers.%d.self_attn.q_proj.weight", l), Old: bf16(4096, 4096), New: bf16(5120, 4096)})
		reshaped = append(reshaped, Change{Kind: Reshaped, Name: fmt.Sprintf("model.layers.%d.self_attn.k_proj.weight", l), Old: bf16(1024, 4096), New: bf16(1280, 4096)})
		reshaped = append(reshaped, Change{Kind: Reshaped, Name: fmt.Sprintf("model.layers.%d.self_attn.v_proj.weight", l), Old: bf16(1024, 4096), New: bf16(1280, 4096)})
	}
	// More alternative words than one alternation takes.
	for i := 0; i < 11; i++ {
		alternatives = append(alternatives, Change{Kind: Added, Name: fmt.Sprintf("heads.%c_head.weight", 'a'+i), New: present})
	}
	// The same words in names of different lengths.
	for _, n := range []string{"a.b", "a.b.c", "a.x", "a.b.d", "a.x.c", "a.x.d", "a.b.c.d"} {
		lengths = append(lengths, Change{Kind: Added, Name: n, New: present})
	}
	// Signatures that differ inside one pattern: the group is not uniform.
	for l := 0; l < 4; l++ {
		mixed = append(mixed, Change{Kind: Added, Name: fmt.Sprintf("enc.%d.proj.weight", l), New: bf16(int64(64 * (l + 1)))})
		mixed = append(mixed, Change{Kind: Added, Name: fmt.Sprintf("enc.%d.proj.bias", l), New: bf16(64)})
	}
	// Leading zeros, long numbers, empty components, a name without dots.
	for _, n := range []string{"x.01.w", "x.1.w", "x.2.w", "x.1234567890123.w", "x.12345678901234.w", "y..w", "y...w", "z", "x.2.w.extra"} {
		odd = append(odd, Change{Kind: Added, Name: n, New: present})
	}
	return []struct {
		name    string
		changes []Change
	}{
		{"deepseek-experts", deepseek}, {"llama-removed", llama}, {"scattered-numbers", scattered}, {"reshaped", reshaped},
		{"alternatives-cap", alternatives}, {"lengths", lengths}, {"mixed-signatures", mixed}, {"odd-names", odd},
	}
}

// describeGroups renders groups one a line: kind, pattern, whether it is
// exact, members, span, first member, and the shared signatures.
func describeGroups(groups []*Group) string {
	var b strings.Builder
	for _, g := range groups {
		pattern, exact := g.Pattern()
		fmt.Fprintf(&b, "%d %s exact=%t n=%d span=%d first=%s uniform=%t", g.Kind, pattern, exact, len(g.Names), g.Span(), g.First.Name, g.Uniform)
		if g.Uniform {
			fmt.Fprintf(&b, " old=%s new=%s", sigText(g.Old), sigText(g.New))
		}
		fmt.Fprintf(&b, " names=%s\n", strings.Join(g.Names, ","))
	}
	return b.String()
}

// TestGroupChangesGolden groups the changes of real-looking checkpoints and
// compares every group (pattern, members, order, signatures) with
// testdata/golden/groups.txt, which the quadratic grouping of earlier
// versions wrote. Run go test ./check/evidence/tensors -update to accept a
// deliberate change.
func TestGroupChangesGolden(t *testing.T) {
	var b strings.Builder
	for _, c := range groupingCases() {
		fmt.Fprintf(&b, "== %s\n%s", c.name, describeGroups(GroupChanges(c.changes)))
	}
	golden := filepath.Join("testdata", "golden", "groups.txt")
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got := b.String(); got != string(want) {
		t.Errorf("grouping differs from %s (run with -update to accept):\n%s", golden, got)
	}
}
