package action

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/modelgate/modelgate/check"
	"github.com/modelgate/modelgate/internal/gate"
	"github.com/modelgate/modelgate/internal/render"
	"github.com/modelgate/modelgate/internal/safewrite"
)

// readPlaceInputs reads the inputs that say where the verdict goes beyond
// annotations and the summary: model, comment and sarif. The sarif path is
// resolved against the workspace and refused unless it stays inside it, so
// a bad one stops the step before anything is written.
func readPlaceInputs(gha *githubactions.Action, in *inputs) error {
	in.model = gha.GetInput("model")
	if in.model != "" {
		if _, err := check.ParseIdentifier(in.model + "-v1.0.0"); err != nil {
			return fmt.Errorf("input model is %q: want a model name as manifests declare it, e.g. lite-llm-base", in.model)
		}
	}
	switch in.comment = strings.ToLower(gha.GetInput("comment")); in.comment {
	case "":
		in.comment = CommentOnChange
	case CommentOnChange, CommentAlways, CommentNever:
	default:
		return fmt.Errorf("input comment is %q: want %s, %s or %s", in.comment, CommentOnChange, CommentAlways, CommentNever)
	}
	if p := gha.GetInput("sarif"); p != "" {
		target, err := insideWorkspace(workspace(gha.Getenv), p)
		if err != nil {
			return fmt.Errorf("input sarif is %q: %w", p, err)
		}
		in.sarif = target
	}
	return nil
}

// workspace is the folder the runner checked out into.
func workspace(getenv func(string) string) string {
	if ws := getenv("GITHUB_WORKSPACE"); ws != "" {
		return ws
	}
	return "."
}

// insideWorkspace checks that p (relative to the workspace, or absolute
// under it) names a file that can be written inside the workspace as the
// OS resolves it (symbolic links included), and returns it relative to the
// workspace.
func insideWorkspace(ws, p string) (string, error) {
	rel := p
	if filepath.IsAbs(p) {
		wsAbs, err := filepath.Abs(ws)
		if err != nil {
			return "", err
		}
		r, err := filepath.Rel(wsAbs, filepath.Clean(p))
		if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			return "", fmt.Errorf("not a file inside the workspace %q; give a path inside it, e.g. modelgate.sarif", wsAbs)
		}
		rel = r
	}
	if c := filepath.Clean(rel); c == "." || c == ".." || strings.HasPrefix(c, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("not a file inside the workspace; give a path inside it, e.g. modelgate.sarif")
	}
	tree, err := safewrite.Open(ws)
	if err != nil {
		return "", err
	}
	defer tree.Close()
	if _, err := tree.Resolve(rel); err != nil {
		return "", err
	}
	return rel, nil
}

// writeSARIF writes the report as SARIF to the sarif input's file, with
// locations relative to the workspace (where code scanning resolves them),
// inside the workspace only and atomically (package safewrite).
func (a *runner) writeSARIF(r *check.Report, repo string) error {
	if a.in.sarif == "" {
		return nil
	}
	root := ""
	if top, err := gate.Root(repo); err == nil {
		wsReal, err1 := filepath.EvalSymlinks(workspace(a.env.Getenv))
		topReal, err2 := filepath.EvalSymlinks(top)
		if rel, err := filepath.Rel(wsReal, topReal); err1 == nil && err2 == nil && err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
			root = filepath.ToSlash(rel)
		}
	}
	var b strings.Builder
	if err := render.SARIFAt(&b, r, root); err != nil {
		return err
	}
	tree, err := safewrite.Open(workspace(a.env.Getenv))
	if err != nil {
		return fmt.Errorf("writing SARIF: %w", err)
	}
	defer tree.Close()
	tg, err := tree.Resolve(a.in.sarif)
	if err == nil {
		err = tree.WriteFile(tg, []byte(b.String()))
	}
	if err != nil {
		return fmt.Errorf("writing SARIF to %q: %w", a.in.sarif, err)
	}
	return nil
}
