// Command flowform serves FlowForm, the browser designer for DataWorks
// workflows. Configuration comes from flags and FLOWFORM_* variables; see
// README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/flowform/flowform/internal/dataworks"
	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/sqlite"
	"github.com/flowform/flowform/web"
)

// shutdownGrace is how long in-flight requests get to finish on SIGTERM.
const shutdownGrace = 15 * time.Second

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(context.Background(), os.Args[1:], os.Getenv, log); err != nil {
		log.Error("flowform stopped", "err", err)
		os.Exit(1)
	}
}

// run dispatches: `flowform backup …` or the server.
func run(ctx context.Context, args []string, getenv func(string) string, log *slog.Logger) error {
	if len(args) > 0 && args[0] == "backup" {
		cfg, err := parseBackupConfig(args[1:], getenv)
		if err != nil {
			return err
		}
		if err := sqlite.Backup(ctx, cfg.DB, cfg.To); err != nil {
			return err
		}
		log.Info("backup written", "from", cfg.DB, "to", cfg.To)
		return nil
	}
	cfg, err := parseConfig(args, getenv)
	if err != nil {
		return err
	}
	return serve(ctx, cfg, log)
}

// serve wires the application and serves until ctx ends or a signal arrives.
func serve(ctx context.Context, cfg config, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	store, err := sqlite.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer store.Close()
	proxies, _ := cfg.proxies() // checked by parseConfig
	drafts := draft.NewService(store, cfg.Region, time.Now)
	if strings.Contains(os.Getenv("DEBUG"), "sdk") {
		// The SDK then prints every signed request (AccessKeyId, signature,
		// STS token) to stdout.
		return fmt.Errorf("DEBUG contains \"sdk\": the Alibaba SDK would print credentials to stdout; unset it")
	}
	submitter, closeSandbox, err := newSubmitter(cfg, os.Getenv)
	if err != nil {
		return err
	}
	defer closeSandbox()
	drafts.WithSubmitter(submitter)
	if n, err := drafts.AbandonPending(ctx); err != nil {
		return err
	} else if n > 0 {
		log.Warn("submissions interrupted by the last stop are marked unknown", "count", n)
	}
	go purgeDeleted(ctx, drafts, log)

	srv := &http.Server{
		Handler: web.New(web.Config{
			Logger:         log,
			Drafts:         drafts,
			PublicURL:      cfg.PublicURL,
			AuthHeader:     cfg.AuthHeader,
			TrustedProxies: proxies,
		}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	log.Info("FlowForm is ready", "url", fmt.Sprintf("http://%s/", ln.Addr()), "db", cfg.DB, "region", cfg.Region, "submissions", submitter.Endpoint())
	fmt.Fprintf(os.Stdout, "FlowForm is ready: open http://%s/\n", ln.Addr())

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped cleanly")
	return nil
}

// newSubmitter picks where submissions go: the in-process sandbox when
// --sandbox=on, or auto with no Alibaba credentials configured; DataWorks
// through the default credentials chain otherwise.
func newSubmitter(cfg config, getenv func(string) string) (*dataworks.Client, func() error, error) {
	if cfg.Sandbox == "on" || (cfg.Sandbox == "auto" && !dataworks.CredentialsConfigured(getenv)) {
		return dataworks.NewSandbox()
	}
	return dataworks.New(dataworks.Config{Endpoint: cfg.DataWorksEndpoint, ReadTimeout: cfg.DataWorksTimeout}), func() error { return nil }, nil
}

// purgeDeleted removes drafts past their restore window, hourly.
func purgeDeleted(ctx context.Context, drafts *draft.Service, log *slog.Logger) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		if n, err := drafts.Purge(ctx); err != nil && ctx.Err() == nil {
			log.Error("purging deleted drafts", "err", err)
		} else if n > 0 {
			log.Info("purged deleted drafts", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
