// Command genformats writes the model files of testdata/bench/formats.sh:
//
//	genformats gguf FILE VOCAB TENSORS      a GGUF header of VOCAB tokens and TENSORS tensor infos
//	genformats onnx FILE INITS BYTES [OUT]  an ONNX model of INITS initializers holding BYTES of
//	                                        raw_data in all, written sparse (the data are holes);
//	                                        OUT adds a second graph output
//
// It prints nothing; errors go to stderr with exit status 2.
package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/modelgate/modelgate/internal/modelfile"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "genformats:", err)
		os.Exit(2)
	}
}

func atoi(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		fmt.Fprintln(os.Stderr, "genformats: bad number", s)
		os.Exit(2)
	}
	return n
}

func run(args []string) error {
	if len(args) < 4 {
		return fmt.Errorf("usage: genformats gguf FILE VOCAB TENSORS | onnx FILE INITS BYTES [OUT]")
	}
	switch args[0] {
	case "gguf":
		g := modelfile.BenchGGUF(int(atoi(args[2])), int(atoi(args[3])))
		return os.WriteFile(args[1], g.Header(), 0o644)
	case "onnx":
		n, total := atoi(args[2]), atoi(args[3])
		m := &modelfile.ONNX{IR: 8, Producer: "pytorch", ProducerVersion: "2.3.0", Opsets: [][2]string{{"", "17"}},
			Inputs:  []modelfile.ONNXValue{{Name: "input_ids", Elem: 7, Dims: []string{"batch", "seq"}}},
			Outputs: []modelfile.ONNXValue{{Name: "logits", Elem: 1, Dims: []string{"batch", "seq", "32000"}}}}
		if len(args) > 4 {
			m.Outputs = append(m.Outputs, modelfile.ONNXValue{Name: args[4], Elem: 1, Dims: []string{"batch", "seq", "4096"}})
		}
		per := total / n
		for i := int64(0); i < n; i++ {
			m.Inits = append(m.Inits, modelfile.ONNXInit{Name: fmt.Sprintf("layers.%d.w%d", i/10, i%10), Elem: 1, Dims: []int64{per / 4}, RawSize: per})
		}
		f, err := os.Create(args[1])
		if err != nil {
			return err
		}
		size, err := m.WriteSparse(f)
		if err == nil {
			err = f.Truncate(size)
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	}
	return fmt.Errorf("unknown format %q", args[0])
}
