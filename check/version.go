package check

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/Masterminds/semver/v3"
	"github.com/modelgate/modelgate/internal/excerpt"
)

// Bump is the size of a semantic-version increment.
type Bump int

// The bumps, in increasing order.
const (
	BumpNone Bump = iota
	BumpPatch
	BumpMinor
	BumpMajor
)

var bumpNames = [...]string{"none", "patch", "minor", "major"}

func (b Bump) String() string {
	if b < BumpNone || b > BumpMajor {
		return fmt.Sprintf("bump(%d)", int(b))
	}
	return bumpNames[b]
}

// ParseBump parses "none", "patch", "minor" or "major".
func ParseBump(s string) (Bump, error) {
	for i, n := range bumpNames {
		if s == n {
			return Bump(i), nil
		}
	}
	return BumpNone, fmt.Errorf("invalid bump %s: want none, patch, minor or major", excerpt.Quote(s))
}

// MarshalJSON writes the bump as its name.
func (b Bump) MarshalJSON() ([]byte, error) { return json.Marshal(b.String()) }

// UnmarshalJSON reads a bump name.
func (b *Bump) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	v, err := ParseBump(s)
	if err != nil {
		return err
	}
	*b = v
	return nil
}

// Identifier is a model identifier: <name>-v<semver>, e.g. lite-llm-base-v2.1.3.
type Identifier struct {
	Name    string
	Version *semver.Version
}

// String returns the identifier as written in manifests and tags.
func (id Identifier) String() string { return id.Name + "-v" + id.Version.String() }

// MaxIdentifier is the longest model identifier: a release tag is named by
// it, and git stores a tag as a file whose name few file systems allow
// longer than 255 bytes.
const MaxIdentifier = 255

var nameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`) })

// ParseIdentifier parses a model identifier. The version starts at the last
// "-v" that is followed by a valid semantic version, so names may themselves
// contain "-v" and digits (foo-v2-base-v1.0.0).
func ParseIdentifier(s string) (Identifier, error) {
	if len(s) > MaxIdentifier {
		return Identifier{}, fmt.Errorf("model identifier %s is %d bytes long; at most %d fit a git tag name", excerpt.Quote(s), len(s), MaxIdentifier)
	}
	for end := len(s); ; {
		i := strings.LastIndex(s[:end], "-v")
		if i < 0 {
			break
		}
		if v, err := ParseVersion(s[i+2:]); err == nil {
			name := s[:i]
			if !nameRE().MatchString(name) || strings.HasSuffix(name, ".lock") || strings.Contains(name, "..") {
				return Identifier{}, fmt.Errorf("invalid model name %s in identifier %s: use letters, digits, '.', '_' and '-'", excerpt.Quote(name), excerpt.Quote(s))
			}
			return Identifier{Name: name, Version: v}, nil
		}
		end = i
	}
	return Identifier{}, fmt.Errorf("invalid model identifier %s: want <name>-v<MAJOR>.<MINOR>.<PATCH>, e.g. lite-llm-base-v2.1.3", excerpt.Quote(s))
}

// ParseVersion parses a strict semantic version (no "v", all three numbers).
func ParseVersion(s string) (*semver.Version, error) {
	v, err := semver.StrictNewVersion(s)
	if err != nil {
		return nil, fmt.Errorf("invalid version %s: want MAJOR.MINOR.PATCH[-prerelease][+build], e.g. 2.1.3", excerpt.Quote(s))
	}
	return v, nil
}

// Pre1Policy says how breaking changes bump a 0.y.z version.
type Pre1Policy string

// The pre-1.0 policies.
const (
	// Pre1Shift treats 0.y.z like Cargo does: a breaking change bumps y,
	// anything else bumps z.
	Pre1Shift Pre1Policy = "shift"
	// Pre1Strict applies the bumps as for 1.0.0 and later.
	Pre1Strict Pre1Policy = "strict"
)

// Apply returns base increased by b under the pre-1.0 policy p. BumpNone
// returns base itself, without prerelease or build metadata. A prerelease
// base (3.0.0-rc.1) already announces its release (3.0.0), which holds any
// change up to its own size: from 3.0.0-rc.1 a major change requires 3.0.0,
// from 2.2.0-rc.1 a major change requires 3.0.0 and a minor one 2.2.0.
func (p Pre1Policy) Apply(base *semver.Version, b Bump) *semver.Version {
	v := core(base)
	if base.Prerelease() != "" {
		size := BumpPatch
		switch {
		case v.Minor() == 0 && v.Patch() == 0 && v.Major() > 0:
			size = BumpMajor
		case v.Patch() == 0:
			size = BumpMinor
		}
		if b <= size {
			return v
		}
	}
	if base.Major() == 0 && p != Pre1Strict {
		switch b {
		case BumpMajor:
			b = BumpMinor
		case BumpMinor:
			b = BumpPatch
		}
	}
	switch b {
	case BumpMajor:
		n := v.IncMajor()
		return &n
	case BumpMinor:
		n := v.IncMinor()
		return &n
	case BumpPatch:
		n := v.IncPatch()
		return &n
	}
	return v
}

// core returns v without prerelease and build metadata.
func core(v *semver.Version) *semver.Version {
	return semver.New(v.Major(), v.Minor(), v.Patch(), "", "")
}
