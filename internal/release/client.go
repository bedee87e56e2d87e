package release

import "github.com/google/go-github/v60/github"

// Client returns the go-github client the release uses, for other writers
// of the same repository (the action's pull request comment): it talks to
// opts.APIURL (GitHub Enterprise works) with opts.Token and opts.HTTPClient.
// Owner and Repo must be set.
func Client(opts Options) (*github.Client, error) { return newClient(opts) }
