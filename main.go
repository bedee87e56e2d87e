// Command modelgate gates releases of machine-learning models: it diffs a
// model's checkpoint manifest and architecture config between two git refs,
// infers the semantic-version bump the changes require, and fails when the
// declared version is too small or the release notes are missing.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/modelgate/modelgate/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
