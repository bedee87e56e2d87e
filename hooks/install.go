package hooks

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/modelgate/modelgate/internal/snapshot"
)

// InstallOptions select the hooks to install.
type InstallOptions struct {
	Hooks []string // hook names; empty means pre-commit and pre-push
	// Force installs into a core.hooksPath that points elsewhere than the
	// repository's own hooks folder.
	Force bool
}

// hooksDir asks git for the hooks folder (core.hooksPath, linked worktrees)
// and returns the core.hooksPath setting when it points elsewhere than the
// repository's own hooks folder.
func hooksDir(ctx context.Context, repo string) (dir, configured string, err error) {
	if bare, _ := snapshot.Git(ctx, repo, nil, "rev-parse", "--is-bare-repository"); bare == "true" {
		return "", "", fmt.Errorf("%s is a bare repository: modelgate's hooks gate the commits, tags and pushes made in a working tree, and a bare repository has none; use them in a clone (modelgate check --repo %s runs the gate here)", repo, repo)
	}
	top, err := snapshot.Git(ctx, repo, nil, "rev-parse", "--show-toplevel")
	if err != nil {
		return "", "", fmt.Errorf("%s: not a git working tree: %w", repo, err)
	}
	dir, err = snapshot.Git(ctx, top, nil, "rev-parse", "--git-path", "hooks")
	if err != nil {
		return "", "", err
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(top, dir)
	}
	configured, _ = snapshot.Git(ctx, top, nil, "config", "--get", "core.hooksPath")
	if configured != "" {
		common, err := snapshot.Git(ctx, top, nil, "rev-parse", "--path-format=absolute", "--git-common-dir")
		if err != nil {
			return "", "", err
		}
		if sameDir(dir, filepath.Join(common, "hooks")) {
			configured = ""
		}
	}
	return dir, configured, nil
}

// sameDir reports whether two paths name the same folder.
func sameDir(a, b string) bool {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// Install writes the hook scripts into the repository's hooks folder. A hook
// modelgate did not write is moved to <name>.legacy and chained: it still
// runs first, with the same arguments and input. Installing again updates
// modelgate's scripts and changes nothing else; a script of modelgate's that
// someone edited since is refused, before anything is written.
func Install(ctx context.Context, repo string, opts InstallOptions, out io.Writer) error {
	names := opts.Hooks
	if len(names) == 0 {
		names = []string{"pre-commit", "pre-push"}
	}
	dir, configured, err := hooksDir(ctx, repo)
	if err != nil {
		return err
	}
	if configured != "" && !opts.Force {
		return fmt.Errorf("core.hooksPath is set to %q, so git runs the hooks there (husky, lefthook or a shared folder?); "+
			"call modelgate hook <name> from those hooks (see the README), or pass --force to install into %s", configured, dir)
	}
	// Check every hook before touching any, so a refusal changes nothing.
	for _, name := range names {
		p := filepath.Join(dir, name)
		ours, exists, err := isOurs(p)
		if err != nil {
			return err
		}
		if err := refuseEdited(p, ours, "nothing installed"); err != nil {
			return err
		}
		if exists && !ours {
			if _, err := os.Lstat(p + ".legacy"); err == nil {
				return fmt.Errorf("%s: both %s and %s.legacy exist and neither is modelgate's; merge them by hand first", dir, name, name)
			}
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	for _, name := range names {
		p := filepath.Join(dir, name)
		ours, exists, _ := isOurs(p)
		if exists && !ours {
			if err := os.Rename(p, p+".legacy"); err != nil {
				return fmt.Errorf("moving %s aside: %w", name, err)
			}
			fmt.Fprintf(out, "moved your %s hook to %s.legacy; it still runs first\n", name, name)
		}
		if err := writeScript(p); err != nil {
			return err
		}
		fmt.Fprintf(out, "installed %s\n", p)
	}
	return nil
}

// Uninstall removes the scripts modelgate installed and puts back the hooks
// they replaced. Hooks modelgate did not write are left alone; a script of
// modelgate's that someone edited since is refused, before anything is
// removed.
func Uninstall(ctx context.Context, repo string, out io.Writer) error {
	dir, _, err := hooksDir(ctx, repo)
	if err != nil {
		return err
	}
	for _, name := range Names {
		p := filepath.Join(dir, name)
		ours, _, err := isOurs(p)
		if err != nil {
			return err
		}
		if err := refuseEdited(p, ours, "nothing removed"); err != nil {
			return err
		}
	}
	for _, name := range Names {
		p := filepath.Join(dir, name)
		ours, exists, err := isOurs(p)
		if err != nil {
			return err
		}
		if exists && !ours {
			fmt.Fprintf(out, "left %s alone: modelgate did not write it\n", p)
			continue
		}
		if exists {
			if err := os.Remove(p); err != nil {
				return fmt.Errorf("removing %s: %w", p, err)
			}
			fmt.Fprintf(out, "removed %s\n", p)
		}
		if _, err := os.Lstat(p + ".legacy"); err == nil {
			if err := os.Rename(p+".legacy", p); err != nil {
				return fmt.Errorf("restoring %s: %w", name, err)
			}
			fmt.Fprintf(out, "restored your %s hook\n", name)
		}
	}
	return nil
}

// previousScripts holds the SHA-256 of every hook script an earlier
// modelgate release installed: when Script changes, add the old one's sum
// here, so installing again updates it rather than calling it edited.
var previousScripts = []string{}

// unedited reports whether data is a script modelgate wrote, unchanged:
// the current Script or an earlier release's.
func unedited(data []byte) bool {
	if string(data) == Script {
		return true
	}
	sum := sha256.Sum256(data)
	return slices.Contains(previousScripts, hex.EncodeToString(sum[:]))
}

// refuseEdited refuses to replace or remove a hook of modelgate's that
// someone edited since it was installed: its lines are not modelgate's to
// lose.
func refuseEdited(p string, ours bool, what string) error {
	if !ours {
		return nil
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return fmt.Errorf("reading %s: %w", p, err)
	}
	if unedited(data) {
		return nil
	}
	return fmt.Errorf("%s holds lines modelgate did not write (it was edited since modelgate installed it); %s, so they are kept: "+
		"move your lines to %s.legacy (a hook modelgate runs first) or into your hook manager, delete %s, then run the command again",
		p, what, filepath.Base(p), filepath.Base(p))
}

// isOurs reports whether the hook at p exists and is modelgate's.
func isOurs(p string) (ours, exists bool, err error) {
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, false, nil
	}
	if err != nil {
		return false, true, fmt.Errorf("reading %s: %w", p, err)
	}
	return strings.Contains(string(data), Marker), true, nil
}

func writeScript(p string) error {
	tmp := p + ".modelgate-tmp"
	if err := os.WriteFile(tmp, []byte(Script), 0o755); err != nil {
		return fmt.Errorf("writing %s: %w", p, err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := os.Rename(tmp, p); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", p, err)
	}
	return nil
}
