package odb

import (
	"bufio"
	"compress/zlib"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// loosePath returns where the loose object h would be.
func (db *DB) loosePath(h Hash) string {
	s := h.String()
	return filepath.Join(db.dir, s[:2], s[2:])
}

// readLoose reads a loose object: a zlib stream of "<type> <size>\x00"
// and the content.
func (db *DB) readLoose(h Hash, streamAbove int64) (*Object, error) {
	name := db.loosePath(h)
	data, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if streamAbove > 0 {
		t, size, err := looseHeaderOf(data)
		if err != nil {
			return nil, err
		}
		if size > streamAbove {
			return &Object{Type: t, Size: size, stream: func() (io.ReadCloser, error) { return openLoose(name) }}, nil
		}
	}
	t, content, err := decodeLoose(data)
	if err != nil {
		return nil, err
	}
	return &Object{Type: t, Size: int64(len(content)), Data: content}, nil
}

// looseHeader returns the type and size of a loose object.
func (db *DB) looseHeader(h Hash) (Type, int64, error) {
	f, err := os.Open(db.loosePath(h))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, 0, ErrNotFound
	}
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	zr, err := zlib.NewReader(bufio.NewReaderSize(f, 512))
	if err != nil {
		return 0, 0, corrupt("loose object %s: %v", h, err)
	}
	defer zr.Close()
	return readLooseHeader(zr)
}

func looseHeaderOf(data []byte) (Type, int64, error) {
	z, err := getZ(data)
	if err != nil {
		return 0, 0, err
	}
	defer putZ(z)
	return readLooseHeader(z.zr)
}

// readLooseHeader reads "<type> <size>\x00" one byte at a time, so that
// nothing of the content is consumed.
func readLooseHeader(r io.Reader) (Type, int64, error) {
	var buf [32]byte
	var one [1]byte
	n := 0
	for {
		if _, err := io.ReadFull(r, one[:]); err != nil {
			return 0, 0, corrupt("loose object header: %v", err)
		}
		if one[0] == 0 {
			break
		}
		if n == len(buf) {
			return 0, 0, corrupt("loose object header too long")
		}
		buf[n] = one[0]
		n++
	}
	head := string(buf[:n])
	sp := -1
	for i := 0; i < len(head); i++ {
		if head[i] == ' ' {
			sp = i
			break
		}
	}
	if sp < 0 {
		return 0, 0, corrupt("loose object header %q", head)
	}
	t, ok := parseType(head[:sp])
	size, err := strconv.ParseInt(head[sp+1:], 10, 64)
	if !ok || err != nil || size < 0 || head[sp+1] == '+' || head[sp+1] == '-' {
		return 0, 0, corrupt("loose object header %q", head)
	}
	return t, size, nil
}

// decodeLoose inflates a loose object file whole.
func decodeLoose(data []byte) (Type, []byte, error) {
	z, err := getZ(data)
	if err != nil {
		return 0, nil, err
	}
	defer putZ(z)
	t, size, err := readLooseHeader(z.zr)
	if err != nil {
		return 0, nil, err
	}
	if size > int64(len(data))*maxRatio+64 {
		return 0, nil, corrupt("loose object of %d bytes cannot come from %d compressed bytes", size, len(data))
	}
	out := make([]byte, size)
	if _, err := io.ReadFull(z.zr, out); err != nil {
		return 0, nil, corrupt("loose object: %v", err)
	}
	var one [1]byte
	if n, err := z.zr.Read(one[:]); n != 0 || err != io.EOF {
		return 0, nil, corrupt("loose object longer than its %d bytes, or a bad checksum", size)
	}
	return t, out, nil
}

// openLoose streams the content of a loose object.
func openLoose(name string) (io.ReadCloser, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	zr, err := zlib.NewReader(bufio.NewReader(f))
	if err != nil {
		f.Close()
		return nil, corrupt("loose object: %v", err)
	}
	_, size, err := readLooseHeader(zr)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &looseStream{Reader: io.LimitReader(zr, size), f: f, zr: zr}, nil
}

type looseStream struct {
	io.Reader
	f  *os.File
	zr io.ReadCloser
}

func (s *looseStream) Close() error {
	s.zr.Close()
	return s.f.Close()
}
