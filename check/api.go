package check

import (
	"fmt"
	"strings"

	"github.com/modelgate/modelgate/check/evidence"
)

// apiRules maps the levels of API readers to the rules of the catalogue.
var apiRules = map[evidence.Level]*Rule{
	evidence.Breaking: ruleApiBreaking,
	evidence.Warning:  ruleApiPossiblyBreaking,
	evidence.Info:     ruleApiCompatible,
}

// docKeys are OpenAPI keys that document an API without changing its
// contract.
var docKeys = map[string]bool{"description": true, "summary": true, "example": true, "examples": true,
	"externalDocs": true, "title": true, "termsOfService": true, "contact": true, "license": true}

// apiFindings compares two API schemas with their reader (OpenAPI 3
// documents with oasdiff): one finding per change the reader reports, carrying its rule ID and location. tree holds the
// differences of the documents as trees: those oasdiff has no rule for (an
// operation it reports nothing about, or anything when it reports nothing
// at all) are returned as uncovered, to be classified by the generic API
// rules, unless they only touch documentation (descriptions, examples),
// which makes one api-doc-changed finding.
func apiFindings(cfg *Config, base, head evidence.API, tree []Change) (found []Finding, uncovered []Change, err error) {
	changes, err := head.Changes(base)
	if err != nil {
		return nil, nil, err
	}
	covered := map[string]bool{}
	for _, c := range changes {
		level := c.Level
		if level == evidence.Info && strings.HasSuffix(c.ID, "-removed") {
			// oasdiff rates removing an optional field as informational;
			// a client that reads it still breaks, and the gate must never
			// under-ask.
			level = evidence.Warning
		}
		r := apiRules[level]
		p, what := "api", c.Text
		if c.Path != "" {
			p = "api.paths." + c.Path
			covered[p] = true
			if c.Operation != "" {
				p += "." + strings.ToLower(c.Operation)
				what = fmt.Sprintf("%s %s: %s", c.Operation, c.Path, c.Text)
			}
		}
		what += " (oasdiff " + c.ID + ")"
		f := Finding{Rule: r.ID, Bump: cfg.bumpOf(r), Path: p, File: c.File, Line: c.Line, OasdiffID: c.ID,
			Message: what + ": " + r.Reason, summary: what, effect: r.Effect}
		if c.Addition {
			f.effect = EffectAdded
		}
		f.Suppressed = cfg.suppressed(r.ID, f.Path)
		found = append(found, f)
	}
	docs := false
	for _, c := range tree {
		if isDocChange(c) {
			docs = true
			continue
		}
		// Under paths.<path>, oasdiff speaks for the path when it reports
		// a change of it; elsewhere (components, servers) for the document.
		underPaths := len(c.Path) >= 2 && c.Path[1].Key == "paths"
		if underPaths && len(c.Path) >= 3 && covered["api.paths."+c.Path[2].Key] || !underPaths && len(found) > 0 {
			continue
		}
		uncovered = append(uncovered, c)
	}
	if len(found) == 0 && len(uncovered) == 0 && docs {
		r := ruleApiDocChanged
		what := head.File() + " changed, with no API change oasdiff reports (descriptions, examples)"
		f := Finding{Rule: r.ID, Bump: cfg.bumpOf(r), Path: "api", File: head.File(),
			Message: what + ": " + r.Reason, summary: what, effect: r.Effect}
		f.Suppressed = cfg.suppressed(r.ID, f.Path)
		found = append(found, f)
	}
	return found, uncovered, nil
}

// isDocChange reports whether a difference of an OpenAPI document only
// touches documentation: a description, summary, example or title (not a
// property of that name), the info section or the tag list.
func isDocChange(c Change) bool {
	for i, st := range c.Path {
		if st.Keyed || st.Key == "" {
			continue
		}
		if i == 1 && (st.Key == "info" || st.Key == "tags") {
			return true
		}
		if docKeys[st.Key] && i > 1 && c.Path[i-1].Key != "properties" {
			return true
		}
	}
	return false
}
