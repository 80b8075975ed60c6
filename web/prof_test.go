package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func BenchmarkProfPages(b *testing.B) {
	app, _ := newTestServerWithStore(b, Config{})
	d := createDraft(b, app, `{"template":"every-15-min","name":"sales_hourly"}`)
	for _, p := range []string{"/d/" + d.ID, "/v/" + d.ViewURL[len(d.ViewURL)-26:], "/api/v1/drafts/" + d.ID} {
		b.Run(p[:2], func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest("GET", p, nil)
				req.Header.Set("Accept-Encoding", "gzip")
				w := httptest.NewRecorder()
				app.Config.Handler.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatal(w.Code, w.Body.String()[:200])
				}
			}
		})
	}
}
