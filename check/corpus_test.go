package check

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/rogpeppe/go-internal/txtar"
)

// corpusMinExact is the ratchet on the share of corpus cases whose required
// bump equals the expert's bump exactly. It records what the classifier
// achieves today (115 of 124 cases, 92.7%, with the concept vocabulary,
// sections and rename-aware diff of DESIGN.md §2.1); it may only go up. The
// bar of issue 9 is 0.90.
const corpusMinExact = 0.92

// corpusMinCases guards against a glob that silently finds fewer cases: the
// corpus holds 124 (testdata/corpus/README.md).
const corpusMinCases = 124

// corpusOutcome is how one case's required bump compares with the expert's.
type corpusOutcome string

const (
	outcomeExact    corpusOutcome = "exact"     // equal to bump
	outcomeAccepted corpusOutcome = "accepted"  // one of accept (ambiguous cases)
	outcomeOver     corpusOutcome = "over-ask"  // larger than bump and not accepted
	outcomeUnder    corpusOutcome = "under-ask" // smaller than bump and not accepted
)

// corpusCase is one parsed testdata/corpus/*.txtar file.
type corpusCase struct {
	meta      map[string]string
	want      Bump
	accept    []Bump
	base      *Model
	head      *Model
	ambiguous bool
}

// corpusKeys are the header keys a case may use; note may repeat.
var corpusKeys = []string{"source-base", "source-head", "bump", "ambiguous", "accept", "why", "note"}

// parseCorpusCase parses and validates one case file's content: only known
// header keys, the required ones present, a known bump, accept only on
// ambiguous cases, never repeating bump and never below a major bump, and
// exactly base/<file> and head/<file> with the same name, both loadable.
func parseCorpusCase(data []byte) (*corpusCase, error) {
	ar := txtar.Parse(data)
	c := &corpusCase{meta: map[string]string{}}
	for i, l := range strings.Split(strings.TrimRight(string(ar.Comment), "\n"), "\n") {
		k, v, ok := strings.Cut(l, ": ")
		if !ok || !slices.Contains(corpusKeys, k) {
			return nil, fmt.Errorf("line %d: want one of %v followed by \": \", got %q", i+1, corpusKeys, l)
		}
		if _, dup := c.meta[k]; dup && k != "note" {
			return nil, fmt.Errorf("line %d: %q given twice", i+1, k)
		}
		c.meta[k] = v
	}
	for _, k := range []string{"source-base", "source-head", "bump", "ambiguous", "why"} {
		if strings.TrimSpace(c.meta[k]) == "" {
			return nil, fmt.Errorf("missing %q", k)
		}
	}
	var err error
	if c.want, err = ParseBump(c.meta["bump"]); err != nil {
		return nil, fmt.Errorf("bump: %w", err)
	}
	switch c.meta["ambiguous"] {
	case "true":
		c.ambiguous = true
	case "false":
	default:
		return nil, fmt.Errorf("ambiguous: want true or false, got %q", c.meta["ambiguous"])
	}
	if a, ok := c.meta["accept"]; ok {
		for _, s := range strings.Split(a, ",") {
			b, err := ParseBump(strings.TrimSpace(s))
			if err != nil {
				return nil, fmt.Errorf("accept: %w", err)
			}
			if b == c.want || slices.Contains(c.accept, b) {
				return nil, fmt.Errorf("accept: %q repeats a bump", a)
			}
			if c.want == BumpMajor && b < c.want {
				return nil, fmt.Errorf("accept: %s below a major bump would accept an under-ask", b)
			}
			c.accept = append(c.accept, b)
		}
	}
	if c.ambiguous != (len(c.accept) > 0) {
		return nil, fmt.Errorf("an ambiguous case needs accept: and only an ambiguous case may have it")
	}
	if len(ar.Files) != 2 || ar.Files[0].Name != "base/"+path.Base(ar.Files[0].Name) ||
		ar.Files[1].Name != "head/"+path.Base(ar.Files[0].Name) {
		return nil, fmt.Errorf("a case needs exactly base/<file> and head/<file> with the same name")
	}
	for _, f := range ar.Files {
		side, name, _ := strings.Cut(f.Name, "/")
		fsys := fstest.MapFS{
			"manifest.yaml": {Data: []byte("model: corpus-v1.0.0\narchitecture: " + name + "\n")},
			name:            {Data: f.Data},
		}
		m, err := Load(fsys, "manifest.yaml")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		if side == "base" {
			c.base = m
		} else {
			c.head = m
		}
	}
	return c, nil
}

// outcome compares the classifier's required bump with the expert's.
func (c *corpusCase) outcome(got Bump) corpusOutcome {
	switch {
	case got == c.want:
		return outcomeExact
	case slices.Contains(c.accept, got):
		return outcomeAccepted
	case got > c.want:
		return outcomeOver
	default:
		return outcomeUnder
	}
}

// TestCorpus classifies real-world config changes taken verbatim from the git
// histories of public model repositories (testdata/corpus; README.md there
// lists the sources). It fails on any under-ask (a required bump below the
// expert's and not among the case's accepted bumps) and when the share of
// exact verdicts drops below corpusMinExact; over-asks are counted. Run with
// -v to see the score table.
func TestCorpus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "corpus", "*.txtar"))
	if err != nil || len(files) < corpusMinCases {
		t.Fatalf("want at least %d corpus cases, found %d (%v)", corpusMinCases, len(files), err)
	}
	count := map[corpusOutcome]int{}
	var table []string
	ran := 0
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			ran++
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			c, err := parseCorpusCase(data)
			if err != nil {
				t.Fatalf("%s: %v", filepath.Base(file), err)
			}
			got := BumpNone
			for _, f := range mustClassify(t, c.base, c.head) {
				t.Logf("%-6s %-27s %-12s %s", f.Bump, f.Rule, f.Basis, f.Message)
				got = max(got, f.Bump)
			}
			o := c.outcome(got)
			count[o]++
			want := c.want.String()
			if len(c.accept) > 0 {
				want += " (or " + bumpList(c.accept) + ")"
			}
			table = append(table, fmt.Sprintf("%-9s got %-5s want %-22s %s", o, got, want, name))
			if o == outcomeUnder {
				t.Errorf("required bump %s, want %s (under-asks): %s", got, want, c.meta["why"])
			}
		})
	}
	total := 0
	for _, n := range count {
		total += n
	}
	for _, l := range table {
		t.Log(l)
	}
	if total > 0 {
		t.Logf("total %d: exact %d (%.1f%%), accepted %d, over-asks %d, under-asks %d",
			total, count[outcomeExact], 100*float64(count[outcomeExact])/float64(total),
			count[outcomeAccepted], count[outcomeOver], count[outcomeUnder])
	}
	if ran < len(files) {
		t.Logf("%d of %d cases selected by -run: the exact share is not checked", ran, len(files))
		return
	}
	if total == 0 {
		t.Fatal("no corpus case could be classified")
	}
	exact := float64(count[outcomeExact]) / float64(total)
	if total != len(files) {
		t.Errorf("%d of %d cases could not be classified", len(files)-total, len(files))
	}
	if exact < corpusMinExact {
		t.Errorf("exact verdicts %.1f%% (%d of %d), want at least %.0f%% (corpusMinExact)",
			100*exact, count[outcomeExact], total, 100*corpusMinExact)
	}
}

// bumpList joins bumps with commas.
func bumpList(bs []Bump) string {
	s := make([]string, len(bs))
	for i, b := range bs {
		s[i] = b.String()
	}
	return strings.Join(s, ", ")
}

// TestCorpusOutcome checks the scoring that TestCorpus relies on.
func TestCorpusOutcome(t *testing.T) {
	tests := []struct {
		want   Bump
		accept []Bump
		got    Bump
		out    corpusOutcome
	}{
		{BumpMinor, nil, BumpMinor, outcomeExact},
		{BumpMinor, nil, BumpMajor, outcomeOver},
		{BumpMinor, nil, BumpPatch, outcomeUnder},
		{BumpNone, []Bump{BumpMinor}, BumpMinor, outcomeAccepted},
		{BumpNone, []Bump{BumpMinor}, BumpMajor, outcomeOver},
		{BumpMinor, []Bump{BumpPatch}, BumpPatch, outcomeAccepted},
		{BumpMinor, []Bump{BumpPatch}, BumpNone, outcomeUnder},
		{BumpMajor, nil, BumpNone, outcomeUnder},
	}
	for _, tt := range tests {
		c := &corpusCase{want: tt.want, accept: tt.accept}
		if got := c.outcome(tt.got); got != tt.out {
			t.Errorf("want %s accept %v, got %s: outcome %s, want %s", tt.want, tt.accept, tt.got, got, tt.out)
		}
	}
}

// TestParseCorpusCase checks that malformed cases are rejected rather than
// scored.
func TestParseCorpusCase(t *testing.T) {
	const files = "-- base/c.json --\n{\"n_layer\": 2}\n-- head/c.json --\n{\"n_layer\": 3}\n"
	const header = "source-base: https://example.invalid/a\nsource-head: https://example.invalid/b\n"
	tests := []struct {
		name, data, err string
	}{
		{"valid", header + "bump: major\nambiguous: false\nwhy: n_layer 2 -> 3\nnote: a\nnote: b\n" + files, ""},
		{"valid ambiguous", header + "bump: minor\nambiguous: true\naccept: patch, major\nwhy: w\n" + files, ""},
		{"unknown key", header + "bump: major\nambiguous: false\nwhy: w\nclass: arch\n" + files, `got "class: arch"`},
		{"missing why", header + "bump: major\nambiguous: false\n" + files, `missing "why"`},
		{"repeated bump", header + "bump: major\nbump: none\nambiguous: false\nwhy: w\n" + files, `"bump" given twice`},
		{"bad bump", header + "bump: huge\nambiguous: false\nwhy: w\n" + files, `invalid bump "huge"`},
		{"bad ambiguous", header + "bump: major\nambiguous: maybe\nwhy: w\n" + files, `want true or false`},
		{"accept on clear case", header + "bump: none\nambiguous: false\naccept: minor\nwhy: w\n" + files, "only an ambiguous case"},
		{"ambiguous without accept", header + "bump: none\nambiguous: true\nwhy: w\n" + files, "needs accept"},
		{"accept repeats bump", header + "bump: none\nambiguous: true\naccept: none\nwhy: w\n" + files, "repeats a bump"},
		{"accept below major", header + "bump: major\nambiguous: true\naccept: minor\nwhy: w\n" + files, "would accept an under-ask"},
		{"one file", header + "bump: major\nambiguous: false\nwhy: w\n-- base/c.json --\n{}\n", "exactly base/<file> and head/<file>"},
		{"names differ", header + "bump: major\nambiguous: false\nwhy: w\n-- base/c.json --\n{}\n-- head/d.json --\n{}\n", "exactly base/<file> and head/<file>"},
		{"unparsable head", header + "bump: major\nambiguous: false\nwhy: w\n-- base/c.json --\n{}\n-- head/c.json --\n{\n", "head/c.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseCorpusCase([]byte(tt.data))
			switch {
			case tt.err == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.err == "" && (c.base == nil || c.head == nil):
				t.Fatal("base or head model missing")
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Fatalf("error %v, want one containing %q", err, tt.err)
			}
		})
	}
}
