package web

import (
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/i18n"
)

// missesPerMinute is how many unknown tokens a client may present per
// minute before it gets 429. Following links never misses; guessing does.
const missesPerMinute = 60

// createsPerMinute is how many drafts a client may create per minute (from
// a template, an import, a copy or the API): far more than a person makes,
// few enough that one client cannot fill the disk.
const createsPerMinute = 60

// maxClients bounds the limiter's memory under a flood of new addresses.
const maxClients = 10000

// clientLimiter is a token bucket per client (an IPv4 address or an IPv6
// /64): each counted event takes a token; tokens come back at perMinute.
type clientLimiter struct {
	mu        sync.Mutex
	now       func() time.Time
	perMinute int
	clients   map[string]*client
}

type client struct {
	bucket *rate.Limiter
	seen   time.Time
}

func newClientLimiter(perMinute int, now func() time.Time) *clientLimiter {
	return &clientLimiter{now: now, perMinute: perMinute, clients: map[string]*client{}}
}

// clientKey groups IPv6 addresses by /64: one host usually has a whole
// /64, so per-address buckets would not limit it.
func clientKey(ip string) string {
	addr := net.ParseIP(ip)
	if addr == nil || addr.To4() != nil {
		return ip
	}
	return addr.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// get returns the client's bucket; callers hold mu.
func (l *clientLimiter) get(ip string) *client {
	now := l.now()
	key := clientKey(ip)
	c := l.clients[key]
	if c == nil {
		if len(l.clients) >= maxClients {
			l.prune(now)
		}
		c = &client{bucket: rate.NewLimiter(rate.Limit(float64(l.perMinute)/60), l.perMinute)}
		l.clients[key] = c
	}
	c.seen = now
	return c
}

// prune forgets clients not seen for a minute (their buckets are full
// again); if a flood of new addresses leaves it over the bound, it forgets
// arbitrary ones — each would have a fresh bucket anyway.
func (l *clientLimiter) prune(now time.Time) {
	for key, c := range l.clients {
		if now.Sub(c.seen) >= time.Minute {
			delete(l.clients, key)
		}
	}
	for key := range l.clients {
		if len(l.clients) < maxClients/2 {
			break
		}
		delete(l.clients, key)
	}
}

// blocked reports how long the client must wait, or 0.
func (l *clientLimiter) blocked(ip string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.get(ip).bucket
	now := l.now()
	if b.TokensAt(now) >= 1 {
		return 0
	}
	r := b.ReserveN(now, 1)
	defer r.CancelAt(now)
	return r.DelayFrom(now)
}

// take takes a token from the client's bucket.
func (l *clientLimiter) take(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.get(ip).bucket.AllowN(l.now(), 1)
}

// retryLater is a 429 that says when to try again.
func retryLater(c echo.Context, wait time.Duration, err *Error) error {
	c.Response().Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
	return err
}

var errTooManyMisses = &Error{Status: http.StatusTooManyRequests, Code: "too_many_misses", Message: i18n.Text{
	EN: "too many links that lead nowhere from this address; wait a minute and try again",
	ZH: "此地址访问了过多无效链接；请稍等一分钟后重试"}}

// limitMisses answers 429 to a client that has presented too many unknown
// tokens, and counts the unknown tokens of token routes.
func (s *Server) limitMisses(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ip := c.RealIP()
		if wait := s.misses.blocked(ip); wait > 0 {
			return retryLater(c, wait, errTooManyMisses)
		}
		err := next(c)
		if draft.IsUnknownToken(err) {
			s.misses.take(ip)
		}
		return err
	}
}

var errTooManyDrafts = &Error{Status: http.StatusTooManyRequests, Code: "too_many_drafts", Message: i18n.Text{
	EN: "too many new drafts from this address in the last minute; wait a minute and try again; nothing was created",
	ZH: "此地址在一分钟内新建了过多草稿；请稍等一分钟后重试；未创建任何内容"}}

// limitCreation answers 429 to a client creating drafts faster than
// createsPerMinute. Drafts created count; refused requests and the import
// page's check (which creates nothing) do not.
func (s *Server) limitCreation(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Path() == "/import" && c.FormValue("action") != "create" {
			return next(c)
		}
		ip := c.RealIP()
		if wait := s.creations.blocked(ip); wait > 0 {
			return retryLater(c, wait, errTooManyDrafts)
		}
		err := next(c)
		if status := c.Response().Status; err == nil && (status == http.StatusCreated || status == http.StatusSeeOther) {
			s.creations.take(ip)
		}
		return err
	}
}

// warnUntrustedForwarding logs once when requests carry X-Forwarded-For
// from a peer that is not a trusted proxy: every client behind that proxy
// then shares one miss bucket.
func (s *Server) warnUntrustedForwarding(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.trustsProxies || c.Request().Header.Get(echo.HeaderXForwardedFor) == "" {
			return next(c)
		}
		s.forwardWarning.Do(func() {
			s.log.Warn("requests arrive with X-Forwarded-For from a peer that is not a trusted proxy: all clients behind it share one rate limit; set --trusted-proxies to the proxy's address",
				"peer", c.RealIP())
		})
		return next(c)
	}
}
