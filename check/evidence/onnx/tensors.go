package onnx

import (
	"io"
	"path"
	"strings"

	"github.com/modelgate/modelgate/check/evidence/tensors"
	"github.com/modelgate/modelgate/internal/excerpt"
)

// Tensors reads the initializers of a .onnx model as the parameter
// signature: names, dims and data types. The tensor bytes are skipped.
var Tensors = tensors.Format{
	Name:  "ONNX initializers",
	Match: func(p string, _ []byte) bool { return strings.EqualFold(path.Ext(p), ".onnx") },
	Stream: func(name, file string, r io.Reader, size int64, _ tensors.Options) (*tensors.Set, error) {
		m, err := Read(name, r, size)
		if err != nil {
			return nil, err
		}
		return SetOf(m, name, file)
	},
}

// SetOf returns the initializers of a model as the signature of the
// tensors at repository path file; name names the file in errors.
func SetOf(m *Model, name, file string) (*tensors.Set, error) {
	ts := tensors.NewSet(file, 0, len(m.Initializers))
	for _, t := range m.Initializers {
		dims := t.Dims
		if dims == nil {
			dims = []int64{} // a scalar
		}
		if !ts.Add(t.Name, tensors.Tensor{Shape: dims, DType: DataType(t.DataType)}) {
			return nil, errorf(name, "initializer %s appears twice; ONNX names each initializer once", excerpt.Quote(t.Name))
		}
	}
	return ts, nil
}
