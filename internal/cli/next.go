package cli

import (
	"context"
	"fmt"

	"github.com/modelgate/modelgate/check"
	"github.com/modelgate/modelgate/internal/abbrev"
	"github.com/modelgate/modelgate/internal/render"
)

func runDiff(ctx context.Context, e *env, args []string) int {
	r, format, code := runGate(ctx, e, "diff", diffUsage, args)
	if code >= 0 {
		return code
	}
	var err error
	if format == "text" {
		err = render.DiffText(e.stdout, r)
	} else {
		err = render.Write(e.stdout, r, format)
	}
	if err != nil {
		return e.fail(err)
	}
	return ExitPass
}

var nextUsage = `usage: modelgate next [flags]

Print the identifier the next release must at least declare, one line per model,
e.g. lite-llm-base-v3.0.0: the baseline bumped by what the changes require, or
the declared version of a first release. A renamed model's next release keeps
the old name (the gate's fix); a note on stderr says so.
` + revisionFlagsHelp + sourceFlagsHelp + `  --format F       text (default) or json: per model its name, manifest,
                   next_identifier, required_version, required_bump,
                   declared_version, baseline and release

examples:
  modelgate next
  modelgate next --staged
  modelgate next --format json | jq -r '.models[].next_identifier'
`

// nextModel is what modelgate next --format json promises for one model.
type nextModel struct {
	Name            string     `json:"name"`
	Manifest        string     `json:"manifest"`
	NextIdentifier  string     `json:"next_identifier"`
	RequiredVersion string     `json:"required_version"`
	RequiredBump    check.Bump `json:"required_bump"`
	DeclaredVersion string     `json:"declared_version"`
	// Baseline is the release the next one follows; null for a first release.
	Baseline *string `json:"baseline"`
	// Release says the head is judged as a release (DESIGN §3.2).
	Release bool `json:"release"`
}

func runNext(ctx context.Context, e *env, args []string) int {
	r, format, code := runGate(ctx, e, "next", nextUsage, args)
	if code >= 0 {
		return code
	}
	if format == "json" {
		out := struct {
			Models []nextModel `json:"models"`
		}{Models: []nextModel{}}
		for _, m := range r.Models {
			n := nextModel{Name: m.Name, Manifest: m.Manifest, NextIdentifier: m.NextIdentifier, RequiredVersion: m.RequiredVersion,
				RequiredBump: m.RequiredBump, DeclaredVersion: m.DeclaredVersion, Release: m.Release}
			if m.Base != nil {
				ref := m.Base.Ref
				n.Baseline = &ref
			}
			out.Models = append(out.Models, n)
		}
		return writeJSON(e, out)
	}
	for _, m := range r.Models {
		fmt.Fprintln(e.stdout, m.NextIdentifier)
		switch {
		case m.BaseModel != nil && m.BaseModel.ID.Name != m.Name:
			fmt.Fprintf(e.stderr, "modelgate: %s was %s at %s: %s continues that model (a new name is a new model; start %s with --base none instead)\n",
				m.Name, m.BaseModel.ID.Name, m.Base.Ref, m.NextIdentifier, m.Name)
		case m.TagCommit != "" && m.TagCommit == m.Head.Commit:
			fmt.Fprintf(e.stderr, "modelgate: %s-v%s is tagged at %s (%s): that release is made\n", m.Name, m.DeclaredVersion, m.Head.Ref, abbrev.Commit(m.Head.Commit))
		}
	}
	return ExitPass
}
