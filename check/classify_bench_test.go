package check

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

// BenchmarkClassifyRestructured classifies a large training config whose
// keys all moved (dashes to underscores, a model block under a new parent)
// and whose data section changed: the worst case for rename detection.
// go test ./check -run '^$' -bench ClassifyRestructured -benchmem
func BenchmarkClassifyRestructured(b *testing.B) {
	for _, n := range []int{100, 1000, 4000} {
		var base, head strings.Builder
		base.WriteString("data:\n")
		head.WriteString("data:\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&base, "  source-%d: s3://bucket/a/%d\n", i, i)
			fmt.Fprintf(&head, "  source-%d: s3://bucket/b/%d\n", i, i)
		}
		head.WriteString("model:\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&base, "block-%d-width: %d\n", i, i)
			fmt.Fprintf(&head, "  block_%d_width: %d\n", i, i)
		}
		load := func(data string) *Model {
			fsys := fstest.MapFS{"manifest.yaml": {Data: []byte("model: m-v1.0.0\narchitecture: c.yaml\n")}, "c.yaml": {Data: []byte(data)}}
			m, err := Load(fsys, "manifest.yaml")
			if err != nil {
				b.Fatal(err)
			}
			return m
		}
		bm, hm := load(base.String()), load(head.String())
		b.Run(fmt.Sprintf("keys=%d", 2*n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := Classify(nil, bm, hm); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
