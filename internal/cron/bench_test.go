package cron

import (
	"testing"
	"time"
)

// BenchmarkParse measures a parse that misses the cache.
func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parse("00 00-59/15 08-18 * * ?"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNext10(b *testing.B) {
	e := mustParse(b, "00 30 02 * * ?")
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, shanghai)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Next(Query{Location: shanghai, Now: now, Count: 10}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNext10DST(b *testing.B) {
	ny, _, _ := LoadZone("America/New_York")
	e := mustParse(b, "00 00-59/15 * * * ?")
	now := time.Date(2025, 3, 9, 0, 0, 0, 0, ny)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Next(Query{Location: ny, Now: now, Count: 10}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDescribeCycle(b *testing.B) {
	e := mustParse(b, "00 00 09 ? * 1,5")
	b.ReportAllocs()
	for b.Loop() {
		_ = e.Describe()
	}
}

func BenchmarkDescribeCustom(b *testing.B) {
	e := mustParse(b, "00 00 09 ? * 5L")
	b.ReportAllocs()
	for b.Loop() {
		_ = e.Describe()
	}
}
