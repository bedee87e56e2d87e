package check

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
}

// ModelReport is the verdict for one model.
type ModelReport struct {
	Name            string       `json:"name"`
	Manifest        string       `json:"manifest"`
	Base            *Ref         `json:"base"`
	Head            Ref          `json:"head"`
	DeclaredVersion string       `json:"declared_version"`
	RequiredBump    Bump         `json:"required_bump"`
	RequiredVersion string       `json:"required_version"`
	NextIdentifier  string       `json:"next_identifier"`
	Passed          bool         `json:"passed"`
	Findings        []Finding    `json:"findings"`
	Problems        []Problem    `json:"problems"`
	ReleaseNotes    ReleaseNotes `json:"release_notes"`
	Notices         []string     `json:"notices"`
}

// Finding is one classified difference between base and head.
type Finding struct {
	Rule    string `json:"rule"`
	Bump    Bump   `json:"bump"`
	Path    string `json:"path"`
	File    string `json:"file"`
	Line    int    `json:"line"`
	Old     any    `json:"old"`
	New     any    `json:"new"`
	Message string `json:"message"`
	// Suppressed holds the reason from .modelgate.yaml when the finding
	// does not count towards the required bump.
	Suppressed string `json:"suppressed,omitempty"`

	oldText, newText string
}

// Problem is a reason the gate fails (level error) or warns.
type Problem struct {
	Rule    string `json:"rule"`
	Level   Level  `json:"level"`
	File    string `json:"file"`
	Line    int    `json:"line"`
	Message string `json:"message"`
	Fix     string `json:"fix,omitempty"`
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
			n++
		}
	}
	return n
}

// Warnings returns the number of warning-level problems.
func (m *ModelReport) Warnings() int { return len(m.Problems) - m.Errors() }
