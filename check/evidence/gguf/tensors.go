package gguf

import (
	"io"
	"path"
	"strings"

	"github.com/modelgate/modelgate/check/evidence/tensors"
)

// Tensors reads the tensor infos of a .gguf file as the parameter
// signature: names, dims (GGUF's order, innermost first) and ggml types.
// Only the header is read.
var Tensors = tensors.Format{
	Name:  "GGUF tensor infos",
	Match: func(p string, _ []byte) bool { return strings.EqualFold(path.Ext(p), ".gguf") },
	Stream: func(name, file string, r io.Reader, size int64, _ tensors.Options) (*tensors.Set, error) {
		f, err := Read(name, r, size)
		if err != nil {
			return nil, err
		}
		return SetOf(f, file), nil
	},
}

// SetOf returns the tensor infos of a header as the signature of the
// tensors at repository path file.
func SetOf(f *File, file string) *tensors.Set {
	ts := tensors.NewSet(file, 0, len(f.Tensors))
	ts.Quantized = true
	for _, t := range f.Tensors {
		ts.Add(t.Name, tensors.Tensor{Shape: t.Dims, DType: t.TypeName()}) // the reader refused duplicates
	}
	return ts
}
