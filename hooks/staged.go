package hooks

import (
	"context"
	"strings"

	"github.com/modelgate/modelgate/internal/gitrepo"
	"github.com/modelgate/modelgate/internal/snapshot"
)

// stagedIndexKey is the context key of the index stagedPaths read.
type stagedIndexKey struct{}

// stagedIndex is the index of the commit being made, read by modelgate.
type stagedIndex struct {
	repo *gitrepo.Repo
	ix   *gitrepo.Index
}

// gitLocationVars are the variables that move a repository's folders away
// from where modelgate looks; with any of them set the git CLI is asked.
var gitLocationVars = []string{"GIT_DIR", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_WORK_TREE"}

// stagedPaths lists the paths the commit stages, as git diff --cached
// --name-only --no-renames does. It reads the index (GIT_INDEX_FILE when
// git sets it) and HEAD's tree itself, skipping the folders whose cached
// tree has not changed, so a commit that touches no model costs no git
// process; it asks git when the index holds what it does not read (a split
// or sparse index, entries with extended flags), HEAD is unborn, or the
// repository's folders are moved by the environment. The context it
// returns carries the index it read, for indexBlobs.
func stagedPaths(ctx context.Context, e *Env) (context.Context, []string, error) {
	if s, staged, ok := readStaged(e); ok {
		return context.WithValue(ctx, stagedIndexKey{}, s), staged, nil
	}
	names, err := snapshot.Git(ctx, e.Repo, nil, "diff", "--cached", "--name-only", "--no-renames", "-z")
	if err != nil {
		return ctx, nil, err
	}
	return ctx, strings.FieldsFunc(names, func(r rune) bool { return r == 0 }), nil
}

// readStaged is stagedPaths without git; false when it cannot tell.
func readStaged(e *Env) (*stagedIndex, []string, bool) {
	for _, v := range gitLocationVars {
		if e.Getenv(v) != "" {
			return nil, nil, false
		}
	}
	repo, err := gitrepo.Open(e.Repo)
	if err != nil {
		return nil, nil, false
	}
	file := repo.IndexFile(e.Getenv)
	if file == "" {
		return nil, nil, false
	}
	ix, err := gitrepo.ReadIndex(file)
	if err != nil {
		return nil, nil, false
	}
	head, err := repo.Resolve("HEAD")
	if err != nil {
		return nil, nil, false
	}
	staged, err := repo.Staged(ix, head)
	if err != nil {
		return nil, nil, false
	}
	return &stagedIndex{repo: repo, ix: ix}, staged, true
}

// indexBlobs reads the staged content of the named files from the index
// stagedPaths read, when the context carries one, as stagedBlobs does with
// git: a file that is not staged without conflict is absent. It reports
// false when there is no such index or an object cannot be read.
func indexBlobs(ctx context.Context, names []string) (map[string][]byte, bool) {
	s, ok := ctx.Value(stagedIndexKey{}).(*stagedIndex)
	if !ok {
		return nil, false
	}
	blobs := map[string][]byte{}
	for _, n := range names {
		h, ok := s.ix.File(n)
		if !ok {
			continue
		}
		data, err := s.repo.Blob(h)
		if err != nil {
			return nil, false
		}
		blobs[n] = data
	}
	return blobs, true
}
