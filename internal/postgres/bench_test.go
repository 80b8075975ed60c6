package postgres

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flowform/flowform/internal/draft"
)

// BenchmarkSave4KB: saves of a 4 KB spec, each with its revision, from 16
// goroutines on one Store, each goroutine saving its own draft. Reports
// saves/s and the 99th percentile latency of one save.
func BenchmarkSave4KB(b *testing.B) {
	s, _ := open(b)
	ctx := context.Background()
	const workers = 16
	spec := spec4K("bench").Canonical()
	if len(spec) < 4000 {
		b.Fatalf("spec is %d bytes", len(spec))
	}
	keys := make([]string, workers)
	for i := range keys {
		keys[i] = fmt.Sprintf("bench-%d", i)
		if err := s.Create(ctx, draft.Record{Key: keys[i], ViewKey: "v" + keys[i], Version: 1, Region: "cn-shanghai", Spec: spec,
			Author: "a", CreatedAt: fixedNow, UpdatedAt: fixedNow, Kind: draft.KindCreate}); err != nil {
			b.Fatal(err)
		}
	}
	var next atomic.Int64
	lat := make([][]time.Duration, workers)
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			version := int64(1)
			body := slices.Clone(spec)
			for next.Add(1) <= int64(b.N) {
				body[len(body)-2] = byte('a' + version%26) // a different spec each save
				t0 := time.Now()
				err := s.Update(ctx, version, draft.Record{Key: keys[w], Version: version + 1, Region: "cn-shanghai", Spec: body,
					Author: "a", UpdatedAt: fixedNow, Kind: draft.KindEdit})
				lat[w] = append(lat[w], time.Since(t0))
				if err != nil {
					b.Error(err)
					return
				}
				version++
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) > 0 {
		b.ReportMetric(float64(len(all))/elapsed.Seconds(), "saves/s")
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
	}
}
