package gitrepo

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
)

// A partial clone (git clone --filter=blob:none, actions/checkout's
// filter:) leaves objects out and records the remote that promises them,
// remote.<name>.promisor. git fetches a missing object from it when it is
// read; go-git does not, so modelgate asks git to, as git itself does
// (promisor-remote.c: git fetch <remote> --filter=blob:none --stdin with
// the object's hash), then reads the object from the new pack.

// MissingObjectError reports an object a partial clone left out that could
// not be fetched; its text says what to do. It matches
// plumbing.ErrObjectNotFound.
type MissingObjectError struct {
	Hash   string
	Remote string
	reason string // why it could not be fetched, and the fix
}

func (e *MissingObjectError) Error() string {
	return fmt.Sprintf("object %s is not in this partial clone (promisor remote %q) %s", e.Hash[:7], e.Remote, e.reason)
}

// Is makes errors.Is(err, plumbing.ErrObjectNotFound) true.
func (e *MissingObjectError) Is(target error) bool { return target == plumbing.ErrObjectNotFound }

// promisor fetches the objects a partial clone left out.
type promisor struct {
	dir    string // a folder of the repository, where git runs
	remote string
	after  func() // makes go-git see the packs git wrote

	mu    sync.Mutex
	tried map[plumbing.Hash]error
}

// promisorRemote returns the promisor remote of a partial clone, or "".
func promisorRemote(r *git.Repository) string {
	cfg, err := r.Config()
	if err != nil || cfg.Raw == nil {
		return ""
	}
	for _, ss := range cfg.Raw.Section("remote").Subsections {
		if v := strings.ToLower(ss.Options.Get("promisor")); v == "true" || v == "yes" || v == "on" || v == "1" {
			return ss.Name
		}
	}
	return ""
}

// fetch fetches object h from the promisor remote through git, once.
func (p *promisor) fetch(h plumbing.Hash) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err, ok := p.tried[h]; ok {
		return err
	}
	err := p.run(h)
	p.tried[h] = err
	if err == nil {
		p.after()
	}
	return err
}

func (p *promisor) run(h plumbing.Hash) error {
	gitPath, err := exec.LookPath("git")
	if err != nil {
		return &MissingObjectError{Hash: h.String(), Remote: p.remote,
			reason: "and git, which modelgate fetches it with, is not on PATH: install git, or clone without a filter (actions/checkout: drop filter:)"}
	}
	// safe.directory: in the Action's container the workspace belongs to
	// the runner's user, not root, and git would refuse to touch it; the
	// repository is the one the caller named.
	cmd := exec.Command(gitPath, "-C", p.dir, "-c", "safe.directory=*", "-c", "fetch.negotiationAlgorithm=noop", "fetch", p.remote,
		"--no-tags", "--no-write-fetch-head", "--recurse-submodules=no", "--filter=blob:none", "--stdin")
	cmd.Stdin = strings.NewReader(h.String() + "\n")
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return &MissingObjectError{Hash: h.String(), Remote: p.remote,
			reason: fmt.Sprintf("and git could not fetch it (%s); check that the remote is reachable, or clone without a filter (actions/checkout: drop filter:)", lastLine(stderr.String(), err))}
	}
	return nil
}

// credentialsRE matches the user information of a URL, which may hold a
// token.
var credentialsRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]*@`) })

// lastLine returns the last line git wrote, without credentials, or the
// process error.
func lastLine(stderr string, err error) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	line := strings.TrimSpace(lines[len(lines)-1])
	if line == "" {
		return err.Error()
	}
	line = credentialsRE().ReplaceAllString(line, "${1}***@")
	if len(line) > 200 {
		line = line[:200] + "..."
	}
	return fmt.Sprintf("%q", line)
}

// errPartialCloneExtension explains the legacy extensions.partialClone
// setting, which go-git refuses to open.
var errPartialCloneExtension = errors.New("this partial clone names its promisor remote in extensions.partialClone, an older form modelgate cannot open; " +
	"run git config remote.\"$(git config extensions.partialClone)\".promisor true && git config --unset extensions.partialClone")
