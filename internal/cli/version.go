package cli

import (
	"context"
	"fmt"
)

const versionUsage = `usage: modelgate version

Print modelgate's version: the one set at build time, or the module version go
install recorded, or devel.
`

func runVersion(_ context.Context, e *env, args []string) int {
	fs := newFlagSet("version")
	if code := parse(fs, versionUsage, args, e); code >= 0 {
		return code
	}
	fmt.Fprintf(e.stdout, "modelgate %s\n", version())
	return ExitPass
}
