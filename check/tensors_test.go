package check

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/modelgate/modelgate/check/evidence/tensors"
)

// stTensor is a tensor of a safetensors file written by the tests.
type stTensor struct {
	name, dtype string
	shape       []int64
}

var dtypeBytes = map[string]int64{"F64": 8, "I64": 8, "F32": 4, "I32": 4, "BF16": 2, "F16": 2, "I8": 1, "U8": 1, "BOOL": 1, "F8_E4M3": 1}

// safetensorsFile writes a real safetensors file: the 8-byte little-endian
// header length, the JSON header (with __metadata__, padded with spaces to
// 8 bytes, as the reference implementation does), then the tensor data.
func safetensorsFile(tensors ...stTensor) []byte {
	var h strings.Builder
	h.WriteString(`{"__metadata__":{"format":"pt"}`)
	var off int64
	for _, t := range tensors {
		n := dtypeBytes[t.dtype]
		for _, d := range t.shape {
			n *= d
		}
		shape := strings.Trim(strings.Join(strings.Fields(fmt.Sprint(t.shape)), ","), "[]")
		fmt.Fprintf(&h, `,%q:{"dtype":%q,"shape":[%s],"data_offsets":[%d,%d]}`, t.name, t.dtype, shape, off, off+n)
		off += n
	}
	h.WriteString("}")
	header := h.String()
	for len(header)%8 != 0 {
		header += " "
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	out = append(out, header...)
	for i := int64(0); i < off; i++ {
		out = append(out, byte(i%251))
	}
	return out
}

// lfsPointerFor returns the Git LFS pointer of data and where the object
// lives in the LFS store.
func lfsPointerFor(data []byte) (pointer, object string) {
	sum := sha256.Sum256(data)
	oid := hex.EncodeToString(sum[:])
	return fmt.Sprintf("version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %d\n", oid, len(data)),
		oid[0:2] + "/" + oid[2:4] + "/" + oid
}

// hugeFS serves one file that says it is size bytes long: its first bytes
// are head, the rest zeros. It counts the bytes read, to show that the
// tensor data is never read.
type hugeFS struct {
	name string
	head []byte
	size int64
	read *int64
}

func (h hugeFS) Open(name string) (fs.File, error) {
	if name != h.name {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &hugeFile{fs: h}, nil
}

type hugeFile struct {
	fs  hugeFS
	off int64
}

func (f *hugeFile) Stat() (fs.FileInfo, error) { return hugeInfo(f.fs), nil }
func (f *hugeFile) Close() error               { return nil }
func (f *hugeFile) Read(p []byte) (int, error) {
	if f.off >= f.fs.size {
		return 0, io.EOF
	}
	n := int64(len(p))
	n = min(n, f.fs.size-f.off)
	for i := int64(0); i < n; i++ {
		if f.off+i < int64(len(f.fs.head)) {
			p[i] = f.fs.head[f.off+i]
		} else {
			p[i] = 0
		}
	}
	f.off += n
	*f.fs.read += n
	return int(n), nil
}

type hugeInfo hugeFS

func (h hugeInfo) Name() string       { return h.name }
func (h hugeInfo) Size() int64        { return h.size }
func (h hugeInfo) Mode() fs.FileMode  { return 0o444 }
func (h hugeInfo) ModTime() time.Time { return time.Time{} }
func (h hugeInfo) IsDir() bool        { return false }
func (h hugeInfo) Sys() any           { return nil }

// sigs renders a tensor set as "name=signature" lines, in file order.
func sigs(ts *tensors.Set) string {
	var b strings.Builder
	for i, n := range ts.Names {
		fmt.Fprintf(&b, "%s=%s@%d\n", n, ts.Sigs[i].Text(), ts.Sigs[i].Line)
	}
	return b.String()
}

func TestTensorSources(t *testing.T) {
	st := safetensorsFile(stTensor{"embed.weight", "BF16", []int64{8, 4}}, stTensor{"lm_head.weight", "F32", []int64{4, 8}})
	pointer, object := lfsPointerFor(st)
	tests := []struct {
		name     string
		manifest string
		files    map[string]string
		lfs      fs.FS
		want     string // sigs(), or the unavailable reason with "unavailable: "
	}{
		{name: "JSON map name -> {shape, dtype}",
			manifest: "tensors: tensors.json",
			files:    map[string]string{"tensors.json": "{\n  \"a.weight\": {\"shape\": [2, 3], \"dtype\": \"F32\"},\n  \"b.bias\": [3]\n}\n"},
			want:     "a.weight=[2, 3] F32@2\nb.bias=[3]@3\n"},
		{name: "YAML map",
			manifest: "tensors: tensors.yaml",
			files:    map[string]string{"tensors.yaml": "a.weight: {shape: [2, 3], dtype: F32}\nb.bias:\n  shape: [3]\n"},
			want:     "a.weight=[2, 3] F32@1\nb.bias=[3]@2\n"},
		{name: "inline in the manifest",
			manifest: "tensors:\n  a.weight: {shape: [2, 3], dtype: BF16}",
			want:     "a.weight=[2, 3] BF16@3\n"},
		{name: "Hugging Face index: names only",
			manifest: "tensors: model.safetensors.index.json",
			files: map[string]string{"model.safetensors.index.json": "{\n  \"metadata\": {\"total_size\": 96},\n  \"weight_map\": {\n" +
				"    \"embed.weight\": \"model-00001-of-00002.safetensors\",\n    \"lm_head.weight\": \"model-00002-of-00002.safetensors\"\n  }\n}\n"},
			want: "embed.weight=(present)@4\nlm_head.weight=(present)@5\n"},
		{name: "index with unsorted names and escapes",
			manifest: "tensors: index.json",
			files:    map[string]string{"index.json": `{"weight_map": {"z": "a.safetensors", "a\"q": "b.safetensors", "m": "a.safetensors"}}`},
			want:     "z=(present)@1\na\"q=(present)@1\nm=(present)@1\n"},
		{name: "safetensors header",
			manifest: "tensors: model.safetensors",
			files:    map[string]string{"model.safetensors": string(st)},
			want:     "embed.weight=[8, 4] BF16@0\nlm_head.weight=[4, 8] F32@0\n"},
		{name: "LFS pointer with the object in the store",
			manifest: "tensors: model.safetensors",
			files:    map[string]string{"model.safetensors": pointer},
			lfs:      fstest.MapFS{object: {Data: st}},
			want:     "embed.weight=[8, 4] BF16@0\nlm_head.weight=[4, 8] F32@0\n"},
		{name: "LFS pointer without the object",
			manifest: "tensors: model.safetensors",
			files:    map[string]string{"model.safetensors": pointer},
			lfs:      fstest.MapFS{},
			want:     "unavailable: model.safetensors is a Git LFS pointer and its object sha256:" + object[6:18] + "… is not in the local LFS store (.git/lfs/objects)"},
		{name: "LFS pointer without a store",
			manifest: "tensors: model.safetensors",
			files:    map[string]string{"model.safetensors": pointer},
			want:     "unavailable: model.safetensors is a Git LFS pointer and its object sha256:" + object[6:18] + "… is not in the local LFS store (.git/lfs/objects)"},
		{name: "LFS pointer to an index",
			manifest: "tensors: index.json",
			files:    map[string]string{"index.json": lfsPointerOf(`{"weight_map": {"x": "s.safetensors"}}`)},
			lfs:      fstest.MapFS{lfsObjectOf(`{"weight_map": {"x": "s.safetensors"}}`): {Data: []byte(`{"weight_map": {"x": "s.safetensors"}}`)}},
			want:     "x=(present)@1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{"manifest.yaml": {Data: []byte("model: m-v1.0.0\n" + tt.manifest + "\n")}}
			for p, c := range tt.files {
				fsys[p] = &fstest.MapFile{Data: []byte(c)}
			}
			m, err := LoadWith(fsys, "manifest.yaml", LoadOptions{LFS: tt.lfs})
			if err != nil {
				t.Fatalf("LoadWith: %v", err)
			}
			got := sigs(m.Tensors)
			if m.Tensors.Unavailable != "" {
				got = "unavailable: " + m.Tensors.Unavailable
			}
			if got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func lfsPointerOf(s string) string { p, _ := lfsPointerFor([]byte(s)); return p }
func lfsObjectOf(s string) string  { _, o := lfsPointerFor([]byte(s)); return o }

func TestTensorSourceErrors(t *testing.T) {
	st := safetensorsFile(stTensor{"w", "F32", []int64{2, 2}})
	truncated := st[:8+10]
	lying := append(binary.LittleEndian.AppendUint64(nil, 1<<40), st[8:]...)
	pointer, object := lfsPointerFor(st)
	tests := []struct {
		name  string
		file  string // the tensors file
		data  string
		lfs   fs.FS
		error string
	}{
		{"truncated header", "model.safetensors", string(truncated),
			nil, "model.safetensors: safetensors header length 88 is more than the 10 bytes that follow it: the file is truncated or not a safetensors file"},
		{"lying header length", "model.safetensors", string(lying),
			nil, "model.safetensors: safetensors header length 1099511627776 is more than the 104 bytes that follow it"},
		{"shorter than the length prefix", "model.safetensors", "abc",
			nil, "model.safetensors: 3 bytes, too short for a safetensors file"},
		{"header not JSON", "model.safetensors", string(binary.LittleEndian.AppendUint64(nil, 4)) + "abcd",
			nil, "model.safetensors: the safetensors header is not a JSON object"},
		{"broken header JSON", "model.safetensors", string(binary.LittleEndian.AppendUint64(nil, 8)) + `{"w":{]}`,
			nil, "model.safetensors: the safetensors header is not valid JSON"},
		{"data cut short", "model.safetensors", string(st[:len(st)-4]),
			nil, `model.safetensors: tensor "w": data_offsets [0, 16] lie outside the 12 bytes of tensor data: the file is truncated or corrupt`},
		{"header entry without offsets", "model.safetensors", string(binary.LittleEndian.AppendUint64(nil, 32)) + `{"w":{"dtype":"F32","shape":[1]}}`,
			nil, `model.safetensors: tensor "w": want {"dtype", "shape", "data_offsets"}`},
		{"LFS object of another size", "model.safetensors", pointer,
			fstest.MapFS{object: {Data: st[:20]}}, "the object is 20 bytes but the pointer says 112: an incomplete download; run git lfs fetch again"},
		{"LFS object truncated", "model.safetensors", lfsPointerOf(string(truncated)),
			fstest.MapFS{lfsObjectOf(string(truncated)): {Data: truncated}}, "(Git LFS object " + lfsObjectOf(string(truncated))[6:18] + "…): safetensors header length 88 is more than"},
		{"LFS pointer without a valid oid", "model.safetensors", "version https://git-lfs.github.com/spec/v1\noid sha256:xyz\nsize 3\n",
			nil, `model.safetensors: invalid Git LFS pointer: oid "sha256:xyz"`},
		{"JSON entry of the wrong type", "tensors.json", "{\n  \"a\": {\"shape\": [1], \"dtype\": \"F32\"},\n  \"b\": 5\n}",
			nil, `tensors.json:3: tensor "b": want {"shape": [...], "dtype": "..."}, a shape list or a shard file name, not 5`},
		{"negative size", "tensors.json", "{\"a\": {\"shape\": [-1]}}",
			nil, `tensors.json:1: tensor "a": shape must be a list of whole numbers of at least 0`},
		{"duplicate tensor", "tensors.json", "{\n\"a\": [1],\n\"a\": [2]\n}",
			nil, `tensors.json:3: duplicate key "a"; remove one of them`},
		{"weight_map given twice", "index.json", "{\n\"weight_map\": {\"a\": \"s1\"},\n\"weight_map\": {\"b\": \"s2\"}\n}",
			nil, `index.json:3: duplicate key "weight_map"; remove one of them`},
		{"a key twice inside a tensor entry", "tensors.json", "{\n\"a\": {\"shape\": [1],\n \"shape\": [2], \"dtype\": \"F32\"}\n}",
			nil, `tensors.json:3: duplicate key "shape"; remove one of them`},
		{"a key twice inside skipped metadata", "index.json", "{\"metadata\": {\"total_size\": 1,\n\"total_size\": 2}, \"weight_map\": {\"a\": \"s1\"}}",
			nil, `index.json:2: duplicate key "total_size"; remove one of them`},
		{"a key twice in a safetensors header", "model.safetensors", safetensorsHeader(`{"w":{"dtype":"F32","shape":[1],"dtype":"F16","data_offsets":[0,4]}}`, 4),
			nil, `model.safetensors: the safetensors header gives key "dtype" twice: the file is corrupt`},
		{"a tensor twice in a safetensors header", "model.safetensors", safetensorsHeader(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 4),
			nil, `model.safetensors: the safetensors header gives key "w" twice: the file is corrupt`},
		{"broken JSON", "tensors.json", "{\n\"a\": [1],\n\"b\": \n}",
			nil, `tensors.json:4: invalid JSON`},
		{"map entry without a signature", "tensors.yaml", "a: {file: x.bin}\n",
			nil, `tensors.yaml:1: tensor "a": want {shape: [...], dtype: ...}`},
		{"deeply nested", "tensors.json", `{"a": {"shape": [1], "x": ` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}}`,
			nil, `tensors.json:1: nested more than 200 levels deep`},
		{"deeply nested index", "index.json", `{"metadata": ` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `, "weight_map": {}}`,
			nil, `index.json:1: nested more than 200 levels deep`},
		{"weight_map not a map", "index.json", `{"weight_map": ["a"]}`,
			nil, `index.json:1: weight_map must map tensor names to shard files`},
		{"weight_map entry not a file name", "index.json", "{\"weight_map\": {\n\"a\": 3}}",
			nil, `index.json:2: tensor "a": want the name of its shard file, not 3`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{"manifest.yaml": {Data: []byte("model: m-v1.0.0\ntensors: " + tt.file + "\n")},
				tt.file: {Data: []byte(tt.data)}}
			_, err := LoadWith(fsys, "manifest.yaml", LoadOptions{LFS: tt.lfs})
			if err == nil || !strings.Contains(err.Error(), tt.error) {
				t.Errorf("error %v, want %q", err, tt.error)
			}
			if err != nil && strings.Count(err.Error(), "\n") > 0 {
				t.Errorf("error spans several lines: %q", err)
			}
		})
	}
}

// TestSafetensorsReadsOnlyTheHeader reads the header of a file that says it
// is 20 GiB: only the length prefix and the header are read, and a header
// length beyond what modelgate reads is refused without reading it.
func TestSafetensorsReadsOnlyTheHeader(t *testing.T) {
	st := safetensorsFile(stTensor{"w", "F32", []int64{2, 2}})
	n := int64(binary.LittleEndian.Uint64(st))
	var read int64
	big := hugeFS{name: "model.safetensors", head: st[:8+n], size: 20 << 30, read: &read}
	ts, err := loadTensors(big, "model.safetensors", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sigs(ts) != "w=[2, 2] F32@0\n" {
		t.Errorf("tensors %q", sigs(ts))
	}
	if read != 8+n {
		t.Errorf("read %d bytes, want the %d of the length prefix and the header", read, 8+n)
	}

	read = 0
	huge := hugeFS{name: "model.safetensors", head: binary.LittleEndian.AppendUint64(nil, MaxFileSize), size: 20 << 30, read: &read}
	_, err = loadTensors(huge, "model.safetensors", LoadOptions{})
	if want := "model.safetensors: safetensors header of 16777216 bytes, more than the 16777208 modelgate reads"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
	if read != 8 {
		t.Errorf("read %d bytes, want only the 8 of the length prefix", read)
	}
}

// FuzzTensorSources feeds arbitrary bytes to the tensor readers: bad input
// is an error of one line naming the file, never a panic.
func FuzzTensorSources(f *testing.F) {
	f.Add([]byte(`{"weight_map": {"a": "s.safetensors", "b\"": "t"}}`), false)
	f.Add([]byte(`{"a": {"shape": [1, 2], "dtype": "F32"}, "b": [3]}`), false)
	f.Add(safetensorsFile(stTensor{"w", "F32", []int64{2}}), true)
	f.Add([]byte("\x10\x00\x00\x00\x00\x00\x00\x00{\"w\":{\"dtype\":1}}"), true)
	f.Fuzz(func(t *testing.T, data []byte, st bool) {
		name := "tensors.json"
		if st {
			name = "model.safetensors"
		}
		fsys := fstest.MapFS{name: {Data: data}}
		ts, err := loadTensors(fsys, name, LoadOptions{})
		if err != nil {
			if strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), name) {
				t.Errorf("error %q: want one line starting with the file name", err)
			}
			return
		}
		if len(ts.Names) != len(ts.Sigs) {
			t.Errorf("%d names, %d signatures", len(ts.Names), len(ts.Sigs))
		}
	})
}

// safetensorsHeader returns a safetensors file: the 8-byte little-endian
// length of header, header, then data bytes of tensor data.
func safetensorsHeader(header string, data int) string {
	return string(binary.LittleEndian.AppendUint64(nil, uint64(len(header)))) + header + strings.Repeat("\x00", data)
}
