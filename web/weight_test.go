package web

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestEditorFirstLoadWeight: the editor's first load is at most 40 KB
// transferred (HTML, CSS and JS, gzip) in at most 3 requests, all to the
// page's own origin.
func TestEditorFirstLoadWeight(t *testing.T) {
	srv := newTestServer(t)
	d := createDraft(t, srv, `{"template":"every-15-min","name":"sales_daily"}`)
	get := func(path string) (int, []byte) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Accept-Encoding", "gzip") // as a browser sends it; Go then leaves the body compressed
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("%s: %d, encoding %q", path, res.StatusCode, res.Header.Get("Content-Encoding"))
		}
		return len(body), body
	}
	htmlSize, _ := get("/d/" + d.ID)
	res, err := http.Get(srv.URL + "/d/" + d.ID)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	total, requests := htmlSize, 1
	doc.Find("link[href], script[src], img[src], iframe, object, embed, video, audio, source").Each(func(_ int, s *goquery.Selection) {
		ref := s.AttrOr("href", s.AttrOr("src", ""))
		if strings.HasPrefix(ref, "data:") {
			return // inline, no request
		}
		if !strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, "//") {
			t.Errorf("request to another origin: %s", ref)
			return
		}
		n, _ := get(ref)
		total += n
		requests++
	})
	t.Logf("editor first load: %d requests, %d bytes (HTML %d)", requests, total, htmlSize)
	if requests > 3 || total > 40*1024 {
		t.Errorf("first load is %d requests, %d bytes; budget 3 requests, 40 KB", requests, total)
	}
}
