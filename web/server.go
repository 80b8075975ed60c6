// Package web is FlowForm's HTTP surface: the only importer of echo. It
// holds the route table, middleware, handlers (one file per resource), the
// buffered templ renderer, and the one place errors become responses.
package web

import (
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/flowform/flowform/components"
)

// Config is what the server needs from the command line.
type Config struct {
	Logger     *slog.Logger
	Now        func() time.Time // the clock; time.Now when nil
	Drafts     Drafts
	Regions    []string // region IDs offered as suggestions
	PublicURL  string   // base of share links; from the request when empty
	AuthHeader string   // trusted identity header set by an SSO proxy, e.g. X-Forwarded-Email
	// TrustedProxies are the proxies whose X-Forwarded-For is believed;
	// without them the client is always the direct peer.
	TrustedProxies []*net.IPNet
	// SandboxProjectID is the workspace whose demo workflows the sandbox
	// holds, offered by "Open from DataWorks"; "" outside the sandbox.
	SandboxProjectID string
}

// Server serves FlowForm's pages and JSON API.
type Server struct {
	echo           *echo.Echo
	log            *slog.Logger
	now            func() time.Time
	drafts         Drafts
	regions        []string
	publicURL      string
	authHeader     string
	sandboxProject string
	misses         *clientLimiter // unknown tokens
	creations      *clientLimiter // new drafts
	// trustsProxies is set when --trusted-proxies names any; without it a
	// forwarded request is worth one warning.
	trustsProxies  bool
	forwardWarning sync.Once
	crossOrigin    echo.MiddlewareFunc
	pages          *pageCache
	zones          struct {
		sync.Mutex
		hour time.Time
		list []components.Option
	}
}

// New builds the server and its routes.
func New(cfg Config) *Server {
	s := &Server{echo: echo.New(), log: cfg.Logger, now: cfg.Now, drafts: cfg.Drafts, regions: cfg.Regions,
		publicURL: strings.TrimRight(cfg.PublicURL, "/"), authHeader: cfg.AuthHeader,
		sandboxProject: cfg.SandboxProjectID}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.misses = newClientLimiter(missesPerMinute, s.now)
	s.creations = newClientLimiter(createsPerMinute, s.now)
	s.trustsProxies = len(cfg.TrustedProxies) > 0
	s.crossOrigin = newCrossOrigin(s.publicURL)
	s.pages = newPageCache()
	e := s.echo
	e.HideBanner, e.HidePort = true, true
	// The client address is the direct peer: X-Forwarded-For is believed
	// only from configured proxies (echo v4.16.0 would otherwise let a
	// spoofed header reach rate limiting and logs).
	e.IPExtractor = echo.ExtractIPDirect()
	if len(cfg.TrustedProxies) > 0 {
		opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
		for _, n := range cfg.TrustedProxies {
			opts = append(opts, echo.TrustIPRange(n))
		}
		e.IPExtractor = echo.ExtractIPFromXFFHeader(opts...)
	}
	e.HTTPErrorHandler = s.handleError
	s.routes()
	return s
}

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }
