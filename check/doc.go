// Package check is modelgate's domain: it loads a model's checkpoint
// manifest and the files it points to, diffs two revisions of it, classifies
// every difference with the rule table, and decides whether the declared
// version is large enough for the changes (SPEC-040).
//
// The package reads files through io/fs and knows nothing of git, GitHub or
// the Actions runtime: adapters at the edge hand it one fs.FS per revision.
package check
