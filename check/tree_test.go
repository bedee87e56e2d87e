package check

import (
	"strings"
	"testing"
)

func TestParsePositions(t *testing.T) {
	tests := []struct {
		file, data string
		path       []string
		line       int
		text       string
	}{
		{"a.yaml", "model: x\narchitecture:\n  hidden_size: 4096\n", []string{"architecture", "hidden_size"}, 3, "4096"},
		{"a.yaml", "a:\n  b: [1, 2]\n", []string{"a", "b"}, 2, "[1, 2]"},
		{"a.json", "{\n  \"model\": \"x\",\n  \"cfg\": {\n    \"hidden_size\": 4096\n  }\n}\n", []string{"cfg", "hidden_size"}, 4, "4096"},
		{"a.json", "{\"a\": {\"b\": 1.50}}", []string{"a", "b"}, 1, "1.50"},
		{"a.toml", "title = \"m\"\n\n[model]\nhidden_size = 4096\nrope_theta = 1e4\n", []string{"model", "hidden_size"}, 4, "4096"},
		{"a.toml", "[model]\nrope_theta = 1e4\n", []string{"model", "rope_theta"}, 2, "10000"},
	}
	for _, tt := range tests {
		n, err := Parse(tt.file, []byte(tt.data))
		if err != nil {
			t.Fatalf("Parse(%s): %v", tt.file, err)
		}
		for _, k := range tt.path {
			n = n.Get(k)
		}
		if n == nil || n.Pos.Line != tt.line || n.Text() != tt.text || n.Pos.File != tt.file {
			t.Errorf("%s %v: got %+v, want line %d text %s", tt.file, tt.path, n, tt.line, tt.text)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ file, data, want string }{
		{"m.yaml", "a: 1\na: 2\n", `m.yaml:2: duplicate key "a"`},
		{"m.json", "{\"a\": 1,\n \"a\": 2}", `m.json:2: duplicate key "a"`},
		{"m.json", "{\"a\": 1,}", "m.json:1: invalid JSON"},
		{"m.json", "{\"a\": [1, 2", "m.json:1: invalid JSON: unexpected end of file"},
		{"m.json", "{} {}", "m.json:1: unexpected content after the JSON value"},
		{"m.yaml", "a: [1, 2\n", "m.yaml:1: invalid YAML: did not find expected"},
		{"m.yaml", "a: 1\n---\nb: 2\n", "m.yaml:2: more than one YAML document"},
		{"m.yaml", "a: &x 1\nb: *x\n", "m.yaml:2: YAML aliases"},
		{"m.toml", "a = \n", "m.toml:1: invalid TOML"},
		{"m.toml", "a = 1\na = 2\n", "m.toml"},
		{"m.yaml", "a: \x00\n", "m.yaml: binary content"},
		{"m.json", strings.Repeat("[", 10000), "m.json:1: nested more than 200 levels deep"},
		{"m.yaml", strings.Repeat("- ", 300) + "x\n", "nested more than 200 levels deep"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.file, []byte(tt.data))
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Parse(%s, %.20q) error = %v, want one line containing %q", tt.file, tt.data, err, tt.want)
		}
	}
}

func TestDiffMatchesListsByName(t *testing.T) {
	parse := func(s string) *Node {
		n, err := Parse("m.yaml", []byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	old := parse("tiers:\n  - {name: a, experts: 8}\n  - {name: b, experts: 4}\n")
	new := parse("tiers:\n  - {name: z, experts: 2}\n  - {name: a, experts: 8}\n  - {name: b, experts: 6}\n")
	var got []string
	for _, c := range Diff(old, new) {
		got = append(got, c.Kind.String()+" "+c.Path.String())
	}
	want := "added tiers[z],changed tiers[b].experts"
	if strings.Join(got, ",") != want {
		t.Errorf("Diff = %v, want %s", got, want)
	}
	// 4096 and 4096.0 are the same value.
	if d := Diff(parse("a: 4096\n"), parse("a: 4096.0\n")); len(d) != 0 {
		t.Errorf("numbers compare by value: %v", d)
	}
}

func TestResolvePointer(t *testing.T) {
	tests := []struct {
		dir, p, want string
		ok           bool
	}{
		{".", "config.json", "config.json", true},
		{"models/a", "../shared/config.json", "models/shared/config.json", true},
		{"models/a", "./x/../config.json", "models/a/config.json", true},
		{".", "../outside.json", "", false},
		{"models/a", "../../../etc/passwd", "", false},
		{".", "/etc/passwd", "", false},
		{".", "C:/x.json", "", false},
		{".", "https://example.com/config.json", "", false},
		{".", "", "", false},
		{".", "a\\b.json", "", false},
	}
	for _, tt := range tests {
		got, err := resolvePointer(tt.dir, tt.p)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("resolvePointer(%q, %q) = %q, %v", tt.dir, tt.p, got, err)
		}
	}
}
