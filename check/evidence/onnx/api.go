package onnx

import (
	"fmt"
	"strings"

	"github.com/modelgate/modelgate/check/evidence"
)

// Changes compares the model's interface with base, which must be an ONNX
// model too: each Diff change as an evidence.APIChange whose ID is its
// kind (input-removed, opset-raised, …) and whose Path names what changed:
// inputs.<name>, outputs.<name>, opset_import.<domain>, ir_version. Binary files have no lines.
func (m *Model) Changes(base evidence.API) ([]evidence.APIChange, error) {
	b, ok := base.(*Model)
	if !ok {
		return nil, fmt.Errorf("%s: the baseline's api is not an ONNX model; compare like with like", m.Path)
	}
	var out []evidence.APIChange
	for _, c := range Diff(b, m) {
		p := c.Name
		switch {
		case strings.HasPrefix(c.Kind, "input"):
			p = "inputs." + c.Name
		case strings.HasPrefix(c.Kind, "output"):
			p = "outputs." + c.Name
		case strings.HasPrefix(c.Kind, "opset"):
			p = "opset_import." + c.Name
		case strings.HasPrefix(c.Kind, "ir-"):
			p = "ir_version"
		}
		out = append(out, evidence.APIChange{ID: c.Kind, Path: p, Text: c.Text, File: m.Path})
	}
	return out, nil
}

// File returns the repository path of the model.
func (m *Model) File() string { return m.Path }
