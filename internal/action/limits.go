package action

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"unicode/utf16"

	"github.com/modelgate/modelgate/check"
	"github.com/modelgate/modelgate/internal/inert"
)

// maxReportOutput bounds the report output. GitHub takes at most 1 MB of
// outputs per job, "approximated based on UTF-16 encoding"; the other
// outputs of the step are short, and a workflow maps report to a job
// output, so report keeps under 1,000,000 bytes of UTF-16 with room for
// them.
const maxReportOutput = 1_000_000 - 16<<10

// utf16Size returns the size of s in UTF-16, in bytes, as GitHub counts
// outputs.
func utf16Size(s string) int {
	n := 0
	for _, r := range s {
		n += 2 * utf16.RuneLen(r)
	}
	return n
}

// cappedReport is the report output when the report is too long: the
// report with fewer findings, and a note that says so. Its fields are those
// of check.Report and one more.
type cappedReport struct {
	*check.Report
	Truncated string `json:"truncated,omitempty"`
}

// reportOutput returns the report as one line of inert JSON of at most
// limit bytes in UTF-16. A longer report keeps the first findings of each model
// (the most severe come first), as many as fit, and says in "truncated"
// how many it lists; passed, the verdicts and the problems are always
// there. A report whose findings alone do not explain the overflow is cut
// to its verdict.
func reportOutput(r *check.Report, limit int) string {
	encode := func(v any) string {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return ""
		}
		return string(bytes.TrimSpace(inert.JSON(b.Bytes())))
	}
	full := encode(r)
	if utf16Size(full) <= limit {
		return full
	}
	total, most := 0, 0
	for _, m := range r.Models {
		total += m.FindingCount()
		most = max(most, len(m.Findings))
	}
	with := func(k int) string {
		c := &check.Report{Passed: r.Passed}
		listed := 0
		for _, m := range r.Models {
			cm := *m
			cm.Findings = m.Findings[:min(k, len(m.Findings))]
			for _, f := range cm.Findings {
				listed += max(f.Omitted(), 1)
			}
			c.Models = append(c.Models, &cm)
		}
		return encode(cappedReport{Report: c, Truncated: fmt.Sprintf(
			"the report is longer than a step output may be (%d bytes of UTF-16): it lists %d of its %d findings, the first %d of each model; run modelgate check --format json for all of them",
			utf16Size(full), listed, total, k)})
	}
	// The largest k whose report fits; sort.Search finds the first that does not.
	k := sort.Search(most+1, func(k int) bool { return utf16Size(with(k)) > limit }) - 1
	if k >= 0 {
		return with(k)
	}
	return encode(struct {
		Passed    bool   `json:"passed"`
		Truncated string `json:"truncated"`
	}{r.Passed, fmt.Sprintf("the report is longer than a step output may be (%d bytes of UTF-16), even without its findings; run modelgate check --format json for all of it", utf16Size(full))})
}
