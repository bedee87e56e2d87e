package changelog

import (
	"strings"
	"testing"
)

// FuzzUpdateChangelog feeds Keep a Changelog parsing arbitrary files: never
// a panic; an update yields the release's section exactly once, which a
// second update then refuses to add again; errors are one line.
func FuzzUpdateChangelog(f *testing.F) {
	f.Add("# Changelog\n\n## [Unreleased]\n\n### Added\n- a tier\n\n## [2.1.3] - 2026-01-01\n- fix\n\n[unreleased]: https://github.com/acme/m/compare/lite-llm-base-v2.1.3...HEAD\n[2.1.3]: https://github.com/acme/m/releases/tag/lite-llm-base-v2.1.3\n")
	f.Add("# Changelog\r\n\r\n## Unreleased\r\n- x\r\n")
	f.Add("")
	f.Add("## [2.2.0]\n")
	m := report(f, edit("2.1.3", "2.2.0", "routing:", "  - name: long\n    experts: 4\nrouting:"), nil)
	f.Fuzz(func(t *testing.T, text string) {
		out, err := UpdateChangelog(text, m, ChangelogOptions{Date: "2026-11-22"})
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("error on more than one line: %q", err)
			}
			return
		}
		if n := strings.Count(strings.ReplaceAll(out, "\r\n", "\n"), "\n## [2.2.0] - 2026-11-22\n"); n != 1 && !strings.HasPrefix(out, "## [2.2.0] - 2026-11-22\n") {
			t.Fatalf("%d sections for 2.2.0 in:\n%s", n, out)
		}
		if _, err := UpdateChangelog(out, m, ChangelogOptions{Date: "2026-11-23"}); err == nil {
			t.Fatalf("a second update added 2.2.0 again to:\n%s", out)
		}
	})
}
