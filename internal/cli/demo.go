package cli

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"

	"github.com/modelgate/modelgate/internal/gate"
	"github.com/modelgate/modelgate/internal/gitrepo"
	"github.com/modelgate/modelgate/internal/render"
)

//go:embed demodata
var demoData embed.FS

var demoUsage = `usage: modelgate demo [--keep]

Build a throwaway model repository in a temporary folder from embedded fixtures
and run the gate on it twice: first on a release that widens hidden_size but
declares a patch version (the gate fails), then on the fixed release that
declares 3.0.0 with migration notes (the gate passes). Needs nothing but this
binary. Exit status 0 when both verdicts come out as expected.

flags:
  --keep   keep the repository and print its path, to try modelgate check on it
`

// demoSteps are the fixture folders, what each commit does, and the verdict
// the gate must reach on it.
var demoSteps = []struct {
	dir, message string
	tag          string
	pass         bool
}{
	{"1-release", "release lite-llm-base v2.1.3", "lite-llm-base-v2.1.3", true},
	{"2-too-small", "widen hidden_size, add the long-context tier; declare 2.1.4", "", false},
	{"3-fixed", "declare 3.0.0 with migration notes", "", true},
}

func runDemo(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet("demo")
	keep := fs.Bool("keep", false, "")
	if code := parse(fs, demoUsage, args, e); code >= 0 {
		return code
	}
	dir, err := os.MkdirTemp("", "modelgate-demo-")
	if err != nil {
		return e.fail(fmt.Errorf("creating a temporary folder: %w", err))
	}
	if !*keep {
		defer os.RemoveAll(dir)
	}
	b, err := gitrepo.Init(dir)
	if err != nil {
		return e.fail(err)
	}
	ok := true
	for i, step := range demoSteps {
		if err := ctx.Err(); err != nil {
			return e.fail(err)
		}
		files, err := fixtureFiles(step.dir)
		if err != nil {
			return e.fail(err)
		}
		if err := b.Commit(step.message, files); err != nil {
			return e.fail(err)
		}
		if step.tag != "" {
			if err := b.Tag(step.tag); err != nil {
				return e.fail(err)
			}
			fmt.Fprintf(e.stdout, "== step %d: committed and tagged %s\n\n", i+1, step.tag)
			continue
		}
		fmt.Fprintf(e.stdout, "== step %d: %s\n$ modelgate check\n", i+1, step.message)
		r, err := gate.Run(ctx, gate.Options{Repo: dir})
		if err != nil {
			return e.fail(err)
		}
		if err := render.Text(e.stdout, r); err != nil {
			return e.fail(err)
		}
		status := ExitPass
		if !r.Passed {
			status = ExitFail
		}
		fmt.Fprintf(e.stdout, "(exit status %d)\n\n", status)
		ok = ok && r.Passed == step.pass
	}
	if *keep {
		fmt.Fprintf(e.stdout, "The demo repository is in %s; try: modelgate check --repo %s --base HEAD~2\n", dir, dir)
	}
	if !ok {
		fmt.Fprintln(e.stderr, "modelgate: the demo's verdicts were not the expected ones")
		return ExitFail
	}
	fmt.Fprintln(e.stdout, "The gate failed the under-versioned release and passed the fixed one.")
	return ExitPass
}

// fixtureFiles returns the files of one demo step, path -> content.
func fixtureFiles(step string) (map[string]string, error) {
	root := path.Join("demodata", step)
	files := map[string]string{}
	err := fs.WalkDir(demoData, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := demoData.ReadFile(p)
		if err != nil {
			return err
		}
		files[p[len(root)+1:]] = string(data)
		return nil
	})
	return files, err
}

func writeJSON(e *env, v any) int {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return e.fail(err)
	}
	return ExitPass
}
