package changelog

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/modelgate/modelgate/check"
	"github.com/modelgate/modelgate/internal/inert"
)

// RecordSchema names the version record's format; it changes only when a
// field changes meaning.
const RecordSchema = "modelgate.record/v1"

// Record is the machine-readable record of one release. Its field names are a
// contract: tools read them, so fields are only ever added.
type Record struct {
	Schema             string          `json:"schema"`
	Identifier         string          `json:"identifier"`
	Name               string          `json:"name"`
	Version            string          `json:"version"`
	PreviousVersion    *string         `json:"previous_version"`
	PreviousIdentifier *string         `json:"previous_identifier"`
	Commits            Commits         `json:"commits"`
	RequiredBump       check.Bump      `json:"required_bump"`
	DeclaredBump       check.Bump      `json:"declared_bump"`
	Findings           []check.Finding `json:"findings"`
	Hyperparameters    any             `json:"hyperparameters"`
	Metrics            any             `json:"metrics"`
	Fingerprints       any             `json:"fingerprints"`
	ReleaseNotes       NotesRecord     `json:"release_notes"`
	ModelgateVersion   string          `json:"modelgate_version"`
}

// MarshalJSON encodes the record with the escapes of inert.JSON: the
// characters encoding/json leaves raw (bidirectional and C1 controls,
// "##[") are written as \u escapes, which decode to the same values.
func (r *Record) MarshalJSON() ([]byte, error) {
	type plain Record
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode((*plain)(r)); err != nil {
		return nil, err
	}
	return inert.JSON(bytes.TrimSpace(b.Bytes())), nil
}

// Commits are the commits a release was judged on.
type Commits struct {
	Base *string `json:"base"`
	Head string  `json:"head"`
}

// NotesRecord names the release notes and fixes their content by hash.
type NotesRecord struct {
	Path   *string `json:"path"`
	SHA256 *string `json:"sha256"`
}

// NewRecord builds the version record of a model's release from its gate
// report; tool is the modelgate version that produced it.
func NewRecord(m *check.ModelReport, tool string) *Record {
	r := &Record{
		Schema:           RecordSchema,
		Identifier:       m.Name + "-v" + m.DeclaredVersion,
		Name:             m.Name,
		Version:          m.DeclaredVersion,
		Commits:          Commits{Head: m.Head.Commit},
		RequiredBump:     m.RequiredBump,
		DeclaredBump:     m.DeclaredBump(),
		Findings:         m.Findings,
		ModelgateVersion: tool,
	}
	if m.Base != nil {
		prev := m.Base.Version
		id := m.BaseModel.ID.Name + "-v" + prev
		base := m.Base.Commit
		r.PreviousVersion, r.PreviousIdentifier, r.Commits.Base = &prev, &id, &base
	}
	if m.HeadModel != nil {
		res := m.HeadModel.Resolved
		r.Hyperparameters = res.Get("hyperparameters").Interface()
		r.Metrics = res.Get("metrics").Interface()
		r.Fingerprints = res.Get("fingerprints").Interface()
	}
	if m.ReleaseNotes.Found {
		sum := sha256.Sum256([]byte(m.NotesText))
		h := hex.EncodeToString(sum[:])
		r.ReleaseNotes = NotesRecord{Path: m.ReleaseNotes.Path, SHA256: &h}
	}
	return r
}
