package cli

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/modelgate/modelgate/check"
	"github.com/modelgate/modelgate/hooks"
	"github.com/modelgate/modelgate/internal/gitrepo"
	"github.com/modelgate/modelgate/internal/safewrite"
)

var initUsage = `usage: modelgate init [folder] [--name NAME] [--version V] [--hooks] [--workflow] [--repo DIR]

Write manifest.yaml for the model in an existing git repository, from what is in
its folder: a Hugging Face model folder (config.json, tokenizer files, chat
template, generation config, PEFT adapter) becomes huggingface: ., otherwise the
safetensors index or file becomes tensors:, a GGUF file architecture: and
tensors:, an ONNX file tensors: and api:, an MLflow MLmodel api:. Every field
gets a comment. Asks nothing; never overwrites a file (exit 2, naming it); then
prints the next steps.

The model's folder is the folder argument (relative to the current folder,
inside the repository), else the repository's root; when the root holds no
model files and exactly one folder below it holds a model and no manifest,
that folder, said on the first line ("found a GGUF model in models/llama");
several such folders: exit 2, naming them and their kind. A model there is a
Hugging Face folder (config.json with a tokenizer or safetensors), safetensors,
a GGUF or ONNX file modelgate reads, or an MLmodel; its subfolders are part of
it. Hidden folders, links and what git ignores are not searched. A manifest
below the root is written into its folder, with pointers relative to it, and
listed under models: in a new .modelgate.yaml (with the root's manifest, if
there is one); an existing .modelgate.yaml is not touched: the output says
what to add.

flags:
  --name NAME    the model's name (default: the model's folder, or the basename
                 of config.json's _name_or_path when the folder's name is not a valid one)
  --version V    the version to declare (default: the highest <name>-v* release tag,
                 or 0.1.0)
  --hooks        also install the git hooks (pre-commit and pre-push; see modelgate hook)
  --workflow     also write .github/workflows/modelgate.yml, the workflow of the README
  --repo DIR     the repository (default .)

examples:
  modelgate init
  modelgate init models/chat
  modelgate init --name tiny-chat --version 1.0.0 --hooks --workflow
`

// initManifest is the file init writes, in the model's folder.
const initManifest = "manifest.yaml"

// initWorkflow is where --workflow writes the workflow.
const initWorkflow = ".github/workflows/modelgate.yml"

// workflowYAML is the README's copy-paste workflow ("GitHub Action"),
// docs/workflows/pull-request.yml.
const workflowYAML = `name: model release gate
on:
  pull_request:
  push:
    branches: [main]
    tags: ["*-v*"]

permissions:
  contents: read

jobs:
  gate:
    runs-on: ubuntu-latest
    permissions:
      contents: write          # releasing on tags ("read" is enough for command: check)
      pull-requests: write     # the sticky pull request comment
      security-events: write   # code scanning alerts from the SARIF file
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0       # full history: the baseline's ancestry is checked
      - id: gate
        uses: modelgate/modelgate@v1
        with:
          command: ${{ startsWith(github.ref, 'refs/tags/') && 'release' || 'check' }}
          publish: ${{ startsWith(github.ref, 'refs/tags/') }}
          comment: on-change   # the default; always or never
          sarif: modelgate.sarif
      - name: Upload the findings to code scanning
        if: always() && hashFiles('modelgate.sarif') != ''
        uses: github/codeql-action/upload-sarif@v3
        with:
          sarif_file: modelgate.sarif
          category: modelgate
`

// hfMarkers are the files that make a folder a Hugging Face model folder.
var hfMarkers = []string{"config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
	"special_tokens_map.json", "chat_template.jinja", "preprocessor_config.json", "processor_config.json",
	"adapter_config.json", "model.safetensors.index.json"}

// badNameChars are the characters a model name cannot hold.
var badNameChars = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^A-Za-z0-9._-]+`) })

func runInit(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet("init")
	name := fs.String("name", "", "")
	version := fs.String("version", "", "")
	withHooks := fs.Bool("hooks", false, "")
	withWorkflow := fs.Bool("workflow", false, "")
	repoDir := fs.String("repo", ".", "")
	folder, code := parseFolder(fs, args, e)
	if code >= 0 {
		return code
	}
	repo, err := gitrepo.Open(*repoDir)
	if err != nil {
		return e.fail(err)
	}
	root, err := repo.Root()
	if err != nil {
		return e.fail(fmt.Errorf("modelgate init writes the manifest into a working tree: %w", err))
	}
	dir := "." // the model's folder, repository-relative
	if folder != "" {
		if dir, err = folderIn(root, folder); err != nil {
			return e.fail(err)
		}
	}
	tree, err := safewrite.Open(root)
	if err != nil {
		return e.fail(err)
	}
	defer tree.Close()

	// Refuse before writing anything: init never overwrites.
	if err := noManifestIn(root, dir); err != nil {
		return e.fail(err)
	}
	// Files are read through a root that the working tree confines: a
	// link out of the repository is not followed.
	wt, err := os.OpenRoot(root)
	if err != nil {
		return e.fail(err)
	}
	defer wt.Close()
	files := wt.FS()
	found, err := detect(files, dir)
	if err != nil {
		return e.fail(err)
	}
	if folder == "" && found.empty() {
		// Nothing at the root: the model below it, if only one.
		var exclude []byte // git's info/exclude: none, no rules
		if common := repo.CommonDir(); common != "" {
			exclude, _ = os.ReadFile(filepath.Join(common, "info", "exclude"))
		}
		// What git tracks in an ignored folder (git add -f) is committed:
		// the search enters it. An index modelgate does not read (a split
		// or sparse one) leaves the ignore rules alone.
		var tracked func(string) bool
		if ix, err := gitrepo.ReadIndex(repo.IndexFile(os.Getenv)); err == nil {
			tracked = ix.Tracks
		}
		cands, err := modelCandidates(files, exclude, tracked)
		if err != nil {
			return e.fail(err)
		}
		switch {
		case len(cands) == 1:
			dir, found = cands[0].dir, cands[0].found
			fmt.Fprintf(e.stdout, "found %s in %s (the root holds no model files): its manifest goes there\n", found.kind(), printable(dir))
			if err := noManifestIn(root, dir); err != nil {
				return e.fail(err)
			}
		case len(cands) > 1:
			shown := cands
			if len(shown) > 5 {
				shown = shown[:5]
			}
			named := make([]string, len(shown))
			for i, c := range shown {
				named[i] = c.found.kind() + " in " + printable(c.dir)
			}
			more := ""
			if len(cands) > 5 {
				more = fmt.Sprintf(" and %d more", len(cands)-5)
			}
			return e.fail(fmt.Errorf("the root holds no model files and %d folders hold a model (%s%s): name one, e.g. modelgate init %s",
				len(cands), strings.Join(named, ", "), more, printable(cands[0].dir)))
		}
	}
	manifestPath := path.Join(dir, initManifest)
	writes := []string{manifestPath}
	// A manifest below the root is found through .modelgate.yaml's models.
	configText, listStep, err := initConfig(files, dir, manifestPath)
	if err != nil {
		return e.fail(err)
	}
	if configText != "" {
		writes = append(writes, check.DefaultConfigFile)
	}
	if *withWorkflow {
		writes = append(writes, initWorkflow)
	}
	targets := map[string]*safewrite.Target{}
	for _, p := range writes {
		tg, err := tree.Resolve(p)
		if err != nil {
			return e.fail(fmt.Errorf("%s: %w", p, err))
		}
		if tg.Exists {
			return e.fail(fmt.Errorf("%s exists: modelgate init never overwrites a file; edit it, or remove it and run init again", p))
		}
		targets[p] = tg
	}

	if *name == "" {
		*name = defaultName(filepath.Join(root, filepath.FromSlash(dir)), found)
	}
	tagged := "" // the release tag whose version the manifest declares
	if *version == "" {
		*version = "0.1.0"
		if tags, err := repo.ModelTags(*name); err != nil {
			return e.fail(err)
		} else if len(tags) > 0 {
			*version, tagged = tags[0].Version.String(), tags[0].Name
		}
	}
	id, err := check.ParseIdentifier(*name + "-v" + strings.TrimPrefix(*version, "v"))
	if err != nil {
		return e.fail(fmt.Errorf("--name %q and --version %q: %w", *name, *version, err))
	}
	text := found.manifest(id)
	// The manifest must load as the gate will load it, with the files it
	// names: a folder modelgate cannot read is refused now, not at the
	// first check.
	if _, err := check.Load(overlay{fsys: files, name: manifestPath, data: []byte(text)}, manifestPath); err != nil {
		return e.fail(err)
	}
	if err := ctx.Err(); err != nil {
		return e.fail(err)
	}
	if *withHooks {
		// Install checks every hook before touching any; it goes first, so
		// that a refusal leaves no manifest behind either.
		if err := hooks.Install(ctx, root, hooks.InstallOptions{}, e.stdout); err != nil {
			return e.fail(err)
		}
	}
	if err := tree.WriteFile(targets[manifestPath], []byte(text)); err != nil {
		return e.fail(fmt.Errorf("%s: %w", manifestPath, err))
	}
	fmt.Fprintf(e.stdout, "wrote %s: %s, %s\n", printable(manifestPath), id, printable(found.summary()))
	if configText != "" {
		if err := tree.WriteFile(targets[check.DefaultConfigFile], []byte(configText)); err != nil {
			return e.fail(fmt.Errorf("%s: %w", check.DefaultConfigFile, err))
		}
		fmt.Fprintf(e.stdout, "wrote %s: models: lists %s\n", check.DefaultConfigFile, printable(manifestPath))
	}
	if *withWorkflow {
		if err := tree.WriteFile(targets[initWorkflow], []byte(workflowYAML)); err != nil {
			return e.fail(fmt.Errorf("%s: %w", initWorkflow, err))
		}
		fmt.Fprintf(e.stdout, "wrote %s: gates pull requests, drafts releases on pushes to main and release tags\n", initWorkflow)
	}
	added := printable(strings.Join(writes, " "))
	if listStep {
		fmt.Fprintf(e.stdout, "\n%s lists models: add %s to it, or the gate does not read it\n", check.DefaultConfigFile, printable(manifestPath))
	}
	if tagged != "" {
		fmt.Fprintf(e.stdout, `
next steps:
  1. review %[1]s, then commit it:
       git add %[2]s && git commit -m "modelgate: manifest of %[3]s"
  2. %[3]s is the last release and its tag has no manifest: until the next
     release is tagged, gate changes against the commit that adds it:
       modelgate check --base <that commit>
`, printable(manifestPath), added, tagged)
		return ExitPass
	}
	fmt.Fprintf(e.stdout, `
next steps:
  1. review %[1]s, then commit it:
       git add %[2]s && git commit -m "modelgate: manifest"
  2. draft the notes of %[3]s, edit them, commit them:
       modelgate notes --write && git add %[4]s && git commit -m "notes of %[3]s"
  3. gate the first release and tag it; later checks compare with the tag:
       modelgate check && git tag -a %[3]s -m %[3]s
`, printable(manifestPath), added, id, printable(path.Join(dir, "releases")))
	return ExitPass
}

// detected is what init found in the model's folder.
type detected struct {
	hf           []string // Hugging Face files, sorted
	architecture string   // a GGUF file's metadata outside a Hugging Face folder
	tensors      string   // the tensor signatures outside a Hugging Face folder
	api          string   // the serving interface: an MLflow MLmodel, an ONNX graph
	others       []string // files modelgate does not read as evidence (GGUF, ONNX, MLmodel)
	nameOrPath   string   // config.json's _name_or_path
	safetensors  bool     // the folder holds safetensors (a file or an index)
}

// mlmodel is the file that makes a folder an MLflow model.
const mlmodel = "MLmodel"

// detect looks at the files of the folder dir (not its subfolders). Outside
// a Hugging Face folder, a GGUF file names the architecture (its metadata)
// and the tensors, an ONNX file the tensors (its initializers) and the api
// (its graph inputs and outputs), as DESIGN §1 has it; an MLflow MLmodel
// names the api. Each only when a registered reader reads it
// (check/evidence.go); otherwise it is listed as not read.
func detect(files fs.FS, dir string) (*detected, error) {
	entries, err := fs.ReadDir(files, dir)
	if err != nil {
		return nil, err
	}
	d := &detected{}
	var safetensors []string
	card := false
	for _, en := range entries {
		n := en.Name()
		if en.IsDir() {
			continue
		}
		switch {
		case slices.Contains(hfMarkers, n):
			d.hf = append(d.hf, n)
		case n == "README.md":
			card = true
		case strings.HasSuffix(n, ".safetensors.index.json") || strings.HasSuffix(n, ".safetensors"):
			safetensors = append(safetensors, n)
		case strings.HasSuffix(n, ".gguf") || strings.HasSuffix(n, ".onnx") || n == mlmodel:
			d.others = append(d.others, n)
		}
	}
	d.safetensors = len(safetensors) > 0
	sort.Strings(d.hf)
	if card && len(d.hf) > 0 {
		d.hf = append(d.hf, "README.md") // the model card: its metadata is read
	}
	sort.Strings(safetensors)
	sort.Strings(d.others)
	if len(d.hf) == 0 {
		// An index names the shards; a single file has its own header.
		for _, s := range safetensors {
			if strings.HasSuffix(s, ".index.json") {
				d.tensors = s
				break
			}
		}
		if d.tensors == "" && len(safetensors) == 1 {
			d.tensors = safetensors[0]
		}
	}
	if i := slices.Index(d.others, mlmodel); i >= 0 && readable(files, dir, detected{api: mlmodel}) {
		d.api = mlmodel
		d.others = slices.Delete(d.others, i, i+1)
	}
	if len(d.hf) == 0 && d.tensors == "" {
		for i, f := range d.others {
			if f == mlmodel || !readable(files, dir, detected{tensors: f}) {
				continue
			}
			d.tensors = f
			d.others = slices.Delete(d.others, i, i+1)
			switch {
			case strings.HasSuffix(f, ".gguf") && readable(files, dir, detected{architecture: f}):
				d.architecture = f
			case strings.HasSuffix(f, ".onnx") && d.api == "" && readable(files, dir, detected{api: f}):
				d.api = f
			}
			break
		}
	}
	if slices.Contains(d.hf, "config.json") {
		if data, err := fs.ReadFile(files, path.Join(dir, "config.json")); err == nil {
			if n, err := check.Parse(path.Join(dir, "config.json"), data); err == nil {
				if v := n.Get("_name_or_path"); v != nil && v.Kind == check.KindString {
					d.nameOrPath = v.Str
				}
			}
		}
	}
	return d, nil
}

// readable reports whether the manifest that names only d's files in the
// folder dir loads: a registered reader reads them.
func readable(files fs.FS, dir string, d detected) bool {
	id, err := check.ParseIdentifier("model-v0.1.0")
	if err != nil {
		return false
	}
	name := path.Join(dir, initManifest)
	_, err = check.Load(overlay{fsys: files, name: name, data: []byte(d.manifest(id))}, name)
	return err == nil
}

// defaultName is the model's folder name, or _name_or_path's basename
// when the folder's name is not a valid model name.
func defaultName(root string, d *detected) string {
	folder := filepath.Base(root)
	if validName(folder) {
		return folder
	}
	if b := path.Base(d.nameOrPath); d.nameOrPath != "" && validName(b) {
		return b
	}
	if s := strings.Trim(badNameChars().ReplaceAllString(folder, "-"), "-._"); s != "" {
		return s
	}
	return "model"
}

func validName(n string) bool {
	_, err := check.ParseIdentifier(n + "-v0.1.0")
	return err == nil && !strings.HasPrefix(n, ".")
}

// summary says what the manifest points to.
func (d *detected) summary() string {
	var parts []string
	switch {
	case len(d.hf) > 0:
		parts = append(parts, "huggingface: . ("+strings.Join(d.hf, ", ")+")")
	case d.tensors != "":
		if d.architecture != "" {
			parts = append(parts, "architecture: "+d.architecture)
		}
		parts = append(parts, "tensors: "+d.tensors)
	}
	if d.api != "" {
		parts = append(parts, "api: "+d.api)
	}
	if len(parts) == 0 {
		return "no model files found: the manifest names the model only"
	}
	return strings.Join(parts, ", ")
}

// manifest writes manifest.yaml, with a comment for every field.
func (d *detected) manifest(id check.Identifier) string {
	var b strings.Builder
	b.WriteString("# The modelgate manifest (see the README, \"The manifest\"). modelgate check reads\n")
	b.WriteString("# it and the files it names at the last release tag and at HEAD, and says which\n")
	b.WriteString("# version the changes require.\n\n")
	b.WriteString("# The model identifier <name>-v<version>: raise the version with each release.\n")
	fmt.Fprintf(&b, "model: %s\n", id)
	if len(d.hf) > 0 {
		b.WriteString("\n# The Hugging Face model folder: modelgate reads the standard files in it,\n")
		b.WriteString("# config.json as the architecture, the tokenizer, the chat template, the\n")
		b.WriteString("# generation and processor configs, a PEFT adapter, the model card's metadata\n")
		b.WriteString("# and the safetensors headers. Found here:\n")
		line := "#  "
		for i, f := range d.hf {
			if i < len(d.hf)-1 {
				f += ","
			}
			if len(line)+1+len(f) > 78 {
				b.WriteString(line + "\n")
				line = "#  "
			}
			line += " " + f
		}
		b.WriteString(line + "\n")
		b.WriteString("huggingface: .\n")
	}
	if d.architecture != "" {
		b.WriteString("\n# The architecture: the GGUF file's metadata (general.architecture, block count,\n")
		b.WriteString("# context length, rope, the tokenizer's vocabulary), read from its header.\n")
		fmt.Fprintf(&b, "architecture: %s\n", yamlString(d.architecture))
	}
	if d.tensors != "" {
		switch {
		case strings.HasSuffix(d.tensors, ".gguf"):
			b.WriteString("\n# The parameter signatures (names, shapes, quantisation types), read from the\n")
			b.WriteString("# GGUF file's tensor infos; the weights themselves are never read.\n")
		case strings.HasSuffix(d.tensors, ".onnx"):
			b.WriteString("\n# The parameter signatures (names, dims, data types), read from the ONNX\n")
			b.WriteString("# model's initializers; the weights themselves are never read.\n")
		default:
			b.WriteString("\n# The parameter signatures (names, shapes, dtypes), read from the safetensors\n")
			b.WriteString("# header or index; the weights themselves are never read.\n")
		}
		fmt.Fprintf(&b, "tensors: %s\n", yamlString(d.tensors))
	}
	switch {
	case d.api == mlmodel:
		b.WriteString("\n# The serving interface: the MLflow model's signature (inputs, outputs,\n")
		b.WriteString("# params) and flavors, read from its MLmodel file.\n")
		fmt.Fprintf(&b, "api: %s\n", yamlString(d.api))
	case d.api != "":
		b.WriteString("\n# The serving interface: the ONNX graph's inputs and outputs (names, element\n")
		b.WriteString("# types, shapes) and opsets.\n")
		fmt.Fprintf(&b, "api: %s\n", yamlString(d.api))
	}
	if len(d.others) > 0 {
		b.WriteString("\n# Found and not read as evidence: ")
		b.WriteString(printable(strings.Join(d.others, ", ")))
		b.WriteString(". A change to them\n# counts as a changed file (a patch).\n")
	}
	b.WriteString("\n# Release notes: releases/v<version>.md next to this file, or a CHANGELOG.md\n")
	b.WriteString("# section; modelgate notes --write drafts them.\n")
	return b.String()
}

// yamlString writes a file name as a YAML scalar: plain when the manifest
// reads it back as the same string, else double-quoted, so that a name
// holding ": ", "#" or a line break, or reading as a number or a boolean,
// stays the same string.
func yamlString(s string) string {
	plain := s != ""
	for i, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' ||
			i > 0 && (r == '.' || r == '-')
		plain = plain && ok
	}
	if plain {
		if n, err := check.Parse(initManifest, []byte("k: "+s+"\n")); err == nil {
			if v := n.Get("k"); v != nil && v.Kind == check.KindString && v.Str == s {
				return s
			}
		}
	}
	return strconv.Quote(s)
}

// overlay is the working tree with the manifest init is about to write.
type overlay struct {
	fsys fs.FS
	name string
	data []byte
}

func (o overlay) Open(name string) (fs.File, error) {
	if name == o.name {
		return &memFile{Reader: bytes.NewReader(o.data), name: name}, nil
	}
	return o.fsys.Open(name)
}

// memFile is a file held in memory.
type memFile struct {
	*bytes.Reader
	name string
}

func (f *memFile) Stat() (fs.FileInfo, error) { return memInfo{f}, nil }
func (f *memFile) Close() error               { return nil }

type memInfo struct{ f *memFile }

func (i memInfo) Name() string       { return path.Base(i.f.name) }
func (i memInfo) Size() int64        { return i.f.Size() }
func (i memInfo) Mode() fs.FileMode  { return 0o444 }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return false }
func (i memInfo) Sys() any           { return nil }
