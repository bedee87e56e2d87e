package gitrepo

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Builder writes commits and tags into a new repository without needing a
// git identity on the machine; the demo uses it.
type Builder struct {
	dir  string
	repo *git.Repository
	when time.Time
}

// Init creates a repository with branch main in dir.
func Init(dir string) (*Builder, error) {
	r, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")},
	})
	if err != nil {
		return nil, fmt.Errorf("creating a repository in %s: %w", dir, err)
	}
	return &Builder{dir: dir, repo: r, when: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}, nil
}

func (b *Builder) sig() *object.Signature {
	b.when = b.when.Add(time.Hour)
	return &object.Signature{Name: "modelgate demo", Email: "demo@modelgate.invalid", When: b.when}
}

// Commit writes files (path -> content; empty content removes the file) and
// commits them.
func (b *Builder) Commit(msg string, files map[string]string) error {
	wt, err := b.repo.Worktree()
	if err != nil {
		return err
	}
	for name, content := range files {
		full := filepath.Join(b.dir, filepath.FromSlash(name))
		if content == "" {
			if _, err := wt.Remove(name); err != nil {
				return fmt.Errorf("removing %s: %w", name, err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			return err
		}
		if _, err := wt.Add(name); err != nil {
			return fmt.Errorf("adding %s: %w", name, err)
		}
	}
	_, err = wt.Commit(msg, &git.CommitOptions{Author: b.sig()})
	if err != nil {
		return fmt.Errorf("committing %q: %w", msg, err)
	}
	return nil
}

// Tag tags HEAD with an annotated tag.
func (b *Builder) Tag(name string) error {
	head, err := b.repo.Head()
	if err != nil {
		return err
	}
	_, err = b.repo.CreateTag(name, head.Hash(), &git.CreateTagOptions{Tagger: b.sig(), Message: "release " + name})
	return err
}
