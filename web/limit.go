package web

import (
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/i18n"
)

// missesPerMinute is how many failed token lookups a client may make per
// minute before it gets 429. Following links never misses; guessing does.
const missesPerMinute = 60

// missLimiter is a token bucket per client address: each miss takes a
// token, tokens come back at missesPerMinute per minute.
type missLimiter struct {
	mu      sync.Mutex
	now     func() time.Time
	rate    float64 // tokens per second
	burst   float64
	clients map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newMissLimiter(perMinute int, now func() time.Time) *missLimiter {
	return &missLimiter{now: now, rate: float64(perMinute) / 60, burst: float64(perMinute), clients: map[string]*bucket{}}
}

// refill returns the client's bucket topped up to now; callers hold mu.
func (l *missLimiter) refill(ip string) *bucket {
	now := l.now()
	b := l.clients[ip]
	if b == nil {
		if len(l.clients) > 10000 {
			l.prune(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.clients[ip] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	return b
}

// prune forgets clients whose buckets are full again.
func (l *missLimiter) prune(now time.Time) {
	for ip, b := range l.clients {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.clients, ip)
		}
	}
}

// blocked reports how long the client must wait, or 0.
func (l *missLimiter) blocked(ip string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.refill(ip)
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

func (l *missLimiter) miss(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.refill(ip)
	b.tokens = max(0, b.tokens-1)
}

// limitMisses answers 429 to a client that has missed too often, and counts
// the misses of token routes.
func (s *Server) limitMisses(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ip := c.RealIP()
		if wait := s.misses.blocked(ip); wait > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
			return &Error{Status: http.StatusTooManyRequests, Code: "too_many_misses", Message: i18n.Text{
				EN: "too many links that lead nowhere from this address; wait a minute and try again",
				ZH: "此地址访问了过多无效链接；请稍等一分钟后重试"}}
		}
		err := next(c)
		var de *draft.Error
		if errors.As(err, &de) && de.Code == draft.NotFound && de.Current == nil {
			s.misses.miss(ip)
		}
		return err
	}
}
