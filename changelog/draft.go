package changelog

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/modelgate/modelgate/check"
	"github.com/modelgate/modelgate/internal/abbrev"
	"github.com/modelgate/modelgate/internal/inert"
	"github.com/modelgate/modelgate/internal/render"
)

// Placeholder is the paragraph a person replaces with the migration steps.
// It carries the marker the gate looks for, so the gate fails with
// release-notes-template while any of it is left.
const Placeholder = "> **" + check.PlaceholderMarker + "** Write the migration steps here: how to convert old checkpoints " +
	"(a script under the migrations folder) and what clients must change. Replace this paragraph with them."

// Section is one generated part of the notes: a heading and its body.
type Section struct {
	Title string
	Body  string
}

// Draft builds the release notes of one model's declared release from its
// gate report: the title, the commit range, why the release has its size,
// the changes grouped by effect, the hyperparameter table and, for a major
// release, the migration section with a placeholder for the steps.
func Draft(m *check.ModelReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s v%s\n\n", m.Name, m.DeclaredVersion)
	b.WriteString(rangeLine(m))
	for _, s := range Sections(m) {
		fmt.Fprintf(&b, "\n## %s\n\n%s", s.Title, s.Body)
	}
	return b.String()
}

func rangeLine(m *check.ModelReport) string {
	prepared := m.Head.Source == check.SourceIndex || m.Head.Source == check.SourceWorktree
	switch {
	case m.Base == nil && prepared:
		return fmt.Sprintf("First release of %s.\n", m.Name)
	case m.Base == nil:
		return fmt.Sprintf("First release of %s, at `%s`.\n", m.Name, abbrev.Commit(m.Head.Commit))
	case prepared:
		// The staged content or working tree is no commit anyone will see:
		// name only the baseline.
		return fmt.Sprintf("Changes since %s (`%s`).\n", m.Base.Ref, abbrev.Commit(m.Base.Commit))
	}
	base, head := inert.String(m.Base.Ref), inert.String(m.Head.Ref)
	return fmt.Sprintf("Changes since %s: `%s..%s` (`%s..%s`).\n", base, base, head, abbrev.Commit(m.Base.Commit), abbrev.Commit(m.Head.Commit))
}

// Sections returns the generated sections of the notes, in order.
func Sections(m *check.ModelReport) []Section {
	var out []Section
	if m.Base != nil {
		out = append(out, Section{Title: whyTitle(m), Body: why(m)})
		groups := group(m.Findings)
		for _, g := range groupOrder {
			if items := groups[g.key]; len(items) > 0 {
				out = append(out, Section{Title: g.title, Body: strings.Join(items, "")})
			}
		}
	}
	if t := hyperparameterTable(m); t != "" {
		out = append(out, Section{Title: "Hyperparameters", Body: t})
	}
	if t := metricsTable(m); t != "" {
		out = append(out, Section{Title: "Metrics", Body: t})
	}
	if k := knownRegressions(m); k != "" {
		out = append(out, Section{Title: "Known regressions", Body: k})
	}
	if migrationNeeded(m) {
		out = append(out, Section{Title: "Migration", Body: migration(m)})
	}
	return out
}

func whyTitle(m *check.ModelReport) string {
	if b := max(m.DeclaredBump(), m.RequiredBump); b != check.BumpNone {
		return fmt.Sprintf("Why this is a %s release", strings.ToUpper(b.String()))
	}
	return "Why the version does not change"
}

// why cites the findings that force the required bump.
func why(m *check.ModelReport) string {
	var b strings.Builder
	if m.RequiredBump == check.BumpNone {
		b.WriteString("No version change was required: the changes are training hyperparameters or metadata, " +
			"which SPEC-040 §2.3 records without changing the version.\n")
	} else {
		fmt.Fprintf(&b, "The changes require a **%s** bump, from %s to %s:\n\n", m.RequiredBump, m.Base.Version, m.RequiredVersion)
		for _, f := range m.Findings {
			if f.Bump == m.RequiredBump && f.Suppressed == "" {
				b.WriteString(item(f))
			}
		}
	}
	// A draft describes the release as declared; it never says the release
	// is wrong (modelgate notes refuses to draft a version that is).
	if declared := m.DeclaredBump(); declared > m.RequiredBump {
		fmt.Fprintf(&b, "\nThe release is declared %s, more than the %s the changes require.\n", declared, m.RequiredBump)
	}
	return b.String()
}

// item renders a finding as a bullet: path, old -> new, reason, rule.
func item(f check.Finding) string {
	var what string
	path := inert.String(f.Path)
	switch {
	case f.Summary() != "":
		what = inert.String(f.Summary())
	case f.Rule == check.FileRule:
		what = fmt.Sprintf("`%s` changed", path)
	case f.OldText() == "(absent)":
		what = fmt.Sprintf("`%s` added: `%s`", path, clip(f.NewText()))
	case f.NewText() == "(absent)":
		what = fmt.Sprintf("`%s` removed (was `%s`)", path, clip(f.OldText()))
	default:
		what = fmt.Sprintf("`%s`: `%s` → `%s`", path, clip(f.OldText()), clip(f.NewText()))
	}
	if r := f.Reason(); r != "" && f.Rule != check.FileRule {
		what += " — " + inert.String(r)
	}
	return fmt.Sprintf("- %s [`%s`]\n", what, f.Rule)
}

var groupOrder = []struct{ key, title string }{
	{"breaking", "Breaking changes"},
	{"added", "Added"},
	{"behaviour", "Behaviour changes"},
	{"fixed", "Fixed"},
	{"other", "Recorded (no version change)"},
}

// group sorts findings by their effect into breaking / added / behaviour /
// fixed / other. Training settings (the hyperparameter table) and metrics
// (the metrics table) are left out.
func group(findings []check.Finding) map[string][]string {
	out := map[string][]string{}
	for _, f := range findings {
		var key string
		switch e := f.Effect(); e {
		case check.EffectTraining, check.EffectMetric:
			continue
		case check.EffectBreaking, check.EffectAdded, check.EffectBehaviour, check.EffectFixed:
			key = string(e)
		default:
			key = "other"
		}
		line := item(f)
		if f.Suppressed != "" {
			line = strings.TrimSuffix(line, "\n") + " (suppressed: " + inert.String(f.Suppressed) + ")\n"
		}
		out[key] = append(out[key], line)
	}
	return out
}

func isHyperparameter(f check.Finding) bool { return f.Effect() == check.EffectTraining }

// hyperparameterTable lists changed hyperparameters old/new; for a first
// release, the hyperparameters as recorded.
func hyperparameterTable(m *check.ModelReport) string {
	var rows []string
	if m.Base == nil {
		// Resolved: the training configs the field names, read in place.
		if hp := m.HeadModel.Resolved.Get("hyperparameters"); hp != nil {
			for _, k := range hp.Keys {
				rows = append(rows, fmt.Sprintf("| `%s` | | %s |\n", render.MarkdownEscape(k), cell(hp.Fields[k].Text())))
			}
		}
	} else {
		for _, f := range m.Findings {
			if isHyperparameter(f) {
				rows = append(rows, fmt.Sprintf("| `%s` | %s | %s |\n", render.MarkdownEscape(strings.TrimPrefix(f.Path, "hyperparameters.")), cell(f.OldText()), cell(f.NewText())))
			}
		}
	}
	if len(rows) == 0 {
		return ""
	}
	return "Recorded with the release; hyperparameter changes do not change the version (SPEC-040 §2.3).\n\n" +
		"| hyperparameter | old | new |\n|---|---|---|\n" + strings.Join(rows, "")
}

func cell(s string) string {
	if s == "(absent)" {
		return ""
	}
	return "`" + strings.ReplaceAll(clip(s), "|", `\|`) + "`"
}

// metricsTable lists the evaluation metrics that changed, with the delta;
// for a first release, the metrics as recorded.
func metricsTable(m *check.ModelReport) string {
	if m.Base == nil {
		var rows []string
		if m.HeadModel != nil {
			rows = metricRows(m.HeadModel.Resolved.Get("metrics"), "")
		}
		if len(rows) == 0 {
			return ""
		}
		return "Recorded with the release.\n\n| metric | value |\n|---|---|\n" + strings.Join(rows, "")
	}
	if len(m.Metrics) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("Compared with " + inert.String(m.Base.Ref) + ".\n\n| metric | old | new | delta |\n|---|---|---|---|\n")
	for _, mc := range m.Metrics {
		delta := mc.Delta
		switch {
		case mc.Regressed && mc.Rule != nil && mc.New != "":
			delta += fmt.Sprintf(" — regressed beyond the tolerance %s (%s is better)", mc.Rule.ToleranceText(), mc.Rule.Direction())
		case mc.Regressed:
			delta = "gone"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", render.MarkdownEscape(mc.Path), cell(orAbsent(mc.Old)), cell(orAbsent(mc.New)), render.MarkdownEscape(delta))
	}
	return b.String()
}

// metricRows lists the numeric and text values of a metrics tree.
func metricRows(n *check.Node, prefix string) []string {
	if n == nil {
		return nil
	}
	if n.Kind == check.KindMap {
		var rows []string
		for _, k := range n.Keys {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			rows = append(rows, metricRows(n.Fields[k], p)...)
		}
		return rows
	}
	return []string{fmt.Sprintf("| `%s` | %s |\n", render.MarkdownEscape(prefix), cell(n.Text()))}
}

func orAbsent(s string) string {
	if s == "" {
		return "(absent)"
	}
	return s
}

// knownRegressions drafts the acknowledgement of metrics that regressed
// beyond their tolerance: the gate accepts them once a person says why
// under this heading, and fails on the placeholder until then.
func knownRegressions(m *check.ModelReport) string {
	var b strings.Builder
	for _, mc := range m.Metrics {
		if !mc.Regressed || mc.Acknowledged {
			continue
		}
		if mc.New == "" {
			fmt.Fprintf(&b, "- `%s` is no longer reported (was %s)\n", inert.String(mc.Path), inert.String(mc.Old))
			continue
		}
		fmt.Fprintf(&b, "- `%s`: %s → %s (%s), beyond the tolerance %s\n", inert.String(mc.Path), inert.String(mc.Old), inert.String(mc.New), inert.String(mc.Delta), mc.Rule.ToleranceText())
	}
	if b.Len() == 0 {
		return ""
	}
	return b.String() + "\n" + RegressionPlaceholder + "\n"
}

// RegressionPlaceholder is the paragraph a person replaces with why the
// regressions listed above it are accepted.
const RegressionPlaceholder = "> **" + check.PlaceholderMarker + "** Say why these regressions are accepted in this release " +
	"and what users should expect. Replace this paragraph with it."

func migrationNeeded(m *check.ModelReport) bool {
	return m.Base != nil && (m.RequiredBump == check.BumpMajor || m.DeclaredBump() == check.BumpMajor)
}

// migration lists what old checkpoints and clients will hit and leaves a
// marked placeholder for the steps.
func migration(m *check.ModelReport) string {
	var b strings.Builder
	b.WriteString(check.MigrationIntro + "\n\n")
	n := 0
	for _, f := range m.Findings {
		if f.Bump == check.BumpMajor && f.Suppressed == "" {
			b.WriteString(item(f))
			n++
		}
	}
	if n == 0 {
		b.WriteString("- no breaking change was found; the version is declared major\n")
	}
	b.WriteString("\n" + Placeholder + "\n")
	return b.String()
}

// clip makes a value from a repository inert and cuts it to 80 bytes, at
// a character boundary.
func clip(s string) string {
	s = inert.String(s)
	if len(s) > 80 {
		n := 77
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		return s[:n] + "..."
	}
	return s
}
