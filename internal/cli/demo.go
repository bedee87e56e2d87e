package cli

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/modelgate/modelgate/internal/gate"
	"github.com/modelgate/modelgate/internal/gitrepo"
	"github.com/modelgate/modelgate/internal/render"
)

//go:embed demodata
var demoData embed.FS

var demoUsage = `usage: modelgate demo [--keep]

Build two throwaway model repositories in a temporary folder from embedded
fixtures and run the gate on each twice. First a checkpoint manifest: a release
that widens hidden_size but declares a patch version (the gate fails), then the
fixed release that declares 3.0.0 with migration notes (the gate passes). Then a
Hugging Face model folder (huggingface: .): a release that changes the chat
template but declares a patch version (the gate fails, with an excerpt of the
template change), then the fixed release that declares 1.1.0 (the gate passes).
Needs nothing but this binary. Exit status 0 when every verdict comes out as
expected.

flags:
  --keep   keep the repositories and print their paths, to try modelgate check on them
`

// demoStep is one commit of a demo scene: the fixture folder, what the
// commit does, and the verdict the gate must reach on it (or the tag it
// gets, for a release).
type demoStep struct {
	dir, message string
	tag          string
	pass         bool
}

// demoScenes are the demo's repositories, each built from its steps.
var demoScenes = []struct {
	title, repo string
	steps       []demoStep
}{
	{"a checkpoint manifest (manifest.yaml, the architecture inline)", "lite-llm-base", []demoStep{
		{"1-release", "release lite-llm-base v2.1.3", "lite-llm-base-v2.1.3", true},
		{"2-too-small", "widen hidden_size, add the long-context tier; declare 2.1.4", "", false},
		{"3-fixed", "declare 3.0.0 with migration notes", "", true},
	}},
	{"a Hugging Face model folder (huggingface: .): config.json, tokenizer.json, tokenizer_config.json, ...", "tiny-chat", []demoStep{
		{"hf-1-release", "release tiny-chat v1.0.0", "tiny-chat-v1.0.0", true},
		{"hf-2-template", "the chat template opens a <think> block; declare 1.0.1", "", false},
		{"hf-3-fixed", "declare 1.1.0 with notes", "", true},
	}},
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
	ok := true
	var repos []string
	for n, scene := range demoScenes {
		fmt.Fprintf(e.stdout, "== scene %d: %s\n\n", n+1, scene.title)
		repo := filepath.Join(dir, scene.repo)
		repos = append(repos, repo)
		pass, code := demoScene(ctx, e, repo, scene.steps)
		if code >= 0 {
			return code
		}
		ok = ok && pass
	}
	if *keep {
		fmt.Fprintf(e.stdout, "The demo repositories are in %s; try: modelgate check --repo %s --base HEAD~2\n", strings.Join(repos, " and "), repos[0])
	}
	if !ok {
		fmt.Fprintln(e.stderr, "modelgate: the demo's verdicts were not the expected ones")
		return ExitFail
	}
	fmt.Fprintln(e.stdout, "The gate failed the under-versioned releases and passed the fixed ones.")
	return ExitPass
}

// demoScene builds one repository step by step and gates each step that
// is not a tagged release. It reports whether every verdict came out as
// expected, or an exit status when it could not run.
func demoScene(ctx context.Context, e *env, dir string, steps []demoStep) (bool, int) {
	b, err := gitrepo.Init(dir)
	if err != nil {
		return false, e.fail(err)
	}
	ok := true
	for i, step := range steps {
		if err := ctx.Err(); err != nil {
			return false, e.fail(err)
		}
		files, err := fixtureFiles(step.dir)
		if err != nil {
			return false, e.fail(err)
		}
		if err := b.Commit(step.message, files); err != nil {
			return false, e.fail(err)
		}
		if step.tag != "" {
			if err := b.Tag(step.tag); err != nil {
				return false, e.fail(err)
			}
			fmt.Fprintf(e.stdout, "== step %d: committed and tagged %s\n\n", i+1, step.tag)
			continue
		}
		fmt.Fprintf(e.stdout, "== step %d: %s\n$ modelgate check\n", i+1, step.message)
		r, err := gate.Run(ctx, gate.Options{Repo: dir})
		if err != nil {
			return false, e.fail(err)
		}
		if err := render.Text(e.stdout, r); err != nil {
			return false, e.fail(err)
		}
		status := ExitPass
		if !r.Passed {
			status = ExitFail
		}
		fmt.Fprintf(e.stdout, "(exit status %d)\n\n", status)
		ok = ok && r.Passed == step.pass
	}
	return ok, -1
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
