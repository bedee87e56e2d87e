// Package hooks runs the release gate from git hooks and installs them.
//
// The shell scripts in this folder are what "modelgate hook install" writes
// (one script serves every hook; it runs "modelgate hook <its name>"). The
// handlers here read what git hands each hook, gate the content about to be
// committed, pushed or tagged, and block it when the gate fails.
package hooks

import (
	_ "embed"
)

// Script is the hook script installed for every hook name.
//
//go:embed pre-commit
var Script string

// Marker is in every script modelgate installs; a hook without it is
// someone else's and is never overwritten.
const Marker = "# modelgate-hook:"

// Names are the hooks modelgate provides.
var Names = []string{"pre-commit", "pre-push", "reference-transaction"}
