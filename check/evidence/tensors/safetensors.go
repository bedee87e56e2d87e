package tensors

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/modelgate/modelgate/internal/fsutil"
)

// Safetensors reads the header of a .safetensors file: an 8-byte
// little-endian length N, then N bytes of JSON naming each tensor's dtype,
// shape and data offsets. Only those 8+N bytes are read, never the tensor
// data.
var Safetensors = Format{
	Name:   "safetensors header",
	Match:  func(p string, _ []byte) bool { return IsSafetensors(p) },
	Stream: readSafetensors,
}

// IsSafetensors reports whether a file name is a .safetensors file.
func IsSafetensors(name string) bool {
	return strings.EqualFold(path.Ext(name), ".safetensors")
}

// readSafetensors reads the header of a .safetensors file of size bytes from
// r. name names the file in errors; file is the repository path reported in
// findings.
func readSafetensors(name, file string, r io.Reader, size int64, opts Options) (*Set, error) {
	// The 8-byte length prefix and the header together stay within the bytes
	// modelgate reads of any file.
	maxHeader := uint64(opts.MaxFileSize - 8)
	if size < 8 {
		return nil, fmt.Errorf("%s: %d bytes, too short for a safetensors file (an 8-byte header length, then the JSON header)", name, size)
	}
	var lenBuf [8]byte
	if _, err := io.ReadFull(r, lenBuf[:]); err != nil {
		return nil, fmt.Errorf("%s: reading the safetensors header length: %w", name, fsutil.UnwrapPath(err))
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	switch {
	case n > uint64(size-8):
		return nil, fmt.Errorf("%s: safetensors header length %d is more than the %d bytes that follow it: the file is truncated or not a safetensors file", name, n, size-8)
	case n > maxHeader:
		return nil, fmt.Errorf("%s: safetensors header of %d bytes, more than the %d modelgate reads", name, n, maxHeader)
	case n < 2:
		return nil, fmt.Errorf("%s: safetensors header length %d is too short for a JSON header", name, n)
	}
	header := make([]byte, n)
	if got, err := io.ReadFull(r, header); err != nil {
		return nil, fmt.Errorf("%s: the safetensors header ends after %d of %d bytes: %w", name, got, n, fsutil.UnwrapPath(err))
	}
	// The format pads the header with spaces to an 8-byte boundary.
	header = bytes.TrimRight(header, " \x00")
	if len(header) == 0 || header[0] != '{' {
		return nil, fmt.Errorf("%s: the safetensors header is not a JSON object: the file is corrupt or not a safetensors file", name)
	}
	ts, err := scanJSON(name, header, size-8-int64(n), opts)
	if err != nil {
		return nil, err
	}
	ts.File, ts.Line = file, 0
	for i := range ts.Sigs {
		ts.Sigs[i].Line = 0
	}
	return ts, nil
}
