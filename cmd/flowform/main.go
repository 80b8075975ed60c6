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
	"syscall"

	"github.com/flowform/flowform/internal/app"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := app.Run(ctx, os.Args[1:], os.Getenv, os.Stdout, log)
	stop()
	if err != nil {
		log.Error("flowform stopped", "err", err)
		os.Exit(1)
	}
}
