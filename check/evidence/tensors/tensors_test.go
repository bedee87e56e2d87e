package tensors

import (
	"encoding/binary"
	"strings"
	"testing"
	"testing/fstest"
)

// options are the formats package check registers, without its tree
// parser: what this package reads on its own.
var options = Options{Formats: []Format{Safetensors, JSON}, MaxFileSize: 16 << 20, MaxDepth: 200}

func TestLoad(t *testing.T) {
	header := `{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}`
	st := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	st = append(append(st, header...), make([]byte, 16)...)
	tests := []struct {
		name, file, data string
		want             string // names=signatures, or the error
	}{
		{"safetensors header", "model.safetensors", string(st), "w=[2, 2] F32"},
		{"index names only", "model.safetensors.index.json", `{"weight_map": {"a": "s1.safetensors", "b": "s2.safetensors"}}`, "a=(present) b=(present)"},
		{"JSON map", "tensors.json", `{"a": {"shape": [3], "dtype": "BF16"}, "b": [4, 5]}`, "a=[3] BF16 b=[4, 5]"},
		{"no format for YAML", "tensors.yaml", "a: [1]\n", "tensors.yaml: no reader for this tensors file"},
		{"LFS pointer without a store", "model.safetensors", "version https://git-lfs.github.com/spec/v1\noid sha256:" + strings.Repeat("a", 64) + "\nsize 10\n",
			"unavailable"},
		{"malformed LFS pointer", "model.safetensors", "version https://git-lfs.github.com/spec/v1\nsize 10\n", "model.safetensors: invalid Git LFS pointer: no oid or size line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, err := Load(fstest.MapFS{tt.file: {Data: []byte(tt.data)}}, tt.file, options)
			var got string
			switch {
			case err != nil:
				got = err.Error()
			case ts.Unavailable != "":
				got = "unavailable"
			default:
				var parts []string
				for i, n := range ts.Names {
					parts = append(parts, n+"="+ts.Sigs[i].Text())
				}
				got = strings.Join(parts, " ")
			}
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if _, err := Load(fstest.MapFS{}, "missing.json", options); err != ErrNotFound {
		t.Errorf("missing file: %v, want ErrNotFound", err)
	}
}

func TestDiff(t *testing.T) {
	base, head := NewSet("t.json", 1, 3), NewSet("t.json", 1, 3)
	base.Add("a", Tensor{Shape: []int64{2}})
	base.Add("b", Tensor{Shape: []int64{2}})
	head.Add("b", Tensor{Shape: []int64{3}})
	head.Add("c", Tensor{})
	if head.Add("c", Tensor{}) {
		t.Error("Add accepted a duplicate name")
	}
	var got []string
	for _, c := range Diff(base, head) {
		got = append(got, map[Kind]string{Added: "added", Removed: "removed", Reshaped: "reshaped"}[c.Kind]+" "+c.Name)
	}
	if want := "reshaped b,added c,removed a"; strings.Join(got, ",") != want {
		t.Errorf("Diff = %q, want %q", strings.Join(got, ","), want)
	}
}

// FuzzLoad feeds arbitrary bytes to the readers: bad input is an error of
// one line naming the file, never a panic. The seed corpus is in
// testdata/fuzz/FuzzLoad.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(`{"weight_map": {"a": "s.safetensors"}}`), false)
	f.Fuzz(func(t *testing.T, data []byte, st bool) {
		name := "tensors.json"
		if st {
			name = "model.safetensors"
		}
		ts, err := Load(fstest.MapFS{name: {Data: data}}, name, options)
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
