package check

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/modelgate/modelgate/check/evidence/tokenizer"
)

// hfFile matches a change in the Hugging Face folder's files of the given
// kinds (huggingface.<kind>...), or in any of them when none is given.
func hfFile(kinds ...string) func(*subject) bool {
	return func(s *subject) bool {
		return s.section == "huggingface" && len(s.Path) > 1 && (len(kinds) == 0 || slices.Contains(kinds, s.Path[1].Key))
	}
}

// hfKey matches a change at or under one of a file's top-level keys.
func hfKey(keys ...string) func(*subject) bool {
	return func(s *subject) bool {
		return len(s.Path) > 2 && !s.Path[2].Keyed && slices.Contains(keys, s.Path[2].Key)
	}
}

// adapterShapeKeys are the PEFT options that decide which weights an
// adapter has and their shapes.
var adapterShapeKeys = []string{"r", "target_modules", "modules_to_save", "peft_type", "task_type", "use_dora", "rank_pattern",
	"layers_to_transform", "layers_pattern", "bias", "lora_bias", "fan_in_fan_out", "exclude_modules", "target_parameters",
	"trainable_token_indices", "layer_replication", "num_virtual_tokens", "token_dim", "num_transformer_submodules",
	"num_attention_heads", "num_layers", "encoder_hidden_size", "encoder_reparameterization_type", "feedforward_modules",
	"boft_block_size", "boft_block_num", "boft_n_butterfly_factor", "use_qalora", "qalora_group_size", "vera_dropout"}

// adapterDefault matches an adapter option added or removed at a value
// that means "off": false, empty (null is ruleNullEqualsAbsent's).
func adapterDefault(s *subject) bool {
	v := s.New
	switch s.Kind {
	case Removed:
		v = s.Old
	case Changed:
		return false
	}
	switch v.Kind {
	case KindBool:
		return !v.Bool
	case KindString:
		return v.Str == ""
	case KindList:
		return len(v.Items) == 0
	case KindMap:
		return len(v.Keys) == 0
	}
	return false
}

// maxTokenExamples bounds the tokens a vocabulary finding names.
const maxTokenExamples = 5

// hfFindings classifies the changes of the Hugging Face folder's files
// between two revisions: the files diffed as trees with the rule table,
// the vocabularies, merges and chat templates by their readers. A folder
// only one revision has is reported by hfEvidence, not here. tc is what
// the classifier knows of the manifests (nil when nothing).
func hfFindings(cfg *Config, base, head *Model, tc *treeContext) []Finding {
	b, h := base.HF, head.HF
	if b == nil || h == nil {
		return nil
	}
	// A file not read at one revision (a Git LFS object not fetched) is
	// compared at neither: it is not absent, only unknown.
	skip := map[string]bool{}
	for k := range b.missing {
		skip[k] = true
	}
	for k := range h.missing {
		skip[k] = true
	}
	wrap := func(hf *HFFolder) *Node {
		tree := &Node{Kind: KindMap, Fields: map[string]*Node{}, Pos: hf.tree.Pos}
		for _, k := range hf.tree.Keys {
			if !skip[k] {
				tree.Keys = append(tree.Keys, k)
				tree.Fields[k] = hf.tree.Fields[k]
			}
		}
		return &Node{Kind: KindMap, Keys: []string{"huggingface"}, Fields: map[string]*Node{"huggingface": tree}, Pos: hf.tree.Pos}
	}
	// The files' trees are classified as the manifest's are: renames
	// paired, each key through the rules, then the vocabulary and sections
	// (with what the architecture says of positions), capped as they come.
	old, new := wrap(b), wrap(h)
	fc := &treeContext{old: old, new: new}
	if tc != nil {
		fc.positions, fc.neox, fc.openCLIP = tc.positions, tc.neox, tc.openCLIP
	}
	capped := newCapper(MaxFindingsPerRule)
	for _, c := range pairRenames(Diff(old, new)) {
		if len(c.Path) == 2 && c.From == nil {
			capped.add(hfFileFinding(cfg, b, h, fc, c))
			continue
		}
		capped.add(treeFinding(cfg, nil, fc, c))
	}
	out := capped.findings()
	var seen *tokenizer.Diff
	if b.tokenizer != nil && h.tokenizer != nil && !skip["tokenizer"] {
		seen = tokenizer.Compare(b.tokenizer, h.tokenizer)
		out = append(out, vocabFindings(cfg, "huggingface.tokenizer.vocab", "huggingface.tokenizer", h.tokenizer, seen, ruleTokenizerPipelineChanged)...)
	}
	if (b.decoder != nil || h.decoder != nil) && !skip["tokenizer_config"] {
		bd, hd := b.decoder, h.decoder
		empty, _ := tokenizer.NewAdded(h.files["tokenizer_config"], nil)
		if bd == nil {
			bd = empty
		}
		if hd == nil {
			hd = empty
		}
		d := tokenizer.Compare(bd, hd)
		if seen != nil {
			// tokenizer.json lists the same tokens; say each change once.
			d.Renumbered, d.Removed, d.Added = unseen(d.Renumbered, seen.Renumbered), unseen(d.Removed, seen.Removed), unseen(d.Added, seen.Added)
		}
		hd.Name = h.files["tokenizer_config"]
		out = append(out, vocabFindings(cfg, "huggingface.tokenizer_config.added_tokens_decoder", "", hd, d, ruleTokenizerConfigChanged)...)
	}
	if skip["chat_template"] || skip["tokenizer_config"] {
		return out
	}
	return append(out, templateFindings(cfg, b, h)...)
}

// unseen returns the changes of cs that seen does not list.
func unseen(cs, seen []tokenizer.Change) []tokenizer.Change {
	if len(seen) == 0 {
		return cs
	}
	have := make(map[tokenizer.Change]bool, len(seen))
	for _, c := range seen {
		c.Line = 0
		have[c] = true
	}
	var out []tokenizer.Change
	for _, c := range cs {
		key := c
		key.Line = 0
		if !have[key] {
			out = append(out, c)
		}
	}
	return out
}

// hfFileFinding classifies a whole file of the folder added or removed.
// tokenizer.json counts as its tokens added or removed.
func hfFileFinding(cfg *Config, b, h *HFFolder, tc *treeContext, c Change) Finding {
	key := c.Path[1].Key
	file := h.files[key]
	if c.Kind == Removed {
		file = b.files[key]
		c.At = Pos{File: h.tree.Pos.File, Line: h.Line}
	} else {
		c.At = Pos{File: file, Line: c.New.Pos.Line}
	}
	if key == "tokenizer" {
		r, t, verb := ruleTokenizerTokenAdded, h.tokenizer, "added"
		if c.Kind == Removed {
			r, t, verb = ruleTokenizerTokenRemoved, b.tokenizer, "removed"
		}
		f := Finding{Rule: r.ID, Bump: cfg.bumpOf(r), Path: "huggingface.tokenizer", File: c.At.File, Line: c.At.Line, Count: t.Size(),
			oldText: "(absent)", newText: "(absent)", effect: r.Effect,
			summary: fmt.Sprintf("%s %s: %s tokens", file, verb, thousands(t.Size()))}
		f.Message = f.summary + ": " + r.Reason
		f.Suppressed = cfg.suppressed(r.ID, f.Path)
		return f
	}
	f := treeFinding(cfg, nil, tc, c)
	f.Old, f.New, f.oldText, f.newText = nil, nil, "(absent)", "(absent)"
	if c.Kind == Removed {
		f.Old, f.oldText = file, file
	} else {
		f.New, f.newText = file, file
	}
	f.summary = fmt.Sprintf("%s %s", file, map[ChangeKind]string{Added: "added", Removed: "removed"}[c.Kind])
	f.Message = f.summary + ": " + reasonOf(f.Message)
	return f
}

// vocabFindings turns a vocabulary diff into one finding per kind of
// change, counted, naming the first few tokens. at is the vocabulary's
// path in findings, model that of the merges' or scores' parent.
func vocabFindings(cfg *Config, at, model string, head *tokenizer.File, d *tokenizer.Diff, flagsRule *Rule) []Finding {
	var out []Finding
	group := func(r *Rule, cs []tokenizer.Change, verb string, old, new bool) {
		if len(cs) == 0 {
			return
		}
		line := cs[0].Line
		if !new {
			line = head.VocabLine // a removal shows where the head's vocabulary is
		}
		f := Finding{Rule: r.ID, Bump: cfg.bumpOf(r), Path: at, File: head.Name, Line: line, Count: len(cs), effect: r.Effect,
			oldText: "(absent)", newText: "(absent)"}
		ids := func(pick func(tokenizer.Change) int64) map[string]int64 {
			m := map[string]int64{}
			for _, c := range cs[:min(len(cs), maxTokenExamples)] {
				m[c.Text] = pick(c)
			}
			return m
		}
		text := func(pick func(tokenizer.Change) int64) string {
			var parts []string
			for _, c := range cs[:min(len(cs), maxTokenExamples)] {
				parts = append(parts, fmt.Sprintf("%s %d", tokenizer.Quote(c.Text), pick(c)))
			}
			if len(cs) > maxTokenExamples {
				parts = append(parts, fmt.Sprintf("and %d more", len(cs)-maxTokenExamples))
			}
			return strings.Join(parts, ", ")
		}
		if old {
			pick := func(c tokenizer.Change) int64 { return c.OldID }
			f.Old, f.oldText = ids(pick), text(pick)
		}
		if new {
			pick := func(c tokenizer.Change) int64 { return c.NewID }
			f.New, f.newText = ids(pick), text(pick)
		}
		noun := "tokens"
		if len(cs) == 1 {
			noun = "token"
		}
		f.summary = fmt.Sprintf("%s %s %s: %s", thousands(len(cs)), noun, verb, tokenizer.Examples(cs, maxTokenExamples))
		f.Message = f.summary + ": " + r.Reason
		f.Suppressed = cfg.suppressed(r.ID, f.Path)
		out = append(out, f)
	}
	group(ruleTokenizerTokenRenumbered, d.Renumbered, "changed id", true, true)
	group(ruleTokenizerTokenRemoved, d.Removed, "removed", true, false)
	group(ruleTokenizerTokenAdded, d.Added, "added", false, true)
	group(flagsRule, d.Flags, "changed flags (special, lstrip, rstrip, normalized, single_word)", true, true)
	if m := d.Merges; m.Changed() {
		r := ruleTokenizerMergesChanged
		f := Finding{Rule: r.ID, Bump: cfg.bumpOf(r), Path: model + ".merges", File: head.Name, Line: m.Line, Count: m.Count(), effect: r.Effect,
			Old: m.Old, New: m.New, oldText: strconv.Itoa(m.Old), newText: strconv.Itoa(m.New)}
		if m.Scores > 0 {
			f.Path = model + ".scores"
			f.Old, f.New, f.oldText, f.newText = nil, nil, "(scores)", "(scores)"
			f.summary = fmt.Sprintf("piece scores changed: %s pieces", thousands(m.Scores))
		} else {
			var parts []string
			for _, p := range []struct {
				n    int
				verb string
			}{{m.Added, "added"}, {m.Removed, "removed"}, {m.Reranked, "re-ranked"}} {
				if p.n > 0 {
					parts = append(parts, fmt.Sprintf("%s %s", thousands(p.n), p.verb))
				}
			}
			f.summary = fmt.Sprintf("merges changed: %s (%s -> %s merges)", strings.Join(parts, ", "), thousands(m.Old), thousands(m.New))
		}
		f.Message = f.summary + ": " + r.Reason
		f.Suppressed = cfg.suppressed(r.ID, f.Path)
		out = append(out, f)
	}
	return out
}

// templateFindings compares the chat templates by name.
func templateFindings(cfg *Config, b, h *HFFolder) []Finding {
	var names []string
	for n := range b.templates {
		names = append(names, n)
	}
	for n := range h.templates {
		if _, ok := b.templates[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	r := ruleChatTemplateChanged
	var out []Finding
	for _, name := range names {
		old, hadOld := b.templates[name]
		cur, hasNew := h.templates[name]
		if hadOld && hasNew && old.text == cur.text {
			continue
		}
		f := Finding{Rule: r.ID, Bump: cfg.bumpOf(r), Path: "huggingface.chat_template", effect: r.Effect, oldText: "(absent)", newText: "(absent)"}
		if name != hfDefaultTemplate {
			f.Path += "[" + name + "]"
		}
		label := "chat template"
		if name != hfDefaultTemplate {
			label = fmt.Sprintf("chat template %s", strconv.Quote(name))
		}
		switch {
		case !hadOld:
			f.File, f.Line = cur.at.File, cur.at.Line
			f.New, f.newText = cur.text, fmt.Sprintf("(%s characters)", thousands(utf8.RuneCountInString(cur.text)))
			f.summary = fmt.Sprintf("%s added in %s: %s characters", label, cur.at.File, thousands(utf8.RuneCountInString(cur.text)))
		case !hasNew:
			f.File, f.Line = h.tree.Pos.File, h.Line
			f.Old, f.oldText = old.text, fmt.Sprintf("(%s characters)", thousands(utf8.RuneCountInString(old.text)))
			f.summary = fmt.Sprintf("%s removed from %s", label, old.at.File)
		default:
			line, o, n := templateExcerpt(old.text, cur.text)
			f.File, f.Line = cur.at.File, cur.at.Line
			if cur.jinja {
				f.Line += line - 1
			}
			f.Old, f.New, f.oldText, f.newText = o, n, strconv.Quote(o), strconv.Quote(n)
			f.summary = fmt.Sprintf("%s changed (template line %d): -%s +%s", label, line, strconv.Quote(o), strconv.Quote(n))
		}
		f.Message = f.summary + ": " + r.Reason
		f.Suppressed = cfg.suppressed(r.ID, f.Path)
		out = append(out, f)
	}
	return out
}

// Bounds of a template excerpt: the context kept on each side of a change,
// and the most of the change itself shown, in characters.
const (
	excerptContext = 24
	excerptMax     = 160
)

// templateExcerpt returns where two versions of a text first differ (the
// line, 1-based) and the differing part of each with a little context: a
// short unified excerpt, "…" where it is cut.
func templateExcerpt(old, new string) (line int, o, n string) {
	p := 0
	for p < len(old) && p < len(new) && old[p] == new[p] {
		p++
	}
	for p > 0 && (p < len(old) && !utf8.RuneStart(old[p]) || p < len(new) && !utf8.RuneStart(new[p])) {
		p--
	}
	s := 0
	for s < len(old)-p && s < len(new)-p && old[len(old)-1-s] == new[len(new)-1-s] {
		s++
	}
	for s > 0 && (!utf8.RuneStart(old[len(old)-s]) || !utf8.RuneStart(new[len(new)-s])) {
		s--
	}
	line = 1 + strings.Count(new[:p], "\n")
	before := []rune(new[:p])
	pre := ""
	if len(before) > excerptContext {
		before, pre = before[len(before)-excerptContext:], "…"
	}
	after := []rune(new[len(new)-s:])
	post := ""
	if len(after) > excerptContext {
		after, post = after[:excerptContext], "…"
	}
	cut := func(mid string) string {
		r := []rune(mid)
		if len(r) <= excerptMax {
			return mid
		}
		return fmt.Sprintf("%s…(%d more)…%s", string(r[:excerptMax/2]), len(r)-excerptMax, string(r[len(r)-excerptMax/2:]))
	}
	o = pre + string(before) + cut(old[p:len(old)-s]) + string(after) + post
	n = pre + string(before) + cut(new[p:len(new)-s]) + string(after) + post
	return line, o, n
}

// hfSkip reports whether a change of the manifest tree is not one: the
// huggingface field itself (its folder's files are the evidence), and the
// folder's config.json appearing as the architecture of a manifest that
// starts to name its folder (there is nothing to compare it with).
func hfSkip(base, head *Model, c Change) bool {
	switch {
	case c.Path[0].Key == "huggingface":
		return true
	case c.Path[0].Key == "architecture" && len(c.Path) == 1 && c.Kind == Added:
		return head.hfArchitecture && base.HF == nil
	case c.Path[0].Key == "architecture" && len(c.Path) == 1 && c.Kind == Removed:
		return base.hfArchitecture && head.HF == nil
	}
	return false
}

// hfEvidence reports what of the Hugging Face folders could not be
// compared: a folder only one revision names, files behind Git LFS
// pointers whose objects are not fetched. Those files count as changed
// files only; the report says so.
func (r *ModelReport) hfEvidence(cfg *Config, in Input) {
	head := in.Head
	var base *HFFolder
	if in.Base != nil {
		base = in.Base.HF
	}
	switch {
	case head.HF == nil && base == nil:
		return
	case in.Base == nil:
		for _, u := range head.HF.unavailable {
			r.Notices = append(r.Notices, fmt.Sprintf("not read at %s: %s", in.HeadRef.Ref, u))
		}
		return
	case base == nil:
		r.Notices = append(r.Notices, fmt.Sprintf("the Hugging Face folder %s is first read at %s: nothing to compare its files with at %s", head.HF.Dir, in.HeadRef.Ref, in.BaseRef.Ref))
		return
	case head.HF == nil:
		r.addProblem(cfg, Problem{Rule: ruleHfEvidenceUnavailable.ID, File: head.Manifest, Line: head.IDPos.Line,
			Message: fmt.Sprintf("%s no longer has a huggingface field, which %s had: the folder's files counted as changed files only", head.Manifest, in.BaseRef.Ref),
			Fix:     "keep the huggingface field pointing to the model's folder"})
		return
	}
	var missing []string
	for _, side := range []struct {
		ref string
		hf  *HFFolder
	}{{in.BaseRef.Ref, base}, {in.HeadRef.Ref, head.HF}} {
		for _, u := range side.hf.unavailable {
			missing = append(missing, fmt.Sprintf("at %s: %s", side.ref, u))
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := "not read " + strings.Join(missing, "; ") + ": compared as changed files only"
	r.Notices = append(r.Notices, msg)
	r.addProblem(cfg, Problem{Rule: ruleHfEvidenceUnavailable.ID, File: head.Manifest, Line: head.HF.Line, Message: msg,
		Fix: fmt.Sprintf("fetch the LFS objects of both revisions (git lfs fetch origin %s %s; lfs: true in actions/checkout)", in.BaseRef.Ref, in.HeadRef.Ref)})
}

// hfUnread returns the files of the Hugging Face folders not read at one of
// the revisions: they count as changed files, although the other revision
// read them.
func hfUnread(base, head *Model) []string {
	var out []string
	for _, m := range []*Model{base, head} {
		if m.HF != nil {
			out = append(out, m.HF.unread...)
		}
	}
	return out
}
