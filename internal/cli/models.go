package cli

import (
	"context"
	"fmt"
	"path"
	"text/tabwriter"

	"github.com/modelgate/modelgate/check"
	"github.com/modelgate/modelgate/internal/gate"
	"github.com/modelgate/modelgate/internal/inert"
)

var modelsUsage = `usage: modelgate models [--changed] [--format text|json] [flags]

List the models of the repository at --head: name, manifest, folder, baseline
release, and whether the model changed since that baseline (a finding, or a
version other than the baseline's; a model without a baseline is a first
release and counts as changed). A model's files are those of its folder, of
its Hugging Face folder and of the files its manifest points to, wherever
they lie; the JSON lists them as paths.

--format json prints {"include": [{"model": ..., ...}, ...]}, a value that
drops straight into a GitHub Actions strategy.matrix, so that a monorepo
gates each model in a job of its own (the action's model input):

  strategy:
    matrix: ${{ fromJSON(needs.plan.outputs.models) }}

flags:
  --repo DIR       the repository (default .)
  --head REF       the revision to list (default HEAD)
  --config FILE    configuration file (default: .modelgate.yaml at --head, if present)
  --changed        only the models that changed since their baseline
  --format F       text or json (default text)

examples:
  modelgate models
  modelgate models --changed --format json
`

// modelEntry is one model in the JSON of modelgate models: one element of
// a strategy.matrix include list. Its fields are a contract, only ever
// added to.
type modelEntry struct {
	Model           string  `json:"model"`
	Manifest        string  `json:"manifest"`
	Folder          string  `json:"folder"`
	Baseline        *string `json:"baseline"`
	Changed         bool    `json:"changed"`
	DeclaredVersion string  `json:"declared_version"`
	RequiredBump    string  `json:"required_bump"`
	// Paths are the folders and files the model reads: folder first, then
	// its Hugging Face folder and pointer files outside it (check.Model.Paths).
	Paths []string `json:"paths"`
}

// matrix is the JSON of modelgate models.
type matrix struct {
	Include []modelEntry `json:"include"`
}

func runModels(ctx context.Context, e *env, args []string) int {
	var g gateFlags
	fs := newFlagSet("models")
	fs.StringVar(&g.opts.Repo, "repo", ".", "")
	fs.StringVar(&g.opts.Head, "head", "HEAD", "")
	fs.StringVar(&g.opts.Config, "config", "", "")
	fs.StringVar(&g.format, "format", "text", "")
	changedOnly := fs.Bool("changed", false, "")
	if code := parse(fs, modelsUsage, args, e); code >= 0 {
		return code
	}
	if g.format != "text" && g.format != "json" {
		fmt.Fprintf(e.stderr, "modelgate: unknown --format %q: want text or json\n", g.format)
		return ExitError
	}
	r, err := gate.Run(ctx, g.opts)
	if err != nil {
		return e.fail(err)
	}
	out := matrix{Include: []modelEntry{}}
	for _, m := range r.Models {
		entry := modelEntryOf(m)
		if *changedOnly && !entry.Changed {
			continue
		}
		out.Include = append(out.Include, entry)
	}
	if g.format == "json" {
		return writeJSON(e, out)
	}
	if len(out.Include) == 0 {
		what := "models"
		if *changedOnly {
			what = "changed models"
		}
		fmt.Fprintf(e.stdout, "no %s\n", what)
		return ExitPass
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "model\tmanifest\tbaseline\tchanged")
	for _, m := range out.Include {
		base, changed := "(first release)", "no"
		if m.Baseline != nil {
			base = printable(*m.Baseline)
		}
		if m.Changed {
			changed = "yes: " + m.RequiredBump + " bump"
			if m.Baseline == nil {
				changed = "yes: first release"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", printable(m.Model), printable(m.Manifest), base, changed)
	}
	if err := tw.Flush(); err != nil {
		return e.fail(err)
	}
	return ExitPass
}

// modelEntryOf describes a model's report for the matrix.
func modelEntryOf(m *check.ModelReport) modelEntry {
	entry := modelEntry{Model: m.Name, Manifest: m.Manifest, Folder: path.Dir(m.Manifest),
		Changed: !m.Unchanged(), DeclaredVersion: m.DeclaredVersion, RequiredBump: m.RequiredBump.String()}
	if m.Base != nil {
		ref := m.Base.Ref
		entry.Baseline = &ref
	}
	entry.Paths = []string{entry.Folder}
	if m.HeadModel != nil {
		entry.Paths = check.PathsOf(m.HeadModel, m.BaseModel)
	}
	return entry
}

// printable makes a repository string inert for one cell of the table
// (package inert): tabs, newlines, terminal escapes and bidirectional
// controls show as escapes, so they can neither break the table nor reach
// the terminal raw.
func printable(s string) string { return inert.String(s) }
