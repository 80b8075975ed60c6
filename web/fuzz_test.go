package web

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/sqlite"
)

// fuzzRoutes are the API's routes; {id} and {view} are a live draft's.
var fuzzRoutes = []string{
	"/healthz", "/api/v1/validate", "/api/v1/cron", "/api/v1/drafts", "/api/v1/drafts/{id}", "/api/v1/drafts/{id}/spec",
	"/api/v1/views/{view}", "/api/v1/drafts/{id}/share/rotate", "/api/v1/drafts/{id}/revisions", "/api/v1/drafts/{id}/revisions/1",
	"/api/v1/drafts/{id}/revisions/1/restore", "/api/v1/drafts/{id}/diff", "/api/v1/drafts/{id}/duplicate",
	"/api/v1/drafts/{id}/undelete", "/api/v1/drafts/{id}/submit", "/api/v1/drafts/{id}/submissions", "/api/v1/nope",
}

var fuzzMethods = []string{"GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS"}

// FuzzAPI sends arbitrary requests (any route, method, headers, body) to
// the JSON API over the real store and checks what must always hold: no
// 5xx but 503, every error in the JSON error shape, and a refused request
// changes nothing.
func FuzzAPI(f *testing.F) {
	dbPath := filepath.Join(f.TempDir(), "fuzz.db")
	store, err := sqlite.Open(context.Background(), dbPath)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { store.Close() })
	svc := draft.NewService(store, "cn-shanghai", nil)
	srv := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Drafts: svc})
	d, err := svc.Create(context.Background(), draft.Input{ProjectID: "7"}, "fuzz")
	if err != nil {
		f.Fatal(err)
	}
	id, view := d.ID, d.ViewToken
	// Counting rows directly shows a refused request that created a draft.
	db, err := sql.Open("sqlite", dbPath+"?_query_only=1")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	count := func() (n int) {
		db.QueryRow(`SELECT (SELECT count(*) FROM drafts) + (SELECT count(*) FROM revisions)`).Scan(&n)
		return n
	}
	f.Add(uint8(2), uint8(4), "", "application/json", `"1"`, []byte(`{"spec":{"kind":"CycleWorkflow"}}`))
	f.Add(uint8(1), uint8(7), "", "text/plain", "", []byte{})
	f.Add(uint8(1), uint8(1), "?lang=zh-CN", "application/json", "", []byte(`{"version":"1.1.0","kind":"CycleWorkflow","spec":{}}`))
	f.Add(uint8(0), uint8(2), "?expr=00+61+*+*+*+%3F&count=1000", "", "", []byte(nil))
	f.Add(uint8(1), uint8(14), "", "application/json", `W/"1"`, []byte(`{"newWorkflow":"yes"}`))
	f.Add(uint8(1), uint8(3), "", "application/json; charset=utf-8", "", []byte(`{"template":"daily","name":"\u202e"}`))
	f.Fuzz(func(t *testing.T, method, route uint8, suffix, contentType, ifMatch string, body []byte) {
		path := strings.NewReplacer("{id}", id, "{view}", view).Replace(fuzzRoutes[int(route)%len(fuzzRoutes)]) + suffix
		if strings.ContainsAny(path, " \x00\r\n#") || !strings.HasPrefix(path, "/") {
			return // not a request line a client can send
		}
		before, rows := snapshot(svc, id, view), count()
		req := httptest.NewRequest(fuzzMethods[int(method)%len(fuzzMethods)], "http://flowform.test/", bytes.NewReader(body))
		req.URL.Path, req.URL.RawQuery, _ = strings.Cut(path, "?")
		req.RequestURI = path
		req.RemoteAddr = "192.0.2.10:5555"
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if ifMatch != "" {
			req.Header.Set("If-Match", ifMatch)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code >= 500 && rec.Code != 503 {
			t.Fatalf("%s %s: %d %s", req.Method, path, rec.Code, rec.Body)
		}
		if rec.Code < 400 {
			return
		}
		if api := strings.HasPrefix(req.URL.Path, "/api/") || req.URL.Path == "/healthz"; api && req.Method != "HEAD" {
			var shape struct {
				Error  *struct{ Code, Message string }
				Errors []struct{ Path, Code, Message string }
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &shape); err != nil || (shape.Error == nil || shape.Error.Code == "" || shape.Error.Message == "") && len(shape.Errors) == 0 {
				t.Fatalf("%s %s: %d is not the JSON error shape: %s", req.Method, path, rec.Code, rec.Body)
			}
		}
		if after := snapshot(svc, id, view); after != before {
			t.Fatalf("%s %s was refused with %d but changed the draft:\n%s\n→\n%s", req.Method, path, rec.Code, before, after)
		}
		if n := count(); n != rows {
			t.Fatalf("%s %s was refused with %d but stored something (%d rows → %d)", req.Method, path, rec.Code, rows, n)
		}
	})
}

// snapshot is what a refused request must not change: the draft's
// version, content and view link, and its submissions.
func snapshot(svc *draft.Service, id, view string) string {
	ctx := context.Background()
	var b strings.Builder
	if d, err := svc.Get(ctx, id); err == nil {
		b.WriteString(string(d.SpecJSON) + d.ProjectID + d.Region)
		b.WriteString(" v" + string(rune('0'+d.Version%10)))
	} else {
		b.WriteString("gone")
	}
	if _, err := svc.View(ctx, view); err != nil {
		b.WriteString(" view-revoked")
	}
	if subs, err := svc.Submissions(ctx, id); err == nil {
		b.WriteString(" submissions " + string(rune('0'+len(subs)%10)))
	}
	return b.String()
}
