package tokenizer

import (
	"fmt"
	"strconv"
	"strings"
)

// genSpec describes a generated tokenizer.json with the structure the
// tokenizers library writes for a byte-level BPE model (GPT-2, Llama 3,
// Qwen 2, SmolLM 2): version, truncation, padding, added_tokens,
// normalizer, pre_tokenizer, post_processor, decoder, then the model with
// its options, vocab and merges, indented by 2 spaces.
type genSpec struct {
	vocab, merges int
	// renumber swaps the ids of this many pairs of tokens spread over the
	// vocabulary (2 tokens each).
	renumber int
	// legacyMerges writes merges as "left right" strings (tokenizers < 0.20).
	legacyMerges bool
}

// genToken is the text of token i: byte-level BPE pieces with Ġ (a space).
func genToken(i int) string {
	if i < 256 {
		return fmt.Sprintf("<0x%02X>", i)
	}
	return "Ġw" + strconv.FormatInt(int64(i), 36)
}

// genTokenizer writes the file.
func genTokenizer(g genSpec) string {
	var b strings.Builder
	b.Grow(g.vocab*32 + g.merges*56)
	b.WriteString(`{
  "version": "1.0",
  "truncation": null,
  "padding": null,
  "added_tokens": [
    {
      "id": ` + strconv.Itoa(g.vocab) + `,
      "content": "<|endoftext|>",
      "single_word": false,
      "lstrip": false,
      "rstrip": false,
      "normalized": false,
      "special": true
    }
  ],
  "normalizer": null,
  "pre_tokenizer": {
    "type": "ByteLevel",
    "add_prefix_space": false,
    "trim_offsets": true,
    "use_regex": true
  },
  "post_processor": {
    "type": "ByteLevel",
    "add_prefix_space": true,
    "trim_offsets": false,
    "use_regex": true
  },
  "decoder": {
    "type": "ByteLevel",
    "add_prefix_space": true,
    "trim_offsets": true,
    "use_regex": true
  },
  "model": {
    "type": "BPE",
    "dropout": null,
    "unk_token": null,
    "continuing_subword_prefix": "",
    "end_of_word_suffix": "",
    "fuse_unk": false,
    "byte_fallback": false,
    "ignore_merges": false,
    "vocab": {
`)
	swapped := map[int]int{}
	if g.renumber > 0 {
		step := g.vocab / (2 * g.renumber)
		for k := 0; k < g.renumber; k++ {
			a, c := 300+k*2*step, 300+k*2*step+step/2
			swapped[a], swapped[c] = c, a
		}
	}
	for i := 0; i < g.vocab; i++ {
		id := i
		if j, ok := swapped[i]; ok {
			id = j
		}
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString(`      "`)
		b.WriteString(genToken(i))
		b.WriteString(`": `)
		b.WriteString(strconv.Itoa(id))
	}
	b.WriteString("\n    },\n    \"merges\": [")
	for i := 0; i < g.merges; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		l, r := "Ġw"+strconv.FormatInt(int64(i), 36), "x"+strconv.FormatInt(int64(i%977), 36)
		if g.legacyMerges {
			b.WriteString("\n      \"" + l + " " + r + "\"")
		} else {
			b.WriteString("\n      [\n        \"" + l + "\",\n        \"" + r + "\"\n      ]")
		}
	}
	b.WriteString("\n    ]\n  }\n}")
	return b.String()
}
