package check

import (
	"fmt"
	"strings"
)

// modelCard returns the YAML front matter of a model card (a README.md
// that starts with a line "---" and whose metadata ends at the next line
// "---"), parsed, or nil when the card has none. Lines are the file's.
// The prose after it is not read.
func modelCard(file, text string) (*Node, error) {
	text = strings.TrimPrefix(text, "\ufeff")
	first, rest, ok := strings.Cut(text, "\n")
	if !ok || strings.TrimRight(first, " \t\r") != "---" {
		return nil, nil
	}
	// The metadata ends at the first line that is "---" (or YAML's "...").
	end := -1
	for off := len(first) + 1; off < len(text); {
		line, _, _ := strings.Cut(rest, "\n")
		if t := strings.TrimRight(line, " \t\r"); t == "---" || t == "..." {
			end = off
			break
		}
		off += len(line) + 1
		rest = rest[min(len(line)+1, len(rest)):]
	}
	if end < 0 {
		return nil, fmt.Errorf("%s:1: the model card's metadata starts with --- but never ends; close it with a line ---", file)
	}
	// The opening --- is YAML's document marker: the lines stay the file's.
	n, err := Parse(file, []byte(text[:end]))
	if err != nil {
		return nil, err
	}
	switch n.Kind {
	case KindNull:
		return nil, nil
	case KindMap:
		return n, nil
	}
	return nil, fmt.Errorf("%s:%d: the model card's metadata must be YAML keys such as license: mit, not %s", file, n.Pos.Line, kindName(n.Kind))
}

// kindName names a node kind in error messages.
func kindName(k Kind) string {
	return [...]string{"null", "a boolean", "a number", "a string", "a list", "a map"}[k]
}
