package release

import (
	"errors"

	"github.com/google/go-github/v60/github"
)

// Client returns the go-github client the release uses, for other writers
// of the same repository (the action's pull request comment): it talks to
// opts.APIURL (GitHub Enterprise works) with opts.Token and opts.HTTPClient,
// sends the token to the API host and its upload host only, and refuses
// redirects to any other host (RedirectError). Owner and Repo must be set.
func Client(opts Options) (*github.Client, error) { return newClient(opts) }

// Unreachable reports whether err from a Client's call is one that
// repeating the call at once will not cure: the API host could not be
// reached at all (no route, refused connection, unknown name), or it
// redirected to another host and the redirect was refused.
func Unreachable(err error) bool {
	var redirect *RedirectError
	return unreachable(err) || errors.As(err, &redirect)
}
