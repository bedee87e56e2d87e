package check

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/modelgate/modelgate/internal/excerpt"
)

// DefaultConfigFile is the configuration file read from the head revision.
const DefaultConfigFile = ".modelgate.yaml"

// DefaultIgnore lists the paths that never count as a model change.
// Repository plumbing (CI, docs, git and hook-manager settings) is never part
// of a model (DESIGN §7).
var DefaultIgnore = []string{".github/**", "docs/**", "**/*.md", ".modelgate.yaml", ".gitignore", ".gitattributes",
	".pre-commit-config.yaml", ".pre-commit-hooks.yaml", "lefthook.yml", ".husky/**", ".editorconfig", "LICENSE*", "CODEOWNERS"}

// Config is a repository's .modelgate.yaml.
type Config struct {
	File   string
	Models []string // manifest paths; empty means the default names at the root
	// ModelLines holds the line of each entry of Models.
	ModelLines []int
	NotesDir   string                // folder of releases/v<V>.md, relative to each manifest
	Ignore     []string              // globs of paths that never count as a model change
	Rules      map[string]RuleConfig // overrides of built-in rules and custom rules, by ID
	Suppress   []Suppression
	Pre1       Pre1Policy
	// Policy says whether work in progress is gated (policy:).
	Policy Policy
	// Metrics says, per metric, which direction is better and how far it
	// may regress (the metrics: section).
	Metrics []MetricRule
	custom  []*Rule
}

// RuleConfig overrides a built-in rule (Bump, Level) or defines a custom rule
// (Match, Bump, Description).
type RuleConfig struct {
	Match       string
	Bump        *Bump
	Level       Level
	Description string
	// Effect is how the release notes group a custom rule's findings
	// (effect: added); empty means by its bump (see customEffects).
	Effect Effect
}

// Suppression silences one rule at the paths that match Path, for a reason
// that the report shows.
type Suppression struct {
	Rule, Path, Reason string
	Line               int
	re                 *regexp.Regexp
}

// DefaultConfig returns the configuration used when a repository has none.
func DefaultConfig() *Config {
	return &Config{NotesDir: "releases", Ignore: append([]string(nil), DefaultIgnore...), Rules: map[string]RuleConfig{}, Pre1: Pre1Shift,
		Policy: PolicyRelease}
}

// ParseConfig parses .modelgate.yaml. Unknown keys are errors with their line.
func ParseConfig(name string, data []byte) (*Config, error) {
	c := DefaultConfig()
	c.File = name
	root, err := Parse(name, data)
	if err != nil {
		return nil, err
	}
	if root.Kind == KindNull {
		return c, nil
	}
	if root.Kind != KindMap {
		return nil, fmt.Errorf("%s:%d: the configuration must be a map of settings", name, root.Pos.Line)
	}
	bad := func(n *Node, format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s", name, n.Pos.Line, fmt.Sprintf(format, args...))
	}
	strList := func(key string, n *Node) ([]string, error) {
		if n.Kind != KindList {
			return nil, bad(n, "%s must be a list of strings", key)
		}
		var out []string
		for _, it := range n.Items {
			if it.Kind != KindString || it.Str == "" {
				return nil, bad(it, "%s must be a list of strings, not %s", key, excerpt.Of(it.Text()))
			}
			out = append(out, it.Str)
		}
		return out, nil
	}
	// Rules first: suppressions may name custom rules.
	if v := root.Get("rules"); v != nil {
		if err := c.parseRules(name, v); err != nil {
			return nil, err
		}
	}
	for _, k := range root.Keys {
		v := root.Fields[k]
		switch k {
		case "models":
			if c.Models, err = strList(k, v); err != nil {
				return nil, err
			}
			for i, m := range c.Models {
				p, err := resolvePointer(".", m)
				if err != nil {
					return nil, bad(v.Items[i], "models: %v", err)
				}
				c.Models[i] = p
				c.ModelLines = append(c.ModelLines, v.Items[i].Pos.Line)
			}
		case "notes_dir":
			if v.Kind != KindString || v.Str == "" {
				return nil, bad(v, "notes_dir must be a folder name such as releases")
			}
			if p, err := resolvePointer(".", v.Str); err != nil {
				return nil, bad(v, "notes_dir: %v", err)
			} else if p == "." {
				return nil, bad(v, "notes_dir must be a subfolder such as releases, not the model's folder itself")
			}
			c.NotesDir = v.Str
		case "ignore":
			extra, err := strList(k, v)
			if err != nil {
				return nil, err
			}
			c.Ignore = append(c.Ignore, extra...)
		case "pre1_policy":
			if v.Kind != KindString || (v.Str != string(Pre1Shift) && v.Str != string(Pre1Strict)) {
				return nil, bad(v, "pre1_policy must be shift (0.y.z: breaking bumps y) or strict (breaking goes to 1.0.0), not %s", excerpt.Of(v.Text()))
			}
			c.Pre1 = Pre1Policy(v.Str)
		case "policy":
			if c.Policy, err = parsePolicy(name, v); err != nil {
				return nil, err
			}
		case "rules":
		case "metrics":
			if err := c.parseMetrics(name, v); err != nil {
				return nil, err
			}
		case "suppress":
			if v.Kind != KindList {
				return nil, bad(v, "suppress must be a list of {rule, path, reason}")
			}
			for _, it := range v.Items {
				s, err := parseSuppression(name, it)
				if err != nil {
					return nil, err
				}
				if r := LookupRule(s.Rule); (r == nil || r.Gate) && !c.isCustom(s.Rule) {
					return nil, fmt.Errorf("%s:%d: suppression names %s, which is not a finding rule; see modelgate rules", name, s.Line, excerpt.Quote(s.Rule))
				}
				c.Suppress = append(c.Suppress, s)
			}
		default:
			return nil, bad(v, "unknown key %s; known keys are models, policy, notes_dir, ignore, rules, suppress, metrics, pre1_policy", excerpt.Quote(k))
		}
	}
	return c, nil
}

func (c *Config) parseRules(name string, v *Node) error {
	if v.Kind != KindMap {
		return fmt.Errorf("%s:%d: rules must be a map of rule ID to {bump, level} or {match, bump, description}", name, v.Pos.Line)
	}
	for _, id := range v.Keys {
		n := v.Fields[id]
		bad := func(at *Node, format string, args ...any) error {
			return fmt.Errorf("%s:%d: rule %s: %s", name, at.Pos.Line, excerpt.Quote(id), fmt.Sprintf(format, args...))
		}
		if !ruleIDRE().MatchString(id) {
			return bad(n, "rule IDs are kebab-case, e.g. my-rope-rule")
		}
		if n.Kind != KindMap {
			return bad(n, "want a map such as {bump: minor}")
		}
		var rc RuleConfig
		for _, k := range n.Keys {
			f := n.Fields[k]
			switch k {
			case "bump":
				if f.Kind != KindString {
					return bad(f, "bump must be none, patch, minor or major")
				}
				b, err := ParseBump(f.Str)
				if err != nil {
					return bad(f, "%v", err)
				}
				rc.Bump = &b
			case "level":
				if f.Kind != KindString || (f.Str != string(LevelError) && f.Str != string(LevelWarning) && f.Str != string(LevelOff)) {
					return bad(f, "level must be error, warning or off")
				}
				rc.Level = Level(f.Str)
			case "match":
				if f.Kind != KindString || f.Str == "" {
					return bad(f, "match must be a path pattern such as architecture.moe_*")
				}
				rc.Match = f.Str
			case "description":
				if f.Kind != KindString {
					return bad(f, "description must be a string")
				}
				rc.Description = f.Str
			case "effect":
				if f.Kind != KindString || !slices.Contains(knownCustomEffects, Effect(f.Str)) {
					return bad(f, "effect must be one of %s", joinEffects(knownCustomEffects))
				}
				rc.Effect = Effect(f.Str)
			default:
				return bad(f, "unknown key %s; known keys are bump, level, match, description, effect", excerpt.Quote(k))
			}
		}
		builtin := LookupRule(id)
		switch {
		case builtin == nil && rc.Match == "":
			return bad(n, "unknown rule ID; to add a rule give it match and bump (see modelgate rules)")
		case builtin == nil && rc.Bump == nil:
			return bad(n, "a custom rule needs a bump")
		case builtin != nil && rc.Match != "":
			return bad(n, "is a built-in rule; pick another ID for a custom rule")
		case builtin != nil && builtin.Gate && rc.Bump != nil:
			return bad(n, "is a gate rule; override its level, not its bump")
		case builtin != nil && !builtin.Gate && rc.Level != "":
			return bad(n, "is a finding rule; override its bump, not its level")
		case builtin != nil && rc.Effect != "":
			return bad(n.Fields["effect"], "is a built-in rule, whose effect is its own; effect is for custom rules")
		case builtin == nil && rc.Effect != "" && !slices.Contains(customEffects[*rc.Bump], rc.Effect):
			return bad(n.Fields["effect"], "effect %s does not go with bump %s; with bump %s the effect is %s", rc.Effect, *rc.Bump, *rc.Bump, joinEffects(customEffects[*rc.Bump]))
		}
		if builtin == nil {
			desc := rc.Description
			if desc == "" {
				desc = "custom rule for " + rc.Match
			}
			re := globRE(rc.Match, '.')
			effect := rc.Effect
			if effect == "" {
				effect = customEffects[*rc.Bump][0] // by the bump, never by the rule's name
			}
			c.custom = append(c.custom, &Rule{ID: id, Bump: *rc.Bump, Effect: effect, Description: desc, Reason: "rule " + id + " in " + name,
				match: func(s *subject) bool { return re.MatchString(s.Path.String()) }})
		}
		c.Rules[id] = rc
	}
	return nil
}

// customEffects are the effects a custom rule may have, by its bump; the
// first is the one it has unless its effect: says otherwise.
var customEffects = map[Bump][]Effect{
	BumpMajor: {EffectBreaking},
	BumpMinor: {EffectBehaviour, EffectAdded},
	BumpPatch: {EffectFixed},
	BumpNone:  {EffectRecorded, EffectTraining},
}

// knownCustomEffects are the values effect: takes, in the order a message
// lists them.
var knownCustomEffects = []Effect{EffectBreaking, EffectAdded, EffectBehaviour, EffectFixed, EffectRecorded, EffectTraining}

// joinEffects lists effects for a message: "added or behaviour".
func joinEffects(es []Effect) string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = string(e)
	}
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

func parseSuppression(name string, n *Node) (Suppression, error) {
	s := Suppression{Line: n.Pos.Line}
	if n.Kind != KindMap {
		return s, fmt.Errorf("%s:%d: each suppression is {rule, path, reason}", name, n.Pos.Line)
	}
	for _, k := range n.Keys {
		f := n.Fields[k]
		if f.Kind != KindString {
			return s, fmt.Errorf("%s:%d: suppression %s must be a string", name, f.Pos.Line, k)
		}
		switch k {
		case "rule":
			s.Rule = f.Str
		case "path":
			s.Path = f.Str
		case "reason":
			s.Reason = strings.TrimSpace(f.Str)
		default:
			return s, fmt.Errorf("%s:%d: unknown key %s in suppression; known keys are rule, path, reason", name, f.Pos.Line, excerpt.Quote(k))
		}
	}
	switch {
	case s.Rule == "":
		return s, fmt.Errorf("%s:%d: a suppression needs the rule it silences", name, n.Pos.Line)
	case s.Reason == "":
		return s, fmt.Errorf("%s:%d: suppression of %s needs a reason: say why the finding does not apply", name, n.Pos.Line, excerpt.Quote(s.Rule))
	}
	if s.Path == "" {
		s.Path = "**"
	}
	s.re = globRE(s.Path, '.')
	return s, nil
}

func (c *Config) isCustom(id string) bool {
	for _, r := range c.custom {
		if r.ID == id {
			return true
		}
	}
	return false
}

// bumpOf returns the bump of a finding rule after overrides.
func (c *Config) bumpOf(r *Rule) Bump {
	if rc, ok := c.Rules[r.ID]; ok && rc.Bump != nil {
		return *rc.Bump
	}
	return r.Bump
}

// levelOf returns the level of a gate rule after overrides.
func (c *Config) levelOf(id string) Level {
	if rc, ok := c.Rules[id]; ok && rc.Level != "" {
		return rc.Level
	}
	if r := LookupRule(id); r != nil {
		return r.Level
	}
	return LevelError
}

// suppressed returns the reason a finding is suppressed, or "".
func (c *Config) suppressed(rule, p string) string {
	for _, s := range c.Suppress {
		if s.Rule == rule && s.re.MatchString(p) {
			return s.Reason
		}
	}
	return ""
}

// Ignored reports whether a repository path never counts as a model change.
func (c *Config) Ignored(p string) bool {
	for _, g := range c.Ignore {
		if globRE(g, '/').MatchString(p) {
			return true
		}
	}
	return false
}

// globRE compiles a glob where * matches within one segment (segments end at
// sep), ** matches across segments, and everything else is literal.
// Each is compiled once per process: a run asks about every changed path
// of every model.
func globRE(glob string, sep byte) *regexp.Regexp {
	key := globKey{sep, glob}
	globMu.RLock()
	re := globs[key]
	globMu.RUnlock()
	if re != nil {
		return re
	}
	var b strings.Builder
	b.WriteString("^")
	seg := regexp.QuoteMeta(string(sep))
	for i := 0; i < len(glob); i++ {
		switch {
		case strings.HasPrefix(glob[i:], "**"+string(sep)):
			b.WriteString("(?:.*" + seg + ")?")
			i += 2
		case strings.HasPrefix(glob[i:], "**"):
			b.WriteString(".*")
			i++
		case glob[i] == '*':
			b.WriteString("[^" + seg + "]*")
		case glob[i] == '?':
			b.WriteString("[^" + seg + "]")
		default:
			b.WriteString(regexp.QuoteMeta(glob[i : i+1]))
		}
	}
	b.WriteString("$")
	re = regexp.MustCompile(b.String())
	globMu.Lock()
	globs[key] = re
	globMu.Unlock()
	return re
}

// globKey names a compiled glob: its separator and pattern.
type globKey struct {
	sep  byte
	glob string
}

// globs caches compiled globs.
var (
	globMu sync.RWMutex
	globs  = map[globKey]*regexp.Regexp{}
)
