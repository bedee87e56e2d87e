package check

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/modelgate/modelgate/check/evidence/tensors"
	"github.com/modelgate/modelgate/internal/abbrev"
)

// moeIndex writes a Hugging Face index of a mixture-of-experts model: per
// layer an attention block and experts with {gate,up,down}_proj weights,
// in shards of 100 tensors, keys sorted as transformers writes them.
// skip drops tensors; shard moves them.
func moeIndex(layers, experts int, skip func(string) bool, shard func(name string, i int) string) string {
	var names []string
	for l := range layers {
		names = append(names, fmt.Sprintf("model.layers.%d.self_attn.o_proj.weight", l))
		for e := range experts {
			for _, p := range []string{"gate", "up", "down"} {
				names = append(names, fmt.Sprintf("model.layers.%d.mlp.experts.%d.%s_proj.weight", l, e, p))
			}
		}
	}
	names = append(names, "lm_head.weight")
	sort.Strings(names)
	var entries []string
	for i, n := range names {
		if skip != nil && skip(n) {
			continue
		}
		s := fmt.Sprintf("model-%05d.safetensors", i/100+1)
		if shard != nil {
			s = shard(n, i)
		}
		entries = append(entries, fmt.Sprintf("    %q: %q", n, s))
	}
	return "{\n  \"metadata\": {\"total_size\": 1},\n  \"weight_map\": {\n" + strings.Join(entries, ",\n") + "\n  }\n}\n"
}

// change says what a finding changed, as the text report writes it:
// its summary, or "path: old -> new".
func (f *Finding) change() string {
	if f.summary != "" {
		return f.summary
	}
	if f.Rule == FileRule {
		return f.Path + ": changed"
	}
	return fmt.Sprintf("%s: %s -> %s", f.Path, abbrev.Value(f.oldText), abbrev.Value(f.newText))
}

// describe renders findings as "bump rule summary" lines.
func describe(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%s %s %s\n", f.Bump, f.Rule, f.change())
	}
	return b.String()
}

func TestTensorRules(t *testing.T) {
	const manifest = "model: moe-v1.0.0\ntensors: model.safetensors.index.json\n"
	index := func(s string) []string { return []string{"model.safetensors.index.json", s} }
	tensorMap := func(s string) []string { return []string{"model.safetensors.index.json", s} }
	tests := []struct {
		name       string
		base, head []string
		want       string
		bump       Bump
	}{
		{name: "experts added: minor",
			base: index(moeIndex(4, 8, nil, nil)),
			head: index(moeIndex(4, 12, nil, nil)),
			want: "minor tensor-added `model.layers.{0..3}.mlp.experts.{8..11}.{down,gate,up}_proj.weight` added: 48 tensors\n",
			bump: BumpMinor},
		{name: "experts removed: major",
			base: index(moeIndex(4, 12, nil, nil)),
			head: index(moeIndex(4, 12, func(n string) bool { return strings.Contains(n, ".experts.11.") }, nil)),
			want: "major tensor-removed `model.layers.{0..3}.mlp.experts.11.{down,gate,up}_proj.weight` removed: 12 tensors\n",
			bump: BumpMajor},
		{name: "only resharded: no finding",
			base: index(moeIndex(4, 8, nil, nil)),
			head: index(moeIndex(4, 8, nil, func(_ string, i int) string { return fmt.Sprintf("model-%05d-of-00002.safetensors", i%2+1) })),
			want: "",
			bump: BumpNone},
		{name: "a tensor reshaped: major",
			base: tensorMap(`{"lm_head.weight": {"shape": [32000, 4096], "dtype": "BF16"}, "embed.weight": {"shape": [32000, 4096], "dtype": "BF16"}}`),
			head: tensorMap(`{"lm_head.weight": {"shape": [32768, 4096], "dtype": "BF16"}, "embed.weight": {"shape": [32000, 4096], "dtype": "BF16"}}`),
			want: "major tensor-reshaped `lm_head.weight` reshaped [32000, 4096] BF16 -> [32768, 4096] BF16\n",
			bump: BumpMajor},
		{name: "a dtype changed: major",
			base: tensorMap(`{"lm_head.weight": {"shape": [8, 4], "dtype": "BF16"}}`),
			head: tensorMap(`{"lm_head.weight": {"shape": [8, 4], "dtype": "F8_E4M3"}}`),
			want: "major tensor-reshaped `lm_head.weight` reshaped [8, 4] BF16 -> [8, 4] F8_E4M3\n",
			bump: BumpMajor},
		{name: "a shape-only map against an index: names only",
			base: index(`{"weight_map": {"a": "1.safetensors", "b": "1.safetensors"}}`),
			head: tensorMap(`{"a": {"shape": [8], "dtype": "F32"}, "b": {"shape": [8], "dtype": "F32"}, "c": {"shape": [2], "dtype": "F32"}}`),
			want: "minor tensor-added `c` added: [2] F32\n",
			bump: BumpMinor},
		{name: "several shapes grouped by signature",
			base: tensorMap(`{"l.0.w": {"shape": [4]}, "l.1.w": {"shape": [4]}, "l.2.w": {"shape": [4]}, "x": {"shape": [1]}}`),
			head: tensorMap(`{"l.0.w": {"shape": [8]}, "l.1.w": {"shape": [8]}, "l.2.w": {"shape": [8]}, "x": {"shape": [2]}}`),
			want: "major tensor-reshaped `l.{0..2}.w` reshaped [4] -> [8]: 3 tensors\nmajor tensor-reshaped `x` reshaped [1] -> [2]\n",
			bump: BumpMajor},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, _ := model(t, manifest, tt.base...)
			head, _ := model(t, manifest, tt.head...)
			found := mustClassify(t, base, head)
			if got := describe(found); got != tt.want {
				t.Errorf("findings\n%s\nwant\n%s", got, tt.want)
			}
			got := BumpNone
			for _, f := range found {
				got = max(got, f.Bump)
			}
			if got != tt.bump {
				t.Errorf("required %s, want %s", got, tt.bump)
			}
		})
	}
}

// TestResharding gates a release that only moved tensors between shards:
// the index changed, yet nothing requires a bump.
func TestResharding(t *testing.T) {
	const manifest = "model: moe-v1.0.0\ntensors: model.safetensors.index.json\n"
	base, _ := model(t, manifest, "model.safetensors.index.json", moeIndex(2, 4, nil, nil))
	head, fsys := model(t, manifest, "model.safetensors.index.json", moeIndex(2, 4, nil, func(string, int) string { return "model.safetensors" }))
	r, err := Evaluate(Input{Base: base, Head: head, HeadFS: fsys, Changed: []string{"model.safetensors.index.json"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) != 0 || r.RequiredBump != BumpNone || !r.Passed {
		t.Errorf("findings %s, required %s, passed %v; want none", describe(r.Findings), r.RequiredBump, r.Passed)
	}
}

func TestTensorGroups(t *testing.T) {
	added := func(names ...string) []tensors.Change {
		var out []tensors.Change
		for _, n := range names {
			out = append(out, tensors.Change{Kind: tensors.Added, Name: n, New: &tensors.Tensor{}})
		}
		return out
	}
	var experts []string
	for l := range 40 {
		for e := 128; e < 180; e++ {
			for _, p := range []string{"gate", "up", "down"} {
				experts = append(experts, fmt.Sprintf("model.layers.%d.mlp.experts.%d.%s_proj.weight", l, e, p))
			}
		}
	}
	tests := []struct {
		name    string
		changes []tensors.Change
		want    []string
	}{
		{"experts of a DeepSeek-style index", added(experts...),
			[]string{"`model.layers.{0..39}.mlp.experts.{128..179}.{gate,up,down}_proj.weight` added: 6,240 tensors"}},
		{"one tensor", added("lm_head.weight"), []string{"`lm_head.weight` added"}},
		{"not every combination",
			added("l.0.e.0.w", "l.0.e.1.w", "l.1.e.0.w"),
			[]string{"`l.{0,1}.e.{0,1}.w` added: 3 of the 4 tensors the pattern spans"}},
		{"gaps in a range", added("l.0.w", "l.1.w", "l.2.w", "l.7.w", "l.9.w"),
			[]string{"`l.{0..2,7,9}.w` added: 5 tensors"}},
		{"words without a common part", added("a.weight", "a.bias"),
			[]string{"`a.{weight,bias}` added: 2 tensors"}},
		{"at most 8 alternatives", added("a.w", "b.w", "c.w", "d.w", "e.w", "f.w", "g.w", "h.w", "i.w"),
			[]string{"`{a,b,c,d,e,f,g,h}.w` added: 8 tensors", "`i.w` added"}},
		{"different layouts stay apart", added("x.0.w", "x.1.w", "y.w"),
			[]string{"`x.{0,1}.w` added: 2 tensors", "`y.w` added"}},
		{"leading zeros are words", added("s.01.w", "s.02.w"),
			[]string{"`s.{01,02}.w` added: 2 tensors"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, g := range tensors.GroupChanges(tt.changes) {
				p, exact := g.Pattern()
				r, verb := tensorRule(g.Kind, false)
				got = append(got, groupFinding(DefaultConfig(), g, r, verb, p, exact, Pos{}).summary)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("groups\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestAllTensors lists one finding per tensor, and caps the groups listed
// one by one otherwise.
func TestAllTensors(t *testing.T) {
	const manifest = "model: moe-v1.0.0\ntensors: model.safetensors.index.json\n"
	base, _ := model(t, manifest, "model.safetensors.index.json", moeIndex(4, 8, nil, nil))
	head, _ := model(t, manifest, "model.safetensors.index.json", moeIndex(4, 12, nil, nil))
	all, err := ClassifyWith(nil, base, head, ClassifyOptions{AllTensors: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 48 {
		t.Fatalf("%d findings, want 48", len(all))
	}
	for _, f := range all {
		if f.Count != 1 || f.Rule != "tensor-added" || !strings.HasPrefix(f.Path, "tensors.model.layers.") || f.Line == 0 {
			t.Errorf("finding %+v", f)
		}
	}

	var names []string
	for i := range 150 {
		names = append(names, strings.Repeat("block.", i)+"w")
	}
	headSet := tensors.NewSet("tensors.json", 0, 0)
	baseSet := tensors.NewSet("tensors.json", 0, len(names))
	for _, n := range names {
		baseSet.Add(n, tensors.Tensor{})
	}
	found := tensorFindings(DefaultConfig(), baseSet, headSet, ClassifyOptions{})
	if len(found) != maxTensorGroups+1 {
		t.Fatalf("%d findings, want %d", len(found), maxTensorGroups+1)
	}
	last := found[len(found)-1]
	if last.Count != 50 || last.summary != "50 more tensors in 50 more patterns removed (--all-tensors lists them)" {
		t.Errorf("last finding %d: %q", last.Count, last.summary)
	}
}
