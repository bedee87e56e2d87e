package check

import (
	"strings"
	"testing"
)

// TestNoUnderAsk holds changes a review found the gate under-asked on.
func TestNoUnderAsk(t *testing.T) {
	api := "openapi: 3.0.0\\npaths:\\n  /generate:\\n    post:\\n      requestBody:\\n        content:\\n          application/json:\\n            schema:\\n              type: object\\n              properties:\\n                prompt: {type: string}\\n"
	api = strings.ReplaceAll(api, `\n`, "\n")
	tests := []struct {
		name       string
		base, head string
		baseFiles  []string
		headFiles  []string
		want       Bump
	}{
		{"additionalProperties false added to a request schema",
			"model: m-v1.0.0\napi: api.yaml\n", "model: m-v1.0.0\napi: api.yaml\n",
			[]string{"api.yaml", api}, []string{"api.yaml", strings.Replace(api, "type: object\n", "type: object\n              additionalProperties: false\n", 1)},
			BumpMajor},
		{"a property added to a request schema",
			"model: m-v1.0.0\napi: api.yaml\n", "model: m-v1.0.0\napi: api.yaml\n",
			[]string{"api.yaml", api}, []string{"api.yaml", api + "                max_tokens: {type: integer}\n"},
			BumpMinor},
		{"tie_word_embeddings true added to a model type with another default",
			"model: m-v1.0.0\narchitecture: config.json\n", "model: m-v1.0.0\narchitecture: config.json\n",
			[]string{"config.json", `{"model_type": "qwen2_moe", "hidden_size": 8}`},
			[]string{"config.json", `{"model_type": "qwen2_moe", "hidden_size": 8, "tie_word_embeddings": true}`},
			BumpMajor},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, _ := model(t, tt.base, tt.baseFiles...)
			head, _ := model(t, tt.head, tt.headFiles...)
			got := BumpNone
			for _, f := range mustClassify(t, base, head) {
				got = max(got, f.Bump)
			}
			if got != tt.want {
				t.Errorf("required %s, want %s", got, tt.want)
			}
		})
	}
}

func TestMigrationsFolderMustBeASubfolder(t *testing.T) {
	for _, p := range []string{"./", ".", "models/.."} {
		fsys := map[string]string{"manifest.yaml": "model: m-v1.0.0\nmigrations: " + p + "\n"}
		_, err := Load(mapFS(fsys), "manifest.yaml")
		if err == nil || !strings.Contains(err.Error(), "migrations must be a folder inside the model's folder") {
			t.Errorf("migrations: %s: error %v", p, err)
		}
	}
	if _, err := ParseConfig(".modelgate.yaml", []byte("notes_dir: .\n")); err == nil {
		t.Error("notes_dir: . accepted")
	}
}

func TestStaleNotesPointer(t *testing.T) {
	base, baseFS := model(t, "model: m-v1.0.0\nrelease_notes: releases/v1.0.0.md\nrouting: {strategy: top-2}\n", "releases/v1.0.0.md", "First.\n")
	head, headFS := model(t, "model: m-v1.1.0\nrelease_notes: releases/v1.0.0.md\nrouting: {strategy: top-1}\n", "releases/v1.0.0.md", "First.\n")
	r, err := Evaluate(Input{Base: base, Head: head, BaseFS: baseFS, HeadFS: headFS})
	if err != nil {
		t.Fatal(err)
	}
	if r.Passed || len(r.Problems) != 1 || r.Problems[0].Rule != "release-notes-missing" || !strings.Contains(r.Problems[0].Message, "still points to releases/v1.0.0.md") {
		t.Errorf("stale pointer: %+v", r.Problems)
	}
	// With this version's notes in the usual place, they are found.
	head, headFS = model(t, "model: m-v1.1.0\nrelease_notes: releases/v1.0.0.md\nrouting: {strategy: top-1}\n", "releases/v1.0.0.md", "First.\n", "releases/v1.1.0.md", "Top-1.\n")
	r, _ = Evaluate(Input{Base: base, Head: head, BaseFS: baseFS, HeadFS: headFS})
	if !r.Passed || *r.ReleaseNotes.Path != "releases/v1.1.0.md" {
		t.Errorf("notes beside a stale pointer: %+v %v", r.Problems, r.ReleaseNotes)
	}
}

func TestMigrationToolMustBeOne(t *testing.T) {
	base, _ := model(t, "model: m-v1.0.0\nmigrations: migrations/\narchitecture: {hidden_size: 8}\n")
	for _, tt := range []struct {
		notes string
		pass  bool
	}{
		{"Wider hidden size in src/model.py.", false},
		{"Wider. Convert with tools/convert_v1.py.", true},
		{"Wider. Run migrations/pad.py OLD NEW.", true},
	} {
		head, fsys := model(t, "model: m-v2.0.0\nmigrations: migrations/\narchitecture: {hidden_size: 16}\n",
			"releases/v2.0.0.md", tt.notes, "src/model.py", "x", "tools/convert_v1.py", "x", "migrations/pad.py", "x")
		r, _ := Evaluate(Input{Base: base, Head: head, HeadFS: fsys})
		if r.Passed != tt.pass {
			t.Errorf("notes %q: passed = %v, want %v (%+v)", tt.notes, r.Passed, tt.pass, r.Problems)
		}
	}
}

func TestPrereleaseBaseline(t *testing.T) {
	tests := []struct {
		base, declared string
		edit           [2]string
		problems       string
	}{
		{"3.0.0-rc.1", "3.0.0-rc.2", [2]string{"hidden_size: 8", "hidden_size: 16"}, ""},
		{"3.0.0-rc.1", "3.0.0", [2]string{"hidden_size: 8", "hidden_size: 16"}, ""},
		{"3.0.0-rc.1", "3.0.0-rc.1", [2]string{"hidden_size: 8", "hidden_size: 16"}, "version-not-bumped"},
		{"3.0.0-rc.2", "3.0.0-rc.1", [2]string{"top-2", "top-1"}, "version-decreased"},
		{"2.2.0-rc.1", "2.2.0", [2]string{"top-2", "top-1"}, ""},
		{"2.2.0-rc.1", "2.2.0", [2]string{"hidden_size: 8", "hidden_size: 16"}, "version-too-small"},
		{"2.2.0-rc.1", "3.0.0", [2]string{"hidden_size: 8", "hidden_size: 16"}, ""},
	}
	for _, tt := range tests {
		m := "model: m-v%s\narchitecture: {hidden_size: 8}\nrouting: {strategy: top-2}\n"
		base, _ := model(t, strings.Replace(m, "%s", tt.base, 1))
		head, fsys := model(t, strings.Replace(strings.Replace(m, "%s", tt.declared, 1), tt.edit[0], tt.edit[1], 1),
			"releases/v"+tt.declared+".md", "Notes.\n\n## Migration\nConvert.\n")
		r, err := Evaluate(Input{Base: base, Head: head, HeadFS: fsys, Release: true})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range r.Problems {
			got = append(got, p.Rule)
		}
		if strings.Join(got, ",") != tt.problems {
			t.Errorf("base %s, declared %s, %s: problems %v, want %q (required %s)", tt.base, tt.declared, tt.edit[1], got, tt.problems, r.RequiredVersion)
		}
	}
}

func TestTemplateWords(t *testing.T) {
	base, _ := model(t, "model: m-v1.0.0\nrouting: {strategy: top-2}\n")
	for notes, template := range map[string]bool{
		"Removed the TODO list feature from the serving API.": false,
		"Routing.\nTODO: say why\n":                           true,
		"Routing.\n- TBD\n":                                   true,
		"Routing. FIXME: numbers\n":                           true,
	} {
		head, fsys := model(t, "model: m-v1.1.0\nrouting: {strategy: top-1}\n", "releases/v1.1.0.md", notes)
		r, _ := Evaluate(Input{Base: base, Head: head, HeadFS: fsys})
		if got := len(r.Problems) == 1 && r.Problems[0].Rule == "release-notes-template"; got != template {
			t.Errorf("notes %q: template = %v, want %v (%+v)", notes, got, template, r.Problems)
		}
	}
}
