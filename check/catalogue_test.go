package check

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestRuleIDsOnlyInCatalogue fails when a rule ID is written as a string
// literal anywhere in the module's code outside the catalogue (rules.go):
// code refers to rules by their variables, so that a typo does not compile
// and a renamed ID changes in one place. Tests may name IDs.
func TestRuleIDsOnlyInCatalogue(t *testing.T) {
	ids := map[string]bool{}
	for _, r := range Rules {
		ids[r.ID] = true
	}
	root := ".."
	fset := token.NewFileSet()
	checked := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && p != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		if filepath.ToSlash(rel) == "check/rules.go" {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, rel, src, 0)
		if err != nil {
			return err
		}
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if s, err := strconv.Unquote(lit.Value); err == nil && ids[s] {
				t.Errorf("%s: rule ID %q written as a literal; refer to the rule's variable in check/rules.go", fset.Position(lit.Pos()), s)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 20 {
		t.Fatalf("checked only %d files from %s: the walk missed the module", checked, root)
	}
}

// TestRuleVariables checks the catalogue itself: IDs are unique kebab-case,
// every finding rule says what its findings mean, every gate rule has a
// level.
func TestRuleVariables(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules {
		switch {
		case seen[r.ID]:
			t.Errorf("rule %q listed twice", r.ID)
		case !ruleIDRE().MatchString(r.ID):
			t.Errorf("rule %q: not kebab-case", r.ID)
		case r.Description == "":
			t.Errorf("rule %q: no description", r.ID)
		case r.Gate && r.Level == "":
			t.Errorf("gate rule %q: no level", r.ID)
		case !r.Gate && r.Reason == "":
			t.Errorf("finding rule %q: no reason", r.ID)
		}
		seen[r.ID] = true
	}
}
