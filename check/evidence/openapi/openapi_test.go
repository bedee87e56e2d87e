package openapi

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/modelgate/modelgate/check/evidence"
)

const base = `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /generate:
    post:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [text]
                properties:
                  text: {type: string}
  /health:
    get:
      responses:
        "200":
          description: ok
`

func noFiles(p string) ([]byte, error) { return nil, errors.New("no files") }

func loadDoc(t *testing.T, name, doc string, inline bool) *Doc {
	t.Helper()
	d, err := Load(name, []byte(doc), noFiles, inline)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// describe renders changes as "level id method path line" lines.
func describe(cs []evidence.APIChange) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "%d %s %s %s %d\n", c.Level, c.ID, c.Operation, c.Path, c.Line)
	}
	return b.String()
}

// TestDiff: oasdiff's changes come with their level, ID and location,
// breaking ones first; a removal is placed at its operation in the head
// document, and an inline document (whose lines oasdiff cannot know) at 0.
func TestDiff(t *testing.T) {
	head := strings.Replace(base, "                  text: {type: string}\n", "                  text: {type: string}\n                  score: {type: number}\n", 1)
	head = strings.Replace(head, "  /health:\n    get:\n      responses:\n        \"200\":\n          description: ok\n", "", 1)
	tests := []struct {
		name   string
		inline bool
		want   string
	}{
		{"file", false, "2 api-path-removed-without-deprecation GET /health 3\n0 response-optional-property-added POST /generate 16\n"},
		{"inline", true, "2 api-path-removed-without-deprecation GET /health 0\n0 response-optional-property-added POST /generate 0\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Diff(loadDoc(t, "api.yaml", base, tt.inline), loadDoc(t, "api.yaml", head, tt.inline))
			if err != nil {
				t.Fatal(err)
			}
			if describe(got) != tt.want {
				t.Errorf("changes\n%s\nwant\n%s", describe(got), tt.want)
			}
			for _, c := range got {
				if c.File != "api.yaml" || c.Text == "" {
					t.Errorf("change %+v lacks its file or text", c)
				}
			}
		})
	}
	same, err := Diff(loadDoc(t, "api.yaml", base, false), loadDoc(t, "api.yaml", base, false))
	if err != nil || len(same) != 0 {
		t.Errorf("identical documents: %v, %v", same, err)
	}
}

func TestLoadRefs(t *testing.T) {
	doc := strings.Replace(base, "              schema:\n                type: object\n                required: [text]\n                properties:\n                  text: {type: string}\n",
		"              schema: {$ref: 'REF'}\n", 1)
	files := map[string]string{"api/out.yaml": "type: object\nproperties:\n  text: {type: string}\n"}
	read := func(p string) ([]byte, error) {
		if s, ok := files[p]; ok {
			return []byte(s), nil
		}
		return nil, fmt.Errorf("%s: file not found", p)
	}
	tests := []struct{ ref, err string }{
		{"out.yaml", ""},
		{"./out.yaml#/", ""},
		{"https://example.com/out.yaml", "only files in the repository are read, not URLs"},
		{"../../etc/passwd", "leaves the repository"},
		{"missing.yaml", "api/missing.yaml: file not found"},
	}
	for _, tt := range tests {
		_, err := Load("api/openapi.yaml", []byte(strings.Replace(doc, "REF", tt.ref, 1)), read, false)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("$ref %s: %v", tt.ref, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err) || !strings.HasPrefix(err.Error(), "api/openapi.yaml: invalid OpenAPI document")):
			t.Errorf("$ref %s: error %v, want one naming the document and %q", tt.ref, err, tt.err)
		}
	}
}

func TestIsOpenAPI3(t *testing.T) {
	for v, want := range map[string]bool{"3.0.3": true, "3.1.0": true, "2.0": false, "": false, "30": false} {
		if got := IsOpenAPI3(v); got != want {
			t.Errorf("IsOpenAPI3(%q) = %v, want %v", v, got, want)
		}
	}
}

// FuzzLoad feeds arbitrary documents to the loader and the differ, with one
// file a $ref may name: whatever kin-openapi and oasdiff make of them, the
// gate gets a document or an error naming the file, never a panic, and a
// document compared with itself has no breaking change.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(base), false)
	f.Add([]byte(base), true)
	f.Add([]byte(strings.Replace(base, "                type: object\n                required: [text]\n                properties:\n                  text: {type: string}\n", "                $ref: 'out.yaml'\n", 1)), false)
	f.Add([]byte(`{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}`), false)
	f.Add([]byte("openapi: 3.0.3\npaths:\n  /a: {$ref: '#/paths/~1a'}\n"), false)
	f.Add([]byte("openapi: 3.0.3\ncomponents: {schemas: {a: {$ref: '#/components/schemas/a'}}}\n"), false)
	f.Add([]byte("openapi: [\n"), false)
	read := func(p string) ([]byte, error) {
		if p == "api/out.yaml" {
			return []byte("type: object\nproperties:\n  text: {type: string}\n"), nil
		}
		return nil, fmt.Errorf("%s: file not found", p)
	}
	f.Fuzz(func(t *testing.T, data []byte, inline bool) {
		doc, err := Load("api/openapi.yaml", data, read, inline)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "api/openapi.yaml: ") {
				t.Fatalf("error %q: want one naming the document", err)
			}
			return
		}
		changes, err := Diff(doc, doc)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "api/openapi.yaml: ") {
				t.Fatalf("error %q: want one naming the document", err)
			}
			return
		}
		for _, c := range changes {
			if c.Level == evidence.Breaking {
				t.Fatalf("the document compared with itself: breaking change %+v", c)
			}
		}
	})
}
