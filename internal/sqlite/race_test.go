//go:build race

package sqlite

// raceEnabled reports a -race build: the race detector slows the transpiled
// SQLite engine about 15×, so the 10,000-save size test runs in make test's
// non-race step instead.
const raceEnabled = true
