package cli_test

import (
	"strings"
	"sync"
	"testing"
)

// hugeTokenizer is a tokenizer.json over the 64 MiB modelgate reads of one.
var hugeTokenizer = sync.OnceValue(func() string {
	const size = 64<<20 + 4096
	var b strings.Builder
	b.Grow(size + 64)
	b.WriteString(`{"version": "`)
	b.WriteString(strings.Repeat("x", size))
	b.WriteString("\"}\n")
	return b.String()
})

// TestBadInputHF holds the readers of a Hugging Face folder (huggingface:
// <folder>) to the bad-input contract: exit 2, one line naming the file and
// the line, nothing written.
func TestBadInputHF(t *testing.T) {
	manifest := "model: tiny-chat-v1.0.0\nhuggingface: .\n"
	cases := []badCase{
		{
			name:  "tokenizer-duplicate-token",
			files: map[string]string{"manifest.yaml": manifest, "tokenizer.json": "{\n  \"model\": {\n    \"vocab\": {\n      \"a\": 0,\n      \"a\": 1\n    }\n  }\n}\n"},
			want:  []string{"tokenizer.json:5", `duplicate key "a" in model.vocab`, "remove one of them"},
		},
		{
			name:  "tokenizer-trailing-comma",
			files: map[string]string{"manifest.yaml": manifest, "tokenizer.json": "{\"model\": {\"merges\": [\"a b\",]}}"},
			want:  []string{"tokenizer.json:1", "invalid JSON"},
		},
		{
			name:  "tokenizer-over-the-limit",
			files: map[string]string{"manifest.yaml": manifest, "tokenizer.json": hugeTokenizer()},
			want:  []string{"tokenizer.json", "more than the 67108864 modelgate reads", "tokenizer.json files of up to 64 MiB"},
		},
		{
			name:  "tokenizer-config-duplicate-key",
			files: map[string]string{"manifest.yaml": manifest, "tokenizer_config.json": "{\n\"model_max_length\": 1,\n\"model_max_length\": 2\n}\n"},
			want:  []string{"tokenizer_config.json:3", `duplicate key "model_max_length"`},
		},
		{
			name:  "model-card-unclosed",
			files: map[string]string{"manifest.yaml": manifest, "README.md": "---\nlicense: mit\n\n# A model\n"},
			want:  []string{"README.md:1", "close it with a line ---"},
		},
		{
			name:  "folder-missing",
			files: map[string]string{"manifest.yaml": "model: tiny-chat-v1.0.0\nhuggingface: hf/\n"},
			want:  []string{"manifest.yaml:2", `huggingface points to "hf/", which does not exist`},
		},
	}
	runBadCases(t, cases)
}
