package check

import "strings"

// Conditional concepts: the class of these keys depends on their values or
// on the configuration around them.

// normClass: switching between implementations of one normalisation (OLMo's
// default, low_precision and amd_compatible layer norms; BatchNorm and
// SyncBN) keeps the parameters, so it is a runtime change; switching to
// another normalisation (LayerNorm to RMSNorm, BatchNorm to GroupNorm)
// changes them.
func normClass(ctx *keyContext) keyClass {
	if ctx == nil || ctx.Change == nil {
		return classShape
	}
	a, b := normFamily(ctx.Old), normFamily(ctx.New)
	if a != "" && a == b {
		return classRuntime
	}
	return classShape
}

// normFamily names the normalisation a value selects, or "" when unknown.
func normFamily(n *Node) string {
	if n == nil || n.Kind != KindString {
		return ""
	}
	s := strings.ToLower(n.Str)
	switch {
	case strings.Contains(s, "rms"):
		return "rms"
	case strings.Contains(s, "scale"):
		return "scale"
	case strings.Contains(s, "group") || s == "gn":
		return "group"
	case strings.Contains(s, "batch") || strings.HasSuffix(s, "bn"):
		return "batch"
	case strings.Contains(s, "layer") || s == "ln" || s == "default" || s == "low_precision" || s == "amd_compatible" ||
		strings.Contains(s, "fused") || strings.Contains(s, "apex"):
		return "layer"
	}
	return ""
}

// attentionLayoutClass reads GPT-NeoX's attention_config, a list of
// [[types...], repeat] pairs that expands to one attention type per layer.
// Types with parameters of their own (gMLP, aMLP, RWKV, Mamba) make a change
// of the layout a shape change; flash is global attention run by a kernel;
// a layout that only covers more or fewer layers with the same types is a
// runtime fix; any other change of the types is behaviour (sparse and local
// attention layouts carry no parameters).
func attentionLayoutClass(ctx *keyContext) keyClass {
	old, new, ok := ctx.valuesAt("attention_config")
	if !ok {
		return classBehaviour
	}
	a, okA := expandLayout(old)
	b, okB := expandLayout(new)
	if !okA || !okB {
		return classBehaviour
	}
	differ := false
	for i := 0; i < max(len(a), len(b)); i++ {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x == y {
			continue
		}
		if parameterisedAttention[x] || parameterisedAttention[y] {
			return classShape
		}
		if x != "" && y != "" && canonicalAttention(x) != canonicalAttention(y) {
			differ = true
		}
	}
	if differ {
		return classBehaviour
	}
	return classRuntime
}

// parameterisedAttention are GPT-NeoX layer types with their own weights.
var parameterisedAttention = map[string]bool{"gmlp": true, "amlp": true, "rwkv": true, "mamba": true}

func canonicalAttention(t string) string {
	if t == "flash" {
		return "global"
	}
	return t
}

// maxLayout bounds the expansion of an attention layout.
const maxLayout = 1 << 16

// expandLayout expands a GPT-NeoX attention_config into one type per layer.
func expandLayout(n *Node) ([]string, bool) {
	if n == nil || n.Kind != KindList {
		return nil, false
	}
	var out []string
	for _, pair := range n.Items {
		if pair.Kind != KindList || len(pair.Items) != 2 || pair.Items[1].Kind != KindNumber {
			return nil, false
		}
		var types []string
		switch t := pair.Items[0]; t.Kind {
		case KindString:
			types = []string{strings.ToLower(t.Str)}
		case KindList:
			for _, it := range t.Items {
				if it.Kind != KindString {
					return nil, false
				}
				types = append(types, strings.ToLower(it.Str))
			}
		default:
			return nil, false
		}
		count := pair.Items[1].Num
		if len(types) == 0 || count < 0 || count > maxLayout || len(out)+int(count) > maxLayout {
			return nil, false
		}
		for i := 0; i < int(count); i++ {
			out = append(out, types[i%len(types)])
		}
	}
	return out, true
}

// contextClass: a context length sizes the position table of a model with
// learned positions (GPT-2, nanoGPT's block_size, CLIP's text tower); with
// rotary or ALiBi positions it only changes behaviour. Unknown counts as
// learned: the gate never under-asks.
func contextClass(ctx *keyContext) keyClass {
	if ctx != nil && ctx.tree != nil && ctx.tree.positions == positionsComputed {
		return classBehaviour
	}
	return classShape
}

// activationClass: switching to or from a gated activation (SwiGLU, GeGLU)
// adds or removes a projection matrix; other activations only change
// behaviour.
func activationClass(ctx *keyContext) keyClass {
	if ctx != nil && ctx.Change != nil && gated(ctx.Old) != gated(ctx.New) {
		return classShape
	}
	return classBehaviour
}

func gated(n *Node) bool {
	if n == nil || n.Kind != KindString {
		return false
	}
	s := strings.ToLower(n.Str)
	return strings.Contains(s, "glu") || strings.Contains(s, "gated")
}
