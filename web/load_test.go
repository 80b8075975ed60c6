package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// BenchmarkLoad drives real loopback HTTP requests from parallel clients
// and reports each endpoint's throughput as a ratio of a plain net/http
// handler measured in the same run ("vs-plain": 1.0 = as fast as hello
// world). Run it with `make bench`.
func BenchmarkLoad(b *testing.B) {
	spec, err := os.ReadFile("../internal/flowspec/testdata/import/api-docs-1.1.0.json")
	if err != nil {
		b.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	app := httptest.NewServer(New(Config{Logger: quiet, Now: func() time.Time { return testNow }}))
	defer app.Close()
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"ok"}`)
	}))
	defer plain.Close()

	cronQuery := "/api/v1/cron?" + url.Values{"expr": {"00 00-59/15 08-18 * * ?"}, "count": {"10"}}.Encode()
	cases := []struct {
		name, base, method, path string
		body                     []byte
	}{
		{"plain-net-http", plain.URL, "GET", "/", nil},
		{"healthz", app.URL, "GET", "/healthz", nil},
		{"cron-next-10", app.URL, "GET", cronQuery, nil},
		{"validate", app.URL, "POST", "/api/v1/validate", spec},
		{"home-page", app.URL, "GET", "/", nil},
	}
	var plainNs float64
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			b.SetParallelism(8) // 16 concurrent clients on 2 cores
			b.ReportAllocs()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					var body io.Reader
					if tc.body != nil {
						body = strings.NewReader(string(tc.body))
					}
					req, _ := http.NewRequest(tc.method, tc.base+tc.path, body)
					if tc.body != nil {
						req.Header.Set("Content-Type", "application/json")
					}
					res, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != 200 {
						b.Errorf("%s: %d", tc.name, res.StatusCode)
						return
					}
				}
			})
			ns := float64(time.Since(start).Nanoseconds()) / float64(b.N)
			b.ReportMetric(1e9/ns, "req/s")
			if tc.name == "plain-net-http" {
				plainNs = ns
			} else if plainNs > 0 {
				b.ReportMetric(plainNs/ns, "vs-plain")
			}
		})
	}
}
