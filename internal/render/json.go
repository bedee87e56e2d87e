package render

import (
	"encoding/json"
	"io"

	"github.com/modelgate/modelgate/check"
)

// JSON writes the report as indented JSON (DESIGN §4): its fields are a
// contract, only ever added to. encoding/json escapes control characters in
// repository strings.
func JSON(w io.Writer, r *check.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
