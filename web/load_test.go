package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/flowspec"
)

// BenchmarkLoad drives real loopback HTTP requests from concurrent clients
// and reports each endpoint's throughput (req/s), its p99 latency, and the
// ratio to a plain net/http handler measured in the same run at the same
// concurrency ("vs-plain": 1.0 = as fast as hello world). `make bench`.
func BenchmarkLoad(b *testing.B) {
	spec, err := os.ReadFile("../internal/flowspec/testdata/import/api-docs-1.1.0.json")
	if err != nil {
		b.Fatal(err)
	}
	app, store := newTestServerWithStore(b, Config{})
	// Drafts for the clients are made beside the server: the benchmark
	// creates more per minute than one client is allowed to.
	svc := draft.NewService(store, "cn-shanghai", nil)
	newDraft := func(spec []byte) *draft.Draft {
		doc, _, err := flowspec.Import(spec)
		if err != nil {
			b.Fatal(err)
		}
		d, err := svc.Create(context.Background(), draft.Input{ProjectID: "123456", Spec: doc}, "bench")
		if err != nil {
			b.Fatal(err)
		}
		return d
	}
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"ok"}`)
	}))
	defer plain.Close()
	shared := createDraft(b, app, `{"projectId":"123456","spec":`+string(spec4K(b, "shared"))+`}`)
	pageDraft := createDraft(b, app, `{"template":"every-15-min","name":"sales_hourly"}`)
	previewForm, previewHeaders := previewRequest(b, app, pageDraft.ID)

	cronQuery := "/api/v1/cron?" + url.Values{"expr": {"00 00-59/15 08-18 * * ?"}, "count": {"10"}}.Encode()
	type request struct {
		method, path, body string
		header             map[string]string
	}
	cases := []struct {
		name    string
		clients int
		base    string
		// client returns a client's request sequence: each call gets the ETag
		// of the previous response; clients keep their own state.
		client func() func(lastETag string) request
	}{
		{"plain-net-http/c16", 16, plain.URL, fixed(request{"GET", "/", "", nil})},
		{"healthz/c16", 16, app.URL, fixed(request{"GET", "/healthz", "", nil})},
		{"cron-next-10/c16", 16, app.URL, fixed(request{"GET", cronQuery, "", nil})},
		{"validate/c16", 16, app.URL, fixed(request{"POST", "/api/v1/validate", string(spec), nil})},
		{"home-page/c16", 16, app.URL, fixed(request{"GET", "/", "", nil})},
		{"draft-put-4k/c16", 16, app.URL, func() func(string) request {
			// Each client saves its own draft, alternating two 4 KB specs,
			// with the version the last response's ETag gave it.
			d := newDraft(spec4K(b, "start"))
			bodies := [2]string{`{"projectId":"123456","spec":` + string(spec4K(b, "even")) + `}`, `{"projectId":"123456","spec":` + string(spec4K(b, "odd")) + `}`}
			version, i := etag(d.Version), 0
			return func(last string) request {
				if last != "" {
					version = last
				}
				i++
				return request{"PUT", "/api/v1/drafts/" + d.ID, bodies[i%2], map[string]string{"If-Match": version}}
			}
		}},
		{"plain-net-http/c32", 32, plain.URL, fixed(request{"GET", "/", "", nil})},
		{"draft-get/c32", 32, app.URL, fixed(request{"GET", "/api/v1/drafts/" + shared.ID, "", nil})},
		{"editor-page/c32", 32, app.URL, fixed(request{"GET", "/d/" + pageDraft.ID, "", map[string]string{"Accept-Encoding": "gzip"}})},
		{"preview-fragment/c32", 32, app.URL, fixed(request{"POST", "/d/" + pageDraft.ID + "/preview", previewForm, previewHeaders})},
	}
	plainNs := map[int]float64{}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			b.SetParallelism(tc.clients / 2) // GOMAXPROCS is 2 on the reference machine
			var mu sync.Mutex
			var latencies []time.Duration
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				next := tc.client()
				var last string
				var mine []time.Duration
				for pb.Next() {
					req := next(last)
					hr, _ := http.NewRequest(req.method, tc.base+req.path, strings.NewReader(req.body))
					for k, v := range req.header {
						hr.Header.Set(k, v)
					}
					if hr.Header.Get("Content-Type") == "" && req.body != "" {
						hr.Header.Set("Content-Type", "application/json")
					}
					t0 := time.Now()
					res, err := client.Do(hr)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					mine = append(mine, time.Since(t0))
					last = res.Header.Get("ETag")
					if res.StatusCode/100 != 2 {
						b.Errorf("%s: %d", tc.name, res.StatusCode)
						return
					}
				}
				mu.Lock()
				latencies = append(latencies, mine...)
				mu.Unlock()
			})
			ns := float64(time.Since(start).Nanoseconds()) / float64(b.N)
			slices.Sort(latencies)
			b.ReportMetric(1e9/ns, "req/s")
			if len(latencies) > 0 {
				b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
			}
			if strings.HasPrefix(tc.name, "plain-net-http") {
				plainNs[tc.clients] = ns
			} else if p := plainNs[tc.clients]; p > 0 {
				b.ReportMetric(p/ns, "vs-plain")
			}
		})
	}
}

// previewRequest is what htmx posts while someone types in the editor:
// the whole form.
func previewRequest(b *testing.B, srv *httptest.Server, id string) (string, map[string]string) {
	res, err := http.Get(srv.URL + "/d/" + id)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	doc, err := goquery.NewDocumentFromReader(res.Body)
	if err != nil {
		b.Fatal(err)
	}
	form := editorForm(doc)
	form.Set("source", "cron")
	form.Set("cron", "00 00-59/10 08-18 * * ?")
	return form.Encode(), map[string]string{
		"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true", "Accept-Encoding": "gzip",
	}
}

func fixed[T any](r T) func() func(string) T {
	return func() func(string) T { return func(string) T { return r } }
}

// spec4K is a valid spec of about 4 KB whose description carries tag.
func spec4K(t testing.TB, tag string) []byte {
	t.Helper()
	doc := flowspec.Blank("sales_daily")
	f := doc.Form()
	// Within the field limits: a long description and many parameters.
	f.Description = tag + " " + strings.Repeat("Daily roll-up of sales by region and channel. ", 21)
	for i := range 10 {
		f.Parameters = append(f.Parameters, flowspec.Parameter{Name: "region_" + strconv.Itoa(i), Type: "Constant", Value: strings.Repeat("cn-shanghai,", 13)})
	}
	doc.Apply(f)
	return doc.Canonical()
}
