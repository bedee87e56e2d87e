package check

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/modelgate/modelgate/check/evidence"
	"github.com/modelgate/modelgate/check/evidence/tensors"
	"github.com/modelgate/modelgate/check/evidence/tokenizer"
	"github.com/modelgate/modelgate/internal/excerpt"
)

// MaxTokenizerFileSize is the largest tokenizer.json modelgate reads.
// Large-vocabulary models ship 10–35 MiB; the reader streams it (no tree
// of nodes), so it is exempt from MaxFileSize.
const MaxTokenizerFileSize = 64 << 20

// MaxReadSize is the most modelgate reads of any one file: the git tree
// reader refuses to read further.
const MaxReadSize = MaxTokenizerFileSize

// hfJSONFiles are the JSON files of a Hugging Face model folder that are
// diffed as trees, with the name their changes have in finding paths
// (huggingface.<key>.<path in the file>).
var hfJSONFiles = []struct{ file, key string }{
	{"generation_config.json", "generation_config"},
	{"tokenizer_config.json", "tokenizer_config"},
	{"special_tokens_map.json", "special_tokens_map"},
	{"preprocessor_config.json", "preprocessor_config"},
	{"processor_config.json", "processor_config"},
	{"adapter_config.json", "adapter_config"},
}

// hfDefaultTemplate names the chat template a model uses unless told
// otherwise.
const hfDefaultTemplate = "default"

// HFFolder is what one revision's Hugging Face model folder holds (the
// manifest's huggingface field, DESIGN §2.4): the standard files that
// exist in it, read.
type HFFolder struct {
	// Dir is the folder, repository-relative.
	Dir string
	// Line is where the manifest names it.
	Line int
	// tree holds the files diffed as trees under their keys: the JSON
	// files (tokenizer_config.json without its chat templates and
	// added_tokens_decoder), the model card's front matter (model_card)
	// and tokenizer.json's sections (tokenizer).
	tree *Node
	// files maps the keys of tree, and chat_template, to the repository
	// path they were read from.
	files map[string]string
	// tokenizer is tokenizer.json's vocabulary and merges; decoder the
	// vocabulary tokenizer_config.json's added_tokens_decoder lists.
	tokenizer, decoder *tokenizer.File
	// templates are the chat templates by name.
	templates map[string]hfTemplate
	// unavailable says, per file, why it could not be read: a Git LFS
	// pointer whose object is not fetched; missing holds the keys of those
	// files, which are not compared at either revision.
	unavailable []string
	missing     map[string]bool
	unread      []string // their repository paths
}

// hfKeyOf returns the key under which the changes of a file of the folder
// are reported.
func hfKeyOf(file string) string {
	for _, jf := range hfJSONFiles {
		if jf.file == file {
			return jf.key
		}
	}
	switch file {
	case "tokenizer.json":
		return "tokenizer"
	case "README.md":
		return "model_card"
	}
	return "chat_template" // chat_template.json, chat_template.jinja
}

// hfTemplate is one chat template and where it is written.
type hfTemplate struct {
	text string
	at   Pos // the file and the line the template starts on
	// jinja is set for a template file, whose lines are the template's.
	jinja bool
}

// loadHF reads the Hugging Face folder the manifest's huggingface field v
// names. Files that do not exist are skipped; a file that exists must
// parse.
func loadHF(fsys fs.FS, manifest string, v *Node, opts LoadOptions) (*HFFolder, error) {
	if v.Kind != KindString {
		return nil, fmt.Errorf("%s:%d: huggingface must be the path of a Hugging Face model folder, such as ., not %s", manifest, v.Pos.Line, excerpt.Of(v.Text()))
	}
	dir, err := resolvePointer(path.Dir(manifest), v.Str)
	if err != nil {
		return nil, fmt.Errorf("%s:%d: huggingface: %w", manifest, v.Pos.Line, err)
	}
	if st, err := fs.Stat(fsys, dir); err != nil || !st.IsDir() {
		what := "does not exist"
		if err == nil {
			what = "is a file"
		}
		return nil, fmt.Errorf("%s:%d: huggingface points to %s, which %s; point it at the folder that holds config.json and the tokenizer files", manifest, v.Pos.Line, excerpt.Quote(v.Str), what)
	}
	h := &HFFolder{Dir: dir, Line: v.Pos.Line, files: map[string]string{}, templates: map[string]hfTemplate{}, missing: map[string]bool{},
		tree: &Node{Kind: KindMap, Fields: map[string]*Node{}, Pos: Pos{File: manifest, Line: v.Pos.Line}}}
	read := func(name string, limit int64) (*evidence.File, string, error) {
		p := path.Join(dir, name)
		f, err := evidence.ReadFile(fsys, p, opts.LFS, limit)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, p, nil
		case errors.Is(err, evidence.ErrTooLarge):
			return nil, p, fmt.Errorf("%w; modelgate reads %s files of up to %d MiB", err, name, limit>>20)
		case err != nil:
			return nil, p, err
		case f.Unavailable != "":
			h.unavailable = append(h.unavailable, f.Unavailable)
			h.missing[hfKeyOf(name)] = true
			h.unread = append(h.unread, p)
			return nil, p, nil
		}
		return f, p, nil
	}
	for _, jf := range hfJSONFiles {
		f, p, err := read(jf.file, MaxFileSize)
		if err != nil || f == nil {
			if err != nil {
				return nil, err
			}
			continue
		}
		n, err := Parse(p, []byte(f.Text))
		if err != nil {
			return nil, err
		}
		if n.Kind != KindMap {
			return nil, fmt.Errorf("%s:%d: %s must be a JSON object, as transformers writes it", p, n.Pos.Line, jf.file)
		}
		if jf.key == "tokenizer_config" {
			if n, err = h.tokenizerConfig(p, n); err != nil {
				return nil, err
			}
		}
		h.add(jf.key, p, n)
	}
	if err := h.loadTemplates(read); err != nil {
		return nil, err
	}
	if f, p, err := read("tokenizer.json", MaxTokenizerFileSize); err != nil {
		return nil, err
	} else if f != nil {
		if err := h.loadTokenizer(p, f.Text); err != nil {
			return nil, err
		}
	}
	if f, p, err := read("README.md", MaxFileSize); err != nil {
		return nil, err
	} else if f != nil {
		card, err := modelCard(p, f.Text)
		if err != nil {
			return nil, err
		}
		h.files["model_card"] = p // read even without front matter: the prose is not a change
		if card != nil {
			h.add("model_card", p, card)
		}
	}
	return h, nil
}

// add puts a file's tree under key.
func (h *HFFolder) add(key, file string, n *Node) {
	h.tree.Keys = append(h.tree.Keys, key)
	h.tree.Fields[key] = n
	h.files[key] = file
}

// tokenizerConfig takes the chat templates and added_tokens_decoder out of
// tokenizer_config.json, which are compared on their own, and returns the
// rest.
func (h *HFFolder) tokenizerConfig(file string, n *Node) (*Node, error) {
	rest := &Node{Kind: KindMap, Fields: map[string]*Node{}, Pos: n.Pos}
	for _, k := range n.Keys {
		v := n.Fields[k]
		switch k {
		case "chat_template":
			if err := h.templatesFrom(file, v); err != nil {
				return nil, err
			}
			continue
		case "added_tokens_decoder":
			dec, err := addedTokensDecoder(file, v)
			if err != nil {
				return nil, err
			}
			h.decoder = dec
			continue
		}
		rest.Keys = append(rest.Keys, k)
		rest.Fields[k] = v
	}
	return rest, nil
}

// templatesFrom reads a chat_template value: one template, or a list of
// {name, template} (transformers' named templates, such as tool_use).
func (h *HFFolder) templatesFrom(file string, v *Node) error {
	switch v.Kind {
	case KindNull:
		return nil
	case KindString:
		h.templates[hfDefaultTemplate] = hfTemplate{text: v.Str, at: v.Pos}
		return nil
	case KindList:
		for _, it := range v.Items {
			name, tmpl := it.Get("name"), it.Get("template")
			if it.Kind != KindMap || name == nil || name.Kind != KindString || tmpl == nil || tmpl.Kind != KindString {
				return fmt.Errorf("%s:%d: each named chat template is {\"name\": ..., \"template\": ...}, not %s", file, it.Pos.Line, excerpt.Of(it.Text()))
			}
			if _, dup := h.templates[name.Str]; dup {
				return fmt.Errorf("%s:%d: chat template %s is named twice; remove one of them", file, name.Pos.Line, excerpt.Quote(name.Str))
			}
			h.templates[name.Str] = hfTemplate{text: tmpl.Str, at: tmpl.Pos}
		}
		return nil
	}
	return fmt.Errorf("%s:%d: chat_template must be a template or a list of {\"name\": ..., \"template\": ...}, not %s", file, v.Pos.Line, excerpt.Of(v.Text()))
}

// loadTemplates reads the template files, which take precedence over the
// chat_template key as in transformers: chat_template.json (processors)
// and chat_template.jinja.
func (h *HFFolder) loadTemplates(read func(string, int64) (*evidence.File, string, error)) error {
	f, p, err := read("chat_template.json", MaxFileSize)
	if err != nil {
		return err
	}
	if f != nil {
		n, err := Parse(p, []byte(f.Text))
		if err != nil {
			return err
		}
		if n.Get("chat_template") == nil {
			return fmt.Errorf("%s:%d: chat_template.json must be {\"chat_template\": ...}", p, n.Pos.Line)
		}
		if err := h.templatesFrom(p, n.Get("chat_template")); err != nil {
			return err
		}
		h.files["chat_template.json"] = p
	}
	if f, p, err = read("chat_template.jinja", MaxFileSize); err != nil {
		return err
	}
	if f != nil {
		h.templates[hfDefaultTemplate] = hfTemplate{text: f.Text, at: Pos{File: p, Line: 1}, jinja: true}
		h.files["chat_template.jinja"] = p
	}
	return nil
}

// addedTokensDecoder reads tokenizer_config.json's added_tokens_decoder: a
// map of id -> {content, special, lstrip, ...}.
func addedTokensDecoder(file string, v *Node) (*tokenizer.File, error) {
	if v.Kind != KindMap {
		return nil, fmt.Errorf("%s:%d: added_tokens_decoder must map token ids to {\"content\": ...}, not %s", file, v.Pos.Line, excerpt.Of(v.Text()))
	}
	var tokens []tokenizer.AddedToken
	for _, k := range v.Keys {
		e := v.Fields[k]
		id, err := strconv.ParseInt(k, 10, 64)
		content := e.Get("content")
		switch {
		case err != nil || id < 0:
			return nil, fmt.Errorf("%s:%d: added_tokens_decoder: %s is not a token id; the keys are whole numbers from 0", file, e.Pos.Line, excerpt.Quote(k))
		case e.Kind != KindMap || content == nil || content.Kind != KindString:
			return nil, fmt.Errorf("%s:%d: added_tokens_decoder: token %s must be {\"content\": ..., \"special\": ...}, not %s", file, e.Pos.Line, k, excerpt.Of(e.Text()))
		}
		var flags []string
		for _, fk := range e.Keys {
			if fk != "content" {
				flags = append(flags, fk+"="+e.Fields[fk].Text())
			}
		}
		sort.Strings(flags)
		tokens = append(tokens, tokenizer.AddedToken{Token: tokenizer.Token{Text: content.Str, ID: id, Line: e.Pos.Line}, Flags: strings.Join(flags, " ")})
	}
	dec, dup := tokenizer.NewAdded(file, tokens)
	if dup != nil {
		return nil, fmt.Errorf("%s:%d: added_tokens_decoder lists token %s twice; remove one of them", file, dup.Line, excerpt.Quote(dup.Text))
	}
	return dec, nil
}

// loadTokenizer reads tokenizer.json: the vocabulary and merges as facts,
// the other sections as trees under tokenizer.
func (h *HFFolder) loadTokenizer(p, text string) error {
	t, err := tokenizer.Read(p, text)
	if err != nil {
		return err
	}
	h.tokenizer = t
	sections := &Node{Kind: KindMap, Fields: map[string]*Node{}, Pos: Pos{File: p, Line: 1}}
	for _, s := range t.Sections {
		n, err := parseJSONAt(p, []byte(s.Raw), s.Line)
		if err != nil {
			return err
		}
		sections.Keys = append(sections.Keys, s.Key)
		sections.Fields[s.Key] = n
	}
	h.add("tokenizer", p, sections)
	return nil
}

// parseJSONAt parses a JSON value that starts on line first of file.
func parseJSONAt(file string, data []byte, first int) (*Node, error) {
	p := &jsonParser{name: file, data: data, dec: json.NewDecoder(bytes.NewReader(data)), lastLine: first}
	p.dec.UseNumber()
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	if _, err := p.dec.Token(); err == nil {
		return nil, fmt.Errorf("%s:%d: unexpected content after the JSON value", file, p.line(p.dec.InputOffset()))
	}
	return n, nil
}

// fillFromHF completes a model from its Hugging Face folder: config.json as
// the architecture and the safetensors index (or model.safetensors, or a
// PEFT adapter's adapter_model.safetensors) as the tensor signatures,
// unless the manifest names them itself; and it records
// every file read, so that none also counts as a changed file.
func (m *Model) fillFromHF(fsys fs.FS, opts LoadOptions) error {
	h := m.HF
	if m.Root.Get("architecture") == nil {
		p := path.Join(h.Dir, "config.json")
		if data, err := readFile(fsys, p); err == nil {
			n, err := Parse(p, data)
			if err != nil {
				return err
			}
			m.Resolved.Keys = append(m.Resolved.Keys, "architecture")
			m.Resolved.Fields["architecture"] = n
			m.Files["architecture"] = p
			m.hfArchitecture = true
		} else if !errors.Is(err, errNotFound) {
			return fmt.Errorf("%s: %w", p, err)
		}
	}
	if m.Root.Get("tensors") == nil {
		for _, name := range []string{"model.safetensors.index.json", "model.safetensors", "adapter_model.safetensors"} {
			p := path.Join(h.Dir, name)
			ts, err := loadTensors(fsys, p, opts)
			if errors.Is(err, tensors.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			m.Tensors, m.Files["tensors"] = ts, p
			break
		}
	}
	for k, p := range h.files {
		m.Files["huggingface/"+k] = p
	}
	return nil
}
