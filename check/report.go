package check

import "strings"

// Report is the result of one gate run over every model of a repository.
// Its JSON encoding is a contract (DESIGN §4): fields are only ever added.
type Report struct {
	Passed bool           `json:"passed"`
	Models []*ModelReport `json:"models"`
}

// Failed reports whether any model failed.
func (r *Report) Failed() bool {
	for _, m := range r.Models {
		if !m.Passed {
			return true
		}
	}
	return false
}

// Ref is a revision the gate read.
type Ref struct {
	Ref     string `json:"ref"`
	Commit  string `json:"commit"`
	Version string `json:"version"`
	// Source says what the head was read from: commit, index (--staged)
	// or worktree (--worktree). Empty for the baseline.
	Source string `json:"source,omitempty"`
}

// ModelReport is the verdict for one model. Conservative says the required
// bump rests only on findings no rule knows (basis unclassified): a cautious
// verdict rather than a certain one.
type ModelReport struct {
	Name            string       `json:"name"`
	Manifest        string       `json:"manifest"`
	Base            *Ref         `json:"base"`
	Head            Ref          `json:"head"`
	DeclaredVersion string       `json:"declared_version"`
	RequiredBump    Bump         `json:"required_bump"`
	Conservative    bool         `json:"conservative"`
	RequiredVersion string       `json:"required_version"`
	NextIdentifier  string       `json:"next_identifier"`
	Passed          bool         `json:"passed"`
	Findings        []Finding    `json:"findings"`
	Problems        []Problem    `json:"problems"`
	ReleaseNotes    ReleaseNotes `json:"release_notes"`
	Notices         []string     `json:"notices"`
	// Release says the change was judged as a release (DESIGN §3.2): its
	// declared version differs from the baseline's, or the caller said so.
	Release bool `json:"release"`

	// Gated says the full gate judged the model: a release, or any change
	// under policy every-change. Work in progress under policy release is
	// not gated: it passes, and the notices say what the next release needs.
	Gated bool `json:"-"`

	// HeadModel and BaseModel are the manifests the verdict was reached on
	// (BaseModel is nil for a first release); NotesText is the release notes
	// as found at head.
	HeadModel *Model `json:"-"`
	BaseModel *Model `json:"-"`
	NotesText string `json:"-"`
	// NotesTarget is where the gate looks first for the declared version's
	// notes: the manifest's release_notes pointer, else <dir>/<notes_dir>/v<V>.md.
	NotesTarget string `json:"-"`
	// TagCommit is the commit the release tag of the declared version points
	// to, or "" when that version has no tag yet.
	TagCommit string `json:"-"`
	// Metrics are the evaluation metrics that differ from the baseline's,
	// judged against the metrics: section of .modelgate.yaml.
	Metrics []MetricChange `json:"-"`
}

// Unchanged reports whether nothing of the model changed since its baseline
// and the version stays: there is nothing to release.
func (m *ModelReport) Unchanged() bool {
	return m.Base != nil && len(m.Findings) == 0 && m.DeclaredVersion == m.Base.Version
}

// DeclaredBump returns the size of the step from the baseline to the
// declared version (BumpNone for a first release).
func (m *ModelReport) DeclaredBump() Bump {
	if m.Base == nil {
		return BumpNone
	}
	b, err1 := ParseVersion(m.Base.Version)
	d, err2 := ParseVersion(m.DeclaredVersion)
	if err1 != nil || err2 != nil {
		return BumpNone
	}
	b, d = core(b), core(d)
	switch {
	case d.Major() != b.Major():
		return BumpMajor
	case d.Minor() != b.Minor():
		return BumpMinor
	case d.Patch() != b.Patch():
		return BumpPatch
	}
	return BumpNone
}

// Finding is one classified difference between base and head. Basis says
// why it got its bump (rule, vocabulary, section, default, evidence or
// unclassified, DESIGN §2.1); OldPath is where a renamed or moved key was at
// the baseline.
type Finding struct {
	Rule    string `json:"rule"`
	Bump    Bump   `json:"bump"`
	Basis   Basis  `json:"basis"`
	Path    string `json:"path"`
	OldPath string `json:"old_path,omitempty"`
	File    string `json:"file"`
	Line    int    `json:"line"`
	Old     any    `json:"old"`
	New     any    `json:"new"`
	Message string `json:"message"`
	// Suppressed holds the reason from .modelgate.yaml when the finding
	// does not count towards the required bump.
	Suppressed string `json:"suppressed,omitempty"`
	// Count is the number of tensors a tensor finding stands for: a group
	// whose Path is a pattern such as
	// tensors.model.layers.{0..39}.mlp.experts.{128..179}.{gate,up,down}_proj.weight,
	// or 1 for a single tensor; for a remainder finding, "(N more)", the
	// number of findings of its rule it stands for (MaxFindingsPerRule). It
	// is omitted for other findings.
	Count int `json:"count,omitempty"`
	// OasdiffID is the ID of the oasdiff rule behind an API finding on an
	// OpenAPI document, e.g. response-required-property-removed.
	OasdiffID string `json:"oasdiff_id,omitempty"`

	oldText, newText string
	// effect is the effect of the finding's rule, or of the change itself
	// where the rule covers several (an OpenAPI addition).
	effect Effect
	// summary, when set, replaces "path: old -> new" in the reports: the
	// pattern and count of a tensor group, the oasdiff text of an API change.
	summary string
	// omitted is, for a remainder finding, how many findings it stands for.
	omitted int
}

// OldText returns the old value on one line, "(absent)" for an addition.
func (f *Finding) OldText() string { return f.oldText }

// NewText returns the new value on one line, "(absent)" for a removal.
func (f *Finding) NewText() string { return f.newText }

// Summary returns what changed when "path: old -> new" does not say it well,
// e.g. "`model.layers.{0..39}.mlp.gate.weight` added: 40 tensors", or "".
func (f *Finding) Summary() string { return f.summary }

// Effect returns how the release notes group the finding: breaking, added,
// behaviour, fixed or recorded by its bump, training and metric changes in
// their own tables.
func (f *Finding) Effect() Effect { return f.effect.at(f.Bump) }

// Reason returns why the finding requires its bump, e.g. "old checkpoints
// cannot be loaded".
func (f *Finding) Reason() string { return reasonOf(f.Message) }

// reasonOf returns the reason part of a finding message ("...: reason").
func reasonOf(msg string) string {
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return ""
}

// Problem is a reason the gate fails (level error) or warns.
type Problem struct {
	Rule    string `json:"rule"`
	Level   Level  `json:"level"`
	File    string `json:"file"`
	Line    int    `json:"line"`
	Message string `json:"message"`
	Fix     string `json:"fix,omitempty"`

	// omitted is, for a remainder problem, how many problems it stands for.
	omitted int
}

// ReleaseNotes says where the notes of the declared version were found.
type ReleaseNotes struct {
	Path  *string `json:"path"`
	Found bool    `json:"found"`
}

// Errors returns the number of error-level problems.
func (m *ModelReport) Errors() int {
	n := 0
	for _, p := range m.Problems {
		if p.Level == LevelError {
			n += max(p.omitted, 1)
		}
	}
	return n
}

// Warnings returns the number of warning-level problems.
func (m *ModelReport) Warnings() int {
	n := 0
	for _, p := range m.Problems {
		if p.Level != LevelError {
			n += max(p.omitted, 1)
		}
	}
	return n
}
