package gitrepo

import (
	"net/url"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

// Credentials are a token and the one git server it is for.
type Credentials struct {
	Token string
	// Server is the root URL of the git server the token belongs to,
	// GITHUB_SERVER_URL in a workflow (https://github.com). The token is
	// sent only to a remote on this scheme, host and port.
	Server string
}

// authFor returns the authentication to fetch from remoteURL with: the
// token as HTTP basic auth when the remote is on c.Server, nil otherwise.
// A redirect to another host never carries it: go-git drops credentials
// when a redirect leaves the origin.
func (c Credentials) authFor(remoteURL string) transport.AuthMethod {
	if c.Token == "" || c.Server == "" {
		return nil
	}
	server, err := url.Parse(c.Server)
	if err != nil || server.Host == "" {
		return nil
	}
	remote, err := url.Parse(remoteURL)
	if err != nil || remote.Host == "" {
		return nil // scp-like ssh, a path, file://: not the server's HTTP
	}
	same := strings.EqualFold(remote.Scheme, server.Scheme) && strings.EqualFold(remote.Host, server.Host) &&
		(remote.Scheme == "https" || remote.Scheme == "http")
	if !same {
		return nil
	}
	return &githttp.BasicAuth{Username: "x-access-token", Password: c.Token}
}
