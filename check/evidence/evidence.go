// Package evidence holds the facts that modelgate's evidence readers return
// and that more than one format produces. Each reader lives in a package
// check/evidence/<format>: tensors (safetensors headers, Hugging Face
// indexes, Git LFS pointers), openapi (OpenAPI 3 documents, compared with
// oasdiff). A reader returns raw facts — tensor signatures, API changes —
// and knows nothing of versions or rules: package check decides the bumps,
// much as gorelease decides a module's version from the changes apidiff
// reports.
//
// Readers are registered in package check (check/evidence.go), one line
// each.
package evidence

// Level is how an API reader rates a change of the API.
type Level int

// The levels of API changes.
const (
	Info     Level = iota // a backward-compatible change
	Warning               // a change that may break clients
	Breaking              // a breaking change
)

// APIChange is one difference between two revisions of a serving API
// schema, as its reader reports it.
type APIChange struct {
	ID        string // the reader's rule ID, e.g. oasdiff's response-required-property-removed
	Level     Level
	Text      string // the reader's description, on one line
	Operation string // HTTP method, e.g. POST; "" for document-wide changes
	Path      string // the API path, e.g. /generate
	// File and Line locate the change in the head document: the changed
	// element, or for a removal the operation it was removed from.
	File string
	Line int
	// Addition marks a backward-compatible addition (an endpoint, an
	// optional field); the release notes list those as added.
	Addition bool
}

// API is a loaded serving API schema of one revision.
type API interface {
	// File returns the repository path the schema was loaded from.
	File() string
	// Changes compares the schema with base, the baseline's schema of the
	// same format, and returns the changes, breaking ones first.
	Changes(base API) ([]APIChange, error)
}

// ReadFunc reads a repository file, by its repository-relative path, for a
// reader that follows references between files.
type ReadFunc func(name string) ([]byte, error)
