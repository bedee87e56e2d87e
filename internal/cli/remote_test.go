package cli

import "testing"

func TestParseRemote(t *testing.T) {
	for _, tt := range []struct{ remote, host, owner, name string }{
		{"https://github.com/acme/models.git", "github.com", "acme", "models"},
		{"https://github.com/acme/models", "github.com", "acme", "models"},
		{"https://github.com/acme/models/", "github.com", "acme", "models"},
		{"https://x-access-token:t0k@github.com/acme/models.git", "github.com", "acme", "models"},
		{"git@github.com:acme/models.git", "github.com", "acme", "models"},
		{"ssh://git@github.com/acme/models.git", "github.com", "acme", "models"},
		{"ssh://git@ssh.github.com:443/acme/models.git", "github.com", "acme", "models"},
		{"https://ghe.example.com/acme/models", "ghe.example.com", "acme", "models"},
		{"https://huggingface.co/acme/models", "huggingface.co", "acme", "models"},
		{"https://github.com/acme", "github.com", "", ""},
		{"https://github.com/acme/models/tree/main", "github.com", "", ""},
		{"/srv/git/acme/models.git", "", "", ""},
		{"../acme/models", "", "", ""},
		{"./a:b/c", "", "", ""},
		{"file:///srv/git/acme/models.git", "", "", ""},
	} {
		host, owner, name := parseRemote(tt.remote)
		if host != tt.host || owner != tt.owner || name != tt.name {
			t.Errorf("%q: %q %q %q, want %q %q %q", tt.remote, host, owner, name, tt.host, tt.owner, tt.name)
		}
	}
}

func TestGitHubHosts(t *testing.T) {
	for _, tt := range []struct {
		server, api string
		want        []string
	}{
		{"", "", []string{"github.com"}},
		{"https://github.com", "https://api.github.com", []string{"github.com"}},
		{"https://ghe.example.com", "https://ghe.example.com/api/v3", []string{"github.com", "ghe.example.com"}},
		{"", "https://ghe.example.com/api/v3", []string{"github.com", "ghe.example.com"}},
		{"", "https://api.octocorp.ghe.com", []string{"github.com", "octocorp.ghe.com"}},
		{"", "http://127.0.0.1:8080", []string{"github.com"}},
	} {
		t.Setenv("GITHUB_SERVER_URL", tt.server)
		t.Setenv("GITHUB_API_URL", tt.api)
		got := githubHosts()
		if len(got) != len(tt.want) {
			t.Errorf("%q %q: %q, want %q", tt.server, tt.api, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%q %q: %q, want %q", tt.server, tt.api, got, tt.want)
			}
		}
	}
}
