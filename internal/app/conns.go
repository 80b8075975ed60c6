package app

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// connGuard keeps at most max client connections open, below the
// descriptor limit. When a new connection would exceed it, the oldest
// connection with no request in progress (new, or idle between keep-alive
// requests) is closed to make room, so idle connections cannot starve
// real requests; if every connection is busy, the new one is closed.
type connGuard struct {
	net.Listener
	max int

	mu    sync.Mutex
	conns map[net.Conn]connState
}

type connState struct {
	state http.ConnState
	since time.Time
}

func newConnGuard(ln net.Listener, max int) *connGuard {
	return &connGuard{Listener: ln, max: max, conns: map[net.Conn]connState{}}
}

// Accept returns the next connection it keeps.
func (g *connGuard) Accept() (net.Conn, error) {
	for {
		c, err := g.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if g.admit(c) {
			return c, nil
		}
		c.Close()
	}
}

// admit makes room for c if it can.
func (g *connGuard) admit(c net.Conn) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.conns) >= g.max {
		var victim net.Conn
		var oldest time.Time
		for other, s := range g.conns {
			if (s.state == http.StateNew || s.state == http.StateIdle) && (victim == nil || s.since.Before(oldest)) {
				victim, oldest = other, s.since
			}
		}
		if victim == nil {
			return false
		}
		victim.Close()
		delete(g.conns, victim)
	}
	g.conns[c] = connState{http.StateNew, time.Now()}
	return true
}

// track is the server's ConnState hook.
func (g *connGuard) track(c net.Conn, state http.ConnState) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch state {
	case http.StateClosed, http.StateHijacked:
		delete(g.conns, c)
	default:
		if _, ok := g.conns[c]; ok {
			g.conns[c] = connState{state, time.Now()}
		}
	}
}
