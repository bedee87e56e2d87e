package gitrepo

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/modelgate/modelgate/check"
)

// modelTagsByParser is what ModelTags must return, computed the plain way:
// every tag through check.ParseIdentifier, ordered as ModelTags orders.
func modelTagsByParser(names []string, model string) []string {
	type tv struct {
		name string
		id   check.Identifier
	}
	var out []tv
	for _, n := range names {
		if id, err := check.ParseIdentifier(n); err == nil && id.Name == model {
			out = append(out, tv{n, id})
		}
	}
	slices.SortFunc(out, func(a, b tv) int {
		if c := b.id.Version.Compare(a.id.Version); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	var s []string
	for _, t := range out {
		s = append(s, t.name)
	}
	return s
}

// TestModelTagsAmongManyTags lists a model's tags among 3,000 others, most
// of them sorting next to the model's (m-v..., m-x..., mm-v..., m-vx), packed
// and loose, and compares the names and order with every tag parsed by
// check.ParseIdentifier, and each tag's commit with git rev-parse.
func TestModelTagsAmongManyTags(t *testing.T) {
	dir := t.TempDir()
	runGit(t, dir, nil, "init", "-q", "-b", "main")
	runGit(t, dir, nil, "commit", "-q", "--allow-empty", "-m", "one")
	runGit(t, dir, nil, "commit", "-q", "--allow-empty", "-m", "two")
	var script strings.Builder
	names := []string{
		"m-v1.0.0", "m-v1.0.0-rc.1", "m-v1.0.0-v2", "m-v1.0.0+build", "m-v2.0.0-b-v3.0.0",
		"m-v01.0.0", "m-v1.0", "m-vx", "m-v", "m-v-v1.0.0", "m-v1.2.3-v", "mm-v9.0.0", "m-x-v9.0.0",
		"m-v" + strings.Repeat("1", 200) + ".0.0", "m-v1.0.0-" + strings.Repeat("a", 200),
		"n-v1.0.0", "a-m-v1.0.0",
	}
	for i := range 3000 {
		names = append(names, fmt.Sprintf("ci-%05d", i))
		if i%10 == 0 {
			names = append(names, fmt.Sprintf("m-v%d.%d.%d", i/100, i/10%10, i%7))
		}
	}
	commits := strings.Fields(runGit(t, dir, nil, "rev-parse", "HEAD", "HEAD~1"))
	for i, n := range names {
		fmt.Fprintf(&script, "create refs/tags/%s %s\n", n, commits[i%2])
	}
	runGit(t, dir, []byte(script.String()), "update-ref", "--stdin")
	runGit(t, dir, nil, "pack-refs", "--all")
	runGit(t, dir, nil, "tag", "-f", "m-v1.0.0", "HEAD~1") // loose, over the packed one
	runGit(t, dir, nil, "tag", "m-v7.7.7", "HEAD")         // loose only
	names = append(names, "m-v7.7.7")
	for _, fast := range []bool{true, false} {
		t.Run(fmt.Sprintf("fast=%v", fast), func(t *testing.T) {
			defer func(old bool) { fastObjects = old }(fastObjects)
			fastObjects = fast
			r, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			tags, err := r.ModelTags("m")
			if err != nil {
				t.Fatal(err)
			}
			var got, peeled []string
			for _, tag := range tags {
				got = append(got, tag.Name)
				c, err := r.Peel(tag)
				if err != nil {
					t.Fatal(err)
				}
				peeled = append(peeled, c.Hash)
			}
			// git rev-parse of every tag at once.
			var args []string
			for _, name := range got {
				args = append(args, "refs/tags/"+name+"^{commit}")
			}
			if want := strings.Fields(runGit(t, dir, nil, append([]string{"rev-parse"}, args...)...)); !slices.Equal(peeled, want) {
				t.Errorf("the tags peel to\n%v\ngit rev-parse:\n%v", peeled, want)
			}
			if want := modelTagsByParser(names, "m"); !slices.Equal(got, want) {
				t.Errorf("ModelTags(m):\n%q\nparsed one by one:\n%q", got, want)
			}
		})
	}
}

// TestMalformedPackedTag: a tag whose object name in packed-refs is not
// hexadecimal is an error naming packed-refs when it is used, and other
// tags are still read.
func TestMalformedPackedTag(t *testing.T) {
	dir := t.TempDir()
	runGit(t, dir, nil, "init", "-q", "-b", "main")
	runGit(t, dir, nil, "commit", "-q", "--allow-empty", "-m", "one")
	head := strings.TrimSpace(runGit(t, dir, nil, "rev-parse", "HEAD"))
	packed := "# pack-refs with: peeled fully-peeled sorted \n" +
		head + " refs/tags/m-v1.0.0\n" +
		"zz" + head[2:] + " refs/tags/m-v2.0.0\n"
	if err := os.WriteFile(filepath.Join(dir, ".git", "packed-refs"), []byte(packed), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := r.TagCommit("m-v1.0.0"); err != nil || got != head {
		t.Errorf("TagCommit(m-v1.0.0) = %q, %v; want %s", got, err, head)
	}
	_, err = r.ModelTags("m")
	if err == nil || !strings.Contains(err.Error(), `"m-v2.0.0"`) || !strings.Contains(err.Error(), "packed-refs") {
		t.Errorf("ModelTags(m) error = %v; want one naming the tag and packed-refs", err)
	}
}

// FuzzModelVersion holds modelVersion's shortcut to check.ParseIdentifier
// (seeds: testdata/fuzz/FuzzModelVersion): a tag starting with <name>-v is
// a tag of the model, with that version, exactly when ParseIdentifier says
// so.
func FuzzModelVersion(f *testing.F) {
	f.Add("m-v1.0.0", "m")
	f.Add("m-v1.0.0-v2", "m")
	f.Add("a-v1.0.0-b-v2.0.0", "a")
	f.Add("x..y-v1.0.0", "x..y")
	f.Add("m.lock-v1.0.0", "m.lock")
	f.Fuzz(func(t *testing.T, tag, name string) {
		if !strings.HasPrefix(tag, name+"-v") {
			return
		}
		v, ok := modelVersion(tag, name, validModelName(name))
		id, err := check.ParseIdentifier(tag)
		want := err == nil && id.Name == name
		if ok != want {
			t.Fatalf("modelVersion(%q, %q) = %v; ParseIdentifier: %+v, %v", tag, name, ok, id, err)
		}
		if ok && !v.Equal(id.Version) {
			t.Fatalf("modelVersion(%q, %q) = %s; ParseIdentifier: %s", tag, name, v, id.Version)
		}
	})
}
