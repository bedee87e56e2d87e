package check

import (
	"fmt"

	"github.com/modelgate/modelgate/internal/excerpt"

	"github.com/Masterminds/semver/v3"
)

// Policy says what the gate does with work in progress: a change whose
// declared version is still the baseline's (DESIGN §3.2).
type Policy string

// The policies of .modelgate.yaml's policy: key.
const (
	// PolicyRelease gates releases only: work in progress passes, and the
	// report says what the next release will need. The default.
	PolicyRelease Policy = "release"
	// PolicyEveryChange gates every change as a release: a change that
	// needs a bump but keeps the baseline's version fails with
	// version-not-bumped.
	PolicyEveryChange Policy = "every-change"
)

// Source names what the head of a report was read from, for head.source.
const (
	SourceCommit   = "commit"   // a revision
	SourceIndex    = "index"    // the staged content (--staged)
	SourceWorktree = "worktree" // the working tree (--worktree)
)

// parsePolicy reads the value of policy:.
func parsePolicy(name string, v *Node) (Policy, error) {
	if v.Kind == KindString {
		switch p := Policy(v.Str); p {
		case PolicyRelease, PolicyEveryChange:
			return p, nil
		}
	}
	return "", fmt.Errorf("%s:%d: policy must be release (gate releases; work in progress passes) or every-change (gate every change), not %s",
		name, v.Pos.Line, excerpt.Of(v.Text()))
}

// isRelease decides whether the change being judged is a release: the
// caller says so (a tag, --release, --base none, the Action's release
// command), the declared version's tag points at the head, or the declared
// identifier differs from the baseline's. A head
// without a baseline is a release only when the caller says so; the caller
// may also say that it is not (a commit that keeps the declared version).
func isRelease(in Input, declared *semver.Version) bool {
	switch {
	case in.Release, in.TagCommit != "" && in.TagCommit == in.HeadRef.Commit:
		return true
	case in.WorkInProgress, in.Base == nil:
		return false
	}
	return in.Base.ID.Name != in.Head.ID.Name || !in.Base.ID.Version.Equal(declared)
}

// workInProgress says, for a change the gate does not judge as a release,
// what the next release will need. It adds notices only: work in progress
// passes.
func (r *ModelReport) workInProgress(in Input, declared *semver.Version) {
	if in.Base == nil {
		r.Notices = append(r.Notices, fmt.Sprintf("work in progress: %s has no release yet; its first release will be %s, gated with its release notes when it is tagged (or by modelgate check --release)",
			r.Name, r.NextIdentifier))
		return
	}
	if r.RequiredBump == BumpNone {
		if declared.Equal(in.Base.ID.Version) {
			r.Notices = append(r.Notices, fmt.Sprintf("no release needed: the changes require no version bump and %s keeps %s", in.Head.Manifest, declared))
		}
		return
	}
	msg := fmt.Sprintf("work in progress: unreleased changes require a %s bump: the next release must be at least %s", r.RequiredBump, r.RequiredVersion)
	if !declared.Equal(in.Base.ID.Version) {
		msg += fmt.Sprintf(" (%s declares %s)", in.Head.Manifest, declared)
	}
	r.Notices = append(r.Notices, msg)
}

// Unreleasable says why the declared version of the model cannot be
// released as it stands: the model was renamed since its baseline, or the
// declared version is lower than the baseline's, keeps it although the
// changes need a bump, or is smaller than the changes require. The sentence
// names the version to declare. It returns "" for a version that can be
// released, and for a first release.
func (m *ModelReport) Unreleasable() string {
	if m.Base == nil || m.HeadModel == nil || m.BaseModel == nil {
		return ""
	}
	if old := m.BaseModel.ID.Name; old != m.Name {
		return fmt.Sprintf("%s was %s at the baseline %s, and a new name is a new model: keep the name %s (its next release is %s-v%s), or start %s with --base none",
			m.Name, old, m.Base.Ref, old, old, m.RequiredVersion, m.Name)
	}
	base, err1 := ParseVersion(m.Base.Version)
	declared, err2 := ParseVersion(m.DeclaredVersion)
	req, err3 := ParseVersion(m.RequiredVersion)
	if err1 != nil || err2 != nil || err3 != nil {
		return ""
	}
	fix := fmt.Sprintf("set model: %s in %s, or pass --version %s", m.NextIdentifier, m.Manifest, req)
	dc := core(declared)
	switch {
	case declared.LessThan(base):
		return fmt.Sprintf("%s declares %s, lower than its baseline %s: %s", m.Name, declared, m.Base.Ref, fix)
	case declared.Equal(base) || dc.Equal(core(base)) && base.Prerelease() == "":
		if m.RequiredBump == BumpNone {
			return ""
		}
		return fmt.Sprintf("%s declares %s, the version of its baseline %s, but the changes require a %s bump: %s", m.Name, declared, m.Base.Ref, m.RequiredBump, fix)
	case dc.LessThan(req):
		return fmt.Sprintf("%s declares %s, but the changes since %s require at least %s: %s", m.Name, declared, m.Base.Ref, req, fix)
	}
	return ""
}
