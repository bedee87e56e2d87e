// Package exitcode holds modelgate's exit statuses (DESIGN §3.4), shared by
// the command line, the git hooks and the GitHub Action.
package exitcode

// The exit statuses.
const (
	Pass  = 0 // the gate passed (or the command succeeded)
	Fail  = 1 // the gate failed
	Error = 2 // the gate could not run: bad flag, bad input, unknown ref
)
