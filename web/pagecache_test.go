package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestCachedPagesAreNeverStale: a cached page follows every save, a link
// rotation, the language, the viewer's zone and the clock.
func TestCachedPagesAreNeverStale(t *testing.T) {
	var now atomic.Int64
	now.Store(testNow.UnixNano())
	srv, _ := newTestServerWithStore(t, Config{Now: func() time.Time { return time.Unix(0, now.Load()) }})
	d := createDraft(t, srv, `{"template":"daily","name":"cached"}`)
	view := d.ViewURL[strings.LastIndex(d.ViewURL, "/"):]
	get := func(path string, header map[string]string) string {
		t.Helper()
		r := do(t, srv, "GET", path, "", "", header)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: %d", path, r.status)
		}
		return string(r.body)
	}
	for _, path := range []string{"/d/" + d.ID, "/v" + view, "/api/v1/drafts/" + d.ID} {
		if strings.Contains(get(path, nil), "after the save") {
			t.Fatalf("%s shows a description before it was saved", path)
		}
	}
	putDescription(t, srv, d, 1, "after the save")
	for _, path := range []string{"/d/" + d.ID, "/v" + view, "/api/v1/drafts/" + d.ID} {
		if !strings.Contains(get(path, nil), "after the save") {
			t.Errorf("%s still shows the page from before the save", path)
		}
	}
	if zh := get("/d/"+d.ID, map[string]string{"Cookie": "ff_lang=zh-CN"}); !strings.Contains(zh, "每天 02:00") {
		t.Error("a cached English page was served for Chinese")
	}
	if ny := get("/d/"+d.ID, map[string]string{"Cookie": "ff_tz=America%2FNew_York"}); !strings.Contains(ny, "America/New_York") {
		t.Error("a page cached for another zone was served")
	}
	first := get("/d/"+d.ID, nil)
	now.Add(int64(24 * time.Hour))
	if later := get("/d/"+d.ID, nil); later == first {
		t.Error("a day later the editor shows the same first run")
	}
	if r := do(t, srv, "POST", "/api/v1/drafts/"+d.ID+"/share/rotate", "application/json", "", nil); r.status != http.StatusOK {
		t.Fatalf("rotate: %d", r.status)
	}
	if r := do(t, srv, "GET", "/v"+view, "", "", nil); r.status != http.StatusNotFound {
		t.Errorf("the replaced read-only link still answers %d", r.status)
	}
}

// putDescription saves a new version of d with another workflow description.
func putDescription(t *testing.T, srv *httptest.Server, d draftResp, version int64, text string) {
	t.Helper()
	var spec map[string]any
	if err := json.Unmarshal(d.Spec, &spec); err != nil {
		t.Fatal(err)
	}
	spec["spec"].(map[string]any)["workflows"].([]any)[0].(map[string]any)["description"] = text
	body, _ := json.Marshal(map[string]any{"spec": spec})
	if r := putDraft(t, srv, d.ID, version, string(body)); r.status != http.StatusOK {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
}

// TestZoneWarningNamesTheRegionsZone: a schedule in a zone that shows
// another time than the region's usual one is warned about in the summary;
// a zone with the same clock is not.
func TestZoneWarningNamesTheRegionsZone(t *testing.T) {
	srv := newTestServer(t)
	for _, tc := range []struct {
		region, zone string
		warned       bool
	}{
		{"us-east-1", "Asia/Shanghai", true},
		{"cn-hangzhou", "America/New_York", true},
		{"cn-hangzhou", "Asia/Shanghai", false},
		{"ap-southeast-1", "Asia/Shanghai", false}, // both UTC+8 today
		{"xx-unknown-1", "Asia/Shanghai", false},
	} {
		d := createDraft(t, srv, `{"template":"daily","name":"zones","region":"`+tc.region+`"}`)
		var spec map[string]any
		if err := json.Unmarshal(d.Spec, &spec); err != nil {
			t.Fatal(err)
		}
		spec["spec"].(map[string]any)["workflows"].([]any)[0].(map[string]any)["trigger"].(map[string]any)["timezone"] = tc.zone
		body, _ := json.Marshal(map[string]any{"region": tc.region, "spec": spec})
		if r := putDraft(t, srv, d.ID, 1, string(body)); r.status != http.StatusOK {
			t.Fatalf("save: %d %s", r.status, r.body)
		}
		page := string(do(t, srv, "GET", "/d/"+d.ID, "", "", nil).body)
		if warned := strings.Contains(page, "usually use"); warned != tc.warned {
			t.Errorf("%s in %s: warned %v, want %v", tc.zone, tc.region, warned, tc.warned)
		}
	}
}
