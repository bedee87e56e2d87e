package gitrepo

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/modelgate/modelgate/check"
)

// bigSafetensors returns a safetensors file of size bytes: a header naming
// one U8 tensor that fills the rest.
func bigSafetensors(size int) []byte {
	header := `{"w":{"dtype":"U8","shape":[N],"data_offsets":[0,N]}}`
	pad := func(h string) string {
		for len(h)%8 != 0 {
			h += " "
		}
		return h
	}
	n := size - 8 - len(pad(header))
	for {
		h := pad(strings.ReplaceAll(header, "N", itoa(n)))
		if 8+len(h)+n == size {
			header = h
			break
		}
		n--
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	out = append(out, header...)
	return append(out, make([]byte, n)...)
}

func itoa(n int) string {
	s := ""
	for {
		s = string(rune('0'+n%10)) + s
		if n /= 10; n == 0 {
			return s
		}
	}
}

// bigRepo commits a 20 MiB model.safetensors; packed runs git gc on it.
// bigBlob is the size of the weights file of bigRepo: more than any
// reader reads of a file (check.MaxReadSize).
const bigBlob = check.MaxReadSize + 4<<20

func bigRepo(t testing.TB, packed bool) *Repo {
	t.Helper()
	dir := t.TempDir()
	b, err := Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Commit("weights", map[string]string{"manifest.yaml": "model: m-v1.0.0\ntensors: model.safetensors\n",
		"model.safetensors": string(bigSafetensors(bigBlob))}); err != nil {
		t.Fatal(err)
	}
	if packed {
		if _, err := exec.LookPath("git"); err != nil {
			t.Fatal("these tests build repositories with the git CLI: install git")
		}
		if out, err := exec.Command("git", "-C", dir, "gc", "-q").CombinedOutput(); err != nil {
			t.Fatalf("git gc: %v: %s", err, out)
		}
		if packs, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "*.pack")); len(packs) == 0 {
			t.Fatal("git gc wrote no pack")
		}
	}
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func headFS(t testing.TB, r *Repo) fs.FS {
	t.Helper()
	c, err := r.Resolve("HEAD")
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := r.FS(c)
	if err != nil {
		t.Fatal(err)
	}
	return fsys
}

// TestLargeBlob reads the safetensors header at the start of a 68 MiB blob,
// loose and packed, while a full read of it is refused: fs.ReadFile past
// check.MaxFileSize, a stream past check.MaxReadSize.
func TestLargeBlob(t *testing.T) {
	for _, packed := range []bool{false, true} {
		name := map[bool]string{false: "loose", true: "packed"}[packed]
		t.Run(name, func(t *testing.T) {
			fsys := headFS(t, bigRepo(t, packed))
			m, err := check.Load(fsys, "manifest.yaml")
			if err != nil {
				t.Fatalf("loading the header of a 68 MiB blob: %v", err)
			}
			if len(m.Tensors.Names) != 1 || m.Tensors.Sigs[0].Text() != "[71303088] U8" {
				t.Errorf("tensors %v %v", m.Tensors.Names, m.Tensors.Sigs)
			}

			_, err = fs.ReadFile(fsys, "model.safetensors")
			if want := "file is 71303168 bytes, more than the 16777216 modelgate reads"; err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("fs.ReadFile: %v, want %q", err, want)
			}

			f, err := fsys.Open("model.safetensors")
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			n, err := io.Copy(io.Discard, f)
			if n != check.MaxReadSize || err == nil || !strings.Contains(err.Error(), "file is 71303168 bytes, more than the 67108864 modelgate reads") {
				t.Errorf("reading on: %d bytes, %v; want %d bytes then the size error", n, err, check.MaxReadSize)
			}
		})
	}
}

// TestDeltaBlobPrefix reads blobs that git gc stored as deltas: go-git's
// streaming of delta objects returns wrong bytes for such files (a sorted
// tensor index with lines added, removed and changed), so they must be
// read the ordinary way.
func TestDeltaBlobPrefix(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("these tests build repositories with the git CLI: install git")
	}
	dir := t.TempDir()
	b, err := Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	// A DeepSeek-V3-scale index, as testdata/bench/tensors.sh writes it: at
	// head experts 256-257 are added to layers 10-19, expert 255 dropped
	// from layers 60-67 and 400 tensors moved to another shard.
	index := func(head bool) string {
		var lines []string
		n, moved := 0, 0
		add := func(name string) {
			shard := n/620 + 1
			if head && strings.HasPrefix(name, "model.layers.40.mlp.experts.") && moved < 400 {
				shard, moved = 163, moved+1
			}
			lines = append(lines, fmt.Sprintf("    %q: \"model-%05d-of-000163.safetensors\"", name, shard))
			n++
		}
		proj := []string{"gate_proj", "up_proj", "down_proj"}
		add("model.embed_tokens.weight")
		for l := range 68 {
			p := fmt.Sprintf("model.layers.%d.", l)
			for _, w := range []string{"input_layernorm.weight", "post_attention_layernorm.weight", "self_attn.q_a_layernorm.weight", "self_attn.kv_a_layernorm.weight"} {
				add(p + w)
			}
			for _, a := range []string{"q_a_proj", "q_b_proj", "kv_a_proj_with_mqa", "kv_b_proj", "o_proj"} {
				add(p + "self_attn." + a + ".weight")
				add(p + "self_attn." + a + ".weight_scale_inv")
			}
			if l < 3 {
				for _, w := range proj {
					add(p + "mlp." + w + ".weight")
					add(p + "mlp." + w + ".weight_scale_inv")
				}
				continue
			}
			add(p + "mlp.gate.weight")
			add(p + "mlp.gate.e_score_correction_bias")
			top := 256
			if head && l >= 10 && l < 20 {
				top = 258
			}
			for e := range top {
				if head && e == 255 && l >= 60 {
					continue
				}
				for _, w := range proj {
					add(fmt.Sprintf("%smlp.experts.%d.%s.weight", p, e, w))
					add(fmt.Sprintf("%smlp.experts.%d.%s.weight_scale_inv", p, e, w))
				}
			}
			for _, w := range proj {
				add(p + "mlp.shared_experts." + w + ".weight")
				add(p + "mlp.shared_experts." + w + ".weight_scale_inv")
			}
		}
		add("model.norm.weight")
		add("lm_head.weight")
		sort.Strings(lines)
		return "{\n  \"metadata\": {\n    \"total_size\": 688586727753\n  },\n  \"weight_map\": {\n" + strings.Join(lines, ",\n") + "\n  }\n}\n"
	}
	for i, v := range []string{index(false), index(true)} {
		if err := b.Commit("index", map[string]string{"index.json": v}); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if err := b.Tag("v1"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if out, err := exec.Command("git", "-C", dir, "gc", "-q").CombinedOutput(); err != nil {
		t.Fatalf("git gc: %v: %s", err, out)
	}
	packs, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "*.idx"))
	out, err := exec.Command("git", "-C", dir, "verify-pack", "-v", packs[0]).CombinedOutput()
	if err != nil {
		t.Fatalf("git verify-pack: %v: %s", err, out)
	}
	if !strings.Contains(string(out), "chain length = 1") {
		t.Fatalf("git gc stored no blob as a delta:\n%s", out)
	}
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for rev, want := range map[string]string{"v1": index(false), "HEAD": index(true)} {
		c, err := r.Resolve(rev)
		if err != nil {
			t.Fatal(err)
		}
		fsys, err := r.FS(c)
		if err != nil {
			t.Fatal(err)
		}
		f, err := fsys.Open("index.json")
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", rev, err)
		}
		if string(got) != want {
			t.Errorf("%s: the blob read differs from the one committed", rev)
		}
	}
}

// BenchmarkLargeBlobHeader reads the first kilobyte of a packed 20 MiB blob:
// the bytes allocated per read show the blob is streamed, not inflated whole.
func BenchmarkLargeBlobHeader(b *testing.B) {
	fsys := headFS(b, bigRepo(b, true))
	buf := make([]byte, 1024)
	b.ReportAllocs()
	for b.Loop() {
		f, err := fsys.Open("model.safetensors")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(f, buf); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}

// TestCommonDir finds the Git LFS store of a linked worktree in the main
// repository's git folder.
func TestCommonDir(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("these tests build repositories with the git CLI: install git")
	}
	dir := t.TempDir()
	b, err := Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Commit("first", map[string]string{"a": "a"}); err != nil {
		t.Fatal(err)
	}
	wt := filepath.Join(t.TempDir(), "wt")
	if out, err := exec.Command("git", "-C", dir, "worktree", "add", "-q", wt).CombinedOutput(); err != nil {
		t.Fatalf("git worktree add: %v: %s", err, out)
	}
	for _, d := range []string{dir, wt, filepath.Join(wt, ".")} {
		r, err := Open(d)
		if err != nil {
			t.Fatal(err)
		}
		got, want := r.CommonDir(), filepath.Join(dir, ".git")
		if ev, err := filepath.EvalSymlinks(got); err == nil {
			got = ev
		}
		if ev, err := filepath.EvalSymlinks(want); err == nil {
			want = ev
		}
		if got != want {
			t.Errorf("CommonDir from %s = %s, want %s", d, got, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ".git", "worktrees")); errors.Is(err, fs.ErrNotExist) {
		t.Error("no linked worktree was made")
	}
}
