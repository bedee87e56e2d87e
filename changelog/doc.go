// Package changelog writes what a release says about itself: draft release
// notes built from the gate's findings, the Keep a Changelog update, the
// GitHub release body, and the machine-readable version record.
//
// It renders check's report and imports neither git nor GitHub.
package changelog
