package web

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestLimiterGroupsIPv6By64: addresses of one /64 share a bucket; another
// /64 does not.
func TestLimiterGroupsIPv6By64(t *testing.T) {
	l := newClientLimiter(missesPerMinute, func() time.Time { return testNow })
	for i := range missesPerMinute {
		l.take(fmt.Sprintf("2001:db8:1:2::%x", i+1)) // a new address each time
	}
	if l.blocked("2001:db8:1:2:ffff::9") == 0 {
		t.Fatal("rotating addresses inside one /64 escaped the limit")
	}
	if l.blocked("2001:db8:1:3::1") != 0 || l.blocked("192.0.2.1") != 0 {
		t.Fatal("another /64 or an IPv4 client is blocked")
	}
}

// TestLimiterStaysBoundedUnderAFlood: a flood of new addresses does not
// grow the limiter's memory without bound.
func TestLimiterStaysBoundedUnderAFlood(t *testing.T) {
	l := newClientLimiter(missesPerMinute, func() time.Time { return testNow })
	for i := range 5 * maxClients {
		l.take(fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
	}
	if n := len(l.clients); n > maxClients {
		t.Fatalf("%d clients remembered after a flood (bound %d)", n, maxClients)
	}
}

// TestMissingRevisionIsNotAMiss: a valid edit token asking for revisions
// that do not exist never locks its owner out.
func TestMissingRevisionIsNotAMiss(t *testing.T) {
	srv := newTestServer(t)
	d := createDraft(t, srv, `{"template":"daily"}`)
	for i := range missesPerMinute + 20 {
		if r := do(t, srv, "GET", fmt.Sprintf("/api/v1/drafts/%s/revisions/%d", d.ID, 100+i), "", "", nil); r.status != 404 {
			t.Fatalf("missing revision %d: %d %s", 100+i, r.status, r.body)
		}
	}
	if r := do(t, srv, "GET", "/api/v1/drafts/"+d.ID, "", "", nil); r.status != 200 {
		t.Fatalf("the owner is locked out: %d", r.status)
	}
}

// TestForwardedForFromAnUntrustedPeerIsWarnedOnce: behind a proxy without
// --trusted-proxies every client shares one bucket; the operator is told,
// once.
func TestForwardedForFromAnUntrustedPeerIsWarnedOnce(t *testing.T) {
	logs := &lockedLog{}
	srv, _ := newTestServerWithStore(t, Config{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	for range 3 {
		do(t, srv, "GET", "/healthz", "", "", map[string]string{"X-Forwarded-For": "198.51.100.7"})
	}
	if n := strings.Count(logs.String(), "not a trusted proxy"); n != 1 {
		t.Fatalf("%d warnings:\n%s", n, logs.String())
	}
}

// TestDraftCreationIsLimitedPerClient: one client cannot create drafts
// without bound; the refusal creates nothing.
func TestDraftCreationIsLimitedPerClient(t *testing.T) {
	srv := newTestServer(t)
	statuses := map[int]int{}
	for range createsPerMinute + 5 {
		statuses[do(t, srv, "POST", "/api/v1/drafts", "application/json", `{}`, nil).status]++
	}
	if statuses[201] != createsPerMinute || statuses[429] != 5 {
		t.Fatalf("statuses %v", statuses)
	}
}

// lockedLog collects log lines written from server goroutines.
type lockedLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestImportCheckIsNotACreation: checking an import creates nothing and
// is never refused by the creation limit; refused creations do not count.
func TestImportCheckIsNotACreation(t *testing.T) {
	srv := newTestServer(t)
	b := newClient(t, srv)
	_, page := b.do("GET", "/import", nil, nil)
	noToken(t, page)
	spec := `{"version":"1.1.0","kind":"CycleWorkflow","spec":{"workflows":[{"name":"x","script":{"path":"x","runtime":{"command":"WORKFLOW"}}}]}}`
	for range createsPerMinute + 5 {
		if res, _ := b.do("POST", "/import", url.Values{"spec": {spec}, "action": {"check"}}, nil); res.StatusCode != 200 {
			t.Fatalf("import check: %d", res.StatusCode)
		}
		do(t, srv, "POST", "/api/v1/drafts", "application/json", `{"template":"no-such"}`, nil) // refused: 400
	}
	if r := do(t, srv, "POST", "/api/v1/drafts", "application/json", `{}`, nil); r.status != 201 {
		t.Fatalf("a creation after checks and refusals: %d %s", r.status, r.body)
	}
}
