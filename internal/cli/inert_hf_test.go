package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/modelgate/modelgate/internal/cli"
)

// The sources a Hugging Face folder adds (issue 13) are repository strings
// too (DESIGN §4): tokens of tokenizer.json and of added_tokens_decoder, the
// chat template and its excerpt, keys and values of tokenizer_config.json,
// generation_config.json and adapter_config.json, the model card's front
// matter. hostileHF carries each hostile sequence in every one of them.

// hostileRaw are the hostile sequences as Go strings (see hostileYAML).
var hostileRaw = []string{
	"\r::error::cr", "nl\n::error::newline", "\x1b[2K\x1b[1Aerase", "\x1b]8;;http://evil\ahref", "nul\x00", "del\x7f",
	"c1\u0085\u009b31m", "evil\u202etxt", "\u202a\u202b\u202c\u202d", "iso\u2066\u2067\u2068\u2069", "sep\u2028\u2029",
	"##[error]legacy", "##[stop-commands]tok", "::warning::start", "\t::notice::tab",
}

// jsonText marshals v as JSON, indented, as the Hugging Face libraries
// write their files.
func jsonText(t *testing.T, v any) string {
	t.Helper()
	data, err := json.MarshalIndent(v, "", "  ")
	mustDo(t, err)
	return string(data) + "\n"
}

// hostileHF builds a repository whose manifest names its Hugging Face
// folder: release hostile-hf-v1.0.0, then a commit that renumbers, removes
// and adds hostile tokens, changes the chat template around a hostile
// string and changes every hostile key of the folder's JSON files and of
// the model card.
func hostileHF(t *testing.T) string {
	dir := t.TempDir()
	gitInit(t, dir)
	revision := func(v int) {
		vocab := map[string]int{"a": 0, "b": 1}
		var added []map[string]any
		decoder := map[string]any{}
		for i, h := range hostileRaw {
			id := 2 + i
			if v == 1 && i < 2 {
				id = 3 - i // the first two swap ids
			}
			if v == 1 && i == 2 {
				continue // removed
			}
			vocab[h] = id
		}
		added = append(added, map[string]any{"id": 2 + len(hostileRaw), "content": "<|" + hostileRaw[0] + "|>", "single_word": false,
			"lstrip": false, "rstrip": false, "normalized": false, "special": true})
		decoder[fmt.Sprint(2+len(hostileRaw))] = map[string]any{"content": "<|" + hostileRaw[0] + "|>", "special": true}
		if v == 1 {
			added = append(added, map[string]any{"id": 3 + len(hostileRaw), "content": hostileRaw[7] + "|new", "single_word": false,
				"lstrip": false, "rstrip": false, "normalized": false, "special": true})
			decoder[fmt.Sprint(3+len(hostileRaw))] = map[string]any{"content": hostileRaw[7] + "|new", "special": true}
		}
		tok := map[string]any{"version": "1.0", "truncation": nil, "padding": nil, "added_tokens": added, "normalizer": nil,
			"pre_tokenizer":  map[string]any{"type": "ByteLevel", "add_prefix_space": v == 1},
			"post_processor": nil, "decoder": nil,
			"model": map[string]any{"type": "BPE", "vocab": vocab, "merges": [][]string{{"a", "b"}, {hostileRaw[3], hostileRaw[4+v]}}}}
		template := "{% for m in messages %}{{ '" + strings.Join(hostileRaw, "") + "' + m['content'] }}{% endfor %}"
		if v == 1 {
			template = strings.Replace(template, "m['content']", "m['content'] + '"+hostileRaw[2]+"'", 1)
		}
		cfg := map[string]any{"chat_template": template, "added_tokens_decoder": decoder, "model_max_length": 2048}
		gen := map[string]any{"temperature": 0.7}
		adapter := map[string]any{"peft_type": "LORA", "r": 8, "lora_alpha": 16}
		card := "---\nlicense: apache-2.0\nbase_model: org/base\ntags:\n"
		for _, h := range hostileRaw {
			s := h + strings.Repeat("+", v)
			cfg[h] = s
			gen[h] = s
			adapter[h] = s
			card += "- " + strconv.QuoteToASCII(s) + "\n" // Go's escapes are YAML's
		}
		card += "---\n\n# hostile\n"
		writeFile(t, dir, "manifest.yaml", fmt.Sprintf("model: hostile-hf-v%d.0.0\nhuggingface: .\n", v+1))
		writeFile(t, dir, "config.json", jsonText(t, map[string]any{"model_type": "llama", "hidden_size": 64, "vocab_size": 40}))
		writeFile(t, dir, "tokenizer.json", jsonText(t, tok))
		writeFile(t, dir, "tokenizer_config.json", jsonText(t, cfg))
		writeFile(t, dir, "generation_config.json", jsonText(t, gen))
		writeFile(t, dir, "adapter_config.json", jsonText(t, adapter))
		writeFile(t, dir, "README.md", card)
	}
	revision(0)
	gitCommitAll(t, dir, "release")
	git(t, dir, "tag", "-a", "hostile-hf-v1.0.0", "-m", "release")
	revision(1)
	writeFile(t, dir, "releases/v2.0.0.md", "Tokens renumbered.\n\n## Migration\n\nRe-train the embeddings.\n")
	gitCommitAll(t, dir, "hostile")
	return dir
}

// TestHostileHFFolderStringsAreInert runs check, diff and notes in every
// format on the hostile folder: nothing raw in stdout, stderr or the notes
// written, and the hostile tokens and template reach the output escaped.
func TestHostileHFFolderStringsAreInert(t *testing.T) {
	dir := hostileHF(t)
	textVisible := []string{`\x1b[2K\x1b[1Aerase`, `evil\u202etxt`, `\r::error::cr`}
	calls := [][]string{}
	for _, cmd := range []string{"check", "diff"} {
		for _, format := range []string{"text", "json", "markdown", "github", "sarif"} {
			calls = append(calls, []string{cmd, "--repo", dir, "--format", format})
		}
	}
	calls = append(calls, []string{"notes", "--repo", dir}, []string{"notes", "--repo", dir, "--format", "json"},
		[]string{"notes", "--repo", dir, "--format", "release"}, []string{"next", "--repo", dir})
	for i, args := range calls {
		t.Run(fmt.Sprintf("%d-%s", i, strings.Join(args[3:], "")), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := cli.Run(context.Background(), args, nil, &stdout, &stderr)
			if code == 2 {
				t.Fatalf("modelgate %q could not run: %s", args, stderr.String())
			}
			for name, out := range map[string]string{"stdout": stdout.String(), "stderr": stderr.String()} {
				if bad := rawHostile(out, name == "stdout" && slices.Contains(args, "github")); bad != "" {
					t.Errorf("modelgate %q (exit %d): %s has %s", args, code, name, bad)
				}
			}
			if args[0] == "next" {
				return
			}
			all := stdout.String() + stderr.String()
			want := textVisible
			switch {
			case slices.Contains(args, "json"):
				want = []string{`\u001b[2K\u001b[1Aerase`, `evil\u202etxt`}
			case slices.Contains(args, "sarif"):
				// SARIF holds the text's escapes, as JSON strings.
				want = []string{`\\x1b[2K\\x1b[1Aerase`, `evil\\u202etxt`}
			}
			for _, v := range want {
				if !strings.Contains(all, v) {
					t.Errorf("modelgate %q (exit %d) does not show %s:\n%s", args, code, v, clip(all))
				}
			}
			if args[0] == "check" && slices.Contains(args, "text") {
				for _, rule := range []string{"tokenizer-token-renumbered", "tokenizer-token-removed", "tokenizer-token-added",
					"tokenizer-merges-changed", "tokenizer-pipeline-changed", "chat-template-changed", "tokenizer-config-changed",
					"generation-config-changed", "adapter-unclassified", "model-card-changed"} {
					if !strings.Contains(all, "["+rule+"]") {
						t.Errorf("check lists no %s finding: the hostile source did not reach the report:\n%s", rule, clip(all))
					}
				}
			}
		})
	}
	var stdout, stderr bytes.Buffer
	if code := cli.Run(context.Background(), []string{"notes", "--repo", dir, "--write", "--force"}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("notes --write: exit %d: %s", code, stderr.String())
	}
	data, err := os.ReadFile(filepath.Join(dir, "releases/v2.0.0.md"))
	mustDo(t, err)
	if bad := rawHostile(string(data), false); bad != "" {
		t.Errorf("releases/v2.0.0.md has %s", bad)
	}
	if !strings.Contains(string(data), `\x1b[2K\x1b[1Aerase`) {
		t.Errorf("releases/v2.0.0.md does not show the hostile token, escaped:\n%s", clip(string(data)))
	}
}
