package cli_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestBadInputParse holds the parsers to the bad-input contract (DESIGN §8)
// for the classes of issue 11: numbers out of range (one rule in every
// format), duplicate keys in every file read, error lines that quote only an
// excerpt of a huge value, and the line of a YAML syntax error at the end of
// a large file.
func TestBadInputParse(t *testing.T) {
	million := strings.Repeat("7", 1_000_000)
	longKey := strings.Repeat("k", 1_000_000)
	var big strings.Builder
	big.WriteString("model: lite-llm-base-v1.0.0\narchitecture:\n")
	for i := 0; big.Len() < 400<<10; i++ {
		fmt.Fprintf(&big, "  layer_%d_hidden_size: %d\n", i, i)
	}
	bigLines := strings.Count(big.String(), "\n")

	cases := []badCase{
		// ---- one rule for numbers beyond a 64-bit float ----
		{
			name:  "number-out-of-range-json",
			files: map[string]string{"manifest.json": "{\n  \"model\": \"lite-llm-base-v1.0.0\",\n  \"architecture\": {\"rope_theta\": 1e400}\n}\n"},
			want:  []string{"manifest.json:3", "number 1e400 is out of range", "64-bit float"},
		},
		{
			name:  "number-out-of-range-yaml",
			files: map[string]string{"manifest.yaml": goodManifest + "  rope_theta: 1e400\n"},
			want:  []string{"manifest.yaml:5", "number 1e400 is out of range", "64-bit float"},
		},
		{
			name: "number-out-of-range-toml",
			files: map[string]string{"manifest.yaml": "model: lite-llm-base-v1.0.0\narchitecture: config.toml\n",
				"config.toml": "[model]\nrope_theta = 1e400\n"},
			want: []string{"config.toml:2", "number 1e400 is out of range", "64-bit float"},
		},
		{
			name:  "number-negative-out-of-range-yaml",
			files: map[string]string{"manifest.yaml": goodManifest + "  rope_theta: -1.5e999\n"},
			want:  []string{"manifest.yaml:5", "number -1.5e999 is out of range"},
		},

		// ---- error lines quote an excerpt, never a megabyte ----
		{
			name:  "million-digit-number-json",
			files: map[string]string{"manifest.json": "{\n  \"model\": \"lite-llm-base-v1.0.0\",\n  \"architecture\": {\"rope_theta\": " + million + ".5e400}\n}\n"},
			want:  []string{"manifest.json:3", "number 777777", "more)", "is out of range"},
		},
		{
			name:  "million-digit-number-yaml",
			files: map[string]string{"manifest.yaml": goodManifest + "  rope_theta: " + million + ".5e400\n"},
			want:  []string{"manifest.yaml:5", "number 777777", "more)", "is out of range"},
		},
		{
			name:  "million-character-duplicate-key-json",
			files: map[string]string{"manifest.json": "{\n  \"model\": \"lite-llm-base-v1.0.0\",\n  \"" + longKey + "\": 1,\n  \"" + longKey + "\": 2\n}\n"},
			want:  []string{"manifest.json:4", `duplicate key "kkkk`, "more)"},
		},
		{
			name:  "million-character-duplicate-key-yaml",
			files: map[string]string{"manifest.yaml": goodManifest + "? " + longKey + "\n: 1\n? " + longKey + "\n: 2\n"},
			want:  []string{"manifest.yaml:7", `duplicate key "kkkk`, "more)"},
		},
		{
			name:  "million-character-model-identifier",
			files: map[string]string{"manifest.yaml": "model: " + longKey + "-v1.0.0\n"},
			want:  []string{"manifest.yaml:1", "kkkk", "more)", "at most 255"},
		},
		{
			name: "million-character-tolerance",
			files: map[string]string{"manifest.yaml": goodManifest,
				".modelgate.yaml": "metrics:\n  mmlu.accuracy: {direction: higher, tolerance: " + longKey + "}\n"},
			want: []string{".modelgate.yaml:2", "tolerance must be", "kkkk", "more)"},
		},

		// ---- duplicate keys refused in every file read, with file and line ----
		{
			name: "duplicate-key-architecture-json",
			files: map[string]string{"manifest.yaml": "model: lite-llm-base-v1.0.0\narchitecture: config.json\n",
				"config.json": "{\n  \"hidden_size\": 4096,\n  \"hidden_size\": 5120\n}\n"},
			want: []string{"config.json:3", `duplicate key "hidden_size"`, "remove one"},
		},
		{
			name: "duplicate-key-metrics-yaml",
			files: map[string]string{"manifest.yaml": goodManifest + "metrics: eval/metrics.yaml\n",
				"eval/metrics.yaml": "mmlu:\n  accuracy: 0.7\n  accuracy: 0.8\n"},
			want: []string{"eval/metrics.yaml:3", `duplicate key "accuracy"`, "remove one"},
		},
		{
			name: "duplicate-key-toml",
			files: map[string]string{"manifest.yaml": "model: lite-llm-base-v1.0.0\narchitecture: config.toml\n",
				"config.toml": "[model]\nhidden_size = 4096\nhidden_size = 5120\n"},
			want: []string{"config.toml:3", "'model.hidden_size' has already been defined"},
		},
		{
			name: "duplicate-table-toml",
			files: map[string]string{"manifest.yaml": "model: lite-llm-base-v1.0.0\narchitecture: config.toml\n",
				"config.toml": "[model]\nhidden_size = 4096\n\n[model]\nnum_layers = 32\n"},
			want: []string{"config.toml:4", "'model' has already been defined"},
		},
		{
			name: "duplicate-key-config",
			files: map[string]string{"manifest.yaml": goodManifest,
				".modelgate.yaml": "notes_dir: releases\nignore: [a]\nnotes_dir: notes\n"},
			want: []string{".modelgate.yaml:3", `duplicate key "notes_dir"`},
		},

		{
			name: "duplicate-weight-map-in-index",
			files: map[string]string{"manifest.yaml": goodManifest + "tensors: model.safetensors.index.json\n",
				"model.safetensors.index.json": "{\n  \"weight_map\": {\"a\": \"s1.safetensors\"},\n  \"weight_map\": {\"b\": \"s2.safetensors\"}\n}\n"},
			want: []string{"model.safetensors.index.json:3", `duplicate key "weight_map"`, "remove one"},
		},
		{
			name: "duplicate-key-inside-tensor-entry",
			files: map[string]string{"manifest.yaml": goodManifest + "tensors: tensors.json\n",
				"tensors.json": "{\n  \"a.weight\": {\"shape\": [4],\n    \"shape\": [8], \"dtype\": \"F32\"}\n}\n"},
			want: []string{"tensors.json:3", `duplicate key "shape"`, "remove one"},
		},
		{
			name: "duplicate-key-in-openapi-ref",
			files: map[string]string{"manifest.yaml": goodManifest + "api: api/openapi.yaml\n",
				"api/openapi.yaml": "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: 'schemas.yaml#/Out'}\n",
				"api/schemas.yaml": "Out:\n  type: object\n  type: string\n"},
			want: []string{"api/schemas.yaml:3", `duplicate key "type"`},
		},

		// ---- a YAML mistake at the end of a large file: its own line, found in linear time ----
		{
			name:  "yaml-error-at-end-of-400KB",
			files: map[string]string{"manifest.yaml": big.String() + "    misindented: 1\n  back: 2\n"},
			want:  []string{fmt.Sprintf("manifest.yaml:%d:", bigLines+1), "invalid YAML"},
		},
		{
			name:  "yaml-unclosed-quote-in-400KB",
			files: map[string]string{"manifest.yaml": big.String() + "  name: \"unclosed\n  more: 1\n"},
			want:  []string{fmt.Sprintf("manifest.yaml:%d:", bigLines+1), "invalid YAML"},
		},
	}
	runBadCases(t, cases)
}
