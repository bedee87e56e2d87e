//go:build !unix

package odb

import (
	"io"
	"os"
)

// mapFile reads a file whole where memory maps are not available.
func mapFile(f *os.File, size int64) ([]byte, error) {
	if size <= 0 || size != int64(int(size)) {
		return nil, errBadSize
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, err
	}
	return b, nil
}

// unmapFile releases what mapFile returned: nothing to do.
func unmapFile([]byte) error { return nil }
