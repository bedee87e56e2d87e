package check

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDomainImports keeps the domain free of the edge (DESIGN §8): nothing
// package check depends on, directly or not, may be git, GitHub, the
// Actions runtime or a renderer.
func TestDomainImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	forbidden := []string{"github.com/go-git/", "github.com/google/go-github/", "github.com/sethvargo/go-githubactions",
		"github.com/modelgate/modelgate/internal/render", "github.com/modelgate/modelgate/internal/action",
		"github.com/modelgate/modelgate/internal/gitrepo", "github.com/modelgate/modelgate/internal/release",
		"github.com/modelgate/modelgate/internal/gate", "github.com/modelgate/modelgate/changelog"}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps listed %d packages: %q", len(deps), deps)
	}
	for _, d := range deps {
		for _, f := range forbidden {
			if strings.HasPrefix(d, f) {
				t.Errorf("package check depends on %s", d)
			}
		}
	}
}
