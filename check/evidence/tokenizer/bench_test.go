package tokenizer

import (
	"runtime"
	"sync"
	"testing"
)

// The benchmark's files: a 250,000-token vocabulary and 500,000 merges in
// the ["left", "right"] spelling of tokenizers 0.20 and later, 35 MiB,
// the size of the largest tokenizer.json files published (Gemma 3's is
// 33 MB); the head revision swaps the ids of 50 pairs of tokens (100 ids
// re-numbered).
const (
	benchVocab  = 250_000
	benchMerges = 500_000
)

var benchFiles = sync.OnceValues(func() (string, string) {
	return genTokenizer(genSpec{vocab: benchVocab, merges: benchMerges}),
		genTokenizer(genSpec{vocab: benchVocab, merges: benchMerges, renumber: 50})
})

// BenchmarkReadCompare reads both revisions and compares them, as the
// gate does: go test ./check/evidence/tokenizer -run '^$' -bench . -benchmem
func BenchmarkReadCompare(b *testing.B) {
	base, head := benchFiles()
	b.SetBytes(int64(len(base) + len(head)))
	b.ReportMetric(float64(len(head))/(1<<20), "MiB/file")
	var peak uint64
	for b.Loop() {
		bf, err := Read("tokenizer.json", base)
		if err != nil {
			b.Fatal(err)
		}
		hf, err := Read("tokenizer.json", head)
		if err != nil {
			b.Fatal(err)
		}
		d := Compare(bf, hf)
		if len(d.Renumbered) != 100 || len(d.Added)+len(d.Removed) != 0 || d.Merges.Changed() {
			b.Fatalf("%d renumbered, %d added, %d removed, merges %+v; want 100 renumbered only", len(d.Renumbered), len(d.Added), len(d.Removed), d.Merges)
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
	}
	b.ReportMetric(float64(peak)/(1<<20), "MiB-heap-in-use")
}
