package cli

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/modelgate/modelgate/check"
)

// parseFolder parses init's flags and its optional folder argument, which
// may come before or after the flags. The code is as parse's: -1 to go
// on, else the exit status.
func parseFolder(fs *flag.FlagSet, args []string, e *env) (string, int) {
	folder := ""
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(e.stdout, initUsage)
				return "", ExitPass
			}
			fmt.Fprintf(e.stderr, "modelgate %s: %v; run modelgate %s -h for the flags\n", fs.Name(), err, fs.Name())
			return "", ExitError
		}
		if fs.NArg() == 0 {
			return folder, -1
		}
		if folder != "" || fs.Arg(0) == "" {
			fmt.Fprintf(e.stderr, "modelgate %s: unexpected argument %q; see modelgate %s -h\n", fs.Name(), fs.Arg(0), fs.Name())
			return "", ExitError
		}
		folder, args = fs.Arg(0), fs.Args()[1:]
	}
}

// folderIn returns the folder named on the command line (relative to the
// current folder) as a path relative to the repository's root, or an error
// when it is not a folder inside the repository's working tree.
func folderIn(root, folder string) (string, error) {
	abs, err := filepath.Abs(folder)
	if err != nil {
		return "", fmt.Errorf("folder %q: %w", folder, err)
	}
	info, err := os.Stat(abs)
	if err != nil || !info.IsDir() {
		return "", fmt.Errorf("folder %q does not exist or is not a folder: name the folder that holds the model's files", folder)
	}
	// Both sides with their links resolved, so that a repository reached
	// through a link still holds its folders.
	if r, err := filepath.EvalSymlinks(root); err == nil {
		root = r
	}
	if a, err := filepath.EvalSymlinks(abs); err == nil {
		abs = a
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("folder %q lies outside the repository %s: name a folder inside it", folder, root)
	}
	rel = filepath.ToSlash(rel)
	if rel == ".git" || strings.HasPrefix(rel, ".git/") {
		return "", fmt.Errorf("folder %q is git's own folder: name the folder that holds the model's files", folder)
	}
	return rel, nil
}

// noManifestIn refuses a folder that already holds a manifest: init never
// overwrites a file.
func noManifestIn(root, dir string) error {
	for _, m := range check.DefaultManifests {
		p := path.Join(dir, m)
		if _, err := os.Lstat(filepath.Join(root, filepath.FromSlash(p))); err == nil {
			return fmt.Errorf("%s exists: modelgate init never overwrites a file; edit it, or remove it and run init again", printable(p))
		}
	}
	return nil
}

// empty reports that the folder holds no model files at all.
func (d *detected) empty() bool {
	return len(d.hf) == 0 && d.tensors == "" && len(d.others) == 0
}

// candidate is a folder below the root that holds a model, and what init
// found in it.
type candidate struct {
	dir   string
	found *detected
}

// modelCandidates returns the folders below the root that hold a model
// init's detection turns into a manifest naming evidence, and no manifest
// yet, sorted: a Hugging Face folder (config.json with a tokenizer or
// safetensors), safetensors (an index or a file), a GGUF or ONNX file a
// registered reader reads, an MLflow MLmodel. A candidate's subfolders are
// part of it, and so are those of a folder that holds a manifest: neither
// is entered. Hidden folders (.git, .github) and folders git ignores (by
// exclude, the content of info/exclude, and the .gitignore files) are not
// entered unless tracked (nil, or what the index holds) says git tracks
// files in them; links are not followed.
func modelCandidates(files fs.FS, exclude []byte, tracked func(string) bool) ([]candidate, error) {
	var out []candidate
	ignored := newGitIgnored(files, exclude, tracked)
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == "." {
				return err
			}
			return nil // an unreadable folder holds no candidate
		}
		if !d.IsDir() || p == "." {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") || !ignored.enter(p) {
			return fs.SkipDir
		}
		entries, err := fs.ReadDir(files, p)
		if err != nil {
			return nil
		}
		for _, en := range entries {
			if slices.Contains(check.DefaultManifests, en.Name()) {
				return fs.SkipDir // a model that has its manifest
			}
		}
		found, err := detect(files, p)
		if err != nil {
			return nil
		}
		if found.isModel() && !slices.ContainsFunc([]string{found.architecture, found.tensors, found.api}, func(f string) bool {
			return f != "" && ignored.file(p, f) // never committed: the gate cannot read it
		}) {
			out = append(out, candidate{dir: p, found: found})
			return fs.SkipDir
		}
		return nil
	})
	return out, err
}

// isModel reports whether the folder's files make a model of their own:
// evidence a reader reads, or a Hugging Face folder with weights (a PEFT
// adapter's too) or with a config.json and a tokenizer. A config.json alone
// is not enough: many projects have one; nor are safetensors shards without
// their index, which name no evidence.
func (d *detected) isModel() bool {
	if d.tensors != "" || d.api != "" {
		return true
	}
	return (len(d.hf) > 0 && d.safetensors) || slices.Contains(d.hf, "config.json") &&
		(slices.Contains(d.hf, "tokenizer.json") || slices.Contains(d.hf, "tokenizer_config.json"))
}

// kind names the model's format for a reader: "a GGUF model".
func (d *detected) kind() string {
	switch {
	case len(d.hf) > 0:
		return "a Hugging Face model"
	case strings.HasSuffix(d.tensors, ".gguf"):
		return "a GGUF model"
	case strings.HasSuffix(d.tensors, ".onnx"):
		return "an ONNX model"
	case d.tensors != "":
		return "a safetensors model"
	case d.api != "":
		return "an MLflow model"
	}
	return "a model"
}

// initConfig returns, for a manifest written below the root, the
// .modelgate.yaml that lists it (and the root's manifest, which the gate
// reads by default, when there is one), or "" when the configuration
// exists; list says the existing configuration does not list the manifest
// yet. A manifest at the root needs neither.
func initConfig(files fs.FS, dir, manifest string) (text string, list bool, err error) {
	if dir == "." {
		return "", false, nil
	}
	data, err := fs.ReadFile(files, check.DefaultConfigFile)
	switch {
	case err == nil:
		cfg, err := check.ParseConfig(check.DefaultConfigFile, data)
		if err != nil {
			return "", false, err
		}
		return "", !slices.Contains(cfg.Models, manifest), nil
	case !errors.Is(err, fs.ErrNotExist):
		return "", false, fmt.Errorf("%s: %w", check.DefaultConfigFile, err)
	}
	var b strings.Builder
	b.WriteString("# modelgate's configuration (see the README, \"Configuration\").\n\n")
	b.WriteString("# The manifests of the repository's models: without this list modelgate reads\n")
	b.WriteString("# manifest.yaml at the root only.\n")
	b.WriteString("models:\n")
	for _, m := range check.DefaultManifests {
		if _, err := fs.Stat(files, m); err == nil {
			fmt.Fprintf(&b, "  - %s\n", m)
			break
		}
	}
	fmt.Fprintf(&b, "  - %s\n", manifest)
	// The list must read as the gate will read it.
	if _, err := check.ParseConfig(check.DefaultConfigFile, []byte(b.String())); err != nil {
		return "", false, fmt.Errorf("%s for %s: %w", check.DefaultConfigFile, printable(manifest), err)
	}
	return b.String(), false, nil
}
