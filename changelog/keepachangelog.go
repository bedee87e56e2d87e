package changelog

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/modelgate/modelgate/check"
)

var (
	unreleasedRE = regexp.MustCompile(`(?i)^##\s+\[?unreleased\]?\s*$`)
	linkRefRE    = regexp.MustCompile(`^\[[^\]]+\]:\s*\S+`)
	unreleasedLn = regexp.MustCompile(`(?i)^\[unreleased\]:\s*(\S+/compare/)(\S+?)\.\.\.(\S+)\s*$`)
	subheadingRE = regexp.MustCompile(`^###\s+(.*?)\s*$`)
)

// ChangelogOptions shape a changelog update.
type ChangelogOptions struct {
	Date string // the release date, YYYY-MM-DD
	// Shared says several models keep their history in this file: headings
	// and links then name the model ("## [lite-llm-base-v3.0.0]").
	Shared bool
}

// UpdateChangelog turns the "## [Unreleased]" section of a Keep a Changelog
// file into the release's "## [<V>] - <date>" section. It keeps what people
// wrote there, adds the generated parts that are missing (a generated
// section whose heading exists gets only the bullets it lacks), opens a fresh
// Unreleased section, and updates compare links at the bottom. Without an
// Unreleased section the release's section goes before the first one. The
// file's line endings are kept.
func UpdateChangelog(text string, m *check.ModelReport, opts ChangelogOptions) (string, error) {
	version := m.DeclaredVersion
	label := version
	verRE := regexp.MustCompile(`^##\s+\[?(?:v|` + regexp.QuoteMeta(m.Name) + `-v)?` + regexp.QuoteMeta(version) + `\]?(?:\s|$)`)
	if opts.Shared {
		label = m.Name + "-v" + version
		verRE = regexp.MustCompile(`^##\s+\[?` + regexp.QuoteMeta(label) + `\]?(?:\s|$)`)
	}
	crlf := strings.Contains(text, "\r\n")
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i, l := range lines {
		if verRE.MatchString(l) {
			return "", fmt.Errorf("line %d already has a section for %s; edit it, or remove it to regenerate", i+1, version)
		}
	}
	start, end := -1, len(lines)
	for i, l := range lines {
		if start < 0 && unreleasedRE.MatchString(l) {
			start = i
			continue
		}
		if start >= 0 && (strings.HasPrefix(l, "## ") || linkRefRE.MatchString(l)) {
			end = i
			break
		}
	}
	var human []string
	if start >= 0 {
		human = lines[start+1 : end]
	} else {
		start = len(lines)
		for i, l := range lines {
			if strings.HasPrefix(l, "## ") || linkRefRE.MatchString(l) {
				start = i
				break
			}
		}
		end = start
	}
	section := []string{"## [Unreleased]", "", fmt.Sprintf("## [%s] - %s", label, opts.Date), ""}
	if m.Base == nil {
		section = append(section, fmt.Sprintf("First release of %s.", m.Name), "")
	}
	section = append(section, merge(human, Sections(m))...)
	section = append(section, "")
	out := append(append(append([]string{}, lines[:start]...), section...), lines[end:]...)
	out = updateLinks(out, m, label, opts.Shared)
	result := strings.TrimRight(strings.Join(out, "\n"), "\n") + "\n"
	if crlf {
		result = strings.ReplaceAll(result, "\n", "\r\n")
	}
	return result, nil
}

// merge adds the generated sections to what people wrote, as level-3
// headings; bullets already written by hand are not repeated.
func merge(human []string, gen []Section) []string {
	human = trimBlank(human)
	heading := map[string]int{} // lower-cased title -> index of its heading in human
	for i, l := range human {
		if m := subheadingRE.FindStringSubmatch(l); m != nil {
			heading[strings.ToLower(m[1])] = i
		}
	}
	out := append([]string{}, human...)
	for _, s := range gen {
		body := strings.Split(strings.TrimRight(s.Body, "\n"), "\n")
		i, ok := heading[strings.ToLower(s.Title)]
		if !ok {
			if len(out) > 0 {
				out = append(out, "")
			}
			out = append(out, "### "+s.Title, "")
			out = append(out, body...)
			continue
		}
		// Find the end of the existing subsection and add the bullets it lacks.
		j := i + 1
		for j < len(out) && !strings.HasPrefix(out[j], "### ") && !strings.HasPrefix(out[j], "## ") {
			j++
		}
		have := map[string]bool{}
		for _, l := range out[i+1 : j] {
			have[strings.TrimSpace(l)] = true
		}
		var add []string
		for _, l := range body {
			if strings.HasPrefix(l, "- ") && !have[strings.TrimSpace(l)] {
				add = append(add, l)
			}
		}
		for j > i+1 && strings.TrimSpace(out[j-1]) == "" {
			j--
		}
		out = append(out[:j], append(add, out[j:]...)...)
		for k, v := range heading {
			if v >= j {
				heading[k] = v + len(add)
			}
		}
	}
	return out
}

func trimBlank(lines []string) []string {
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// updateLinks adds "[<label>]: .../compare/<previous tag>...<tag>" below the
// "[Unreleased]: .../compare/<from>...HEAD" link and, unless several models
// share the file, moves that link's <from> to the new tag. Release tags are
// model identifiers.
func updateLinks(lines []string, m *check.ModelReport, label string, shared bool) []string {
	tag := m.Name + "-v" + m.DeclaredVersion
	for i, l := range lines {
		sm := unreleasedLn.FindStringSubmatch(l)
		if sm == nil {
			continue
		}
		prefix, from, headRef := sm[1], sm[2], sm[3]
		prev := from
		if m.Base != nil {
			prev = m.BaseModel.ID.Name + "-v" + m.Base.Version
		} else if shared {
			return lines
		}
		if !shared {
			lines[i] = fmt.Sprintf("[%s]: %s%s...%s", l[1:strings.Index(l, "]")], prefix, tag, headRef)
		}
		link := fmt.Sprintf("[%s]: %s%s...%s", label, prefix, prev, tag)
		return append(lines[:i+1], append([]string{link}, lines[i+1:]...)...)
	}
	return lines
}
