package evidence

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

func pointer(content string) (ptr, object string) {
	sum := sha256.Sum256([]byte(content))
	oid := hex.EncodeToString(sum[:])
	return fmt.Sprintf("version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %d\n", oid, len(content)),
		oid[0:2] + "/" + oid[2:4] + "/" + oid
}

func TestReadFile(t *testing.T) {
	const tok = `{"model": {"vocab": {"a": 0}}}`
	ptr, obj := pointer(tok)
	lying := strings.Replace(ptr, fmt.Sprintf("size %d", len(tok)), "size 3", 1)
	repo := fstest.MapFS{
		"plain.json":    {Data: []byte(tok)},
		"lfs.json":      {Data: []byte(ptr)},
		"lying.json":    {Data: []byte(lying)},
		"bad.json":      {Data: []byte("version https://git-lfs.github.com/spec/v1\noid md5:00\nsize 1\n")},
		"big.json":      {Data: []byte(strings.Repeat(" ", 100))},
		"folder/x.json": {Data: []byte("{}")},
	}
	store := fstest.MapFS{obj: {Data: []byte(tok)}}
	cases := []struct {
		name, path string
		store      fs.FS
		limit      int64
		want       string // Text, "unavailable: ..." or "error: ..."
	}{
		{"a plain file", "plain.json", nil, 1 << 20, tok},
		{"an LFS pointer, object fetched", "lfs.json", store, 1 << 20, "lfs " + tok},
		{"an LFS pointer, no store", "lfs.json", nil, 1 << 20, "unavailable: lfs.json is a Git LFS pointer and its object sha256:" + obj[6:18] + "… is not in the local LFS store (.git/lfs/objects)"},
		{"an LFS pointer, object missing", "lfs.json", fstest.MapFS{}, 1 << 20, "unavailable: lfs.json is a Git LFS pointer and its object sha256:" + obj[6:18] + "… is not in the local LFS store (.git/lfs/objects)"},
		{"an LFS object of another size", "lying.json", store, 1 << 20, "error: lying.json (Git LFS object " + obj[6:18] + "…): the object is 30 bytes but the pointer says 3: an incomplete download; run git lfs fetch again"},
		{"a malformed pointer", "bad.json", store, 1 << 20, `error: bad.json: invalid Git LFS pointer: oid "md5:00"; want sha256:<64 hex digits>`},
		{"over the limit", "big.json", nil, 99, "error: big.json: file too large: 100 bytes, more than the 99 modelgate reads"},
		{"an LFS object over the limit", "lfs.json", store, 29, "error: lfs.json (Git LFS object " + obj[6:18] + "…): file too large: 30 bytes, more than the 29 modelgate reads"},
		{"a folder", "folder", nil, 1 << 20, "error: folder: is a folder, not a file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := ReadFile(repo, c.path, c.store, c.limit)
			var got string
			switch {
			case err != nil:
				got = "error: " + err.Error()
			case f.Unavailable != "":
				got = "unavailable: " + f.Unavailable
			case f.LFS:
				got = "lfs " + f.Text
			default:
				got = f.Text
			}
			if got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
	if _, err := ReadFile(repo, "missing.json", nil, 1<<20); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: %v, want fs.ErrNotExist", err)
	}
}
