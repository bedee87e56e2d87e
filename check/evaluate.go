package check

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/modelgate/modelgate/check/evidence/tensors"
	"github.com/modelgate/modelgate/internal/abbrev"
)

// Input is everything the gate needs to judge one model.
type Input struct {
	Config *Config
	Base   *Model // nil for a first release
	Head   *Model
	// BaseRef and HeadRef name the revisions in the report.
	BaseRef, HeadRef Ref
	// HeadFS reads the head revision (release notes, migration tools);
	// BaseFS the baseline, to tell notes left over from it.
	HeadFS, BaseFS fs.FS
	// Changed lists the repository paths that differ between base and head.
	Changed []string
	// Exclude lists folders of other models, whose files are theirs.
	Exclude []string
	// Declared overrides the manifest's version (--version, a pushed tag);
	// it must agree with the manifest.
	Declared *semver.Version
	// DeclaredSource names where Declared came from, e.g. "--version".
	DeclaredSource string
	// TagCommit is the commit the tag <name>-v<declared> points to, if any.
	TagCommit string
	// ConfigChanged says the configuration differs from the baseline's.
	ConfigChanged bool
	// Notices are carried into the report (first release, baseline choice).
	Notices []string
	// AllTensors reports one finding per tensor instead of pattern groups.
	AllTensors bool
	// Release says the caller gates a release (a release tag, --release,
	// --base none, the Action's release command): the full gate applies
	// whatever the declared version.
	Release bool
	// WorkInProgress says the caller knows the change is not a release (a
	// commit that keeps the declared version): under policy release it
	// passes, whatever the declared version.
	WorkInProgress bool
}

// maxFileFindings bounds the file-changed findings listed one by one.
const maxFileFindings = 50

// Evaluate classifies the changes between base and head and decides the
// verdict for one model.
func Evaluate(in Input) (*ModelReport, error) {
	cfg := in.Config
	if cfg == nil {
		cfg = DefaultConfig()
	}
	head := in.Head
	r := &ModelReport{
		Name:     head.ID.Name,
		Manifest: head.Manifest,
		Head:     in.HeadRef,
		Findings: []Finding{},
		Problems: []Problem{},
		Notices:  append([]string{}, in.Notices...),
	}
	r.Head.Version = head.ID.Version.String()
	r.TagCommit = in.TagCommit
	if r.Head.Source == "" {
		r.Head.Source = SourceCommit
	}
	r.HeadModel, r.BaseModel = head, in.Base
	declared := head.ID.Version
	if in.Declared != nil && !in.Declared.Equal(head.ID.Version) {
		r.addProblem(cfg, Problem{Rule: ruleVersionMismatch.ID, File: head.Manifest, Line: head.IDPos.Line,
			Message: fmt.Sprintf("%s says %s but %s declares %s", in.DeclaredSource, in.Declared, head.Manifest, head.ID),
			Fix:     fmt.Sprintf("set model: %s-v%s in %s, or release the version the manifest declares", head.ID.Name, in.Declared, head.Manifest)})
		declared = in.Declared
	}
	r.DeclaredVersion = declared.String()
	r.NotesTarget = path.Join(head.Dir(), cfg.NotesDir, "v"+declared.String()+".md")
	if p, ok := head.Files["release_notes"]; ok {
		r.NotesTarget = p
	}
	declaredID := Identifier{Name: head.ID.Name, Version: declared}
	r.Release = isRelease(in, declared)
	if !in.Release && in.TagCommit != "" && in.TagCommit == in.HeadRef.Commit {
		r.Notices = append(r.Notices, fmt.Sprintf("%s is tagged at %s: gated as that release", declaredID, in.HeadRef.Ref))
	}
	r.Gated = r.Release || cfg.Policy == PolicyEveryChange

	if in.Base == nil {
		if ts := head.Tensors; ts != nil && ts.Unavailable != "" {
			r.Notices = append(r.Notices, fmt.Sprintf("tensor signatures unavailable at %s: %s", in.HeadRef.Ref, ts.Unavailable))
		}
		r.hfEvidence(cfg, in)
		r.fileEvidence(cfg, in)
		r.RequiredBump = BumpNone
		r.RequiredVersion = declared.String()
		r.NextIdentifier = declaredID.String()
		if !r.Gated {
			r.workInProgress(in, declared)
			return r.finish(cfg, in), nil
		}
	} else {
		base := in.Base
		b := in.BaseRef
		b.Version = base.ID.Version.String()
		r.Base = &b
		found, err := ClassifyWith(cfg, base, head, ClassifyOptions{AllTensors: in.AllTensors})
		if err != nil {
			return nil, err
		}
		r.Findings = append(r.Findings, found...)
		r.Findings = append(r.Findings, fillBasis(fileFindings(cfg, base, head, in.Changed, in.Exclude))...)
		r.tensorEvidence(cfg, in)
		r.hfEvidence(cfg, in)
		r.fileEvidence(cfg, in)
		r.Metrics = compareMetrics(cfg, base, head)
		sort.SliceStable(r.Findings, func(i, j int) bool { return r.Findings[i].Bump > r.Findings[j].Bump })
		for _, f := range r.Findings {
			if f.Suppressed == "" && f.Bump > r.RequiredBump {
				r.RequiredBump = f.Bump
			}
		}
		r.Conservative = conservative(r.Findings, r.RequiredBump)
		r.Findings = capFindings(r.Findings, MaxFindingsPerRule)
		req := cfg.Pre1.Apply(base.ID.Version, r.RequiredBump)
		r.RequiredVersion = req.String()
		// The next release continues the baseline's model: a renamed model's
		// is the old name's, which the fix asks to keep.
		r.NextIdentifier = Identifier{Name: base.ID.Name, Version: req}.String()
		if base.ID.Name != head.ID.Name {
			r.addProblem(cfg, Problem{Rule: ruleModelRenamed.ID, File: head.Manifest, Line: head.IDPos.Line,
				Message: fmt.Sprintf("model renamed from %s to %s; a new name is a new model", base.ID.Name, head.ID.Name),
				Fix:     fmt.Sprintf("keep the name %s (declare %s), or start %s as a new model with --base none", base.ID.Name, r.NextIdentifier, head.ID.Name)})
		}
		if !r.Gated {
			r.workInProgress(in, declared)
			return r.finish(cfg, in), nil
		}
		if !r.judgeVersion(cfg, in, base.ID.Version, declared, req) {
			return r.finish(cfg, in), nil
		}
	}
	if in.TagCommit != "" && in.TagCommit != in.HeadRef.Commit {
		r.addProblem(cfg, Problem{Rule: ruleVersionExists.ID, File: head.Manifest, Line: head.IDPos.Line,
			Message: fmt.Sprintf("%s is already tagged at %s", declaredID, abbrev.Commit(in.TagCommit)),
			Fix:     fmt.Sprintf("a released version is immutable: declare %s", r.NextIdentifier)})
	}
	if err := r.judgeNotes(cfg, in, declared); err != nil {
		return nil, err
	}
	return r.finish(cfg, in), nil
}

// judgeVersion compares the declared version with the baseline and the
// required version. It returns false when there are no release notes to
// check: no release is needed, or the declared version is not a new one.
func (r *ModelReport) judgeVersion(cfg *Config, in Input, base, declared, req *semver.Version) bool {
	head := in.Head
	want := fmt.Sprintf("set model: %s in %s", r.NextIdentifier, head.Manifest)
	dc := core(declared)
	switch {
	case declared.LessThan(base):
		r.addProblem(cfg, Problem{Rule: ruleVersionDecreased.ID, File: head.Manifest, Line: head.IDPos.Line,
			Message: fmt.Sprintf("declared %s is lower than the baseline %s", declared, base), Fix: want})
		return false
	case declared.Equal(base) || dc.Equal(core(base)) && base.Prerelease() == "":
		if r.RequiredBump == BumpNone {
			r.Notices = append(r.Notices, fmt.Sprintf("no release needed: the changes require no version bump and %s keeps %s", head.Manifest, base))
			return false
		}
		r.addProblem(cfg, Problem{Rule: ruleVersionNotBumped.ID, File: head.Manifest, Line: head.IDPos.Line,
			Message: fmt.Sprintf("declared %s equals the baseline, but the changes require a %s bump to %s", declared, r.RequiredBump, req), Fix: want})
		return false
	case dc.LessThan(req):
		r.addProblem(cfg, Problem{Rule: ruleVersionTooSmall.ID, File: head.Manifest, Line: head.IDPos.Line,
			Message: fmt.Sprintf("declared %s, the changes require at least %s", declared, req), Fix: want})
	default:
		b := core(base)
		next := []semver.Version{b.IncPatch(), b.IncMinor(), b.IncMajor()}
		if base.Prerelease() != "" && dc.Equal(b) {
			return true
		}
		for _, n := range next {
			if dc.Equal(&n) || dc.Equal(req) {
				return true
			}
		}
		r.addProblem(cfg, Problem{Rule: ruleVersionSkips.ID, File: head.Manifest, Line: head.IDPos.Line,
			Message: fmt.Sprintf("declared %s skips ahead: after %s come %s, %s or %s", declared, b, &next[0], &next[1], &next[2]),
			Fix:     fmt.Sprintf("the changes require %s; declare it unless skipping is intended", req)})
	}
	return true
}

func (r *ModelReport) judgeNotes(cfg *Config, in Input, declared *semver.Version) error {
	head := in.Head
	if in.HeadFS == nil {
		return nil
	}
	notes, err := FindNotes(in.HeadFS, head, declared, cfg.NotesDir, false)
	if err != nil {
		return err
	}
	stale := ""
	if notes.Found && notes.Pointer != nil && staleNotes(in, notes) {
		// The pointer still names the baseline's notes, unchanged: they are
		// not this version's. Look where the notes of a new version would be.
		stale = notes.Path
		if notes, err = FindNotes(in.HeadFS, head, declared, cfg.NotesDir, true); err != nil {
			return err
		}
	}
	if !notes.Found && stale != "" {
		r.addProblem(cfg, Problem{Rule: ruleReleaseNotesMissing.ID, File: head.Manifest, Line: head.Root.Get("release_notes").Pos.Line,
			Message: fmt.Sprintf("release_notes still points to %s, the notes of %s, unchanged since the baseline", stale, in.Base.ID.Version),
			Fix:     fmt.Sprintf("write the notes of %s and point release_notes to them", declared)})
		return nil
	}
	if !notes.Found {
		p := Problem{Rule: ruleReleaseNotesMissing.ID, File: head.Manifest, Line: head.IDPos.Line,
			Message: fmt.Sprintf("no release notes for %s", declared),
			Fix: fmt.Sprintf("write %s or a \"## [%s]\" section in CHANGELOG.md",
				path.Join(head.Dir(), cfg.NotesDir, "v"+declared.String()+".md"), declared)}
		if notes.Pointer != nil {
			p.Line = notes.Pointer.Pos.Line
			p.Message = fmt.Sprintf("release_notes points to %s, which does not exist", notes.Path)
			p.Fix = fmt.Sprintf("write %s or fix the release_notes pointer", notes.Path)
		}
		r.addProblem(cfg, p)
		return nil
	}
	np := notes.Path
	r.ReleaseNotes = ReleaseNotes{Path: &np, Found: true}
	r.NotesText = notes.Text
	migration := r.RequiredBump == BumpMajor
	if r.Base != nil && declared.Major() != in.Base.ID.Version.Major() {
		migration = true
	}
	for _, is := range lintNotes(in.HeadFS, head, notes, migration) {
		r.addProblem(cfg, Problem{Rule: is.rule, File: notes.Path, Line: is.line, Message: is.msg, Fix: is.fix})
	}
	return nil
}

// staleNotes reports whether notes found through the release_notes pointer
// are the baseline's: the same file with the same text.
func staleNotes(in Input, n Notes) bool {
	if in.Base == nil || in.BaseFS == nil || in.Base.Files["release_notes"] != n.Path {
		return false
	}
	old, err := fs.ReadFile(in.BaseFS, n.Path)
	return err == nil && string(old) == n.Text
}

func (r *ModelReport) addProblem(cfg *Config, p Problem) {
	p.Level = cfg.levelOf(p.Rule)
	if p.Level == LevelOff {
		return
	}
	r.Problems = append(r.Problems, p)
}

// finish adds the problems of regressed metrics and the warning about a
// changed configuration, after the problems of the release itself, and
// settles the verdict.
func (r *ModelReport) finish(cfg *Config, in Input) *ModelReport {
	r.judgeMetrics(cfg, in)
	if in.ConfigChanged && in.Base != nil {
		file := cfg.File
		if file == "" {
			file = DefaultConfigFile
		}
		r.addProblem(cfg, Problem{Rule: ruleConfigChanged.ID, File: file,
			Message: fmt.Sprintf("%s changed since %s, and its rules, suppressions and ignores apply to this verdict", file, in.BaseRef.Ref),
			Fix:     "review the change to the configuration with the release"})
	}
	r.Problems = capProblems(r.Problems, MaxFindingsPerRule)
	r.Passed = r.Errors() == 0
	if n := r.UnknownKeyCount(); n > 0 {
		r.Unknown = UnknownKeyList{Count: n, Listed: r.UnknownKeys()}
	}
	return r
}

// Classify diffs two revisions of a model and classifies every difference,
// grouping tensor changes by pattern.
func Classify(cfg *Config, base, head *Model) ([]Finding, error) {
	return ClassifyWith(cfg, base, head, ClassifyOptions{})
}

// ClassifyWith is Classify with options. The manifest and its parsed files
// are diffed as trees and classified by the rule table; tensor signatures
// are compared name by name and OpenAPI documents with oasdiff. Each rule
// lists at most MaxFindingsPerRule tree findings and one remainder that
// counts the rest. An error means oasdiff could not compare the documents.
func ClassifyWith(cfg *Config, base, head *Model, opts ClassifyOptions) ([]Finding, error) {
	if cfg == nil {
		cfg = DefaultConfig()
	}
	var hf *hfConfig
	if a, b := base.Resolved.Get("architecture"), head.Resolved.Get("architecture"); a != nil || b != nil {
		hf = newHFConfig(a, b)
	}
	openAPI := base.API != nil && head.API != nil && !skipped(base, head, "api")
	var apiChanges []Change
	// Tree findings are capped as they come (MaxFindingsPerRule): a config
	// of 100,000 changed keys holds 100 findings in memory, not 100,000.
	capped := newCapper(MaxFindingsPerRule)
	capped.evidence = sameSignatures(base.Tensors, head.Tensors)
	old, new := interpolate(base.Resolved), interpolate(head.Resolved)
	tc := newTreeContext(old, new)
	for _, c := range expandUnknown(pairRenames(Diff(old, new)), tc) {
		if len(c.Path) == 0 || c.Path[0].Key == "model" || c.Path[0].Key == "tensors" || skipped(base, head, c.Path[0].Key) || hfSkip(base, head, c) {
			continue
		}
		if c.Path[0].Key == "api" && openAPI {
			apiChanges = append(apiChanges, c)
			continue
		}
		capped.add(treeFinding(cfg, hf, tc, c))
	}
	if base.gguf != nil && head.gguf != nil {
		for _, f := range ggufFindings(cfg, base.gguf, head.gguf, head.Files["architecture"]) {
			capped.add(f)
		}
	}
	out := capped.findings()
	if openAPI && (base.apiFormat != head.apiFormat || head.apiFormat != nil && head.apiFormat.rules != nil) {
		if base.apiFormat != head.apiFormat {
			out = append(out, apiFormatChanged(cfg, base, head))
		} else {
			found, err := schemaFindings(cfg, head.apiFormat, base.API, head.API)
			if err != nil {
				return nil, err
			}
			out = append(out, found...)
		}
		openAPI = false
	}
	if bt, ht := base.Tensors, head.Tensors; bt != nil && ht != nil && bt.Unavailable == "" && ht.Unavailable == "" {
		out = append(out, tensorFindings(cfg, bt, ht, opts)...)
	}
	out = append(out, hfFindings(cfg, base, head, tc)...)
	if openAPI {
		found, uncovered, err := apiFindings(cfg, base.API, head.API, apiChanges)
		if err != nil {
			return nil, err
		}
		out = append(out, found...)
		for _, c := range uncovered {
			f := treeFinding(cfg, hf, tc, c)
			f.Message += " (oasdiff reports no change here; classified by the generic API rules)"
			out = append(out, f)
		}
	}
	reconcileTensorsAdded(out)
	capUnclassified(out, base.Tensors, head.Tensors)
	fillBasis(out)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Bump > out[j].Bump })
	return out, nil
}

// treeFinding classifies one difference of the trees with the rule table.
func treeFinding(cfg *Config, hf *hfConfig, tc *treeContext, c Change) Finding {
	s := &subject{Change: &c, section: c.Path[0].Key, tree: tc}
	s.keys = append(s.keys, c.Path[1:].keys()...)
	if s.section == "architecture" {
		s.hf = hf
		if len(s.keys) == 0 {
			s.keys = []string{"architecture"}
		}
	}
	if len(c.Path) == 1 && len(s.keys) == 0 {
		s.keys = []string{s.section}
	}
	r := classify(cfg, s)
	f := Finding{Rule: r.ID, Bump: cfg.bumpOf(r), Path: c.Path.String(), File: c.At.File, Line: c.At.Line,
		Old: c.Old.Interface(), New: c.New.Interface(), Message: message(r, &c),
		oldText: c.Old.Text(), newText: c.New.Text(), effect: r.Effect}
	explain(&f, r, s)
	if s.section == "metrics" && c.Kind == Changed && c.Old.Kind == KindNumber && c.New.Kind == KindNumber {
		d := metricDelta(c.Old, c.New)
		f.summary = fmt.Sprintf("%s: %s -> %s (%s)", f.Path, c.Old.Str, c.New.Str, d)
		f.Message = fmt.Sprintf("%s changed %s -> %s (%s): %s", strings.TrimPrefix(f.Path, "metrics."), c.Old.Str, c.New.Str, d, r.Reason)
	}
	f.Suppressed = cfg.suppressed(r.ID, f.Path)
	return f
}

// tensorEvidence reports tensor signatures that could not be compared: an
// LFS object missing at a revision, or the tensors field dropped. The tensor
// diff is then skipped and the config rules decide; the report says so.
func (r *ModelReport) tensorEvidence(cfg *Config, in Input) {
	base, head := in.Base.Tensors, in.Head.Tensors
	line := func(m *Model) int {
		if n := m.Root.Get("tensors"); n != nil {
			return n.Pos.Line
		}
		return m.IDPos.Line
	}
	switch {
	case base == nil && head == nil:
		return
	case base == nil:
		r.Notices = append(r.Notices, fmt.Sprintf("tensor signatures are first recorded at %s: nothing to compare them with at %s", in.HeadRef.Ref, in.BaseRef.Ref))
		return
	case head == nil:
		r.addProblem(cfg, Problem{Rule: ruleTensorEvidenceUnavailable.ID, File: in.Head.Manifest, Line: in.Head.IDPos.Line,
			Message: fmt.Sprintf("%s no longer has a tensors field, which %s had: the tensor diff was skipped and the config rules decide", in.Head.Manifest, in.BaseRef.Ref),
			Fix:     "keep the tensors field pointing to the tensor signatures (a safetensors index or header)"})
		return
	}
	if base.LFS && base.OID == head.OID && base.File == head.File {
		return // the same object at both revisions: the same signatures, read or not
	}
	var missing []string
	for _, side := range []struct {
		ref string
		ts  *tensors.Set
	}{{in.BaseRef.Ref, base}, {in.HeadRef.Ref, head}} {
		if side.ts.Unavailable != "" {
			missing = append(missing, fmt.Sprintf("at %s: %s", side.ref, side.ts.Unavailable))
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := "tensor signatures unavailable " + strings.Join(missing, "; ") + ": the tensor diff was skipped and the config rules decide"
	r.Notices = append(r.Notices, msg)
	r.addProblem(cfg, Problem{Rule: ruleTensorEvidenceUnavailable.ID, File: in.Head.Manifest, Line: line(in.Head), Message: msg,
		Fix: fmt.Sprintf("fetch the LFS objects of both revisions (git lfs fetch origin %s %s; lfs: true in actions/checkout), or point tensors at the safetensors index, which git stores itself", in.BaseRef.Ref, in.HeadRef.Ref)})
}

// classify returns the first rule that matches: custom rules first, then
// the built-in table.
func classify(cfg *Config, s *subject) *Rule {
	for _, r := range cfg.custom {
		if r.match(s) {
			return r
		}
	}
	for _, r := range Rules {
		s.consulted = nil
		if r.match != nil && r.match(s) {
			return r
		}
	}
	return ruleManifestShapeChanged
}

// fileFindings turns changed files of the model (those of its Paths, at
// either revision), other than those parsed and diffed, into patch
// findings. A .safetensors file the tensors field names holds the weights,
// not only their signatures: when it changed it counts as a changed file
// too.
func fileFindings(cfg *Config, base, head *Model, changed, exclude []string) []Finding {
	skip := map[string]bool{head.Manifest: true, base.Manifest: true}
	for _, m := range []*Model{base, head} {
		for k, p := range m.Files {
			if k != "migrations" && !(k == "tensors" && tensors.IsSafetensors(p)) && !m.weights[p] && !isWeights(p) {
				skip[p] = true
			}
		}
	}
	for _, p := range hfUnread(base, head) {
		delete(skip, p)
	}
	var migrations []string
	for _, m := range []*Model{base, head} {
		if p, ok := m.Files["migrations"]; ok {
			migrations = append(migrations, p)
		}
	}
	dir, reads := head.Dir(), PathsOf(base, head)
	var files []string
	for _, p := range changed {
		if skip[p] || cfg.Ignored(p) || !underAny(p, reads) || under(p, path.Join(dir, cfg.NotesDir)) || underAny(p, migrations) {
			continue
		}
		excluded := false
		for _, e := range exclude {
			if e != dir && under(p, e) && (dir == "." || under(e, dir)) {
				excluded = true
			}
		}
		if !excluded {
			files = append(files, p)
		}
	}
	sort.Strings(files)
	r := ruleFileChanged
	var out []Finding
	counted := 0
	for i, p := range files {
		f := Finding{Rule: r.ID, Bump: cfg.bumpOf(r), Path: p, File: p, Message: p + " changed: " + r.Reason, effect: r.Effect}
		if f.Suppressed = cfg.suppressed(r.ID, p); f.Suppressed == "" {
			if counted == maxFileFindings {
				rest := 0
				for _, q := range files[i:] {
					if cfg.suppressed(r.ID, q) == "" {
						rest++
					}
				}
				out = append(out, Finding{Rule: r.ID, Bump: cfg.bumpOf(r), Path: fmt.Sprintf("(%d more files)", rest), File: p, effect: r.Effect,
					Message: fmt.Sprintf("%d more files of the model changed: %s", rest, r.Reason), omitted: rest})
				break
			}
			counted++
		}
		out = append(out, f)
	}
	return out
}

func underAny(p string, dirs []string) bool {
	for _, d := range dirs {
		if under(p, d) {
			return true
		}
	}
	return false
}

// under reports whether p lies in folder dir ("." holds everything).
func under(p, dir string) bool {
	return dir == "." || p == dir || strings.HasPrefix(p, dir+"/")
}
