package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

// gcState reads the collector's settings and how many collections ran,
// without changing them.
func gcState() (percent, limit, cycles uint64) {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}, {Name: "/gc/gomemlimit:bytes"}, {Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64(), s[1].Value.Uint64(), s[2].Value.Uint64()
}

var sink []byte

// TestCollectFromHeap: after collectFromHeap no collection runs while the
// heap is small; once the memory reaches the limit one runs, and Go's
// defaults (GOGC=100, no memory limit) are back.
func TestCollectFromHeap(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	defer func() {
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(math.MaxInt64)
	}()
	runtime.GC()
	_, _, before := gcState()
	collectFromHeap(64 << 20)
	// GOGC off (-1) reads as the largest uint64 in runtime/metrics.
	if percent, limit, _ := gcState(); percent != math.MaxUint64 || limit != 64<<20 {
		t.Fatalf("after collectFromHeap: GOGC %d, memory limit %d; want off and %d", percent, limit, 64<<20)
	}
	for range 4 << 10 { // 4 MiB of garbage: what Go's defaults would have collected
		sink = make([]byte, 1<<10)
	}
	if _, _, cycles := gcState(); cycles != before {
		t.Errorf("%d collections with 4 MiB of garbage under a 64 MiB start", cycles-before)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		for range 1 << 10 {
			sink = make([]byte, 64<<10)
		}
		percent, limit, cycles := gcState()
		if percent == 100 && limit == math.MaxInt64 {
			if cycles == before {
				t.Error("the defaults came back without a collection")
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s of garbage: GOGC %d, memory limit %d, %d collections; want 100 and no limit", percent, limit, cycles-before)
		}
		runtime.Gosched()
	}
}
