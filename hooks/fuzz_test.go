package hooks

import (
	"strings"
	"testing"

	"github.com/modelgate/modelgate/check"
)

// FuzzPushTargets feeds pre-push stdin parsing arbitrary input: it must
// never panic, and every target it returns must come from a well-formed
// line: a release tag that parses as an identifier, or a branch.
func FuzzPushTargets(f *testing.F) {
	f.Add("refs/tags/lite-llm-base-v2.0.0 1111111111111111111111111111111111111111 refs/tags/lite-llm-base-v2.0.0 0000000000000000000000000000000000000000\n")
	f.Add("refs/heads/main abc refs/heads/main def\n(delete) 0000 refs/heads/x abc\n")
	f.Add("")
	f.Add("\n\n  \t\n")
	f.Fuzz(func(t *testing.T, stdin string) {
		targets, err := pushTargets(strings.NewReader(stdin))
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error on more than one line: %q", err)
			}
			return
		}
		for _, tg := range targets {
			if tg.oid == "" || strings.ContainsAny(tg.oid, " \t\n") || !strings.Contains(stdin, tg.oid) {
				t.Fatalf("target oid %q not a field of the input", tg.oid)
			}
			switch {
			case strings.HasPrefix(tg.what, "tag "):
				id, err := check.ParseIdentifier(tg.version)
				if err != nil || id.Name != tg.model {
					t.Fatalf("tag target %+v: %v", tg, err)
				}
			case strings.HasPrefix(tg.what, "branch "):
			default:
				t.Fatalf("target %+v is neither a tag nor a branch", tg)
			}
		}
	})
}
