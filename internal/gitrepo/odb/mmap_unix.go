//go:build unix

package odb

import (
	"os"
	"syscall"
)

// mapFile maps a file read-only into memory. The mapping outlives the file
// descriptor and the file's name: a pack that git gc deletes while it is
// mapped stays readable, with the bytes it had.
func mapFile(f *os.File, size int64) ([]byte, error) {
	if size <= 0 || size != int64(int(size)) {
		return nil, errBadSize
	}
	return syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
}

// unmapFile releases a mapping made by mapFile.
func unmapFile(b []byte) error { return syscall.Munmap(b) }
