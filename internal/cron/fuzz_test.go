package cron

import (
	"testing"
	"time"
)

// FuzzParse checks that no input panics or hangs, that canonical text means
// the same schedule, and that Next always terminates with increasing runs.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"00 30 02 * * ?", "0 0 9 ? * 5L", "0 0 9 ? * 2#3", "00 00-59/10 08-17 * * ?",
		"00 05 00 * * 2,5", "0 0 2 L * ?", "0 0 2 1 JAN,APR ?", "0 0 9 ? * 6-7", "00 00 02 30 2 ?", "0 0 0 ? * 1-7/3"} {
		f.Add(s)
	}
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	ny, _, _ := LoadZone("America/New_York")
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Parse(%q) returned %T", s, err)
			}
			return
		}
		canon, err := Parse(e.Canonical())
		if err != nil {
			t.Fatalf("canonical %q of %q does not parse: %v", e.Canonical(), s, err)
		}
		if canon.Canonical() != e.Canonical() {
			t.Fatalf("canonical not stable: %q → %q", e.Canonical(), canon.Canonical())
		}
		_ = e.Describe()
		if c := e.Cycle(); c.Kind != CycleCustom {
			if _, err := c.Expression(); err != nil {
				t.Fatalf("cycle %+v of %q does not build: %v", c, s, err)
			}
		}
		runs, _ := e.Next(Query{Location: ny, Now: now, Count: 20})
		for i := 1; i < len(runs); i++ {
			if !runs[i].At.After(runs[i-1].At) {
				t.Fatalf("%q: runs not increasing at %d", s, i)
			}
		}
	})
}
