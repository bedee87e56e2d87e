package check

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"sync"

	"github.com/Masterminds/semver/v3"
)

// PlaceholderMarker marks text in release notes that a person must still
// write. The gate fails with release-notes-template while any is left.
const PlaceholderMarker = "modelgate:placeholder"

// MigrationIntro opens the generated list of what breaks in a draft's
// Migration section. Neither it nor the generated bullets count as
// migration steps: a person must write those.
const MigrationIntro = "Old checkpoints and clients will hit:"

// generatedRE matches a generated finding bullet, which ends by citing its
// rule, e.g. "[`arch-shape-changed`]".
var generatedRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("\\[`[a-z0-9]+(?:-[a-z0-9]+)*`\\]\\s*$") })

// Notes are the release notes found for one version.
type Notes struct {
	Path  string // repository-relative file
	Line  int    // first line of the section (1 for a whole file)
	Text  string // the notes, without the version heading of a changelog section
	Found bool
	// Pointer is set when the manifest's release_notes field names the file.
	Pointer *Node
}

// FindNotes looks for the notes of version v of model m, first found wins:
// the manifest's release_notes pointer (unless skipPointer), then
// <dir>/<notesDir>/v<V>.md, <dir>/<notesDir>/<identifier>.md, then a section
// of CHANGELOG.md (the model's folder, then the repository root).
func FindNotes(fsys fs.FS, m *Model, v *semver.Version, notesDir string, skipPointer bool) (Notes, error) {
	dir := m.Dir()
	if p, ok := m.Files["release_notes"]; ok && !skipPointer {
		n := Notes{Path: p, Line: 1, Pointer: m.Root.Get("release_notes")}
		text, found, err := readNotes(fsys, p)
		n.Text, n.Found = text, found
		return n, err
	}
	id := Identifier{Name: m.ID.Name, Version: v}
	versions := []string{v.String()}
	if c := core(v); !c.Equal(v) {
		versions = append(versions, c.String())
	}
	for _, ver := range versions {
		for _, name := range []string{"v" + ver + ".md", m.ID.Name + "-v" + ver + ".md"} {
			p := path.Join(dir, notesDir, name)
			text, found, err := readNotes(fsys, p)
			if err != nil {
				return Notes{}, err
			}
			if found {
				return Notes{Path: p, Line: 1, Text: text, Found: true}, nil
			}
		}
	}
	logs := []string{path.Join(dir, "CHANGELOG.md")}
	if dir != "." {
		logs = append(logs, "CHANGELOG.md")
	}
	for _, p := range logs {
		text, found, err := readNotes(fsys, p)
		if err != nil {
			return Notes{}, err
		}
		if !found {
			continue
		}
		// The root changelog of a model in a subfolder may hold other
		// models' sections too: only a section that names the model counts.
		named := p == "CHANGELOG.md" && dir != "."
		for _, ver := range versions {
			if text, line, ok := changelogSection(text, ver, id.Name, named); ok {
				return Notes{Path: p, Line: line, Text: text, Found: true}, nil
			}
		}
	}
	return Notes{}, nil
}

// readNotes reads a notes file; found is false when there is none.
func readNotes(fsys fs.FS, p string) (text string, found bool, err error) {
	data, err := readFile(fsys, p)
	switch {
	case errors.Is(err, errNotFound):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("%s: %w", p, err)
	}
	return string(data), true, nil
}

// changelogSection returns the body of the "## [V]", "## V", "## vV" or
// "## [name-vV]" section of a Keep a Changelog file, and its heading's line.
// With named, only "## [name-vV]" counts.
func changelogSection(text, version, name string, named bool) (string, int, bool) {
	lines := strings.Split(text, "\n")
	q := regexp.QuoteMeta(version)
	prefix := `(?:v|` + regexp.QuoteMeta(name) + `-v)?`
	if named {
		prefix = regexp.QuoteMeta(name) + `-v`
	}
	head := regexp.MustCompile(`^##\s+\[?` + prefix + q + `\]?(?:\s|$)`)
	for i, l := range lines {
		if !head.MatchString(strings.TrimRight(l, "\r")) {
			continue
		}
		end := len(lines)
		for j := i + 1; j < len(lines); j++ {
			if strings.HasPrefix(lines[j], "## ") || strings.HasPrefix(lines[j], "[") && strings.Contains(lines[j], "]: ") {
				end = j
				break
			}
		}
		return strings.Join(lines[i+1:end], "\n"), i + 1, true
	}
	return "", 0, false
}

// notesIssue is a problem found in the text of release notes.
type notesIssue struct {
	rule, msg, fix string
	line           int
}

var (
	commentRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?s)<!--.*?-->`) })
	// templateRE finds template text: the placeholder marker, or TODO, TBD
	// and FIXME used as markers (at the start of a line or item, or with a
	// colon), not the words in prose.
	templateRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^\s*(?:[-*>]\s*)?(?:TODO|TBD|FIXME)\b|\b(?:TODO|TBD|FIXME):|` + regexp.QuoteMeta(PlaceholderMarker))
	})
	headingRE  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(#{1,6})\s+(.*)$`) })
	toolPathRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`[A-Za-z0-9_.][A-Za-z0-9_./-]*\.(?:py|sh|go|rs|js|ts|rb|pl|ipynb)\b`)
	})
	markdownLinkR = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\]\(([^)\s]+)\)`) })
)

// lintNotes checks notes for emptiness, template text and, when migration
// is true, migration steps.
func lintNotes(fsys fs.FS, m *Model, n Notes, migration bool) []notesIssue {
	lines := strings.Split(n.Text, "\n")
	for i, l := range lines {
		if loc := templateRE().FindStringIndex(l); loc != nil {
			return []notesIssue{{rule: ruleReleaseNotesTemplate.ID, line: n.Line + i,
				msg: fmt.Sprintf("release notes still hold template text %q", strings.TrimSpace(l)),
				fix: fmt.Sprintf("replace the placeholder at %s:%d with what changed and why", n.Path, n.Line+i)}}
		}
	}
	if !hasProse(n.Text) {
		return []notesIssue{{rule: ruleReleaseNotesEmpty.ID, line: n.Line, msg: "release notes are empty",
			fix: fmt.Sprintf("describe the changes and why they need this version in %s", n.Path)}}
	}
	if migration && !hasMigration(fsys, m, lines) {
		return []notesIssue{{rule: ruleReleaseNotesNoMigration.ID, line: n.Line,
			msg: "a major release needs migration steps: a heading containing \"Migration\" with the steps, or a pointer to a migration tool in the repository",
			fix: fmt.Sprintf("add a \"## Migration\" section to %s that says how to convert old checkpoints", n.Path)}}
	}
	return nil
}

// hasProse reports whether text holds anything besides headings, comments
// and white space.
func hasProse(text string) bool {
	for _, l := range strings.Split(commentRE().ReplaceAllString(text, ""), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !headingRE().MatchString(l) && strings.Trim(l, "-*_=#> ") != "" {
			return true
		}
	}
	return false
}

func hasMigration(fsys fs.FS, m *Model, lines []string) bool {
	for i, l := range lines {
		h := headingRE().FindStringSubmatch(strings.TrimSpace(l))
		if h == nil || !strings.Contains(strings.ToLower(h[2]), "migration") {
			continue
		}
		var body []string
		for _, next := range lines[i+1:] {
			if g := headingRE().FindStringSubmatch(strings.TrimSpace(next)); g != nil && len(g[1]) <= len(h[1]) {
				break
			}
			if strings.TrimSpace(next) == MigrationIntro || generatedRE().MatchString(next) {
				continue
			}
			body = append(body, next)
		}
		if hasProse(strings.Join(body, "\n")) {
			return true
		}
	}
	text := strings.Join(lines, "\n")
	var candidates []string
	for _, mm := range markdownLinkR().FindAllStringSubmatch(text, -1) {
		candidates = append(candidates, mm[1])
	}
	candidates = append(candidates, toolPathRE().FindAllString(text, -1)...)
	if dir, ok := m.Files["migrations"]; ok {
		for _, f := range strings.Fields(text) {
			if strings.Contains(f, strings.TrimPrefix(dir, "./")+"/") {
				candidates = append(candidates, strings.Trim(f, "`'\"()[],."))
			}
		}
	}
	migrations := m.Files["migrations"]
	for _, c := range candidates {
		c = strings.TrimPrefix(strings.Trim(c, "`"), "./")
		for _, p := range []string{c, path.Join(m.Dir(), c)} {
			if !fs.ValidPath(p) {
				continue
			}
			// Only a migration tool counts: a file in the migrations folder, or
			// one whose name says it migrates or converts.
			lower := strings.ToLower(path.Base(p))
			if !(migrations != "" && under(p, migrations)) && !strings.Contains(lower, "migrat") && !strings.Contains(lower, "convert") {
				continue
			}
			if st, err := fs.Stat(fsys, p); err == nil && !st.IsDir() {
				return true
			}
		}
	}
	return false
}
