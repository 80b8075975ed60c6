package web

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// pageCache keeps rendered pages whose every input is in their key: the
// draft's version, the request's URL, body, language, theme and time zone,
// and the minute (next runs and "first run expected" move with the clock).
// A page is the same for every visitor, so a popular draft is rendered and
// compressed once a minute, not once a request. A save changes the version
// and so the key; stale entries are never served, only evicted.
type pageCache struct {
	mu      sync.Mutex
	entries map[string]rendered
	order   []string // insertion order, for evicting the oldest
}

// rendered is one page (or API body), plain and gzipped.
type rendered struct {
	status   int
	body, gz []byte
}

// maxCachedPages bounds the cache: a few MB at most (a page is ~50 KB with
// its gzip form).
const maxCachedPages = 128

func newPageCache() *pageCache {
	return &pageCache{entries: make(map[string]rendered, maxCachedPages)}
}

func (p *pageCache) get(key string) (rendered, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	r, ok := p.entries[key]
	return r, ok
}

func (p *pageCache) put(key string, r rendered) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.entries[key]; ok {
		return
	}
	if len(p.order) >= maxCachedPages {
		delete(p.entries, p.order[0])
		p.order = p.order[1:]
	}
	p.entries[key] = r
	p.order = append(p.order, key)
}

// pageKey names a page by everything it is drawn from. version is the
// draft's version (and its view token, which a rotation changes); the rest
// comes from the request.
func (s *Server) pageKey(c echo.Context, version int64, viewToken string) string {
	r := c.Request()
	h := sha256.New()
	for _, part := range []string{
		r.Method, c.Scheme(), r.Host, r.URL.RequestURI(), strconv.FormatInt(version, 10), viewToken,
		string(language(c)), theme(c), viewerZone(c), s.now().Truncate(time.Minute).Format(time.RFC3339),
	} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	if body, ok := c.Get(rawBodyKey).([]byte); ok {
		h.Write([]byte(r.Header.Get(echo.HeaderContentType)))
		h.Write(body)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// acceptsGzip reports whether the client takes gzip.
func acceptsGzip(c echo.Context) bool {
	return strings.Contains(c.Request().Header.Get("Accept-Encoding"), "gzip")
}
