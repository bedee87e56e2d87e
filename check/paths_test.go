package check

import (
	"strings"
	"testing"
	"testing/fstest"
)

// TestPaths loads real manifests and checks the folders and files each
// model reads: its folder first, then what lies outside it, sorted, none
// inside another.
func TestPaths(t *testing.T) {
	hf := map[string]string{
		"config.json":    `{"model_type": "qwen2", "hidden_size": 64}`,
		"tokenizer.json": `{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}}`,
	}
	tests := []struct {
		name     string
		manifest string // path of the manifest
		text     string
		extra    []string // files the pointers name, outside any HF folder
		hfDir    string   // where the Hugging Face files are, "" for none
		want     string
	}{
		{"root manifest holds everything", "manifest.yaml", "model: m-v1.0.0\nhuggingface: hf/chat\n", nil, "hf/chat", "."},
		{"folder only", "models/a/manifest.yaml", "model: m-v1.0.0\n", nil, "", "models/a"},
		{"hf folder inside", "models/a/manifest.yaml", "model: m-v1.0.0\nhuggingface: .\n", nil, "models/a", "models/a"},
		{"hf folder outside", "models/a/manifest.yaml", "model: m-v1.0.0\nhuggingface: ../../hf/chat\n", nil, "hf/chat", "models/a hf/chat"},
		{"sibling folder", "models/a/manifest.yaml", "model: m-v1.0.0\nhuggingface: ../a-hf\n", nil, "models/a-hf", "models/a models/a-hf"},
		{"pointer file outside, sorted after the folder", "models/a/manifest.yaml", "model: m-v1.0.0\nhuggingface: ../../hf/chat\narchitecture: ../../arch/a.json\n",
			[]string{"arch/a.json"}, "hf/chat", "models/a arch/a.json hf/chat"},
		{"pointer file inside the hf folder counted once", "models/a/manifest.yaml", "model: m-v1.0.0\nhuggingface: ../../hf/chat\narchitecture: ../../hf/chat/arch.json\n",
			[]string{"hf/chat/arch.json"}, "hf/chat", "models/a hf/chat"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{tt.manifest: {Data: []byte(tt.text)}}
			for name, data := range hf {
				if tt.hfDir != "" {
					fsys[tt.hfDir+"/"+name] = &fstest.MapFile{Data: []byte(data)}
				}
			}
			for _, p := range tt.extra {
				fsys[p] = &fstest.MapFile{Data: []byte(`{"hidden_size": 64}`)}
			}
			m, err := Load(fsys, tt.manifest)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(m.Paths(), " "); got != tt.want {
				t.Errorf("Paths() = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestPathsOf joins a model's paths at two revisions: a folder the
// baseline read and the head no longer does is the model's all the same;
// a nil model (a first release) adds nothing.
func TestPathsOf(t *testing.T) {
	load := func(text string, files ...string) *Model {
		fsys := fstest.MapFS{"models/a/manifest.yaml": {Data: []byte(text)}}
		for _, f := range files {
			fsys[f] = &fstest.MapFile{Data: []byte(`{"hidden_size": 64}`)}
		}
		m, err := Load(fsys, "models/a/manifest.yaml")
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	head := load("model: m-v1.1.0\nhuggingface: ../../hf/new\n", "hf/new/config.json")
	base := load("model: m-v1.0.0\nhuggingface: ../../hf/old\narchitecture: ../../z.json\n", "hf/old/config.json", "z.json")
	tests := []struct {
		name string
		ms   []*Model
		want string
	}{
		{"head and base", []*Model{head, base}, "models/a hf/new hf/old z.json"},
		{"first release", []*Model{head, nil}, "models/a hf/new"},
		{"none", nil, ""},
	}
	for _, tt := range tests {
		if got := strings.Join(PathsOf(tt.ms...), " "); got != tt.want {
			t.Errorf("%s: PathsOf = %q, want %q", tt.name, got, tt.want)
		}
	}
}
