package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/modelgate/modelgate/internal/cli"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"modelgate": func() {
			os.Exit(cli.Run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
		},
	})
}

// TestScripts runs the end-to-end scripts in testdata/script. Each builds real
// git repositories with the git CLI and runs the modelgate binary on them.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			home := filepath.Join(env.WorkDir, ".home")
			if err := os.MkdirAll(home, 0o755); err != nil {
				return err
			}
			for k, v := range map[string]string{
				"HOME":                home,
				"GIT_CONFIG_NOSYSTEM": "1",
				"GIT_AUTHOR_NAME":     "Model Maintainer",
				"GIT_AUTHOR_EMAIL":    "maintainer@example.invalid",
				"GIT_COMMITTER_NAME":  "Model Maintainer",
				"GIT_COMMITTER_EMAIL": "maintainer@example.invalid",
				"GIT_AUTHOR_DATE":     "2026-01-01T00:00:00Z",
				"GIT_COMMITTER_DATE":  "2026-01-01T00:00:00Z",
			} {
				env.Setenv(k, v)
			}
			return os.WriteFile(filepath.Join(home, ".gitconfig"),
				[]byte("[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n[protocol \"file\"]\n\tallow = always\n"), 0o644)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"json": cmdJSON,
		},
	})
}

// cmdJSON asserts on a field of a JSON document:
//
//	json stdout|FILE PATH VALUE
//
// PATH is dotted, with numbers indexing lists (models.0.findings.1.rule);
// VALUE is compared with the field encoded as JSON, or with the bare string
// for strings. "json FILE PATH #N" asserts a list's length.
func cmdJSON(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: json stdout|FILE PATH VALUE")
	}
	var data string
	if args[0] == "stdout" {
		data = ts.ReadFile("stdout")
	} else {
		data = ts.ReadFile(args[0])
	}
	var v any
	if err := json.Unmarshal([]byte(data), &v); err != nil {
		ts.Fatalf("%s is not JSON: %v", args[0], err)
	}
	for _, step := range strings.Split(args[1], ".") {
		switch t := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = t[step]; !ok {
				if neg {
					return
				}
				ts.Fatalf("%s: no field %q", args[1], step)
			}
		case []any:
			i, err := strconv.Atoi(step)
			if err != nil || i < 0 || i >= len(t) {
				if neg {
					return
				}
				ts.Fatalf("%s: no element %q in a list of %d", args[1], step, len(t))
			}
			v = t[i]
		default:
			ts.Fatalf("%s: cannot index %T with %q", args[1], v, step)
		}
	}
	var got string
	if n, isLen := strings.CutPrefix(args[2], "#"); isLen {
		list, ok := v.([]any)
		if !ok {
			ts.Fatalf("%s is not a list", args[1])
		}
		got, args[2] = strconv.Itoa(len(list)), n
	} else if s, ok := v.(string); ok {
		got = s
	} else {
		b, _ := json.Marshal(v)
		got = string(b)
	}
	if (got == args[2]) == neg {
		ts.Fatalf("%s = %s; want %s%s", args[1], got, map[bool]string{true: "not ", false: ""}[neg], args[2])
	}
}
