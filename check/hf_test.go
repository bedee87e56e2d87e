package check

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

func TestModelCard(t *testing.T) {
	cases := []struct {
		name, text string
		want       string // the metadata as Text(), "nil", or "error: ..."
	}{
		{"front matter", "---\nlicense: mit\nbase_model: org/base\n---\n# Title\n", "{license: mit, base_model: org/base}"},
		{"CRLF and a BOM", "\ufeff---\r\nlicense: mit\r\n---\r\nprose\r\n", "{license: mit}"},
		{"closed by ...", "---\nlicense: mit\n...\nprose", "{license: mit}"},
		{"no front matter", "# Title\n\n---\n\nlicense: mit\n", "nil"},
		{"empty front matter", "---\n---\n# Title\n", "nil"},
		{"only the opening line", "---", "nil"},
		{"never closed", "---\nlicense: mit\n# Title\n", "error: README.md:1: the model card's metadata starts with --- but never ends; close it with a line ---"},
		{"a list, not keys", "---\n- a\n- b\n---\n", "error: README.md:2: the model card's metadata must be YAML keys such as license: mit, not a list"},
		{"a duplicate key", "---\nlicense: mit\nlicense: apache-2.0\n---\n", `error: README.md:3: duplicate key "license"; remove one of them`},
		{"invalid YAML", "---\nlicense: [mit\n---\n", "error: README.md:2: invalid YAML: did not find expected ',' or ']'"},
		{"an indented --- is not the end", "---\ndescription: |\n  a\n  ---\nlicense: mit\n---\n", "{description: a\n---\n, license: mit}"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n, err := modelCard("README.md", c.text)
			var got string
			switch {
			case err != nil:
				got = "error: " + err.Error()
			case n == nil:
				got = "nil"
			default:
				got = n.Text()
			}
			if got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
	n, err := modelCard("README.md", "---\nlicense: mit\nbase_model: org/base\n---\n")
	if err != nil || n.Get("base_model").Pos.Line != 3 {
		t.Errorf("base_model is on line 3 of the file: %v, %v", n, err)
	}
}

func TestTemplateExcerpt(t *testing.T) {
	long := strings.Repeat("x", 300)
	cases := []struct {
		old, new string
		line     int
		o, n     string
	}{
		{"{{ a }}", "{{ b }}", 1, "{{ a }}", "{{ b }}"},
		{"line 1\nline 2\n{{ 'assistant' }}\n", "line 1\nline 2\n{{ 'assistant<think>' }}\n", 3, "…e 1\nline 2\n{{ 'assistant' }}\n", "…e 1\nline 2\n{{ 'assistant<think>' }}\n"},
		{strings.Repeat("a", 50) + "OLD" + strings.Repeat("z", 50), strings.Repeat("a", 50) + "NEW" + strings.Repeat("z", 50), 1,
			"…" + strings.Repeat("a", 24) + "OLD" + strings.Repeat("z", 24) + "…", "…" + strings.Repeat("a", 24) + "NEW" + strings.Repeat("z", 24) + "…"},
		// Multi-byte characters are never cut in half: ｜ and ▁ share bytes.
		{"<｜User｜>", "<▁User▁>", 1, "<｜User｜>", "<▁User▁>"},
		{"", "new", 1, "", "new"},
		{"a" + long + "b", "a" + "b", 1, "a" + strings.Repeat("x", 80) + "…(140 more)…" + strings.Repeat("x", 80) + "b", "ab"},
	}
	for i, c := range cases {
		line, o, n := templateExcerpt(c.old, c.new)
		if line != c.line || o != c.o || n != c.n {
			t.Errorf("case %d: line %d, -%q +%q; want line %d, -%q +%q", i, line, o, n, c.line, c.o, c.n)
		}
	}
}

// hfRepo is a revision with a manifest naming the folder hf/ and the given
// files in it.
func hfRepo(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{"manifest.yaml": {Data: []byte("model: m-v1.0.0\nhuggingface: hf\n")}}
	for name, text := range files {
		fsys["hf/"+name] = &fstest.MapFile{Data: []byte(text)}
	}
	return fsys
}

func TestLoadHFErrors(t *testing.T) {
	cases := []struct {
		name  string
		fsys  fstest.MapFS
		wantE string
	}{
		{"no folder", fstest.MapFS{"manifest.yaml": {Data: []byte("model: m-v1.0.0\nhuggingface: hf\n")}},
			`manifest.yaml:2: huggingface points to "hf", which does not exist; point it at the folder that holds config.json and the tokenizer files`},
		{"a file", fstest.MapFS{"manifest.yaml": {Data: []byte("model: m-v1.0.0\nhuggingface: hf\n")}, "hf": {Data: []byte("x")}},
			`manifest.yaml:2: huggingface points to "hf", which is a file; point it at the folder that holds config.json and the tokenizer files`},
		{"not a path", fstest.MapFS{"manifest.yaml": {Data: []byte("model: m-v1.0.0\nhuggingface: {dir: hf}\n")}},
			`manifest.yaml:2: huggingface must be the path of a Hugging Face model folder, such as ., not {dir: hf}`},
		{"outside", fstest.MapFS{"manifest.yaml": {Data: []byte("model: m-v1.0.0\nhuggingface: ../hf\n")}},
			`manifest.yaml:2: huggingface: "../hf" leaves the repository; keep pointers inside it`},
		{"a JSON list", hfRepo(map[string]string{"generation_config.json": "[1]"}),
			`hf/generation_config.json:1: generation_config.json must be a JSON object, as transformers writes it`},
		{"a duplicate key", hfRepo(map[string]string{"generation_config.json": "{\n\"top_k\": 1,\n\"top_k\": 2}"}),
			`hf/generation_config.json:3: duplicate key "top_k"; remove one of them`},
		{"a chat template of a number", hfRepo(map[string]string{"tokenizer_config.json": `{"chat_template": 3}`}),
			`hf/tokenizer_config.json:1: chat_template must be a template or a list of {"name": ..., "template": ...}, not 3`},
		{"a named template twice", hfRepo(map[string]string{"tokenizer_config.json": "{\"chat_template\": [\n{\"name\": \"default\", \"template\": \"a\"},\n{\"name\": \"default\", \"template\": \"b\"}]}"}),
			`hf/tokenizer_config.json:3: chat template "default" is named twice; remove one of them`},
		{"a token id that is not a number", hfRepo(map[string]string{"tokenizer_config.json": `{"added_tokens_decoder": {"x": {"content": "<s>"}}}`}),
			`hf/tokenizer_config.json:1: added_tokens_decoder: "x" is not a token id; the keys are whole numbers from 0`},
		{"a token without content", hfRepo(map[string]string{"tokenizer_config.json": `{"added_tokens_decoder": {"1": {"special": true}}}`}),
			`hf/tokenizer_config.json:1: added_tokens_decoder: token 1 must be {"content": ..., "special": ...}, not {special: true}`},
		{"a token twice", hfRepo(map[string]string{"tokenizer_config.json": "{\"added_tokens_decoder\": {\n\"1\": {\"content\": \"<s>\"},\n\"2\": {\"content\": \"<s>\"}}}"}),
			`hf/tokenizer_config.json:3: added_tokens_decoder lists token "<s>" twice; remove one of them`},
		{"a bad tokenizer.json", hfRepo(map[string]string{"tokenizer.json": "{\n\"model\": {\"vocab\": {\"a\": 1.5}}}"}),
			`hf/tokenizer.json:2: the id of token "a" must be a whole number from 0, not 1.5`},
		{"a model card never closed", hfRepo(map[string]string{"README.md": "---\nlicense: mit\n"}),
			`hf/README.md:1: the model card's metadata starts with --- but never ends; close it with a line ---`},
		{"chat_template.json without the key", hfRepo(map[string]string{"chat_template.json": `{"template": "x"}`}),
			`hf/chat_template.json:1: chat_template.json must be {"chat_template": ...}`},
		{"a bad config.json", hfRepo(map[string]string{"config.json": "{\n\"hidden_size\": 1,\n\"hidden_size\": 2}"}),
			`hf/config.json:3: duplicate key "hidden_size"; remove one of them`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(c.fsys, "manifest.yaml")
			if err == nil {
				t.Fatalf("no error, want %s", c.wantE)
			}
			if err.Error() != c.wantE {
				t.Errorf("error\n%s\nwant\n%s", err, c.wantE)
			}
		})
	}
}

// TestHFExplicitFieldsWin: architecture and tensors written in the manifest
// are read instead of the folder's config.json and safetensors.
func TestHFExplicitFieldsWin(t *testing.T) {
	fsys := hfRepo(map[string]string{"config.json": `{"model_type": "llama", "hidden_size": 64}`,
		"model.safetensors.index.json": `{"weight_map": {"a": "s.safetensors"}}`})
	m, err := Load(fsys, "manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if m.Files["architecture"] != "hf/config.json" || m.Files["tensors"] != "hf/model.safetensors.index.json" || len(m.Tensors.Names) != 1 {
		t.Errorf("from the folder: files %v, tensors %v", m.Files, m.Tensors)
	}
	fsys["manifest.yaml"] = &fstest.MapFile{Data: []byte("model: m-v1.0.0\nhuggingface: hf\narchitecture: {hidden_size: 32}\ntensors: {b: {shape: [1], dtype: F32}}\n")}
	if m, err = Load(fsys, "manifest.yaml"); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(m.Resolved.Get("architecture").Text(), " ", m.Tensors.Names); got != "{hidden_size: 32} [b]" {
		t.Errorf("explicit fields: %s", got)
	}
	if _, ok := m.Files["architecture"]; ok {
		t.Errorf("an inline architecture names no file: %v", m.Files)
	}
}

// TestHFUnfetchedIsNotRemoved: a tokenizer.json read at the baseline and
// behind an unfetched Git LFS pointer at head is unknown at head, not
// removed: no vocabulary finding, a changed file and a warning.
func TestHFUnfetchedIsNotRemoved(t *testing.T) {
	tok := `{"model": {"vocab": {"a": 0, "b": 1}, "merges": ["a b"]}}`
	pointer := "version https://git-lfs.github.com/spec/v1\noid sha256:" + strings.Repeat("a", 64) + "\nsize 61\n"
	base := hfRepo(map[string]string{"tokenizer.json": tok, "tokenizer_config.json": `{"model_max_length": 1}`})
	head := hfRepo(map[string]string{"tokenizer.json": pointer, "tokenizer_config.json": `{"model_max_length": 2}`})
	head["manifest.yaml"] = &fstest.MapFile{Data: []byte("model: m-v1.1.0\nhuggingface: hf\n")}
	head["releases/v1.1.0.md"] = &fstest.MapFile{Data: []byte("Notes.\n")}
	b, err := Load(base, "manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	h, err := Load(head, "manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Evaluate(Input{Base: b, Head: h, HeadFS: head, BaseFS: base, Changed: []string{"hf/tokenizer.json", "hf/tokenizer_config.json", "manifest.yaml"},
		BaseRef: Ref{Ref: "base"}, HeadRef: Ref{Ref: "HEAD"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range r.Findings {
		got = append(got, f.Rule+" "+f.Path)
	}
	for _, p := range r.Problems {
		got = append(got, string(p.Level)+" "+p.Rule)
	}
	want := "tokenizer-config-changed huggingface.tokenizer_config.model_max_length, file-changed hf/tokenizer.json, warning hf-evidence-unavailable"
	if strings.Join(got, ", ") != want || !r.Passed {
		t.Errorf("got %s (passed %v), want %s", strings.Join(got, ", "), r.Passed, want)
	}
}
