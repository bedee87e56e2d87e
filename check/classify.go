package check

// Basis says why a finding got its bump (DESIGN §2.1): a rule for a known
// structure, the concept vocabulary, the section the key is in, a library
// default, tensor evidence, or nothing at all (unclassified).
type Basis string

// The bases of a finding.
const (
	BasisRule         Basis = "rule"
	BasisVocabulary   Basis = "vocabulary"
	BasisSection      Basis = "section"
	BasisDefault      Basis = "default"
	BasisEvidence     Basis = "evidence"
	BasisUnclassified Basis = "unclassified"
)

// keyVerdict is what the vocabulary and the sections say about a change.
type keyVerdict struct {
	class keyClass
	basis Basis
	// concept is the vocabulary entry that decided, if any.
	concept *concept
	// section is the section key that decided, for basis section.
	section string
}

// classifyKeys classifies a change by the map keys on its path, leaf first
// (DESIGN §2.1, steps 2 and 3):
//
//  1. the leaf's concept, unless a training or metadata section above it
//     says otherwise (only strong shape concepts, such as a layer count,
//     keep their class in a training section);
//  2. the nearest known section above the leaf (or a concept such as
//     rope_scaling that classifies its whole subtree); an architecture
//     section (model, encoder, vision_cfg) stops the search;
//  3. the words of the leaf, then of its parents below that section
//     (timm_drop_path: drop, path);
//  4. otherwise unknown.
//
// Under the architecture (arch) a metadata word (name, path) picks a part of
// the network, so it does not count; metadata concepts and sections do.
func classifyKeys(keys []string, ctx *keyContext, arch bool) keyVerdict {
	if len(keys) == 0 {
		return keyVerdict{}
	}
	leaf := keys[0]
	c := lookupConcept(leaf)
	if c == nil && len(keys) > 1 {
		// A nested spelling: rope: {freq_base: ...}, attention: {head_count: ...}.
		c = conceptIndex()[normKey(keys[1])+"_"+normKey(leaf)]
	}
	sec, secAt := nearestSection(keys[1:], ctx)
	if c != nil {
		class := c.classOf(ctx)
		switch {
		case referenceSections[normKey(sec.section)]:
			return sec
		case sec.class == classTraining || sec.class == classMetadata || sec.class == classRuntime:
			if !(class == classShape && c.strong) {
				return sec
			}
		}
		return keyVerdict{class: class, basis: BasisVocabulary, concept: c}
	}
	if class, ok := lookupSection(leaf); ok && class != classUnknown {
		// The leaf names a section: a whole data or logging block added.
		return keyVerdict{class: class, basis: BasisSection, section: leaf}
	}
	if sec.class != classUnknown {
		// In a behaviour section (a preprocessing INPUT block), a training
		// word in the key (MAX_SIZE_TRAIN) is more specific.
		if w := classifyKey(leaf); sec.class == classBehaviour && w == classTraining {
			return keyVerdict{class: w, basis: BasisVocabulary}
		}
		return sec
	}
	upTo := len(keys)
	if secAt >= 0 {
		upTo = secAt + 1
	}
	for _, k := range keys[:upTo] {
		if w := classifyKey(k); w != classUnknown && !(arch && w == classMetadata) {
			return keyVerdict{class: w, basis: BasisVocabulary}
		}
	}
	return keyVerdict{}
}

// nearestSection returns the verdict of the nearest ancestor the vocabulary
// knows as a section or as a subtree concept, and its index in ancestors
// (-1 when there is none). An architecture section returns an unknown
// verdict with its index: it ends the search.
func nearestSection(ancestors []string, ctx *keyContext) (keyVerdict, int) {
	for i, a := range ancestors {
		if c := lookupConcept(a); c != nil && c.subtree {
			return keyVerdict{class: c.classOf(ctx), basis: BasisVocabulary, concept: c, section: a}, i
		}
		if class, ok := lookupSection(a); ok {
			if class == classUnknown {
				return keyVerdict{}, i
			}
			return keyVerdict{class: class, basis: BasisSection, section: a}, i
		}
	}
	return keyVerdict{}, -1
}

// classOf returns the concept's class in its context.
func (c *concept) classOf(ctx *keyContext) keyClass {
	if c.resolve != nil {
		return c.resolve(ctx)
	}
	return c.class
}

// positionsOf says how a configuration encodes positions, from the keys
// anywhere in it: rotary or ALiBi settings, a learned-position flag, a
// position-embedding type, or a model type whose scheme is known (MPT keeps
// a learned table next to ALiBi unless learned_pos_emb is false). Learned
// wins when both appear: the gate never under-asks.
func positionsOf(nodes ...*Node) positionScheme {
	var f positionFlags
	var walk func(n *Node, depth int)
	walk = func(n *Node, depth int) {
		if n == nil || depth > 8 {
			return
		}
		switch n.Kind {
		case KindList:
			for _, it := range n.Items {
				walk(it, depth+1)
			}
		case KindMap:
			for _, k := range n.Keys {
				v := n.Fields[k]
				f.read(k, v)
				walk(v, depth+1)
			}
		}
	}
	for _, n := range nodes {
		walk(n, 0)
	}
	switch {
	case f.learned || f.learnedFamily && !f.learnedOff:
		return positionsLearned
	case f.computed:
		return positionsComputed
	}
	return positionsUnknown
}

// positionFlags collects what the keys of a configuration say about its
// positions.
type positionFlags struct {
	computed, learned, learnedFamily, learnedOff bool
}

// read reads one key of a configuration.
func (f *positionFlags) read(key string, v *Node) {
	if v == nil || v.Kind == KindNull {
		return
	}
	nk := normKey(key)
	isBool := v.Kind == KindBool
	if c := lookupConcept(key); c != nil && (c.id == "rope-base" || c.id == "rope-scaling" || c.id == "rope-fraction") {
		f.computed = true
		return
	}
	switch nk {
	case "learned_pos_emb", "use_absolute_embeddings", "use_absolute_position_embeddings", "use_abs_pos":
		if isBool {
			f.learned = f.learned || v.Bool
			f.learnedOff = f.learnedOff || !v.Bool
		}
	case "rope", "alibi", "use_alibi", "use_rotary_position_embeddings", "rotary", "use_rope":
		if isBool && v.Bool {
			f.computed = true
		}
	case "pos_emb", "position_embedding_type", "positional_embedding_type", "pos_embed_type", "position_embedding", "positional_encoding":
		str := normString(v)
		switch {
		case containsWord(str, "rotary", "rope", "alibi", "xpos", "nope"):
			f.computed = true
		case containsWord(str, "learned", "learnable", "absolute", "learn"):
			f.learned = true
		}
	case "model_type", "type", "name", "model_name", "architecture", "general_architecture":
		str := normString(v)
		switch {
		case str == "":
		case hfLearnedPositions[v.Str] || containsWord(str, "gpt2", "opt", "bert", "roberta", "whisper", "bart", "mpt"):
			f.learnedFamily = true
		case containsWord(str, "llama", "mistral", "mixtral", "qwen", "qwen2", "qwen3", "gemma", "gemma2", "phi", "phi3",
			"falcon", "neox", "gptj", "olmo", "olmo2", "olmoe", "deepseek", "starcoder2", "stablelm", "pythia", "internlm",
			"baichuan", "granite", "dbrx", "jamba", "cohere", "nemotron"):
			f.computed = true
		}
	}
}

// normString returns the normalised text of a string value, "" for any
// other value.
func normString(v *Node) string {
	if v.Kind != KindString {
		return ""
	}
	return normKey(v.Str)
}

// containsWord reports whether a normalised string has one of the words.
func containsWord(s string, words ...string) bool {
	for _, part := range splitWords(s) {
		for _, w := range words {
			if part == w {
				return true
			}
		}
	}
	return false
}

// verdict returns the key classification of the change (vocabulary,
// sections, words).
func (s *subject) verdict() *keyVerdict {
	if s.kv == nil {
		ctx := &keyContext{Change: s.Change, tree: s.tree}
		v := classifyKeys(s.keys, ctx, s.section == "architecture")
		s.kv = &v
	}
	return s.kv
}

// hfVerdict returns the classification of a Hugging Face config key: the
// transformers tables for the key itself, then the vocabulary and sections,
// then the tables for its parents (rope_scaling.factor).
func (s *subject) hfVerdict() *keyVerdict {
	if s.hv != nil {
		return s.hv
	}
	v := keyVerdict{}
	if len(s.keys) > 0 {
		if c := hfTableClass(s.keys[0]); c != classUnknown {
			v = keyVerdict{class: c, basis: BasisRule}
		}
	}
	if v.class == classUnknown {
		v = *s.verdict()
	}
	if v.class == classUnknown && len(s.keys) > 1 {
		for _, k := range s.keys[1:] {
			if c := hfTableClass(k); c != classUnknown {
				v = keyVerdict{class: c, basis: BasisRule}
				break
			}
		}
	}
	s.hv = &v
	return s.hv
}

// consult reports whether the verdict has class c, and remembers the
// verdict as the one the matching rule relied on.
func (s *subject) consult(v *keyVerdict, c keyClass) bool {
	if v.class != c {
		return false
	}
	s.consulted = v
	return true
}
