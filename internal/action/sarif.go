package action

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/modelgate/modelgate/check"
	"github.com/modelgate/modelgate/internal/gate"
	"github.com/modelgate/modelgate/internal/render"
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

// insideWorkspace resolves p (relative to the workspace, or absolute) to
// the file to write, and refuses one outside the workspace as the OS
// resolves it (symbolic links included), a folder, or a symbolic link.
func insideWorkspace(ws, p string) (string, error) {
	wsAbs, err := filepath.Abs(ws)
	if err != nil {
		return "", err
	}
	wsReal, err := filepath.EvalSymlinks(wsAbs)
	if err != nil {
		return "", fmt.Errorf("the workspace %q: %w", ws, err)
	}
	target := p
	if !filepath.IsAbs(target) {
		target = filepath.Join(wsAbs, target)
	}
	target = filepath.Clean(target)
	if rel, err := filepath.Rel(wsAbs, target); err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("not a file inside the workspace %q; give a path inside it, e.g. modelgate.sarif", wsAbs)
	}
	if err := realInside(wsReal, filepath.Dir(target)); err != nil {
		return "", err
	}
	fi, err := os.Lstat(target)
	switch {
	case err == nil && fi.Mode()&fs.ModeSymlink != 0:
		return "", errors.New("a symbolic link: refused, give the path of a regular file inside the workspace")
	case err == nil && fi.IsDir():
		return "", errors.New("a folder: give a file name, e.g. modelgate.sarif")
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return "", err
	}
	return target, nil
}

// realInside checks that dir, or its nearest existing ancestor, is inside
// root once symbolic links are resolved.
func realInside(root, dir string) error {
	for d := dir; ; d = filepath.Dir(d) {
		real, err := filepath.EvalSymlinks(d)
		if errors.Is(err, fs.ErrNotExist) && filepath.Dir(d) != d {
			continue
		}
		if err != nil {
			return err
		}
		if rel, err := filepath.Rel(root, real); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return fmt.Errorf("its folder resolves to %q, outside the workspace %q; give a path inside it", real, root)
		}
		return nil
	}
}

// writeSARIF writes the report as SARIF to the sarif input's file, with
// locations relative to the workspace (where code scanning resolves them),
// atomically: a temporary file in the same folder, then a rename.
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
	dir := filepath.Dir(a.in.sarif)
	wsReal, err := filepath.EvalSymlinks(workspace(a.env.Getenv))
	if err != nil {
		return fmt.Errorf("writing SARIF: %w", err)
	}
	if err := realInside(wsReal, dir); err != nil {
		return fmt.Errorf("input sarif: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("writing SARIF: %w", err)
	}
	if err := realInside(wsReal, dir); err != nil { // created as it was checked
		return fmt.Errorf("input sarif: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".modelgate-sarif-*")
	if err != nil {
		return fmt.Errorf("writing SARIF: %w", err)
	}
	_, err = tmp.WriteString(b.String())
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), a.in.sarif)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("writing SARIF to %q: %w", a.in.sarif, err)
	}
	return nil
}
