// Command flowform serves FlowForm, the browser designer for DataWorks
// workflows. Configuration comes from flags and FLOWFORM_* variables; see
// README.md. Everything is built by package app, which the end-to-end
// tests run the same way.
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/flowform/flowform/internal/app"
)

// gcPercent is the collector's target unless GOGC says otherwise. The
// live heap is small (tens of MB: cached parsed specs and pages), and at
// Go's default of 100 a save storm spends about a seventh of the CPU in
// the collector; 200 trades a few MB for that (measured: 1,400 → 1,800+
// saves/s across two instances on one PostgreSQL, README).
const gcPercent = 200

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := app.Run(ctx, os.Args[1:], os.Getenv, os.Stdout, log)
	stop()
	if err != nil {
		log.Error("flowform stopped", "err", err)
		os.Exit(1)
	}
}
