package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/modelgate/modelgate/check"
)

// GitHub writes workflow-command annotations: problems at their level,
// findings as notices, each on the file and line it concerns, then each
// model's verdict.
func GitHub(w io.Writer, r *check.Report) error {
	var b strings.Builder
	for _, m := range r.Models {
		a := Annotations{W: &b}
		a.Model(m)
		b.WriteString(verdictLine(m))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Annotations writes the annotations of reports, at most Max of each level
// (0: no limit), counting the rest in Skipped. GitHub shows only a few
// annotations of each level per step.
type Annotations struct {
	W       io.Writer
	Max     int
	Skipped int
	counts  map[string]int
}

// Model writes the annotations of one model: its problems, then its
// findings as notices.
func (a *Annotations) Model(m *check.ModelReport) {
	for _, p := range m.Problems {
		msg := p.Message
		if p.Fix != "" {
			msg += "\nfix: " + p.Fix
		}
		a.add(string(p.Level), p.File, p.Line, "modelgate "+p.Rule, msg)
	}
	for _, f := range m.Findings {
		a.add("notice", f.File, f.Line, fmt.Sprintf("modelgate %s (%s)", f.Rule, f.Bump), f.Message)
	}
}

func (a *Annotations) add(level, file string, line int, title, msg string) {
	if a.Max > 0 {
		if a.counts == nil {
			a.counts = map[string]int{}
		}
		if a.counts[level] == a.Max {
			a.Skipped++
			return
		}
		a.counts[level]++
	}
	fmt.Fprint(a.W, Annotation(level, file, line, title, msg))
}

// Annotation formats one workflow command (error, warning or notice) with
// its data and properties escaped as the runner expects, after inert: the
// file and title on one line, each line of the message on its own (the
// runner shows the line breaks).
func Annotation(level, file string, line int, title, msg string) string {
	prop := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
	data := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	props := []string{}
	if file != "" {
		props = append(props, "file="+prop.Replace(inert(file)))
		if line > 0 {
			props = append(props, fmt.Sprintf("line=%d", line))
		}
	}
	props = append(props, "title="+prop.Replace(inert(title)))
	return fmt.Sprintf("::%s %s::%s\n", level, strings.Join(props, ","), data.Replace(inertLines(msg)))
}

// inertLines makes each line of s inert.
func inertLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = inert(l)
	}
	return strings.Join(lines, "\n")
}
