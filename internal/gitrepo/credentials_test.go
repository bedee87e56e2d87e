package gitrepo

import "testing"

func TestCredentialsGoOnlyToTheirServer(t *testing.T) {
	c := Credentials{Token: "ghs_t0ken", Server: "https://github.com"}
	for remote, want := range map[string]bool{
		"https://github.com/acme/models.git":      true,
		"https://GitHub.com/acme/models":          true,
		"http://github.com/acme/models.git":       false, // not over plain HTTP
		"https://github.com:8443/acme/models.git": false,
		"https://github.com.evil.test/acme/m.git": false,
		"https://huggingface.co/acme/models":      false,
		"git@github.com:acme/models.git":          false, // ssh has its own keys
		"ssh://git@github.com/acme/models.git":    false,
		"file:///srv/git/models.git":              false,
		"/srv/git/models.git":                     false,
		"":                                        false,
	} {
		if got := c.authFor(remote) != nil; got != want {
			t.Errorf("%q: token sent %v, want %v", remote, got, want)
		}
	}
	if (Credentials{Server: "https://github.com"}).authFor("https://github.com/a/b") != nil {
		t.Error("an empty token was sent")
	}
	if (Credentials{Token: "t"}).authFor("https://github.com/a/b") != nil {
		t.Error("a token without a server was sent")
	}
}
