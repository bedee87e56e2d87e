// Package pathwalk resolves a slash-separated path inside a root folder the
// way the operating system does: one component at a time, with the target of
// a symbolic link put in place of the link, and ".." going to the parent of
// the real folder reached so far, never folded lexically. "x/.." where x is a
// link to "a/b" is "a", not ".".
//
// The folders are reached through a Lookup, so the same rules serve a git
// tree (the gate's reads) and a working tree on disk (modelgate's writes):
// what the gate judges is what a write would touch.
package pathwalk

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// MaxLinks bounds the symbolic links followed for one path, as the
// operating system does (Linux: 40).
const MaxLinks = 40

// Kind is what a folder entry is.
type Kind int

// The kinds of entries.
const (
	Missing Kind = iota // no such entry
	Dir                 // a folder
	File                // anything else that is not a link
	Link                // a symbolic link
)

// Entry is what a Lookup finds: its kind, the node a Lookup of its children
// starts from (folders) or that names it (files), and a link's target.
type Entry[N any] struct {
	Kind   Kind
	Node   N
	Target string // for Link: the target as stored, slash-separated
}

// Lookup finds the entry name (one component, never "", "." or "..") in the
// folder dir.
type Lookup[N any] func(dir N, name string) (Entry[N], error)

// Result is a resolved path.
type Result[N any] struct {
	// Path is the real path from the root, slash-separated, without links,
	// "." or ".."; "." for the root itself. Its last Missing components do
	// not exist.
	Path    string
	Missing int
	// Entry is the final entry: a folder, a file, or Missing.
	Entry Entry[N]
}

// Exists reports whether the path names an existing entry.
func (r Result[N]) Exists() bool { return r.Missing == 0 }

// ErrEscapes reports a path whose real location is outside the root.
var ErrEscapes = errors.New("leaves the repository")

// ErrLoop reports more than MaxLinks symbolic links in one path.
var ErrLoop = errors.New("too many levels of symbolic links")

// ErrNotDir reports a file used as a folder in the middle of a path.
var ErrNotDir = errors.New("not a folder")

// LinkError names the symbolic link that takes a path outside the root.
type LinkError struct {
	Link   string // the link's real path from the root
	Target string // its target as stored
}

func (e *LinkError) Error() string {
	return fmt.Sprintf("symbolic link %q -> %q %s", e.Link, e.Target, ErrEscapes)
}

// Is makes errors.Is(err, ErrEscapes) true.
func (e *LinkError) Is(target error) bool { return target == ErrEscapes }

// Resolve resolves name from root. A path that reaches above the root
// (through ".." or a link), or any absolute link, fails with ErrEscapes
// (a *LinkError naming the link when one is to blame); a ".." or "." below
// a missing folder fails with fs.ErrNotExist, as the operating system's open
// does; a file used as a folder fails with ErrNotDir. Lookup errors are
// returned as they are.
func Resolve[N any](root N, name string, lookup Lookup[N]) (Result[N], error) {
	type frame struct {
		name string
		node N
	}
	stack := []frame{{name: ".", node: root}}
	var missing []string
	final := Entry[N]{Kind: Dir, Node: root}
	todo := components(name, nil)
	links := 0
	realPath := func(last string) string {
		parts := make([]string, 0, len(stack)+len(missing)+1)
		for _, f := range stack[1:] {
			parts = append(parts, f.name)
		}
		parts = append(parts, missing...)
		if last != "" {
			parts = append(parts, last)
		}
		if len(parts) == 0 {
			return "."
		}
		return strings.Join(parts, "/")
	}
	fileName := "" // a file reached, which must be the last component
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		if fileName != "" {
			return Result[N]{}, fmt.Errorf("%q: %w", realPath(fileName), ErrNotDir)
		}
		if len(missing) > 0 {
			if c.name == "." || c.name == ".." {
				return Result[N]{}, fmt.Errorf("%q: %w", realPath(""), fs.ErrNotExist)
			}
			missing = append(missing, c.name)
			continue
		}
		switch c.name {
		case ".":
			continue
		case "..":
			if len(stack) == 1 {
				if c.from != nil {
					return Result[N]{}, c.from
				}
				return Result[N]{}, fmt.Errorf("%q %w", name, ErrEscapes)
			}
			stack = stack[:len(stack)-1]
			final = Entry[N]{Kind: Dir, Node: stack[len(stack)-1].node}
			continue
		}
		e, err := lookup(stack[len(stack)-1].node, c.name)
		if err != nil {
			return Result[N]{}, err
		}
		switch e.Kind {
		case Missing:
			missing = append(missing, c.name)
			final = e
		case Dir:
			stack = append(stack, frame{name: c.name, node: e.Node})
			final = e
		case File:
			fileName, final = c.name, e
		case Link:
			if links++; links > MaxLinks {
				return Result[N]{}, fmt.Errorf("%q: %w", realPath(c.name), ErrLoop)
			}
			le := &LinkError{Link: realPath(c.name), Target: e.Target}
			if e.Target == "" || strings.HasPrefix(e.Target, "/") {
				return Result[N]{}, le
			}
			// The target takes the link's place and resolves from the
			// link's folder, the top of the stack.
			todo = append(components(e.Target, le), todo...)
		}
	}
	return Result[N]{Path: realPath(fileName), Missing: len(missing), Entry: final}, nil
}

// component is one path component and the link whose target it came from.
type component struct {
	name string
	from *LinkError
}

// components splits a path into its components, dropping empty ones; a
// trailing slash becomes a final ".", so the path must name a folder.
func components(p string, from *LinkError) []component {
	var out []component
	for _, c := range strings.Split(p, "/") {
		if c != "" {
			out = append(out, component{name: c, from: from})
		}
	}
	if strings.HasSuffix(p, "/") && len(out) > 0 {
		out = append(out, component{name: ".", from: from})
	}
	return out
}
