package onnx

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/modelgate/modelgate/internal/modelfile"
)

func build(t testing.TB, spec string) []byte {
	t.Helper()
	b, err := modelfile.Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readerOnly hides Seek: the reader must stream past the weights.
type readerOnly struct{ io.Reader }

func read(data []byte) (*Model, error) {
	return Read("model.onnx", readerOnly{bytes.NewReader(data)}, int64(len(data)))
}

const spec = `onnx ir=8
producer pytorch 2.1.0
opset ai.onnx 17
opset com.microsoft 1
input input_ids int64 batch,seq
input mask bool -
output logits float batch,seq,32000
init embed.weight float 32000,64 raw=4096
init lm_head.weight float16 64,32000 external=weights/lm_head.bin
meta converted_by test
`

func TestRead(t *testing.T) {
	data := build(t, spec)
	for _, seekable := range []bool{false, true} {
		var m *Model
		var err error
		if seekable {
			m, err = Read("model.onnx", bytes.NewReader(data), int64(len(data)))
		} else {
			m, err = read(data)
		}
		if err != nil {
			t.Fatal(err)
		}
		if m.IRVersion != 8 || m.Producer != "pytorch" || m.ProducerVersion != "2.1.0" || len(m.Opsets) != 2 ||
			m.Opsets[0] != (Opset{"", 17}) || m.Opsets[1] != (Opset{"com.microsoft", 1}) {
			t.Errorf("model = %+v", m)
		}
		if len(m.Inputs) != 2 || m.Inputs[0].Name != "input_ids" || m.Inputs[0].Type != "tensor(int64)" || m.Inputs[0].ShapeText() != "[batch, seq]" ||
			m.Inputs[1].ShapeText() != "(any)" || m.Outputs[0].ShapeText() != "[batch, seq, 32000]" || m.Outputs[0].Type != "tensor(float)" {
			t.Errorf("inputs %+v outputs %+v", m.Inputs, m.Outputs)
		}
		if len(m.Initializers) != 2 || m.Initializers[0].Name != "embed.weight" || DataType(m.Initializers[0].DataType) != "float" ||
			m.Initializers[0].DataBytes != 4096 || m.Initializers[1].External != "weights/lm_head.bin" || DataType(m.Initializers[1].DataType) != "float16" {
			t.Errorf("initializers %+v", m.Initializers)
		}
		if len(m.Metadata) != 1 || m.Metadata[0] != [2]string{"converted_by", "test"} {
			t.Errorf("metadata %v", m.Metadata)
		}
		if seekable && m.Read >= m.Size-4096 {
			t.Errorf("seekable: read %d of %d bytes: the raw data was read", m.Read, m.Size)
		}
	}
}

// TestSparseSkip: a model of 64 MiB of raw_data in a sparse file is read
// by seeking, a few kilobytes at most.
func TestSparseSkip(t *testing.T) {
	m := &modelfile.ONNX{Opsets: [][2]string{{"", "17"}}, Outputs: []modelfile.ONNXValue{{Name: "y", Elem: 1, Dims: []string{"1"}}}}
	for i := 0; i < 64; i++ {
		m.Inits = append(m.Inits, modelfile.ONNXInit{Name: "w" + string(rune('a'+i%26)) + strings.Repeat("x", i), Elem: 1, Dims: []int64{1 << 18}, RawSize: 1 << 20})
	}
	p := filepath.Join(t.TempDir(), "big.onnx")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	n, err := m.WriteSparse(f)
	if err == nil {
		err = f.Truncate(n)
	}
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	f, _ = os.Open(p)
	defer f.Close()
	c := &counting{f: f}
	got, err := Read("big.onnx", c, n)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Initializers) != 64 || len(got.Outputs) != 1 || c.n > 512<<10 {
		t.Errorf("%d initializers, %d outputs, read %d of %d bytes", len(got.Initializers), len(got.Outputs), c.n, n)
	}
}

// counting counts the bytes read from a file, seeking through.
type counting struct {
	f *os.File
	n int64
}

func (c *counting) Read(p []byte) (int, error) {
	n, err := c.f.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *counting) Seek(off int64, whence int) (int64, error) { return c.f.Seek(off, whence) }

func TestBadInput(t *testing.T) {
	good := build(t, "onnx\nopset ai.onnx 17\ninput x float 1,3\noutput y float 1\ninit w float 3 raw=8\n")
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"truncated", good[:len(good)-20], "graph (field 7): length 81 is more than the 65 bytes left in the file: it is truncated"},
		{"lying graph length", append([]byte{0x08, 0x08, 0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f}, good[2:]...), "graph (field 7): length 4294967295 is more than the"},
		{"wrong wire type", []byte{0x08, 0x08, 0x38, 0x01}, "graph (field 7) has wire type varint, want length-delimited"},
		{"group wire type", []byte{0x08, 0x08, 0x7b}, "start-group, which ONNX never uses"},
		{"field twice", []byte{0x08, 0x08, 0x08, 0x09}, "ir_version (field 1) appears twice"},
		{"field number zero", []byte{0x00}, "field number 0 is out of range"},
		{"non-UTF-8 name", []byte{0x12, 0x02, 0xff, 0xfe}, "producer_name (field 2) is not UTF-8"},
		{"external data outside", build(t, "onnx\ninit w float 3 external=../../secret.bin\n"), `external data "../../secret.bin": leaves the model's folder`},
		{"absolute external data", build(t, "onnx\ninit w float 3 external=/etc/passwd\n"), "an absolute path"},
		{"input twice", build(t, "onnx\ninput x float 1\ninput x int64 1\n"), `graph.input "x" appears twice; a graph names each once`},
		{"output twice", build(t, "onnx\noutput y float 1\noutput y float16 1\n"), `graph.output "y" appears twice`},
		// graph { input { } }: ONNX requires every graph input and output to be named.
		{"unnamed input", []byte{0x08, 0x08, 0x3a, 0x02, 0x5a, 0x00}, "graph.input[0] has no name; ONNX names every graph input and output"},
		{"unnamed output", []byte{0x08, 0x08, 0x3a, 0x09, 0x62, 0x03, 0x0a, 0x01, 'y', 0x62, 0x02, 0x0a, 0x00}, "graph.output[1] has no name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := read(tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "model.onnx: offset ") || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %v, want one line with %q", err, tt.want)
			}
		})
	}
}

func TestDiff(t *testing.T) {
	base := `onnx ir=8
opset ai.onnx 17
input input_ids int64 batch,seq
input pixel float 1,3,224,224
input scale float 1
output logits float batch,seq,100
output aux float 1
`
	tests := []struct {
		name, head string
		want       []string // kind name
	}{
		{"same", base, nil},
		{"input removed", strings.Replace(base, "input scale float 1\n", "", 1), []string{"input-removed scale"}},
		{"input renamed", strings.Replace(base, "input pixel", "input pixels", 1), []string{"input-renamed pixels"}},
		{"input retyped", strings.Replace(base, "input_ids int64", "input_ids int32", 1), []string{"input-retyped input_ids"}},
		{"fixed dim changed", strings.Replace(base, "1,3,224,224", "1,3,256,256", 1), []string{"input-reshaped pixel"}},
		{"dim made symbolic", strings.Replace(base, "1,3,224,224", "batch,3,224,224", 1), []string{"input-relaxed pixel"}},
		{"symbolic dim renamed", strings.Replace(base, "batch,seq\n", "b,seq\n", 1), []string{"metadata input_ids"}},
		{"input added", base + "input mask bool batch,seq\n", []string{"input-added mask"}},
		{"input added with default", base + "input temperature float 1\ninit temperature float 1\n", []string{"input-added-with-default temperature"}},
		{"output added", base + "output hidden float batch,seq,64\n", []string{"output-added hidden"}},
		{"output removed", strings.Replace(base, "output aux float 1\n", "", 1), []string{"output-removed aux"}},
		{"output retyped", strings.Replace(base, "output aux float", "output aux float16", 1), []string{"output-retyped aux"}},
		{"opset raised", strings.Replace(base, "opset ai.onnx 17", "opset ai.onnx 18", 1), []string{"opset-raised ai.onnx"}},
		{"domain imported", base + "opset com.microsoft 1\n", []string{"opset-raised com.microsoft"}},
		{"opset lowered", strings.Replace(base, "opset ai.onnx 17", "opset ai.onnx 16", 1), []string{"opset-lowered ai.onnx"}},
		{"IR raised", strings.Replace(base, "ir=8", "ir=9", 1), []string{"ir-version-raised "}},
		{"producer and doc", base + "producer torch 2.3\ndoc hello\n", []string{"metadata producer", "metadata doc_string"}},
		{"weights only", base + "data 9\n", nil},
	}
	b, err := read(build(t, base))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := read(build(t, tt.head))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range Diff(b, h) {
				got = append(got, c.Kind+" "+c.Name)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("Diff = %q, want %q", got, tt.want)
			}
		})
	}
	h, _ := read(build(t, strings.Replace(base, "opset ai.onnx 17", "opset ai.onnx 18", 1)))
	if c := Diff(b, h); !strings.Contains(c[0].Text, "runtimes older than ONNX 1.13.0 cannot load it") {
		t.Errorf("opset text %q", c[0].Text)
	}
}

func TestIs(t *testing.T) {
	model := build(t, "onnx\nproducer x 1\n")
	for _, tt := range []struct {
		name string
		head []byte
		want bool
	}{{"m.onnx", nil, true}, {"model.bin", model, true}, {"config.json", []byte("{}"), false}, {"x", []byte{0x08}, false}} {
		if got := Is(tt.name, tt.head); got != tt.want {
			t.Errorf("Is(%q) = %v", tt.name, got)
		}
	}
}

// FuzzRead feeds arbitrary bytes to the reader, streaming and seeking:
// bad input is one error line naming the file and offset, never a panic.
// The seed corpus is in testdata/fuzz/FuzzRead.
func FuzzRead(f *testing.F) {
	f.Add(build(f, strings.Replace(spec, "raw=4096", "raw=8", 1)), false)
	f.Fuzz(func(t *testing.T, data []byte, seek bool) {
		var r io.Reader = bytes.NewReader(data)
		if !seek {
			r = readerOnly{r}
		}
		m, err := Read("model.onnx", r, int64(len(data)))
		if err != nil {
			if strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), "model.onnx: offset ") {
				t.Errorf("error %q: want one line starting with the file name and offset", err)
			}
			return
		}
		if m.Read > int64(len(data)) {
			t.Errorf("read %d bytes of %d", m.Read, len(data))
		}
		_ = Diff(m, m)
	})
}

// BenchmarkReadSparseLFS reads the benchmark model of testdata/bench/formats.sh
// from a file that seeks: 10,000 initializers holding 1 GiB of raw_data
// (holes in a sparse file), skipped by seeking.
func BenchmarkReadSparseLFS(b *testing.B) {
	m := &modelfile.ONNX{Opsets: [][2]string{{"", "17"}}, Outputs: []modelfile.ONNXValue{{Name: "y", Elem: 1, Dims: []string{"1"}}}}
	for i := 0; i < 10000; i++ {
		m.Inits = append(m.Inits, modelfile.ONNXInit{Name: "layers." + strings.Repeat("w", i%7) + string(rune('a'+i%26)) + strconv.Itoa(i), Elem: 1, Dims: []int64{1 << 15}, RawSize: 1 << 17})
	}
	p := filepath.Join(b.TempDir(), "big.onnx")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	n, err := m.WriteSparse(f)
	if err == nil {
		err = f.Truncate(n)
	}
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		f, _ := os.Open(p)
		got, err := Read("big.onnx", f, n)
		f.Close()
		if err != nil || len(got.Initializers) != 10000 {
			b.Fatalf("%v, %d initializers", err, len(got.Initializers))
		}
	}
}
