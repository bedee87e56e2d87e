package cli

import (
	"testing"
	"testing/fstest"

	"github.com/modelgate/modelgate/check"
)

// TestGitIgnored: the folders and files the search below the root skips,
// by info/exclude and the .gitignore files from the root down, as git
// reads them.
func TestGitIgnored(t *testing.T) {
	files := fstest.MapFS{
		".gitignore":             {Data: []byte("# build output\nvenv/\n/out\n\n*.tmp\n")},
		"models/.gitignore":      {Data: []byte("checkpoints/\r\n*.onnx\n!keep.onnx\n")},
		"models/a/model.gguf":    {},
		"models/a/model.onnx":    {},
		"models/a/keep.onnx":     {},
		"models/checkpoints/x":   {},
		"src/out/x":              {},
		"out/x":                  {},
		"scratch/model.gguf":     {},
		"venv/lib/model.onnx":    {},
		"other/venv/model.onnx":  {},
		"other/checkpoints/x.st": {},
	}
	g := newGitIgnored(files, []byte("scratch/\n"), nil)
	dirs := []struct {
		dir   string
		enter bool
	}{
		{"models", true},
		{"models/a", true},
		{"models/checkpoints", false}, // models/.gitignore
		{"venv", false},               // the root's .gitignore
		{"out", false},                // /out: at the root only
		{"src", true},
		{"src/out", true},
		{"scratch", false}, // info/exclude
		{"other", true},
		{"other/venv", false},       // venv/ matches at any depth
		{"other/checkpoints", true}, // models/.gitignore holds below models only
	}
	for _, c := range dirs {
		if got := g.enter(c.dir); got != c.enter {
			t.Errorf("enter(%q) = %v, want %v", c.dir, got, c.enter)
		}
	}
	fileCases := []struct {
		dir, name string
		ignored   bool
	}{
		{"models/a", "model.gguf", false},
		{"models/a", "model.onnx", true},
		{"models/a", "keep.onnx", false}, // negated
		{"models/a", "run.tmp", true},    // the root's *.tmp
		{"src", "model.onnx", false},
	}
	for _, c := range fileCases {
		if got := g.file(c.dir, c.name); got != c.ignored {
			t.Errorf("file(%q, %q) = %v, want %v", c.dir, c.name, got, c.ignored)
		}
	}
}

// TestCandidateKind: which folders are models of their own, and the kind
// the first line and the refusal name.
func TestCandidateKind(t *testing.T) {
	cases := []struct {
		name  string
		d     detected
		model bool
		kind  string
	}{
		{"config and tokenizer", detected{hf: []string{"config.json", "tokenizer.json"}}, true, "a Hugging Face model"},
		{"config and weights", detected{hf: []string{"config.json"}, safetensors: true}, true, "a Hugging Face model"},
		{"PEFT adapter", detected{hf: []string{"adapter_config.json"}, safetensors: true}, true, "a Hugging Face model"},
		{"config alone", detected{hf: []string{"config.json"}}, false, "a Hugging Face model"},
		{"tokenizer alone", detected{hf: []string{"tokenizer.json", "tokenizer_config.json"}}, false, "a Hugging Face model"},
		{"GGUF", detected{architecture: "m.gguf", tensors: "m.gguf"}, true, "a GGUF model"},
		{"ONNX", detected{tensors: "m.onnx", api: "m.onnx"}, true, "an ONNX model"},
		{"safetensors", detected{tensors: "model.safetensors", safetensors: true}, true, "a safetensors model"},
		{"MLflow", detected{api: "MLmodel"}, true, "an MLflow model"},
		{"ONNX and MLflow", detected{tensors: "m.onnx", api: "MLmodel"}, true, "an ONNX model"},
		{"shards without their index", detected{safetensors: true}, false, "a model"},
		{"a GGUF no reader reads", detected{others: []string{"m.gguf"}}, false, "a model"},
	}
	for _, c := range cases {
		if got := c.d.isModel(); got != c.model {
			t.Errorf("%s: isModel() = %v, want %v", c.name, got, c.model)
		}
		if got := c.d.kind(); got != c.kind {
			t.Errorf("%s: kind() = %q, want %q", c.name, got, c.kind)
		}
	}
}

// TestYAMLString: a file name init writes into the manifest reads back as
// the same string, whatever it holds.
func TestYAMLString(t *testing.T) {
	for _, name := range []string{"model.gguf", "model-q4_k_m.gguf", "MLmodel", "Q4 #1: final.gguf",
		"-x.onnx", ".hidden.gguf", "a\nmodel: b.gguf", `quote" and \ back.onnx`, "true", "1.0", "ü.onnx", "~"} {
		data := "tensors: " + yamlString(name) + "\n"
		n, err := check.Parse("manifest.yaml", []byte(data))
		if err != nil {
			t.Errorf("%q written as %q: %v", name, data, err)
			continue
		}
		if v := n.Get("tensors"); v == nil || v.Kind != check.KindString || v.Str != name {
			t.Errorf("%q written as %q reads back as %+v", name, data, v)
		}
	}
}
