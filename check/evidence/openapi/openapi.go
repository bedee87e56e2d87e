// Package openapi is the evidence reader of OpenAPI 3 documents: it loads
// them with kin-openapi, compares two with oasdiff
// (github.com/oasdiff/oasdiff) and returns each change with oasdiff's rule
// ID, level, text and location, as evidence.APIChange. It knows nothing of
// versions; package check maps the levels to rules. It reads files only
// through the function it is given, so the domain stays free of git.
package openapi

import (
	"cmp"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oasdiff/oasdiff/checker"
	"github.com/oasdiff/oasdiff/diff"
	"github.com/oasdiff/oasdiff/load"

	"github.com/modelgate/modelgate/check/evidence"
)

// Doc is a loaded OpenAPI 3 document.
type Doc struct {
	file   string
	inline bool
	spec   *openapi3.T
}

// File returns the repository path the document was loaded from.
func (d *Doc) File() string { return d.file }

// IsOpenAPI3 reports whether version, the value of a document's openapi
// field, names OpenAPI 3 (3.0.x, 3.1.x).
func IsOpenAPI3(version string) bool { return strings.HasPrefix(version, "3.") }

// Load parses an OpenAPI 3 document that file holds. External $refs are read
// with read, relative to file, and must stay inside the repository; URLs
// are refused. inline marks a document written inside another file (the
// manifest), whose line numbers oasdiff cannot know.
func Load(file string, data []byte, read evidence.ReadFunc, inline bool) (doc *Doc, err error) {
	defer func() {
		// kin-openapi parses arbitrary documents; a bug there must not crash the gate.
		if r := recover(); r != nil {
			doc, err = nil, fmt.Errorf("%s: invalid OpenAPI document: the parser failed: %v", file, r)
		}
	}()
	loader := openapi3.NewLoader()
	loader.IncludeOrigin = !inline
	loader.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
		if u.Scheme != "" || u.Host != "" {
			return nil, fmt.Errorf("$ref to %q: only files in the repository are read, not URLs", u.String())
		}
		p := path.Clean(u.Path)
		if path.IsAbs(p) || p == ".." || strings.HasPrefix(p, "../") {
			return nil, fmt.Errorf("$ref to %q leaves the repository", u.Path)
		}
		return read(p)
	}
	spec, err := loader.LoadFromDataWithPath(data, &url.URL{Path: file})
	if err != nil {
		return nil, fmt.Errorf("%s: invalid OpenAPI document: %w", file, err)
	}
	return &Doc{file: file, inline: inline, spec: spec}, nil
}

// Changes compares the document with base, which must be an OpenAPI
// document too, and returns oasdiff's changes; see Diff.
func (d *Doc) Changes(base evidence.API) ([]evidence.APIChange, error) {
	b, ok := base.(*Doc)
	if !ok {
		return nil, fmt.Errorf("%s: the baseline's API schema %s is not an OpenAPI document; compare like with like", d.file, base.File())
	}
	return Diff(b, d)
}

// Diff compares two documents and returns oasdiff's changes, breaking ones
// first, in a stable order.
func Diff(base, head *Doc) (changes []evidence.APIChange, err error) {
	defer func() {
		// oasdiff walks arbitrary documents; a bug there must not crash the gate.
		if r := recover(); r != nil {
			changes, err = nil, fmt.Errorf("%s: oasdiff failed comparing it with the baseline: %v", head.file, r)
		}
	}()
	d, sources, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(),
		&load.SpecInfo{Url: base.file, Spec: base.spec}, &load.SpecInfo{Url: head.file, Spec: head.spec})
	if err != nil {
		return nil, fmt.Errorf("%s: oasdiff: %w", head.file, err)
	}
	if d == nil {
		return nil, nil
	}
	found := checker.CheckBackwardCompatibilityUntilLevel(checker.NewConfig(checker.GetAllChecks()), d, sources, checker.INFO)
	loc := checker.NewDefaultLocalizer()
	for _, c := range found {
		ch := evidence.APIChange{ID: c.GetId(), Text: strings.TrimSpace(c.GetUncolorizedText(loc)), Operation: c.GetOperation(), Path: c.GetPath(), File: head.file}
		switch c.GetLevel() {
		case checker.ERR:
			ch.Level = evidence.Breaking
		case checker.WARN:
			ch.Level = evidence.Warning
		default:
			ch.Level = evidence.Info
		}
		ch.Addition = strings.Contains(ch.ID, "-added") || strings.HasPrefix(ch.ID, "new-")
		if src := c.GetRevisionSource(); src != nil && src.Line > 0 && !head.inline {
			ch.Line = src.Line
		} else {
			ch.Line = head.operationLine(ch.Operation, ch.Path)
		}
		changes = append(changes, ch)
	}
	slices.SortStableFunc(changes, func(a, b evidence.APIChange) int {
		return cmp.Or(cmp.Compare(b.Level, a.Level), cmp.Compare(a.Path, b.Path), cmp.Compare(a.Operation, b.Operation),
			cmp.Compare(a.ID, b.ID), cmp.Compare(a.Text, b.Text))
	})
	return changes, nil
}

// operationLine returns the line of an operation in the document, else of
// its path, else of the paths section, or 0.
func (d *Doc) operationLine(method, p string) int {
	if d.inline || d.spec.Paths == nil || p == "" {
		return 0
	}
	item := d.spec.Paths.Find(p)
	if item == nil {
		if o := d.spec.Paths.Origin; o != nil && o.Key != nil {
			return o.Key.Line
		}
		return 0
	}
	if op := item.GetOperation(strings.ToUpper(method)); op != nil && op.Origin != nil && op.Origin.Key != nil {
		return op.Origin.Key.Line
	}
	if item.Origin != nil && item.Origin.Key != nil {
		return item.Origin.Key.Line
	}
	return 0
}
