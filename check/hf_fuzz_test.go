package check

import (
	"strings"
	"testing"
)

// FuzzModelCard feeds the model card reader arbitrary text: it never
// panics, refuses with one line naming the file and a line, and returns
// metadata only as a map. Seeds: testdata/fuzz/FuzzModelCard.
func FuzzModelCard(f *testing.F) {
	f.Add("---\nlicense: mit\nbase_model: org/base\n---\n# Title\n")
	f.Add("\ufeff---\r\ntags:\r\n- a\r\n...\r\n")
	f.Fuzz(func(t *testing.T, text string) {
		n, err := modelCard("README.md", text)
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "README.md:") || strings.Contains(msg, "\n") {
				t.Fatalf("error %q: want one line naming README.md", msg)
			}
			return
		}
		if n != nil && n.Kind != KindMap {
			t.Fatalf("metadata of kind %v", n.Kind)
		}
	})
}

// FuzzTokenizerConfig feeds the Hugging Face folder reader an arbitrary
// tokenizer_config.json (chat templates, added_tokens_decoder): it never
// panics, refuses with one line naming the file, and a folder compared
// with itself has no findings.
func FuzzTokenizerConfig(f *testing.F) {
	f.Add(`{"chat_template": "{{ bos_token }}", "added_tokens_decoder": {"0": {"content": "<s>", "special": true}}, "model_max_length": 2048}`)
	f.Add(`{"chat_template": [{"name": "default", "template": "a"}, {"name": "tool_use", "template": "b"}]}`)
	f.Fuzz(func(t *testing.T, text string) {
		fsys := hfRepo(map[string]string{"tokenizer_config.json": text})
		m, err := Load(fsys, "manifest.yaml")
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "hf/tokenizer_config.json") || strings.Contains(msg, "\n") {
				t.Fatalf("error %q: want one line naming hf/tokenizer_config.json", msg)
			}
			return
		}
		if found := hfFindings(DefaultConfig(), m, m, nil); len(found) != 0 {
			t.Fatalf("a folder compared with itself: %d findings, first %s", len(found), found[0].Message)
		}
	})
}
