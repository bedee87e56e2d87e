package gitrepo

import (
	"context"
	"slices"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/storage/memory"
)

// FuzzDiffTrees diffs two arbitrary tree objects (seeds: real trees in
// testdata/fuzz/FuzzDiffTrees): parsing never panics, and the paths that
// differ are the same whichever side comes first.
func FuzzDiffTrees(f *testing.F) {
	f.Add([]byte("100644 a\x00aaaaaaaaaaaaaaaaaaaa40000 d\x00dddddddddddddddddddd"), []byte("100644 a\x00bbbbbbbbbbbbbbbbbbbb100644 d\x00dddddddddddddddddddd"))
	f.Add([]byte("100644 b\x00aaaaaaaaaaaaaaaaaaaa100644 a\x00aaaaaaaaaaaaaaaaaaaa"), []byte(""))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		st := memory.NewStorage()
		put := func(data []byte) plumbing.Hash {
			o := st.NewEncodedObject()
			o.SetType(plumbing.TreeObject)
			w, _ := o.Writer()
			w.Write(data)
			w.Close()
			h, err := st.SetEncodedObject(o)
			if err != nil {
				t.Fatal(err)
			}
			return h
		}
		ha, hb := put(a), put(b)
		repo, err := git.Init(st, nil)
		if err != nil {
			t.Fatal(err)
		}
		r := &Repo{repo: repo}
		var ab, ba []string
		errAB := r.diffTrees(context.Background(), ha, hb, "", &ab)
		errBA := r.diffTrees(context.Background(), hb, ha, "", &ba)
		if errAB != nil || errBA != nil {
			return
		}
		slices.Sort(ab)
		slices.Sort(ba)
		if !slices.Equal(ab, ba) {
			t.Fatalf("a..b %q, b..a %q", ab, ba)
		}
	})
}
