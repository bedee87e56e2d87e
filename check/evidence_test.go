package check

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

// evaluate gates head against base in memory with a configuration.
func evaluate(t *testing.T, config string, base, head *Model, fsys fstest.MapFS) *ModelReport {
	t.Helper()
	cfg := DefaultConfig()
	if config != "" {
		var err error
		if cfg, err = ParseConfig(".modelgate.yaml", []byte(config)); err != nil {
			t.Fatalf("ParseConfig: %v", err)
		}
	}
	r, err := Evaluate(Input{Config: cfg, Base: base, Head: head, HeadFS: fsys,
		BaseRef: Ref{Ref: "m-v1.0.0", Commit: "1111111aaaa"}, HeadRef: Ref{Ref: "HEAD", Commit: "2222222bbbb"}})
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	return r
}

func problems(r *ModelReport) string {
	var out []string
	for _, p := range r.Problems {
		out = append(out, string(p.Level)+" "+p.Rule)
	}
	return strings.Join(out, ", ")
}

// TestTensorEvidenceUnavailable: with the LFS object missing at head, the
// report says so (a notice and a warning), skips the tensor diff and lets
// the config rules decide: never a silent pass.
func TestTensorEvidenceUnavailable(t *testing.T) {
	v1 := safetensorsFile(stTensor{"experts.0.w", "BF16", []int64{4, 4}})
	v2 := safetensorsFile(stTensor{"experts.0.w", "BF16", []int64{4, 4}}, stTensor{"experts.1.w", "BF16", []int64{4, 4}})
	p1, o1 := lfsPointerFor(v1)
	p2, o2 := lfsPointerFor(v2)
	manifest := "model: m-v%s\narchitecture:\n  num_experts: %d\ntensors: model.safetensors\n"
	load := func(version string, experts int, pointer string, lfs fstest.MapFS) (*Model, fstest.MapFS) {
		fsys := fstest.MapFS{"manifest.yaml": {Data: []byte(fmt.Sprintf(manifest, version, experts))},
			"model.safetensors": {Data: []byte(pointer)}, "releases/v" + version + ".md": {Data: []byte("Experts.\n")}}
		m, err := LoadWith(fsys, "manifest.yaml", LoadOptions{LFS: lfs})
		if err != nil {
			t.Fatal(err)
		}
		return m, fsys
	}
	store := fstest.MapFS{o1: {Data: v1}, o2: {Data: v2}}

	base, _ := load("1.0.0", 1, p1, store)
	head, fsys := load("1.1.0", 2, p2, store)
	r := evaluate(t, "", base, head, fsys)
	if got := describe(r.Findings); got != "major arch-shape-changed architecture.num_experts: 1 -> 2\nminor tensor-added `experts.1.w` added: [4, 4] BF16\n" {
		t.Errorf("with both objects: findings\n%s", got)
	}

	head, fsys = load("1.1.0", 2, p2, fstest.MapFS{o1: {Data: v1}})
	r = evaluate(t, "", base, head, fsys)
	if got := describe(r.Findings); got != "major arch-shape-changed architecture.num_experts: 1 -> 2\n" {
		t.Errorf("without the head object: findings\n%s", got)
	}
	if got := problems(r); !strings.Contains(got, "warning tensor-evidence-unavailable") {
		t.Errorf("problems %s, want the tensor-evidence-unavailable warning", got)
	}
	want := "tensor signatures unavailable at HEAD: model.safetensors is a Git LFS pointer and its object sha256:" + o2[6:18] +
		"… is not in the local LFS store (.git/lfs/objects): the tensor diff was skipped and the config rules decide"
	if !strings.Contains(strings.Join(r.Notices, "\n"), want) {
		t.Errorf("notices %q, want %q", r.Notices, want)
	}

	headless, fsys := model(t, "model: m-v1.1.0\narchitecture:\n  num_experts: 1\n", "releases/v1.1.0.md", "Notes.\n")
	r = evaluate(t, "", base, headless, fsys)
	if got := problems(r); got != "warning tensor-evidence-unavailable" {
		t.Errorf("tensors field dropped: problems %s", got)
	}
}

func TestFingerprints(t *testing.T) {
	const base = "model: m-v1.0.0\nfingerprints:\n  greedy-eval-v1: sha256:aaaa\n  beam-v1: sha256:cccc\n"
	tests := []struct {
		name, head string
		findings   string
		problems   string
	}{
		{"changed on a declared patch fails and asks for minor",
			"model: m-v1.0.1\nfingerprints:\n  greedy-eval-v1: sha256:bbbb\n  beam-v1: sha256:cccc\n",
			"minor fingerprint-changed fingerprints.greedy-eval-v1: \"sha256:aaaa\" -> \"sha256:bbbb\"\n", "error version-too-small"},
		{"changed on a minor passes",
			"model: m-v1.1.0\nfingerprints:\n  greedy-eval-v1: sha256:bbbb\n  beam-v1: sha256:cccc\n",
			"minor fingerprint-changed fingerprints.greedy-eval-v1: \"sha256:aaaa\" -> \"sha256:bbbb\"\n", ""},
		{"added and removed are recorded without a bump",
			"model: m-v1.0.0\nfingerprints:\n  greedy-eval-v1: sha256:aaaa\n  sampling-v1: sha256:dddd\n",
			"none fingerprint-added fingerprints.sampling-v1: (absent) -> \"sha256:dddd\"\nnone fingerprint-removed fingerprints.beam-v1: \"sha256:cccc\" -> (absent)\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := model(t, base)
			h, fsys := model(t, tt.head, "releases/v1.0.1.md", "Fix.\n", "releases/v1.1.0.md", "New outputs.\n")
			r := evaluate(t, "", b, h, fsys)
			if got := describe(r.Findings); got != tt.findings {
				t.Errorf("findings\n%s\nwant\n%s", got, tt.findings)
			}
			if got := problems(r); got != tt.problems {
				t.Errorf("problems %q, want %q", got, tt.problems)
			}
		})
	}
	b, _ := model(t, base)
	h, fsys := model(t, strings.Replace(base, "aaaa", "bbbb", 1), "releases/v1.0.1.md", "Fix.\n")
	h.ID.Version, _ = ParseVersion("1.0.1")
	r := evaluate(t, "", b, h, fsys)
	if len(r.Problems) != 1 || r.Problems[0].Message != "declared 1.0.1, the changes require at least 1.1.0" || r.Problems[0].Fix != "set model: m-v1.1.0 in manifest.yaml" {
		t.Errorf("problems %+v", r.Problems)
	}
	if msg := r.Findings[0].Message; !strings.Contains(msg, "a patch release may not change outputs") {
		t.Errorf("message %q does not say that a patch release may not change outputs", msg)
	}
}

func TestMetricsConfig(t *testing.T) {
	tests := []struct {
		config string
		want   string // the rules, or the error
	}{
		{"metrics:\n  mmlu.accuracy: {direction: higher, tolerance: 0.01}\n  metrics.eval.loss: {direction: lower, tolerance: 2%}\n  '*.f1': {direction: higher}\n",
			"mmlu.accuracy higher 0.01; eval.loss lower 2%; *.f1 higher 0"},
		{"metrics:\n  mmlu: {direction: up}\n", `.modelgate.yaml:2: metric "mmlu": direction must be higher (higher is better, e.g. accuracy) or lower (e.g. loss), not up`},
		{"metrics:\n  mmlu:\n    direction: higher\n    tolerence: 1\n", `.modelgate.yaml:4: metric "mmlu": unknown key "tolerence"; known keys are direction, tolerance`},
		{"metrics:\n  mmlu: {tolerance: 1}\n", `.modelgate.yaml:2: metric "mmlu": direction is required: higher or lower (which values are better)`},
		{"metrics:\n  mmlu: {direction: higher, tolerance: -1}\n", `.modelgate.yaml:2: metric "mmlu": tolerance must be a number of at least 0, not -1`},
		{"metrics:\n  mmlu: {direction: higher, tolerance: lots}\n", `.modelgate.yaml:2: metric "mmlu": tolerance must be an absolute amount such as 0.01 or a percentage of the baseline such as "1%", not lots`},
		{"metrics: [mmlu]\n", `.modelgate.yaml:1: metrics must map metric paths to {direction: higher|lower, tolerance: 0.01 or 1%}`},
	}
	for _, tt := range tests {
		cfg, err := ParseConfig(".modelgate.yaml", []byte(tt.config))
		var got string
		if err != nil {
			got = err.Error()
		} else {
			var parts []string
			for _, m := range cfg.Metrics {
				parts = append(parts, m.Pattern+" "+m.Direction()+" "+m.ToleranceText())
			}
			got = strings.Join(parts, "; ")
		}
		if got != tt.want {
			t.Errorf("%q:\n got %s\nwant %s", tt.config, got, tt.want)
		}
	}
}

func TestMetricRegressions(t *testing.T) {
	const config = "metrics:\n  mmlu.accuracy: {direction: higher, tolerance: 0.01}\n  eval.loss: {direction: lower, tolerance: 5%}\n"
	const metrics = "{\n  \"mmlu\": {\"accuracy\": 0.712},\n  \"eval\": {\"loss\": 2.00},\n  \"speed\": 41\n}\n"
	tests := []struct {
		name     string
		config   string
		metrics  string
		notes    string
		problems string
		deltas   string
	}{
		{"inside the tolerance", config,
			`{"mmlu": {"accuracy": 0.705}, "eval": {"loss": 2.09}, "speed": 41}`, "Faster.\n",
			"", "mmlu.accuracy -0.007, -1.0% false; eval.loss +0.09, +4.5% false"},
		{"exactly at the tolerance", config,
			`{"mmlu": {"accuracy": 0.702}, "eval": {"loss": 2.10}, "speed": 41}`, "Faster.\n",
			"", "mmlu.accuracy -0.010, -1.4% false; eval.loss +0.10, +5.0% false"},
		{"beyond the tolerance", config,
			`{"mmlu": {"accuracy": 0.690}, "eval": {"loss": 2.00}, "speed": 41}`, "Faster.\n",
			"error metric-regressed", "mmlu.accuracy -0.022, -3.1% true"},
		{"relative tolerance, lower is better", config,
			`{"mmlu": {"accuracy": 0.712}, "eval": {"loss": 2.11}, "speed": 41}`, "Faster.\n",
			"error metric-regressed", "eval.loss +0.11, +5.5% true"},
		{"improvements never regress", config,
			`{"mmlu": {"accuracy": 0.8}, "eval": {"loss": 1.5}, "speed": 41}`, "Better.\n",
			"", "mmlu.accuracy +0.088, +12.4% false; eval.loss -0.50, -25.0% false"},
		{"acknowledged under Known regressions", config,
			`{"mmlu": {"accuracy": 0.690}, "eval": {"loss": 2.00}, "speed": 41}`,
			"Faster.\n\n## Known regressions\n\n- `mmlu.accuracy` drops 2 points: the distilled router trades it for speed.\n",
			"", "mmlu.accuracy -0.022, -3.1% true"},
		{"acknowledged by its leaf name", config,
			`{"mmlu": {"accuracy": 0.690}, "eval": {"loss": 2.00}, "speed": 41}`,
			"Faster.\n\n### Known Regressions\nThe accuracy drops by 2 points.\n",
			"", "mmlu.accuracy -0.022, -3.1% true"},
		{"acknowledged in another section", config,
			`{"mmlu": {"accuracy": 0.690}, "eval": {"loss": 2.00}, "speed": 41}`,
			"Faster.\n\n## Known regressions\nNone.\n\n## Other\nmmlu.accuracy drops.\n",
			"error metric-regressed", "mmlu.accuracy -0.022, -3.1% true"},
		{"named elsewhere in the notes only", config,
			`{"mmlu": {"accuracy": 0.690}, "eval": {"loss": 2.00}, "speed": 41}`,
			"Faster. mmlu.accuracy is lower.\n\n## Known regressions\nNone.\n",
			"error metric-regressed", "mmlu.accuracy -0.022, -3.1% true"},
		{"a configured metric gone", config,
			`{"eval": {"loss": 2.00}, "speed": 41}`, "Dropped MMLU.\n",
			"error metric-regressed", "mmlu.accuracy  true"},
		{"no configuration: recorded only", "",
			`{"mmlu": {"accuracy": 0.5}, "eval": {"loss": 9}, "speed": 20}`, "Worse.\n",
			"", "mmlu.accuracy -0.212, -29.8% false; eval.loss +7.00, +350.0% false; speed -21, -51.2% false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, _ := model(t, "model: m-v1.0.0\nmetrics: eval/metrics.json\n", "eval/metrics.json", metrics)
			head, fsys := model(t, "model: m-v1.1.0\nmetrics: eval/metrics.json\n", "eval/metrics.json", tt.metrics, "releases/v1.1.0.md", tt.notes)
			r := evaluate(t, tt.config, base, head, fsys)
			if got := problems(r); got != tt.problems {
				t.Errorf("problems %q, want %q (%+v)", got, tt.problems, r.Problems)
			}
			var deltas []string
			for _, m := range r.Metrics {
				deltas = append(deltas, fmt.Sprintf("%s %s %v", m.Path, m.Delta, m.Regressed))
			}
			if got := strings.Join(deltas, "; "); got != tt.deltas {
				t.Errorf("deltas %q, want %q", got, tt.deltas)
			}
			for _, f := range r.Findings {
				if f.Rule != "metric-changed" || f.Bump != BumpNone {
					t.Errorf("finding %s %s, want metric-changed none", f.Rule, f.Bump)
				}
			}
		})
	}

	base, _ := model(t, "model: m-v1.0.0\nmetrics: eval/metrics.json\n", "eval/metrics.json", metrics)
	head, fsys := model(t, "model: m-v1.1.0\nmetrics: eval/metrics.json\n", "eval/metrics.json",
		"{\n  \"mmlu\": {\"accuracy\": 0.690},\n  \"eval\": {\"loss\": 2.00},\n  \"speed\": 41\n}\n", "releases/v1.1.0.md", "Faster.\n")
	r := evaluate(t, config, base, head, fsys)
	p := r.Problems[0]
	if p.File != "eval/metrics.json" || p.Line != 2 ||
		p.Message != "metric mmlu.accuracy regressed 0.712 -> 0.690 (-0.022, -3.1%), beyond its tolerance 0.01 (higher is better)" ||
		p.Fix != `recover the metric, or acknowledge mmlu.accuracy under a "## Known regressions" heading in releases/v1.1.0.md (or change its tolerance in .modelgate.yaml)` {
		t.Errorf("problem %+v", p)
	}
	if f := r.Findings[0]; f.change() != "metrics.mmlu.accuracy: 0.712 -> 0.690 (-0.022, -3.1%)" || f.Old == nil || f.New == nil {
		t.Errorf("finding %q old %v new %v", f.change(), f.Old, f.New)
	}
}

func TestMentions(t *testing.T) {
	tests := []struct {
		text, name string
		want       bool
	}{
		{"- `mmlu.accuracy` drops", "mmlu.accuracy", true},
		{"mmlu.accuracy.", "mmlu.accuracy", true},
		{"(accuracy)", "accuracy", true},
		{"top5_accuracy dropped", "accuracy", false},
		{"mmlu.accuracy dropped", "accuracy", false},
		{"accuracy.std dropped", "accuracy", false},
		{"accuracy-2 dropped", "accuracy", false},
		{"accuracy- dropped", "accuracy", true},
		{"the accuracy, and accuracy", "accuracy", true},
	}
	for _, tt := range tests {
		if got := mentions(tt.text, tt.name); got != tt.want {
			t.Errorf("mentions(%q, %q) = %v, want %v", tt.text, tt.name, got, tt.want)
		}
	}
}

const openAPIBase = `openapi: 3.0.3
info: {title: generate, version: "1.0"}
paths:
  /generate:
    post:
      operationId: generate
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [prompt]
              properties:
                prompt: {type: string}
      responses:
        "200":
          description: the completion
          content:
            application/json:
              schema:
                type: object
                required: [text, tokens]
                properties:
                  text: {type: string}
                  tokens: {type: integer}
`

func TestOpenAPI(t *testing.T) {
	tests := []struct {
		name     string
		head     string
		findings string
		bump     Bump
	}{
		{"a required response field removed: major",
			strings.Replace(strings.Replace(openAPIBase, "required: [text, tokens]", "required: [text]", 1), "                  tokens: {type: integer}\n", "", 1),
			"major api-breaking POST /generate: removed the required property `tokens` from the response with the `200` status (oasdiff response-required-property-removed)\n",
			BumpMajor},
		{"an optional response field added: minor",
			openAPIBase + "                  finish_reason: {type: string}\n",
			"minor api-compatible POST /generate: added the optional property `finish_reason` to the response with the `200` status (oasdiff response-optional-property-added)\n",
			BumpMinor},
		{"an optional request field added: minor",
			strings.Replace(openAPIBase, "                prompt: {type: string}\n", "                prompt: {type: string}\n                temperature: {type: number}\n", 1),
			"minor api-compatible POST /generate: added the new optional request property `temperature` (oasdiff new-optional-request-property)\n",
			BumpMinor},
		{"a description only: patch",
			strings.Replace(openAPIBase, "the completion", "the generated completion", 1),
			"patch api-doc-changed api/openapi.yaml changed, with no API change oasdiff reports (descriptions, examples)\n",
			BumpPatch},
		{"a change oasdiff has no rule for falls back to the generic rules",
			strings.Replace(openAPIBase, "              type: object\n              required: [prompt]", "              type: object\n              additionalProperties: false\n              required: [prompt]", 1),
			"major api-changed api.paths./generate.post.requestBody.content.application/json.schema.additionalProperties: (absent) -> false\n",
			BumpMajor},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const manifest = "model: m-v1.0.0\napi: api/openapi.yaml\n"
			base, _ := model(t, manifest, "api/openapi.yaml", openAPIBase)
			head, _ := model(t, manifest, "api/openapi.yaml", tt.head)
			found := mustClassify(t, base, head)
			if got := describe(found); got != tt.findings {
				t.Errorf("findings\n%s\nwant\n%s", got, tt.findings)
			}
			if len(found) > 0 && found[0].Bump != tt.bump {
				t.Errorf("bump %s, want %s", found[0].Bump, tt.bump)
			}
		})
	}

	// The finding carries oasdiff's ID and where the change is.
	const manifest = "model: m-v1.0.0\napi: api/openapi.yaml\n"
	base, _ := model(t, manifest, "api/openapi.yaml", openAPIBase)
	head, _ := model(t, manifest, "api/openapi.yaml", openAPIBase+"                  finish_reason: {type: string}\n")
	f := mustClassify(t, base, head)[0]
	if f.OasdiffID != "response-optional-property-added" || f.File != "api/openapi.yaml" || f.Line != 26 || f.Path != "api.paths./generate.post" {
		t.Errorf("finding %+v", f)
	}
	head, _ = model(t, manifest, "api/openapi.yaml", strings.Replace(openAPIBase, "required: [text, tokens]", "required: [text]", 1))
	f = mustClassify(t, base, head)[0]
	if f.OasdiffID != "response-property-became-optional" || f.Rule != "api-breaking" || f.Line != 5 {
		t.Errorf("a change seen in the baseline only is placed at its operation at head: %+v", f)
	}
}

func TestOpenAPISources(t *testing.T) {
	inline := func(extra string) string {
		return "model: m-v1.0.0\napi:\n  openapi: 3.0.3\n  info: {title: t, version: '1'}\n  paths:\n    /health:\n      get:\n        responses:\n          '200':\n            description: ok\n" + extra
	}
	base, _ := model(t, inline(""))
	head, _ := model(t, inline("    /generate:\n      post:\n        responses:\n          '200':\n            description: ok\n"))
	if got := describe(mustClassify(t, base, head)); got != "minor api-compatible POST /generate: endpoint added (oasdiff endpoint-added)\n" {
		t.Errorf("inline document: findings\n%s", got)
	}

	split := map[string]string{
		"manifest.yaml":         "model: m-v1.0.0\napi: api/openapi.yaml\n",
		"api/openapi.yaml":      "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: 'schemas/out.yaml'}\n",
		"api/schemas/out.yaml":  "type: object\nrequired: [a]\nproperties:\n  a: {type: string}\n",
		"api/schemas/out2.yaml": "",
	}
	b, err := Load(mapFS(split), "manifest.yaml")
	if err != nil {
		t.Fatalf("external $ref inside the repository: %v", err)
	}
	split["api/schemas/out.yaml"] = "type: object\nproperties:\n  a: {type: string}\n"
	h, err := Load(mapFS(split), "manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := describe(mustClassify(t, b, h)); !strings.Contains(got, "major api-breaking GET /x: the response property `a` became optional for the status `200` (oasdiff response-property-became-optional)") {
		t.Errorf("a change in a referenced schema: findings\n%s", got)
	}

	for _, ref := range []string{"https://example.com/out.yaml", "../../outside.yaml", "missing.yaml"} {
		split["api/openapi.yaml"] = strings.Replace(split["api/openapi.yaml"], "schemas/out.yaml", ref, 1)
		_, err := Load(mapFS(split), "manifest.yaml")
		if err == nil || !strings.HasPrefix(err.Error(), "api/openapi.yaml: invalid OpenAPI document") {
			t.Errorf("$ref %s: error %v", ref, err)
		}
		split["api/openapi.yaml"] = strings.Replace(split["api/openapi.yaml"], ref, "schemas/out.yaml", 1)
	}
}

// TestOpenAPIOptionalRemoved: oasdiff rates removing an optional response
// field as informational; a client that reads it breaks, so it is major.
func TestOpenAPIOptionalRemoved(t *testing.T) {
	const manifest = "model: m-v1.0.0\napi: api/openapi.yaml\n"
	base, _ := model(t, manifest, "api/openapi.yaml", openAPIBase+"                  finish_reason: {type: string}\n")
	head, _ := model(t, manifest, "api/openapi.yaml", openAPIBase)
	found := mustClassify(t, base, head)
	if len(found) != 1 || found[0].Bump != BumpMajor || found[0].Rule != "api-possibly-breaking" || !strings.HasSuffix(found[0].OasdiffID, "-removed") {
		t.Errorf("findings %s", describe(found))
	}
}
