package odb

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"path/filepath"
	"testing"
)

// The fuzz targets feed every parser of the package arbitrary bytes: none
// may panic or allocate beyond what its input can describe, and what they
// accept must be self-consistent. Seeds are in testdata/fuzz (real files
// written by git 2.39) and below.

func zlibBytes(b []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func FuzzApplyDelta(f *testing.F) {
	f.Add([]byte("hello world"), []byte{11, 6, 0x91, 0, 5, 1, '!'})
	f.Add([]byte(""), []byte{0, 3, 3, 'a', 'b', 'c'})
	f.Add([]byte("abc"), []byte{3, 0, 0})
	f.Add(bytes.Repeat([]byte("x"), 70000), []byte{0xf0, 0xa2, 0x04, 0xf0, 0x80, 0xa2, 0x04, 0x80})
	f.Fuzz(func(t *testing.T, base, delta []byte) {
		out, err := applyDelta(base, delta)
		if err != nil {
			return
		}
		_, n := binary.Uvarint(delta)
		want, _ := binary.Uvarint(delta[n:])
		if uint64(len(out)) != want {
			t.Fatalf("built %d bytes, the delta declares %d", len(out), want)
		}
	})
}

func FuzzParseIndex(f *testing.F) {
	f.Add([]byte("\xfftOc\x00\x00\x00\x02"))
	f.Fuzz(func(t *testing.T, data []byte) {
		x, err := parseIndex(data)
		if err != nil {
			return
		}
		for i := 0; i < x.n; i++ {
			x.offset(i)
			x.find(x.name(i))
		}
	})
}

func FuzzParseEntry(f *testing.F) {
	blob := append([]byte("PACK\x00\x00\x00\x02\x00\x00\x00\x01\x35"), zlibBytes([]byte("hello"))...)
	blob = append(blob, make([]byte, 20)...)
	f.Add(blob, int64(12))
	f.Add([]byte("PACK\x00\x00\x00\x02\x00\x00\x00\x02\x6f\x80\x01"+string(make([]byte, 20))), int64(12))
	f.Fuzz(func(t *testing.T, data []byte, off int64) {
		e, err := parseEntry(data, off)
		if err != nil {
			return
		}
		if e.data <= off || e.data > int64(len(data))-20 {
			t.Fatalf("entry data at %d, outside %d..%d", e.data, off, len(data)-20)
		}
		if e.typ == ofsDelta && (e.baseOff < 12 || e.baseOff >= off) {
			t.Fatalf("delta base at %d for an entry at %d", e.baseOff, off)
		}
		inflate(data[e.data:len(data)-20], e.size)
		inflatePrefix(data[e.data:len(data)-20], 20)
	})
}

func FuzzDecodeLoose(f *testing.F) {
	f.Add(zlibBytes([]byte("blob 5\x00hello")))
	f.Add(zlibBytes([]byte("tree 0\x00")))
	f.Add(zlibBytes([]byte("commit 99999999999\x00x")))
	f.Fuzz(func(t *testing.T, data []byte) {
		typ, content, err := decodeLoose(data)
		if err != nil {
			return
		}
		ht, size, err := looseHeaderOf(data)
		if err != nil || ht != typ || size != int64(len(content)) {
			t.Fatalf("header %s %d %v, content %s %d", ht, size, err, typ, len(content))
		}
	})
}

func FuzzParseGraph(f *testing.F) {
	f.Add([]byte("CGPH\x01\x01\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := ParseGraph(data)
		if err != nil {
			return
		}
		var buf []uint32
		for pos := 0; pos < g.Len(); pos++ {
			c, err := g.Commit(uint32(pos), buf)
			if err != nil {
				continue
			}
			for _, p := range c.Parents {
				if int(p) >= g.Len() {
					t.Fatalf("parent %d of %d commits", p, g.Len())
				}
			}
			buf = c.Parents
			g.Find(g.Hash(uint32(pos)))
		}
	})
}

func FuzzParseMIDX(f *testing.F) {
	f.Add([]byte("MIDX\x01\x01\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseMIDX(data)
		if err != nil {
			return
		}
		for i := 0; i < len(m.oids)/20; i++ {
			pi, _, err := m.entry(i)
			if err == nil && pi >= len(m.names) {
				t.Fatalf("pack %d of %d", pi, len(m.names))
			}
			var h Hash
			copy(h[:], m.oids[i*20:])
			m.find(h)
		}
	})
}

func FuzzParseAlternates(f *testing.F) {
	f.Add([]byte("/srv/git/base.git/objects\n../../other/.git/objects\n# comment\n\"/with\\ttab\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, p := range ParseAlternates("/repo/.git/objects", data) {
			if !filepath.IsAbs(p) || filepath.Clean(p) != p {
				t.Fatalf("alternate %q is not a clean absolute path", p)
			}
		}
	})
}
