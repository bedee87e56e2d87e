package render

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"path"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/modelgate/modelgate/check"
	inertpkg "github.com/modelgate/modelgate/internal/inert"
)

// SARIF constants: where a rule is explained, and the key of the
// fingerprint code scanning matches results across runs by.
const (
	sarifInformationURI = "https://github.com/modelgate/modelgate"
	sarifRuleHelpURI    = sarifInformationURI + "#rule-catalogue"
	// FingerprintKey names modelgate's partial fingerprint in SARIF results.
	FingerprintKey = "modelgate/v1"
	// srcRoot is the uriBaseId of every location: the repository's root,
	// which code scanning resolves to the checkout.
	srcRoot = "%SRCROOT%"
)

// SARIF writes the report as a SARIF 2.1.0 log for code scanning
// (github/codeql-action/upload-sarif): the rule catalogue as
// tool.driver.rules, one result per problem, and one per finding that
// needs a reviewer's attention (a major or minor bump that is not
// suppressed), each at its repository-relative file and line, with a
// partial fingerprint that stays the same across runs.
func SARIF(w io.Writer, r *check.Report) error { return SARIFAt(w, r, "") }

// SARIFAt writes the report as SARIF with every location under root, a
// slash-separated folder relative to the root code scanning resolves
// against (the action's path input); "" is that root.
func SARIFAt(w io.Writer, r *check.Report, root string) error {
	run := sarif.NewRunWithInformationURI("modelgate", sarifInformationURI)
	s := &sarifRun{run: run, index: map[string]int{}, root: strings.Trim(path.Clean("/"+root), "/")}
	for _, rule := range check.Rules {
		s.addRule(rule.ID, rule)
	}
	for _, m := range r.Models {
		for _, p := range m.Problems {
			s.problem(m, &p)
		}
		for _, f := range m.Findings {
			if f.Suppressed == "" && (f.Bump == check.BumpMajor || f.Bump == check.BumpMinor) {
				s.finding(m, &f)
			}
		}
	}
	log := sarif.NewReport()
	log.Schema = "https://json.schemastore.org/sarif-2.1.0.json"
	log.AddRun(run)
	var b bytes.Buffer
	if err := log.PrettyWrite(&b); err != nil {
		return fmt.Errorf("writing SARIF: %w", err)
	}
	b.WriteString("\n")
	// Repository strings went through inert already; package inert's JSON
	// pass also escapes what encoding/json leaves raw anywhere in the log
	// (bidirectional and C1 controls, "##["), losslessly.
	_, err := w.Write(inertpkg.JSON(b.Bytes()))
	return err
}

type sarifRun struct {
	run   *sarif.Run
	index map[string]int // rule ID -> index in tool.driver.rules
	root  string
}

// ruleLevel is the SARIF level of a catalogue rule: a gate rule's level,
// or for a finding rule the level of its bump.
func ruleLevel(r *check.Rule) string {
	if r.Gate {
		if r.Level == check.LevelOff {
			return "none"
		}
		return string(r.Level)
	}
	return bumpLevel(r.Bump)
}

// bumpLevel is the SARIF level of a finding of a bump: a major bump breaks
// old checkpoints or clients (warning), a minor one changes behaviour
// (note).
func bumpLevel(b check.Bump) string {
	switch b {
	case check.BumpMajor:
		return "warning"
	case check.BumpMinor, check.BumpPatch:
		return "note"
	}
	return "none"
}

// addRule adds a rule descriptor: the catalogue's rule, or (r nil) a rule
// that .modelgate.yaml added.
func (s *sarifRun) addRule(id string, r *check.Rule) int {
	if i, ok := s.index[id]; ok {
		return i
	}
	desc, level, kind := "a rule added in .modelgate.yaml", "note", "rule"
	if r != nil {
		desc, level = r.Description, ruleLevel(r)
		if r.Gate {
			kind = "gate rule (" + string(r.Level) + ")"
		} else {
			kind = "finding rule (" + r.Bump.String() + " bump)"
		}
	}
	text := fmt.Sprintf("%s: %s. modelgate %s; see the rule catalogue: %s", id, desc, kind, sarifRuleHelpURI)
	md := fmt.Sprintf("`%s`: %s (modelgate %s). See [the rule catalogue](%s) and `modelgate rules`.", id, desc, kind, sarifRuleHelpURI)
	cfg := sarif.NewReportingConfiguration()
	cfg.Level = level
	cfg.Rank = -1
	d := sarif.NewReportingDescriptor().
		WithID(id).
		WithName(ruleName(id)).
		WithShortDescription(sarif.NewMultiformatMessageString().WithText(desc)).
		WithFullDescription(sarif.NewMultiformatMessageString().WithText(desc)).
		WithHelp(sarif.NewMultiformatMessageString().WithText(text).WithMarkdown(md)).
		WithHelpURI(sarifRuleHelpURI).
		WithDefaultConfiguration(cfg)
	d.WithProperties(sarif.NewPropertyBag().Add("tags", []string{"modelgate", "semver"}))
	s.run.Tool.Driver.AddRule(d)
	s.index[id] = len(s.run.Tool.Driver.Rules) - 1
	return s.index[id]
}

// ruleName turns a kebab-case rule ID into the PascalCase name SARIF
// viewers show: version-too-small -> VersionTooSmall.
func ruleName(id string) string {
	var b strings.Builder
	for _, w := range strings.Split(id, "-") {
		if w != "" {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}

// fingerprint identifies a result across runs: its model, rule, file and
// the changed key, never its line, values or commit.
func fingerprint(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

func (s *sarifRun) problem(m *check.ModelReport, p *check.Problem) {
	msg := inert(m.Name) + ": " + inert(p.Message)
	if p.Fix != "" {
		msg += ". Fix: " + inert(p.Fix)
	}
	level := string(p.Level)
	if p.Level == check.LevelOff {
		level = "none"
	}
	file := p.File
	if file == "" {
		file = m.Manifest
	}
	s.result(p.Rule, level, msg, file, p.Line, fingerprint(m.Name, p.Rule, file))
}

func (s *sarifRun) finding(m *check.ModelReport, f *check.Finding) {
	msg := fmt.Sprintf("%s: %s requires a %s bump", inert(m.Name), change(f), f.Bump)
	if reason := f.Reason(); reason != "" {
		msg += ": " + inert(reason)
	}
	key := f.Path
	if f.Omitted() > 0 {
		// A remainder's path counts the findings it stands for: its alert
		// stays the same one when that count changes.
		key = "(more)"
	}
	s.result(f.Rule, bumpLevel(f.Bump), msg, f.File, f.Line, fingerprint(m.Name, f.Rule, f.File, key))
}

func (s *sarifRun) result(ruleID, level, msg, file string, line int, fp string) {
	i := s.addRule(ruleID, check.LookupRule(ruleID))
	// A location is a URI reference: the path percent-encoded, which also
	// makes its control and bidirectional characters inert.
	rel := file
	if s.root != "" {
		rel = s.root + "/" + rel
	}
	uri := (&url.URL{Path: rel}).EscapedPath()
	region := sarif.NewRegion().WithStartLine(max(line, 1))
	loc := sarif.NewPhysicalLocation().
		WithArtifactLocation(sarif.NewArtifactLocation().WithURI(uri).WithURIBaseID(srcRoot)).
		WithRegion(region)
	res := sarif.NewRuleResult(ruleID).
		WithRuleIndex(i).
		WithLevel(level).
		WithMessage(sarif.NewTextMessage(msg)).
		AddLocation(sarif.NewLocationWithPhysicalLocation(loc)).
		WithPartialFingerprints(map[string]string{FingerprintKey: fp})
	res.Rank = -1
	s.run.AddResult(res)
}
