package cli

import (
	"os"
	"strings"
	"testing"
)

// TestInitWorkflowIsTheReadmes: modelgate init --workflow writes the
// workflow the README shows under "GitHub Action", which is
// docs/workflows/pull-request.yml, byte for byte.
func TestInitWorkflowIsTheReadmes(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n## GitHub Action\n")
	if !ok {
		t.Fatal("README.md has no \"## GitHub Action\" section")
	}
	_, block, ok := strings.Cut(section, "```yaml\n")
	if !ok {
		t.Fatal("the GitHub Action section has no yaml block")
	}
	block, _, _ = strings.Cut(block, "```\n")
	if block != workflowYAML {
		t.Errorf("the workflow of init differs from the README's:\n%s\nREADME:\n%s", workflowYAML, block)
	}
	file, err := os.ReadFile("../../docs/workflows/pull-request.yml")
	if err != nil {
		t.Fatal(err)
	}
	if string(file) != workflowYAML {
		t.Errorf("the workflow of init differs from docs/workflows/pull-request.yml:\n%s\nfile:\n%s", workflowYAML, file)
	}
}

func TestDefaultName(t *testing.T) {
	cases := []struct {
		folder, nameOrPath, want string
	}{
		{"/src/tiny-chat", "Qwen/Qwen2.5-0.5B", "tiny-chat"},
		{"/src/my model", "org/tiny-chat-7b", "tiny-chat-7b"},
		{"/src/my model", "", "my-model"},
		{"/src/my model", "/home/u/run 3", "my-model"},
		{"/src/.hidden", "", "hidden"},
		{"/src/@@@", "", "model"},
	}
	for _, c := range cases {
		if got := defaultName(c.folder, &detected{nameOrPath: c.nameOrPath}); got != c.want {
			t.Errorf("folder %q, _name_or_path %q: %q, want %q", c.folder, c.nameOrPath, got, c.want)
		}
	}
}
