// Package check is modelgate's domain: it loads a model's checkpoint
// manifest and the files it points to, diffs two revisions of it, classifies
// every difference with the rule catalogue (rules.go: each rule a named value
// with a stable ID), and decides whether the declared version is large
// enough for the changes (SPEC-040) and whether the release notes hold up.
// A change is judged as a release or as work in progress (policy.go, DESIGN
// §3.2): under policy release, work in progress passes and the report says
// what the next release needs.
//
// Evidence files (tensor signatures, OpenAPI documents) are read by the
// packages under check/evidence, registered in evidence.go; they return raw
// facts and check decides the bumps. The package reads files through io/fs
// and knows nothing of git, GitHub, the Actions runtime or any output
// format: adapters at the edge hand it one fs.FS per revision, and
// internal/render writes its Report.
package check
