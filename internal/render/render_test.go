package check

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestRenderGolden renders one failing report in every format and compares
// it with testdata/golden/report.<format>. Run go test ./check -update to
// accept a deliberate change.
func TestRenderGolden(t *testing.T) {
	base, _ := model(t, baseManifest)
	head, fsys := model(t, replace("2.1.3", "2.1.4", "4096", "5120", "routing:", "  - name: long|context\n    experts: 4\nrouting:", "3.0e-4", "2.0e-4")(baseManifest),
		"releases/v2.1.4.md", "Wider layers, with a 100% new tier.\n", "src/model.py", "x")
	mr, err := Evaluate(Input{Base: base, Head: head, HeadFS: fsys, Changed: []string{"src/model.py"},
		BaseRef: Ref{Ref: "lite-llm-base-v2.1.3", Commit: "9c1e2f3a4b5c6d7e8f9091a2b3c4d5e6f7a8b9c0"},
		HeadRef: Ref{Ref: "HEAD", Commit: "4be0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c"},
		Notices: []string{"baseline lite-llm-base-v2.1.3: the highest release tag of lite-llm-base reachable from HEAD"}})
	if err != nil {
		t.Fatal(err)
	}
	goldenReport(t, mr, "report")
}

// TestRenderEvidenceGolden renders a report whose findings come from the
// evidence fields: a tensor group with its count, an OpenAPI change with
// oasdiff's ID, a metric with its delta and a metric-regressed problem.
func TestRenderEvidenceGolden(t *testing.T) {
	const manifest = "model: moe-v1.0.0\ntensors: model.safetensors.index.json\napi: api/openapi.yaml\nmetrics: eval/metrics.json\n"
	base, _ := model(t, manifest, "model.safetensors.index.json", moeIndex(4, 8, nil, nil), "api/openapi.yaml", openAPIBase,
		"eval/metrics.json", "{\n  \"mmlu\": {\"accuracy\": 0.712}\n}\n")
	head, fsys := model(t, strings.Replace(manifest, "1.0.0", "1.1.0", 1), "model.safetensors.index.json", moeIndex(4, 12, nil, nil),
		"api/openapi.yaml", openAPIBase+"                  finish_reason: {type: string}\n",
		"eval/metrics.json", "{\n  \"mmlu\": {\"accuracy\": 0.690}\n}\n", "releases/v1.1.0.md", "More experts.\n")
	cfg, err := ParseConfig(".modelgate.yaml", []byte("metrics:\n  mmlu.accuracy: {direction: higher, tolerance: 1%}\n"))
	if err != nil {
		t.Fatal(err)
	}
	mr, err := Evaluate(Input{Config: cfg, Base: base, Head: head, HeadFS: fsys,
		BaseRef: Ref{Ref: "moe-v1.0.0", Commit: "9c1e2f3a4b5c6d7e8f9091a2b3c4d5e6f7a8b9c0"},
		HeadRef: Ref{Ref: "HEAD", Commit: "4be0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c"}})
	if err != nil {
		t.Fatal(err)
	}
	goldenReport(t, mr, "evidence")
}

// goldenReport renders a one-model report in every format and compares it
// with testdata/golden/<name>.<format>; -update rewrites the files.
func goldenReport(t *testing.T, mr *ModelReport, name string) {
	t.Helper()
	r := &Report{Models: []*ModelReport{mr}}
	r.Passed = !r.Failed()
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := r.Write(&buf, format); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", name+"."+format)
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./check -update to create it)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s differs from %s (run with -update to accept):\n%s", format, golden, buf.String())
			}
		})
	}
}
