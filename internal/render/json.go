package render

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/modelgate/modelgate/check"
	inertpkg "github.com/modelgate/modelgate/internal/inert"
)

// JSON writes the report as indented JSON (DESIGN §4): its fields are a
// contract, only ever added to. encoding/json escapes control characters in
// repository strings, package inert what it leaves raw (bidirectional and C1
// controls, "##["), with escapes that decode to the same values.
func JSON(w io.Writer, r *check.Report) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return err
	}
	_, err := w.Write(inertpkg.JSON(b.Bytes()))
	return err
}
