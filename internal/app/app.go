// Package app builds FlowForm from its configuration — store, DataWorks
// client or sandbox, domain service, web server, background jobs — in one
// place. The flowform command runs it through Run, and so do the
// end-to-end and browser tests: what they test is the program users start.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/flowform/flowform/internal/dataworks"
	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/postgres"
	"github.com/flowform/flowform/internal/sqlite"
	"github.com/flowform/flowform/web"
)

// Grace periods at shutdown: in-flight requests get shutdownGrace to
// finish; submissions still waiting on DataWorks after that are recorded
// unknown and answered, which takes at most abandonGrace more.
var (
	shutdownGrace = 15 * time.Second
	abandonGrace  = 5 * time.Second
)

// App is a configured FlowForm, ready to serve.
type App struct {
	// Offer says in one line where submissions go, as logged at start-up.
	Offer string

	cfg       Config
	log       *slog.Logger
	store     store
	drafts    *draft.Service
	submitter *dataworks.Client // nil when none could be built
	closers   []func() error
	server    *http.Server
}

// New builds the application. getenv is the environment: it is read
// nowhere else (the Alibaba SDK's credentials chain reads the process
// environment itself).
func New(ctx context.Context, cfg Config, getenv func(string) string, log *slog.Logger) (*App, error) {
	if strings.Contains(getenv("DEBUG"), "sdk") {
		// The SDK then prints every signed request (AccessKeyId, signature,
		// STS token) to stdout.
		return nil, fmt.Errorf("DEBUG contains \"sdk\": the Alibaba SDK would print credentials to stdout; unset it")
	}
	store, err := openStore(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, log: log, store: store, closers: []func() error{store.Close}}
	a.drafts = draft.NewService(store, cfg.Region, nil)
	a.buildSubmitter(getenv)
	// The lease on this instance's deliveries is taken before it serves.
	if err := a.drafts.Renew(ctx); err != nil {
		a.Close()
		return nil, err
	}
	proxies, _ := cfg.proxies() // checked by ParseConfig
	writeTimeout := cfg.HTTPWriteTimeout
	if writeTimeout == 0 {
		writeTimeout = 60 * time.Second
	}
	a.server = &http.Server{
		Handler: web.New(web.Config{
			Logger:           log,
			Drafts:           a.drafts,
			Regions:          dataworks.Regions(),
			PublicURL:        cfg.PublicURL,
			AuthHeader:       cfg.AuthHeader,
			TrustedProxies:   proxies,
			SandboxProjectID: a.sandboxProject(),
		}),
		// The standard library's own messages (TLS handshakes, accept
		// errors) go to the structured log too.
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      writeTimeout, // submit routes extend theirs
		IdleTimeout:       120 * time.Second,
	}
	return a, nil
}

// buildSubmitter picks where submissions go: the in-process sandbox when
// --sandbox=on, or auto with no Alibaba credentials configured; DataWorks
// through the default credentials chain otherwise. If nothing can be
// built, submitting answers why (the routes stay).
func (a *App) buildSubmitter(getenv func(string) string) {
	cfg := dataworks.Config{ReadTimeout: a.cfg.DataWorksTimeout}
	source := dataworks.CredentialSource(getenv)
	if a.cfg.Sandbox == "on" || (a.cfg.Sandbox == "auto" && source == "") {
		// The sandbox's DataWorks keeps its state beside the database,
		// which remembers the Ids delivered to it.
		// With PostgreSQL each instance has a sandbox of its own, kept in
		// memory: a file beside a URL means nothing.
		state := ""
		if !isPostgres(a.cfg.DB) {
			state = dataworks.SandboxStateFile(a.cfg.DB)
		}
		client, closeFake, err := dataworks.NewSandbox(cfg, state)
		if err != nil {
			a.Offer = "unavailable: the sandbox could not start: " + err.Error()
			a.drafts.WithoutSubmitter("the sandbox endpoint could not start")
			return
		}
		a.submitter, a.closers = client, append(a.closers, closeFake)
		a.drafts.WithSubmitter(client)
		a.Offer = "sandbox (in-process stand-in for DataWorks; nothing reaches Alibaba Cloud)"
		if a.cfg.Sandbox == "auto" {
			a.Offer += ", because no Alibaba Cloud credentials are configured"
		}
		return
	}
	cfg.Endpoint = a.cfg.DataWorksEndpoint
	a.submitter = dataworks.New(cfg)
	a.drafts.WithSubmitter(a.submitter)
	if source == "" {
		source = "the default chain (ECS RAM role or another source resolved at the first call)"
	}
	a.Offer = "DataWorks " + dataworks.APIVersion + " with credentials from " + source
	if a.cfg.DataWorksEndpoint != "" {
		a.Offer += ", endpoint override " + a.cfg.DataWorksEndpoint
	} else {
		a.Offer += ", endpoint per region (" + a.cfg.Region + ": " + dataworks.Domain(a.cfg.Region) + ")"
	}
}

// Handler is the application's HTTP handler.
func (a *App) Handler() http.Handler { return a.server.Handler }

// Serve serves on ln, runs the background jobs, and when ctx ends shuts
// down gracefully: in-flight requests finish, submissions still waiting on
// DataWorks are recorded unknown and answered.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	jobs, stopJobs := context.WithCancel(context.Background())
	defer stopJobs()
	go a.purgeDeleted(jobs)
	go a.recoverDeliveries(jobs)

	// Connections stay below the descriptor limit, which the database
	// and the DataWorks calls need too; idle ones make way for new ones.
	guard := newConnGuard(ln, a.maxConnections())
	a.server.ConnState = guard.track
	ln = guard
	served := make(chan error, 1)
	go func() { served <- a.server.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down: finishing in-flight requests")
	graceCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err := a.server.Shutdown(graceCtx)
	if errors.Is(err, context.DeadlineExceeded) && a.submitter != nil {
		a.log.Warn("submissions still waiting on DataWorks are recorded unknown")
		a.submitter.Abandon()
		abandonCtx, cancel := context.WithTimeout(context.Background(), abandonGrace)
		defer cancel()
		err = a.server.Shutdown(abandonCtx)
	}
	a.drainDeliveries()
	if err != nil {
		a.server.Close()
		return err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	a.log.Info("stopped cleanly")
	return nil
}

// maxConnections is --max-connections, or three quarters of the soft
// open-file limit (the rest is for the database, the DataWorks calls and
// the process itself).
func (a *App) maxConnections() int {
	if a.cfg.MaxConnections > 0 {
		return a.cfg.MaxConnections
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur < 256 {
		return 128
	}
	return int(lim.Cur * 3 / 4)
}

// Close releases the store and the sandbox endpoint, once deliveries in
// progress have ended.
func (a *App) Close() error {
	a.drainDeliveries()
	var errs []error
	for i := len(a.closers) - 1; i >= 0; i-- {
		errs = append(errs, a.closers[i]())
	}
	return errors.Join(errs...)
}

// purgeDeleted removes drafts past their restore window, hourly.
func (a *App) purgeDeleted(ctx context.Context) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		if n, err := a.drafts.Purge(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("purging deleted drafts", "err", err)
		} else if n > 0 {
			a.log.Info("purged deleted drafts", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Run is the flowform command: `flowform backup …`, or the server until
// ctx ends. It announces the URL on stdout once it is listening.
func Run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, log *slog.Logger) error {
	if len(args) > 0 && args[0] == "copy-db" {
		return copyDB(ctx, args[1:], getenv, log)
	}
	if len(args) > 0 && args[0] == "backup" {
		cfg, err := parseBackupConfig(args[1:], getenv)
		if err != nil {
			return err
		}
		if isPostgres(cfg.DB) {
			return fmt.Errorf("backup copies a SQLite file; for PostgreSQL use pg_dump (see the README)")
		}
		if err := sqlite.Backup(ctx, cfg.DB, cfg.To); err != nil {
			return err
		}
		log.Info("backup written", "from", cfg.DB, "to", cfg.To)
		return nil
	}
	cfg, err := ParseConfig(args, getenv)
	if err != nil {
		return err
	}
	return run(ctx, cfg, getenv, stdout, log)
}

// run builds the application from cfg and serves it until ctx ends.
func run(ctx context.Context, cfg Config, getenv func(string) string, stdout io.Writer, log *slog.Logger) error {
	a, err := New(ctx, cfg, getenv, log)
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	url := fmt.Sprintf("http://%s/", ln.Addr())
	log.Info("FlowForm is ready", "url", url, "db", dbForLog(cfg.DB), "database", a.store.Kind(), "region", cfg.Region)
	log.Info("submissions: " + a.Offer)
	fmt.Fprintf(stdout, "FlowForm is ready: open %s\n", url)
	return a.Serve(ctx, ln)
}

// recoverDeliveries renews this instance's lease on its deliveries and
// settles, by looking in DataWorks, the deliveries a stopped run left
// pending: at start-up every one (the SQLite file is this instance's
// alone), then those whose instance's lease runs out.
func (a *App) recoverDeliveries(ctx context.Context) {
	tick := time.NewTicker(draft.LeaseTime / 3)
	defer tick.Stop()
	recover := a.drafts.RecoverAll
	if a.store.Kind() != "sqlite" {
		// Other instances share the database: only deliveries whose
		// instance's lease ran out are this one's to settle.
		recover = a.drafts.Recover
	}
	for {
		if err := a.drafts.Renew(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("renewing the lease on this instance's deliveries", "err", err)
		}
		n, err := recover(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			a.log.Error("settling deliveries interrupted by a stop", "err", err)
		case n > 0:
			a.log.Warn("deliveries interrupted by a stop were settled by looking in DataWorks; they can be resumed", "count", n)
		}
		recover = a.drafts.Recover
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// drainDeliveries waits for deliveries still running (their callers may
// have gone) for the shutdown grace period, then abandons their calls: a
// call in flight stays recorded as sending and is settled at the next
// start.
func (a *App) drainDeliveries() {
	done := make(chan struct{})
	go func() { a.drafts.Drain(); close(done) }()
	select {
	case <-done:
	case <-time.After(shutdownGrace):
		if a.submitter != nil {
			a.submitter.Abandon()
		}
		<-done
	}
}

// sandboxProject is the workspace the sandbox's demo workflows are in, ""
// outside the sandbox.
func (a *App) sandboxProject() string {
	if a.submitter == nil || a.submitter.Endpoint() != "sandbox" {
		return ""
	}
	return strconv.FormatInt(dataworks.SandboxProjectID, 10)
}

// store is a draft store FlowForm can close.
type store interface {
	draft.Store
	Close() error
}

// openStore opens --db: a PostgreSQL database for a URL or libpq
// settings, else the SQLite file (created with its folder).
func openStore(ctx context.Context, db string) (store, error) {
	if isPostgres(db) {
		return postgres.Open(ctx, db)
	}
	return sqlite.Open(ctx, db)
}
