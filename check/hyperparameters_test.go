package check

import (
	"strings"
	"testing"
)

// TestHyperparameterPointers: hyperparameters: holds the training settings
// inline, or names YAML, JSON or TOML files (one path, or a list). Changes in
// the files are hyperparameter-changed (no bump), and the files are not
// changed files of the model (file-changed, patch).
func TestHyperparameterPointers(t *testing.T) {
	files := func(lr string) []string {
		return []string{
			"training/pretrain.yaml", "optimizer:\n  name: adamw\n  lr: " + lr + "\nbatch_size: 1024\n",
			"training/finetune.json", "{\n  \"lr\": " + lr + ",\n  \"epochs\": 3\n}\n",
			"training/sched.toml", "[schedule]\nwarmup = 2000\nlr = " + lr + "\n",
		}
	}
	tests := []struct {
		name, field string
		paths       []string // the findings' paths, in order
		file        string   // the file of the first finding
	}{
		{"a YAML file", "training/pretrain.yaml", []string{"hyperparameters.optimizer.lr"}, "training/pretrain.yaml"},
		{"a JSON file", "training/finetune.json", []string{"hyperparameters.lr"}, "training/finetune.json"},
		{"a TOML file", "training/sched.toml", []string{"hyperparameters.schedule.lr"}, "training/sched.toml"},
		{"a list of files", "[training/pretrain.yaml, training/finetune.json, training/sched.toml]",
			[]string{"hyperparameters.training/pretrain.yaml.optimizer.lr", "hyperparameters.training/finetune.json.lr", "hyperparameters.training/sched.toml.schedule.lr"},
			"training/pretrain.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			manifest := "model: m-v1.0.0\nhyperparameters: " + tt.field + "\n"
			base, _ := model(t, manifest, files("3.0e-4")...)
			head, fsys := model(t, manifest, files("2.0e-4")...)
			changed := []string{"src/model.py"}
			for _, f := range []string{"training/pretrain.yaml", "training/finetune.json", "training/sched.toml"} {
				if strings.Contains(tt.field, f) {
					changed = append(changed, f)
				}
			}
			r, err := Evaluate(Input{Base: base, Head: head, HeadFS: fsys, Changed: changed})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			file := ""
			for _, f := range r.Findings {
				if f.Rule == FileRule {
					if f.Path != "src/model.py" {
						t.Errorf("%s counts as a changed file of the model", f.Path)
					}
					continue
				}
				if f.Rule != ruleHyperparameterChanged.ID || f.Bump != BumpNone {
					t.Errorf("%s: rule %s bump %s, want hyperparameter-changed none", f.Path, f.Rule, f.Bump)
				}
				got = append(got, f.Path)
				if file == "" {
					file = f.File
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.paths, " ") {
				t.Errorf("findings %q, want %q", got, tt.paths)
			}
			if file != tt.file {
				t.Errorf("first hyperparameter finding at %s, want %s", file, tt.file)
			}
			if r.RequiredBump != BumpPatch {
				t.Errorf("required %s, want patch (src/model.py only)", r.RequiredBump)
			}
		})
	}
}

// TestHyperparametersInlineToFile: moving the same settings from the
// manifest into a file changes nothing.
func TestHyperparametersInlineToFile(t *testing.T) {
	base, _ := model(t, "model: m-v1.0.0\nhyperparameters:\n  lr: 0.1\n  batch_size: 8\n")
	head, fsys := model(t, "model: m-v1.0.0\nhyperparameters: train.yaml\n", "train.yaml", "lr: 0.1\nbatch_size: 8\n")
	r, err := Evaluate(Input{Base: base, Head: head, HeadFS: fsys, Changed: []string{"manifest.yaml", "train.yaml"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) != 0 || r.RequiredBump != BumpNone {
		t.Errorf("findings %+v, required %s", r.Findings, r.RequiredBump)
	}
}

func TestHyperparameterPointerErrors(t *testing.T) {
	tests := []struct{ field, want string }{
		{"missing.yaml", `manifest.yaml:2: hyperparameters points to "missing.yaml": file not found`},
		{"../outside.yaml", `manifest.yaml:2: hyperparameters: "../outside.yaml" leaves the repository`},
		{"[a.yaml, 3]", "manifest.yaml:2: hyperparameters must be a map of training settings, a path, or a list of paths, not 3"},
		{"[a.yaml, a.yaml]", `manifest.yaml:2: hyperparameters lists "a.yaml" twice`},
		{"7", "manifest.yaml:2: hyperparameters must be a map of training settings, a path, or a list of paths, not 7"},
		{"bad.json", "bad.json:1"},
	}
	for _, tt := range tests {
		fsys := mapFS(map[string]string{"manifest.yaml": "model: m-v1.0.0\nhyperparameters: " + tt.field + "\n", "a.yaml": "lr: 1\n", "bad.json": "{\"lr\": }"})
		_, err := Load(fsys, "manifest.yaml")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("hyperparameters: %s: error %v, want %q", tt.field, err, tt.want)
		}
	}
}
