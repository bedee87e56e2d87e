package main

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/modelgate/modelgate/internal/cli"
	"github.com/modelgate/modelgate/internal/modelfile"
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
			"json":        cmdJSON,
			"safetensors": cmdSafetensors,
			"lfs":         cmdLFS,
			"modelfile":   cmdModelfile,
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
	dec := json.NewDecoder(strings.NewReader(data))
	dec.UseNumber() // numbers as written: exact at any size
	if err := dec.Decode(&v); err != nil {
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
	} else if num, ok := v.(json.Number); ok {
		// Numbers compare by exact value: 3.0e-4 is 0.0003, and
		// 9007199254740993 is not 9007199254740992.
		got = num.String()
		x, ok1 := new(big.Rat).SetString(got)
		y, ok2 := new(big.Rat).SetString(args[2])
		if ok1 && ok2 && x.Cmp(y) == 0 {
			got = args[2]
		}
	} else {
		// Lists and maps as encoding/json writes them from float64s, as
		// the scripts spell them.
		b, _ := json.Marshal(v)
		var f any
		_ = json.Unmarshal(b, &f)
		b, _ = json.Marshal(f)
		got = string(b)
	}
	if (got == args[2]) == neg {
		ts.Fatalf("%s = %s; want %s%s", args[1], got, map[bool]string{true: "not ", false: ""}[neg], args[2])
	}
}

// cmdSafetensors writes a real safetensors file: the 8-byte little-endian
// header length, the JSON header, then the tensor data.
//
//	safetensors [-length N] [-cut N] FILE NAME:DTYPE:SHAPE...
//
// SHAPE is like 4x8 (empty for a scalar). -length writes N as the header
// length instead of the true one (a lying header); -cut keeps only the
// first N bytes of the file (a truncated one).
func cmdSafetensors(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! safetensors")
	}
	length, cut := int64(-1), -1
	for len(args) > 1 && strings.HasPrefix(args[0], "-") {
		n, err := strconv.ParseInt(args[1], 10, 64)
		if err != nil {
			ts.Fatalf("safetensors %s: %v", args[0], err)
		}
		switch args[0] {
		case "-length":
			length = n
		case "-cut":
			cut = int(n)
		default:
			ts.Fatalf("safetensors: unknown flag %s", args[0])
		}
		args = args[2:]
	}
	if len(args) < 1 {
		ts.Fatalf("usage: safetensors [-length N] [-cut N] FILE NAME:DTYPE:SHAPE...")
	}
	size := map[string]int64{"F64": 8, "I64": 8, "F32": 4, "I32": 4, "BF16": 2, "F16": 2, "I8": 1, "U8": 1, "BOOL": 1, "F8_E4M3": 1}
	header := `{"__metadata__":{"format":"pt"}`
	var off int64
	for _, spec := range args[1:] {
		parts := strings.Split(spec, ":")
		if len(parts) != 3 || size[parts[1]] == 0 {
			ts.Fatalf("safetensors: bad tensor %q; want NAME:DTYPE:SHAPE such as w:F32:4x8", spec)
		}
		n := size[parts[1]]
		var dims []string
		if parts[2] != "" {
			dims = strings.Split(parts[2], "x")
		}
		for _, d := range dims {
			v, err := strconv.ParseInt(d, 10, 64)
			if err != nil {
				ts.Fatalf("safetensors: bad shape %q", parts[2])
			}
			n *= v
		}
		header += fmt.Sprintf(`,%q:{"dtype":%q,"shape":[%s],"data_offsets":[%d,%d]}`, parts[0], parts[1], strings.Join(dims, ","), off, off+n)
		off += n
	}
	header += "}"
	for len(header)%8 != 0 {
		header += " "
	}
	if length < 0 {
		length = int64(len(header))
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(length))
	out = append(out, header...)
	for i := int64(0); i < off; i++ {
		out = append(out, byte(i%251))
	}
	if cut >= 0 && cut < len(out) {
		out = out[:cut]
	}
	if err := os.WriteFile(ts.MkAbs(args[0]), out, 0o644); err != nil {
		ts.Fatalf("safetensors: %v", err)
	}
}

// cmdLFS turns a file into a Git LFS pointer, as git lfs does on commit;
// with -store it first puts the file into the local LFS object store,
// .git/lfs/objects/<oid[0:2]>/<oid[2:4]>/<oid>, as git lfs fetch would.
//
//	lfs [-store] FILE
func cmdLFS(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! lfs")
	}
	store := len(args) == 2 && args[0] == "-store"
	if store {
		args = args[1:]
	}
	if len(args) != 1 {
		ts.Fatalf("usage: lfs [-store] FILE")
	}
	data, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	sum := sha256.Sum256(data)
	oid := hex.EncodeToString(sum[:])
	if store {
		dir := ts.MkAbs(filepath.Join(".git", "lfs", "objects", oid[0:2], oid[2:4]))
		ts.Check(os.MkdirAll(dir, 0o755))
		ts.Check(os.WriteFile(filepath.Join(dir, oid), data, 0o644))
	}
	pointer := fmt.Sprintf("version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %d\n", oid, len(data))
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(pointer), 0o644))
}

// cmdModelfile turns spec files into the real GGUF or ONNX files they
// describe, byte by byte (internal/modelfile: "gguf" or "onnx" first, then
// metadata, tensors, inputs, outputs, initializers).
//
//	modelfile FILE...
func cmdModelfile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: modelfile FILE...")
	}
	for _, a := range args {
		data, err := modelfile.Build(ts.ReadFile(a))
		if err != nil {
			ts.Fatalf("modelfile %s: %v", a, err)
		}
		ts.Check(os.WriteFile(ts.MkAbs(a), data, 0o644))
	}
}
