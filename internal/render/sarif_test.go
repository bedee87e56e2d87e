package render

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/modelgate/modelgate/check"
	inertpkg "github.com/modelgate/modelgate/internal/inert"
)

// The vendored schema's digest (testdata/sarif/SOURCE.md says where it is
// from): an edited copy fails the tests rather than passing them.
const sarifSchemaSHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"

// sarifSchema compiles the official SARIF 2.1.0 JSON schema, with format
// assertions on (uri, date-time, ...).
func sarifSchema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "sarif", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != sarifSchemaSHA256 {
		t.Fatalf("testdata/sarif/sarif-schema-2.1.0.json is not the vendored schema (sha256 %x)", sum)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("sarif-schema-2.1.0.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// validateSARIF checks a SARIF log against the schema.
func validateSARIF(t *testing.T, sch *jsonschema.Schema, out []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("the SARIF log does not validate against the SARIF 2.1.0 schema: %v", err)
	}
}

// sarifLog is the part of a SARIF log the tests read.
type sarifLog struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name  string `json:"name"`
				Rules []struct {
					ID               string `json:"id"`
					Name             string `json:"name"`
					ShortDescription struct {
						Text string `json:"text"`
					} `json:"shortDescription"`
					Help struct {
						Text     string `json:"text"`
						Markdown string `json:"markdown"`
					} `json:"help"`
					HelpURI              string `json:"helpUri"`
					DefaultConfiguration struct {
						Level string `json:"level"`
					} `json:"defaultConfiguration"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex int    `json:"ruleIndex"`
			Level     string `json:"level"`
			Message   struct {
				Text string `json:"text"`
			} `json:"message"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI       string `json:"uri"`
						URIBaseID string `json:"uriBaseId"`
					} `json:"artifactLocation"`
					Region struct {
						StartLine int `json:"startLine"`
					} `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
		} `json:"results"`
	} `json:"runs"`
}

func renderSARIF(t *testing.T, r *check.Report, root string) ([]byte, sarifLog) {
	t.Helper()
	var buf bytes.Buffer
	if err := SARIFAt(&buf, r, root); err != nil {
		t.Fatal(err)
	}
	var log sarifLog
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, buf.String())
	}
	if len(log.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(log.Runs))
	}
	return buf.Bytes(), log
}

// evaluate gates a fixture of testdata with the head's manifest lines
// shifted down by shift blank lines after the first.
func evaluate(t *testing.T, name string, shift int, headCommit string) *check.Report {
	t.Helper()
	base, _, fsys, cfg := fixture(t, name)
	if shift > 0 {
		data := fsys["manifest.yaml"].Data
		first, rest, _ := bytes.Cut(data, []byte("\n"))
		shifted := append(append(append([]byte{}, first...), '\n'), bytes.Repeat([]byte("\n"), shift)...)
		fsys["manifest.yaml"].Data = append(shifted, rest...)
	}
	head, err := check.Load(fsys, "manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	mr, err := check.Evaluate(check.Input{Config: cfg, Base: base, Head: head, HeadFS: fsys, Changed: []string{"src/model.py"},
		BaseRef: check.Ref{Ref: "lite-llm-base-v2.1.3", Commit: "9c1e2f3a4b5c6d7e8f9091a2b3c4d5e6f7a8b9c0"},
		HeadRef: check.Ref{Ref: "HEAD", Commit: headCommit}})
	if err != nil {
		t.Fatal(err)
	}
	r := &check.Report{Models: []*check.ModelReport{mr}}
	r.Passed = !r.Failed()
	return r
}

// TestSARIFSchema validates the SARIF of every golden fixture, of an empty
// report and of a two-model report against the official schema.
func TestSARIFSchema(t *testing.T) {
	sch := sarifSchema(t)
	reports := map[string]*check.Report{
		"report":   evaluate(t, "report", 0, "4be0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c"),
		"evidence": evaluate(t, "evidence", 0, "4be0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c"),
		"empty":    {Passed: true, Models: []*check.ModelReport{}},
	}
	two := evaluate(t, "report", 0, "4be0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c")
	other := *two.Models[0]
	other.Name, other.Manifest = "other", "models/other/manifest.yaml"
	two.Models = append(two.Models, &other)
	reports["two models"] = two
	for name, r := range reports {
		t.Run(name, func(t *testing.T) {
			out, _ := renderSARIF(t, r, "")
			validateSARIF(t, sch, out)
			out, _ = renderSARIF(t, r, "sub/dir")
			validateSARIF(t, sch, out)
		})
	}
	// The validator does reject what the schema forbids: a result level
	// SARIF does not know.
	out, _ := renderSARIF(t, reports["report"], "")
	bad := bytes.Replace(out, []byte(`"level": "error"`), []byte(`"level": "fatal"`), 1)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(bad))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err == nil {
		t.Error(`the schema accepted level "fatal": the validation proves nothing`)
	}
}

// TestSARIFContent checks what code scanning shows: the rule catalogue,
// one result per problem and per major or minor finding, at the
// repository-relative file and line.
func TestSARIFContent(t *testing.T) {
	_, log := renderSARIF(t, evaluate(t, "report", 0, "4be0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c"), "")
	if log.Version != "2.1.0" || !strings.Contains(log.Schema, "sarif-2.1.0") {
		t.Errorf("version %q, $schema %q", log.Version, log.Schema)
	}
	run := log.Runs[0]
	driver := run.Tool.Driver
	if driver.Name != "modelgate" || len(driver.Rules) != len(check.Rules) {
		t.Fatalf("driver %q with %d rules, want modelgate with the %d of the catalogue", driver.Name, len(driver.Rules), len(check.Rules))
	}
	for i, r := range check.Rules {
		d := driver.Rules[i]
		wantLevel := string(r.Level)
		if !r.Gate {
			wantLevel = map[check.Bump]string{check.BumpMajor: "warning", check.BumpMinor: "note", check.BumpPatch: "note", check.BumpNone: "none"}[r.Bump]
		}
		if d.ID != r.ID || d.ShortDescription.Text != r.Description || d.DefaultConfiguration.Level != wantLevel ||
			d.HelpURI != "https://github.com/modelgate/modelgate#rule-catalogue" || !strings.Contains(d.Help.Markdown, "(https://github.com/modelgate/modelgate#rule-catalogue)") {
			t.Errorf("rule %d: %+v; want %s, %q, level %s, help linking the README's rule catalogue", i, d, r.ID, r.Description, wantLevel)
		}
	}
	if driver.Rules[0].Name == "" || strings.Contains(driver.Rules[0].Name, "-") {
		t.Errorf("rule name %q: want PascalCase", driver.Rules[0].Name)
	}
	type want struct {
		rule, level, uri string
		line             int
		text             string
	}
	wants := []want{
		{"version-too-small", "error", "manifest.yaml", 1, "lite-llm-base: declared 2.1.4, the changes require at least 3.0.0. Fix: set model: lite-llm-base-v3.0.0 in manifest.yaml"},
		{"release-notes-no-migration", "error", "releases/v2.1.4.md", 1, "lite-llm-base: a major release needs migration steps"},
		{"arch-shape-changed", "warning", "manifest.yaml", 3, "lite-llm-base: architecture.hidden_size: 4096 -> 5120 requires a major bump: old checkpoints cannot be loaded"},
		{"tier-added", "note", "manifest.yaml", 9, "lite-llm-base: tiers[long|context]: (absent) -> {name: long|context, experts: 4} requires a minor bump: old clients ignore unknown tiers"},
	}
	if len(run.Results) != len(wants) {
		t.Fatalf("%d results, want %d (2 problems, the major and the minor finding; not the patch and none findings)", len(run.Results), len(wants))
	}
	for i, w := range wants {
		res := run.Results[i]
		loc := res.Locations[0].PhysicalLocation
		if res.RuleID != w.rule || res.Level != w.level || loc.ArtifactLocation.URI != w.uri || loc.ArtifactLocation.URIBaseID != "%SRCROOT%" ||
			loc.Region.StartLine != w.line || !strings.HasPrefix(res.Message.Text, w.text) {
			t.Errorf("result %d: %s %s %s:%d %q\nwant %s %s %s:%d %q", i, res.RuleID, res.Level, loc.ArtifactLocation.URI, loc.Region.StartLine,
				res.Message.Text, w.rule, w.level, w.uri, w.line, w.text)
		}
		if driver.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %d: ruleIndex %d names %s, not %s", i, res.RuleIndex, driver.Rules[res.RuleIndex].ID, res.RuleID)
		}
		if len(res.PartialFingerprints[FingerprintKey]) != 32 {
			t.Errorf("result %d: partialFingerprints %v", i, res.PartialFingerprints)
		}
	}
	// Under a folder (the action's path input) locations are prefixed.
	_, sub := renderSARIF(t, evaluate(t, "report", 0, "4be0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c"), "./models/lite/")
	if uri := sub.Runs[0].Results[0].Locations[0].PhysicalLocation.ArtifactLocation.URI; uri != "models/lite/manifest.yaml" {
		t.Errorf("under ./models/lite/: uri %q", uri)
	}
}

// TestSARIFFingerprints: a result keeps its fingerprint when lines move
// and the commit changes, and no two results share one.
func TestSARIFFingerprints(t *testing.T) {
	_, a := renderSARIF(t, evaluate(t, "report", 0, "4be0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c"), "")
	_, b := renderSARIF(t, evaluate(t, "report", 3, "0000a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c"), "")
	ra, rb := a.Runs[0].Results, b.Runs[0].Results
	if len(ra) != len(rb) {
		t.Fatalf("%d and %d results", len(ra), len(rb))
	}
	seen := map[string]string{}
	moved := false
	for i := range ra {
		fa, fb := ra[i].PartialFingerprints[FingerprintKey], rb[i].PartialFingerprints[FingerprintKey]
		if fa != fb {
			t.Errorf("result %d (%s): fingerprint %s, then %s after the lines moved", i, ra[i].RuleID, fa, fb)
		}
		if prev, ok := seen[fa]; ok {
			t.Errorf("results %s and %s share the fingerprint %s", prev, ra[i].RuleID, fa)
		}
		seen[fa] = ra[i].RuleID
		moved = moved || ra[i].Locations[0].PhysicalLocation.Region.StartLine != rb[i].Locations[0].PhysicalLocation.Region.StartLine
	}
	if !moved {
		t.Error("no line moved: the test proves nothing")
	}
}

// TestSARIFInert: repository strings with control characters, terminal
// escapes, bidirectional and C1 controls and workflow-command starts stay
// inside JSON strings, escaped visibly (package inert), in messages and in
// locations.
func TestSARIFInert(t *testing.T) {
	r := evaluate(t, "report", 0, "4be0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c")
	r.Models[0].Name = "evil\x1b[31m\n::error::x\u202egnp.exe\u0085##[error]y"
	r.Models[0].Problems[0].File = "man\u2066ifest\x1b.yaml"
	out, log := renderSARIF(t, r, "")
	for _, raw := range []string{"\x1b", "\r", "\n::error::", "\u202e", "\u2066", "\u0085", "##["} {
		if bytes.Contains(out, []byte(raw)) {
			t.Errorf("%q raw in the SARIF log:\n%s", raw, out)
		}
	}
	res := log.Runs[0].Results[0]
	if want := `evil\x1b[31m\n::error::x\u202egnp.exe\u0085#\u0023[error]y: `; !strings.HasPrefix(res.Message.Text, want) {
		t.Errorf("message %q, want it to start with %q", res.Message.Text, want)
	}
	if uri, want := res.Locations[0].PhysicalLocation.ArtifactLocation.URI, "man%E2%81%A6ifest%1B.yaml"; uri != want {
		t.Errorf("uri %q, want %q", uri, want)
	}
	validateSARIF(t, sarifSchema(t), out)
}

// TestSARIFRemainder: past check.MaxFindingsPerRule findings of a rule, the
// remainder is one result whose fingerprint stays the same when the number
// of findings it stands for changes, and is no listed finding's.
func TestSARIFRemainder(t *testing.T) {
	manifest := func(version string, n, v int) fstest.MapFS {
		var b strings.Builder
		fmt.Fprintf(&b, "model: wide-v%s\narchitecture:\n", version)
		for i := range n {
			fmt.Fprintf(&b, "  extra_%03d: %d\n", i, v+i)
		}
		return fstest.MapFS{"manifest.yaml": {Data: []byte(b.String())}}
	}
	gate := func(n int) sarifLog {
		base, err := check.Load(manifest("1.0.0", n, 0), "manifest.yaml")
		if err != nil {
			t.Fatal(err)
		}
		headFS := manifest("2.0.0", n, 1)
		head, err := check.Load(headFS, "manifest.yaml")
		if err != nil {
			t.Fatal(err)
		}
		mr, err := check.Evaluate(check.Input{Config: check.DefaultConfig(), Base: base, Head: head, HeadFS: headFS,
			BaseRef: check.Ref{Ref: "wide-v1.0.0", Commit: "9c1e2f3a4b5c6d7e8f9091a2b3c4d5e6f7a8b9c0"},
			HeadRef: check.Ref{Ref: "HEAD", Commit: "4be0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c"}})
		if err != nil {
			t.Fatal(err)
		}
		out, log := renderSARIF(t, &check.Report{Models: []*check.ModelReport{mr}}, "")
		validateSARIF(t, sarifSchema(t), out)
		return log
	}
	remainder := func(log sarifLog) (fp string, others map[string]bool) {
		others = map[string]bool{}
		for _, res := range log.Runs[0].Results {
			if res.RuleID != "arch-unclassified" {
				continue
			}
			f := res.PartialFingerprints[FingerprintKey]
			if strings.Contains(res.Message.Text, " more ") && strings.Contains(res.Message.Text, "not listed") {
				if fp != "" {
					t.Errorf("two remainder results")
				}
				fp = f
				continue
			}
			others[f] = true
		}
		return fp, others
	}
	a, b := gate(250), gate(260)
	fa, othersA := remainder(a)
	fb, _ := remainder(b)
	if fa == "" || fa != fb {
		t.Errorf("remainder fingerprint %q for 150 more, %q for 160 more: want one, the same", fa, fb)
	}
	if othersA[fa] || len(othersA) != check.MaxFindingsPerRule {
		t.Errorf("the remainder shares a fingerprint with a listed finding, or listed findings share one (%d distinct)", len(othersA))
	}
}

// FuzzSARIF renders a report whose model name, file, problem message and
// finding path are arbitrary repository strings: the log is always valid
// SARIF 2.1.0 (locations included), holds no raw control, bidirectional or
// C1 character and no "##[", and each message still names the model.
func FuzzSARIF(f *testing.F) {
	f.Add("lite-llm-base", "manifest.yaml", "declared 2.1.4", "architecture.hidden_size")
	f.Add("evil\x1b[31m\n::error::x", "man\u2066ifest\x1b.yaml", "##[error]y\u0085", "tiers[a\u202eb]")
	f.Add("a b", "dir with space/%41?#.yaml", "\r\n::warning::z", "\xff\xfe")
	f.Add("", "", "", "")
	sch := sarifSchema(f)
	var gated *check.Report // gated once, by the first input
	f.Fuzz(func(t *testing.T, name, file, message, key string) {
		if gated == nil {
			gated = evaluate(t, "report", 0, "4be0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c")
		}
		// A copy of the gated report, its problems and findings its own.
		m := *gated.Models[0]
		m.Problems = slices.Clone(m.Problems)
		m.Findings = slices.Clone(m.Findings)
		r := &check.Report{Passed: gated.Passed, Models: []*check.ModelReport{&m}}
		m.Name = name
		m.Problems[0].File, m.Problems[0].Message = file, message
		for i := range m.Findings {
			m.Findings[i].File, m.Findings[i].Path = file, key
		}
		out, log := renderSARIF(t, r, "")
		validateSARIF(t, sch, out)
		for _, raw := range []string{"##[", "\r", "\x1b", "\u0085", "\u202e", "\u2066", "\u2028"} {
			if bytes.Contains(out, []byte(raw)) {
				t.Fatalf("%q raw in the SARIF log", raw)
			}
		}
		for _, b := range out {
			if b < ' ' && b != '\n' {
				t.Fatalf("control byte %#x raw in the SARIF log", b)
			}
		}
		if !utf8.Valid(out) {
			t.Fatal("the SARIF log is not UTF-8")
		}
		for _, res := range log.Runs[0].Results {
			if !strings.HasPrefix(res.Message.Text, inertpkg.String(name)+": ") {
				t.Fatalf("message %q does not start with the model's name %q", res.Message.Text, inertpkg.String(name))
			}
		}
	})
}
