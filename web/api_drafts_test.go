package web

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowform/flowform/internal/flowspec"
)

type draftResp struct {
	ID         string          `json:"id"`
	Version    int64           `json:"version"`
	ProjectID  string          `json:"projectId"`
	Region     string          `json:"region"`
	Spec       json.RawMessage `json:"spec"`
	EditURL    string          `json:"editUrl"`
	ViewURL    string          `json:"viewUrl"`
	Validation struct {
		Valid    bool
		Errors   []struct{ Path, Code, Message string }
		Warnings []struct{ Path, Code, Message string }
	} `json:"validation"`
}

func createDraft(t testing.TB, srv *httptest.Server, body string) draftResp {
	t.Helper()
	r := do(t, srv, "POST", "/api/v1/drafts", "application/json", body, nil)
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	var d draftResp
	decodeJSON(t, r.body, &d)
	if r.header.Get("ETag") != `"1"` {
		t.Fatalf("create ETag %q", r.header.Get("ETag"))
	}
	return d
}

func putDraft(t testing.TB, srv *httptest.Server, id string, version int64, body string) response {
	t.Helper()
	return do(t, srv, "PUT", "/api/v1/drafts/"+id, "application/json", body, map[string]string{"If-Match": etag(version)})
}

// withName returns spec (JSON) with the workflow name set to name, which is
// written into the JSON as it stands (escapes included).
func withName(t testing.TB, spec, name string) string {
	t.Helper()
	out := strings.Replace(spec, `"name":"new_workflow"`, `"name":"`+name+`"`, -1)
	if out == spec {
		t.Fatal("spec has no name to replace")
	}
	return out
}

// withDescription returns spec with the workflow description set.
func withDescription(t testing.TB, spec []byte, desc string) string {
	t.Helper()
	doc, _, err := flowspec.Import(spec)
	if err != nil {
		t.Fatal(err)
	}
	f := doc.Form()
	f.Description = desc
	doc.Apply(f)
	return string(doc.Canonical())
}

func TestDraftLifecycle(t *testing.T) {
	srv, _ := newTestServerWithStore(t, Config{AuthHeader: "X-Forwarded-Email", PublicURL: "https://flowform.example.com/"})
	d := createDraft(t, srv, `{"projectId": 123456, "template": "weekly-monday", "name": "orders"}`)
	if d.Version != 1 || d.ProjectID != "123456" || d.Region != "cn-shanghai" || !d.Validation.Valid ||
		d.EditURL != "https://flowform.example.com/d/"+d.ID || !strings.HasPrefix(d.ViewURL, "https://flowform.example.com/v/") {
		t.Fatalf("created %+v", d)
	}
	if !bytes.Contains(d.Spec, []byte(`"cron":"00 00 09 ? * 1"`)) || !bytes.Contains(d.Spec, []byte(`"name":"orders"`)) {
		t.Fatalf("template spec %s", d.Spec)
	}

	// GET: ETag and the same content; /spec: the exact bytes submission sends.
	r := do(t, srv, "GET", "/api/v1/drafts/"+d.ID, "", "", nil)
	if r.status != 200 || r.header.Get("ETag") != `"1"` || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("get: %d %v", r.status, r.header)
	}
	spec := do(t, srv, "GET", "/api/v1/drafts/"+d.ID+"/spec", "", "", nil)
	if spec.status != 200 || !bytes.Equal(spec.body, d.Spec) {
		t.Fatalf("spec endpoint: %s\nvs %s", spec.body, d.Spec)
	}

	// PUT without If-Match is 428; with a stale version 412 carrying the current draft.
	edited := withDescription(t, d.Spec, "first edit")
	if r := do(t, srv, "PUT", "/api/v1/drafts/"+d.ID, "application/json", `{"spec":`+edited+`}`, nil); r.status != 428 {
		t.Fatalf("no If-Match: %d", r.status)
	}
	r = do(t, srv, "PUT", "/api/v1/drafts/"+d.ID, "application/json", `{"projectId":"123456","spec":`+edited+`}`,
		map[string]string{"If-Match": `"1"`, "X-Forwarded-Email": "ann@example.com"})
	if r.status != 200 || r.header.Get("ETag") != `"2"` {
		t.Fatalf("put: %d %s", r.status, r.body)
	}
	stale := putDraft(t, srv, d.ID, 1, `{"spec":`+withDescription(t, d.Spec, "lost?")+`}`)
	var conflict struct {
		Error   struct{ Code, Message string }
		Current draftResp
	}
	decodeJSON(t, stale.body, &conflict)
	if stale.status != 412 || conflict.Error.Code != "conflict" || conflict.Current.Version != 2 ||
		!bytes.Contains(conflict.Current.Spec, []byte("first edit")) || stale.header.Get("ETag") != `"2"` {
		t.Fatalf("stale put: %d %s", stale.status, stale.body)
	}

	// View token: read-only, no edit capability in the answer, no referrer.
	viewToken := d.ViewURL[strings.LastIndex(d.ViewURL, "/")+1:]
	v := do(t, srv, "GET", "/api/v1/views/"+viewToken, "", "", nil)
	if v.status != 200 || v.header.Get("Referrer-Policy") != "no-referrer" || bytes.Contains(v.body, []byte(d.ID)) ||
		bytes.Contains(v.body, []byte("editUrl")) {
		t.Fatalf("view: %d %s", v.status, v.body)
	}
	// Rotation revokes the old view link.
	rot := do(t, srv, "POST", "/api/v1/drafts/"+d.ID+"/share/rotate", "", "", nil)
	var rotated draftResp
	decodeJSON(t, rot.body, &rotated)
	if rot.status != 200 || rotated.ViewURL == d.ViewURL {
		t.Fatalf("rotate: %d %s", rot.status, rot.body)
	}
	if r := do(t, srv, "GET", "/api/v1/views/"+viewToken, "", "", nil); r.status != 404 {
		t.Fatalf("rotated view token: %d", r.status)
	}

	// Revisions carry their authors; diff names paths; restore is a new revision.
	revs := do(t, srv, "GET", "/api/v1/drafts/"+d.ID+"/revisions", "", "", nil)
	if !strings.Contains(string(revs.body), `{"version":2,"author":"ann@example.com"`) || !strings.Contains(string(revs.body), `{"version":1,"author":"anonymous"`) {
		t.Fatalf("revisions: %s", revs.body)
	}
	diff := do(t, srv, "GET", "/api/v1/drafts/"+d.ID+"/diff?from=1", "", "", nil)
	if diff.status != 200 || !strings.Contains(string(diff.body), `{"path":"spec.workflows[0].description","op":"added","new":"first edit"}`) {
		t.Fatalf("diff: %s", diff.body)
	}
	rev1 := do(t, srv, "GET", "/api/v1/drafts/"+d.ID+"/revisions/1", "", "", nil)
	if rev1.status != 200 || !strings.Contains(string(rev1.body), `"spec":{"kind":"CycleWorkflow"`) {
		t.Fatalf("revision 1: %s", rev1.body)
	}
	if r := do(t, srv, "POST", "/api/v1/drafts/"+d.ID+"/revisions/1/restore", "", "", map[string]string{"If-Match": `"1"`}); r.status != 412 {
		t.Fatalf("stale restore: %d", r.status)
	}
	res := do(t, srv, "POST", "/api/v1/drafts/"+d.ID+"/revisions/1/restore", "", "", map[string]string{"If-Match": `"2"`})
	var restored draftResp
	decodeJSON(t, res.body, &restored)
	if res.status != 200 || restored.Version != 3 || !bytes.Equal(restored.Spec, d.Spec) {
		t.Fatalf("restore: %d %s", res.status, res.body)
	}
	if r := do(t, srv, "GET", "/api/v1/drafts/"+d.ID+"/revisions/7", "", "", nil); r.status != 404 || !strings.Contains(string(r.body), "1 to 3") {
		t.Fatalf("missing revision: %d %s", r.status, r.body)
	}

	// Duplicate: a new draft, same content.
	dup := do(t, srv, "POST", "/api/v1/drafts/"+d.ID+"/duplicate", "", "", nil)
	var dupd draftResp
	decodeJSON(t, dup.body, &dupd)
	if dup.status != 201 || dupd.ID == d.ID || dupd.Version != 1 || !bytes.Equal(dupd.Spec, restored.Spec) {
		t.Fatalf("duplicate: %d %s", dup.status, dup.body)
	}

	// Delete: answers exactly like an unknown token; undelete brings it back.
	unknown := do(t, srv, "GET", "/api/v1/drafts/"+strings.Repeat("A", 26), "", "", nil)
	if del := do(t, srv, "DELETE", "/api/v1/drafts/"+d.ID, "", "", nil); del.status != 200 || !strings.Contains(string(del.body), `"restoreUntil":"2026-12-27T12:00:00Z"`) {
		t.Fatalf("delete: %d %s", del.status, del.body)
	}
	gone := do(t, srv, "GET", "/api/v1/drafts/"+d.ID, "", "", nil)
	if gone.status != 404 || unknown.status != 404 || !bytes.Equal(gone.body, unknown.body) {
		t.Fatalf("deleted %d %s vs unknown %d %s", gone.status, gone.body, unknown.status, unknown.body)
	}
	if r := do(t, srv, "POST", "/api/v1/drafts/"+d.ID+"/undelete", "", "", nil); r.status != 200 {
		t.Fatalf("undelete: %d %s", r.status, r.body)
	}
	if r := do(t, srv, "GET", "/api/v1/drafts/"+d.ID, "", "", nil); r.status != 200 || r.header.Get("ETag") != `"3"` {
		t.Fatalf("after undelete: %d", r.status)
	}
}

func TestInvalidSpecIsSavedWithFindings(t *testing.T) {
	srv := newTestServer(t)
	d := createDraft(t, srv, `{"spec":{"version":"1.1.0","kind":"CycleWorkflow","spec":{"type":"CycleWorkflow","workflows":[{"name":"x","trigger":{"type":"scheduler","cron":"00 */2 * * * ?"}}]}}}`)
	if d.Validation.Valid || len(d.Validation.Errors) == 0 {
		t.Fatalf("invalid spec reported valid: %+v", d.Validation)
	}
	var rewritten bool
	for _, w := range d.Validation.Warnings {
		rewritten = rewritten || (w.Code == "label_case" && w.Path == "spec.workflows[0].trigger.type")
	}
	if !rewritten || !bytes.Contains(d.Spec, []byte(`"type":"Scheduler"`)) {
		t.Errorf("label not normalised with a warning: %+v", d.Validation.Warnings)
	}
}

// TestConcurrentSaves: 32 clients × 50 saves on one draft, each with the
// version it last read. Nothing is lost, nothing overwritten.
func TestConcurrentSaves(t *testing.T) {
	srv := newTestServer(t)
	d := createDraft(t, srv, `{"name":"contended"}`)
	const clients, saves = 32, 50
	type ack struct {
		version int64
		spec    string
	}
	var mu sync.Mutex
	var acks []ack
	statuses := map[int]int{}
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := inGoroutine{t} // helpers' fatal failures stop this goroutine only
			r := do(t, srv, "GET", "/api/v1/drafts/"+d.ID, "", "", nil)
			var cur draftResp
			decodeJSON(t, r.body, &cur)
			for i := range saves {
				spec := withDescription(t, cur.Spec, fmt.Sprintf("client %d save %d", c, i))
				r := putDraft(t, srv, d.ID, cur.Version, `{"spec":`+spec+`}`)
				mu.Lock()
				statuses[r.status]++
				mu.Unlock()
				switch r.status {
				case 200:
					var saved draftResp
					decodeJSON(t, r.body, &saved)
					mu.Lock()
					acks = append(acks, ack{saved.Version, spec})
					mu.Unlock()
					cur = saved
				case 412:
					var conflict struct{ Current draftResp }
					decodeJSON(t, r.body, &conflict)
					cur = conflict.Current
				}
			}
		}()
	}
	wg.Wait()
	if len(statuses) > 2 || statuses[200]+statuses[412] != clients*saves {
		t.Fatalf("statuses %v: only 200 and 412 allowed", statuses)
	}
	final := do(t, srv, "GET", "/api/v1/drafts/"+d.ID, "", "", nil)
	if want := etag(int64(1 + statuses[200])); final.header.Get("ETag") != want {
		t.Fatalf("final version %s, want %s (1 + %d successful saves)", final.header.Get("ETag"), want, statuses[200])
	}
	var list struct{ Revisions []struct{ Version int64 } }
	decodeJSON(t, do(t, srv, "GET", "/api/v1/drafts/"+d.ID+"/revisions", "", "", nil).body, &list)
	for i, r := range list.Revisions {
		if want := int64(1 + statuses[200] - i); r.Version != want {
			t.Fatalf("revisions not contiguous: position %d is %d, want %d", i, r.Version, want)
		}
	}
	sort.Slice(acks, func(i, j int) bool { return acks[i].version < acks[j].version })
	for _, a := range acks {
		r := do(t, srv, "GET", "/api/v1/drafts/"+d.ID+"/revisions/"+strconv.FormatInt(a.version, 10), "", "", nil)
		var rev struct{ Spec json.RawMessage }
		decodeJSON(t, r.body, &rev)
		if string(rev.Spec) != a.spec {
			t.Fatalf("revision %d is not what its writer sent", a.version)
		}
	}
	t.Logf("%d saves accepted, %d refused with 412", statuses[200], statuses[412])
}

// TestCapabilities: guessed tokens never open a draft; a view token opens
// nothing but the view.
func TestCapabilities(t *testing.T) {
	srv := newTestServer(t)
	d := createDraft(t, srv, `{}`)
	viewToken := d.ViewURL[strings.LastIndex(d.ViewURL, "/")+1:]

	// A view token on every edit route: 404, and nothing changes.
	for _, route := range []struct{ method, path string }{
		{"GET", "/api/v1/drafts/%s"}, {"PUT", "/api/v1/drafts/%s"}, {"DELETE", "/api/v1/drafts/%s"},
		{"GET", "/api/v1/drafts/%s/spec"}, {"POST", "/api/v1/drafts/%s/share/rotate"},
		{"GET", "/api/v1/drafts/%s/revisions"}, {"POST", "/api/v1/drafts/%s/revisions/1/restore"},
		{"POST", "/api/v1/drafts/%s/duplicate"}, {"GET", "/api/v1/drafts/%s/diff?from=1"},
	} {
		r := do(t, srv, route.method, fmt.Sprintf(route.path, viewToken), "application/json", `{"spec":{}}`, map[string]string{"If-Match": `"1"`})
		if r.status != 404 {
			t.Errorf("view token on %s %s: %d", route.method, route.path, r.status)
		}
	}
	// The edit token is not a view token either.
	if r := do(t, srv, "GET", "/api/v1/views/"+d.ID, "", "", nil); r.status != 404 {
		t.Errorf("edit token as view token: %d", r.status)
	}
	if r := do(t, srv, "GET", "/api/v1/drafts/"+d.ID, "", "", nil); r.status != 200 || r.header.Get("ETag") != `"1"` {
		t.Fatalf("draft changed by view-token requests: %d %s", r.status, r.header.Get("ETag"))
	}

	// 10,000 random tokens: never 200; 404 until the miss limit trips, then 429.
	counts := map[int]int{}
	for i := range 10000 {
		token := rand.Text()
		path := "/api/v1/drafts/" + token
		if i%2 == 1 {
			path = "/api/v1/views/" + token
		}
		counts[do(t, srv, "GET", path, "", "", nil).status]++
	}
	// The ten view-token probes above already counted as misses.
	if counts[200] != 0 || counts[404]+counts[429] != 10000 || counts[404] != missesPerMinute-10 {
		t.Fatalf("random tokens: %v", counts)
	}
	t.Logf("10,000 random tokens: %v", counts)
}

// TestCapabilityMissLimitIsPerClient: one guessing client does not lock out
// another, and legitimate use never trips the limit.
func TestCapabilityMissLimitIsPerClient(t *testing.T) {
	s := New(Config{Now: func() time.Time { return testNow }})
	for range missesPerMinute {
		s.misses.take("203.0.113.9")
	}
	if s.misses.blocked("203.0.113.9") == 0 {
		t.Fatal("guessing client not blocked")
	}
	if s.misses.blocked("198.51.100.7") != 0 {
		t.Fatal("another client blocked")
	}
}

// TestRoundTripThreeSaves: import a real spec with unknown fields, save
// three edits through the API, export: only the edited fields differ.
func TestRoundTripThreeSaves(t *testing.T) {
	srv := newTestServer(t)
	original, err := os.ReadFile("../internal/flowspec/testdata/import/copier__cycle_workflow_with_join_spec.json")
	if err != nil {
		t.Fatal(err)
	}
	d := createDraft(t, srv, `{"projectId":"250515","spec":`+string(original)+`}`)
	edits := []func(*flowspec.Form){
		func(f *flowspec.Form) { f.Cron = "00 30 05 * * ?" },
		func(f *flowspec.Form) { f.RerunTimes = 5 },
		func(f *flowspec.Form) { f.Timezone = "Asia/Shanghai" },
	}
	cur := d
	for _, edit := range edits {
		doc, _, err := flowspec.Import(cur.Spec)
		if err != nil {
			t.Fatal(err)
		}
		f := doc.Form()
		edit(&f)
		doc.Apply(f)
		r := putDraft(t, srv, d.ID, cur.Version, `{"projectId":"250515","spec":`+string(doc.Canonical())+`}`)
		if r.status != 200 {
			t.Fatalf("save: %d %s", r.status, r.body)
		}
		decodeJSON(t, r.body, &cur)
	}
	exported := do(t, srv, "GET", "/api/v1/drafts/"+d.ID+"/spec", "", "", nil).body
	a, _, _ := flowspec.Import(original)
	b, _, _ := flowspec.Import(exported)
	var paths []string
	for _, ch := range flowspec.Diff(a, b) {
		paths = append(paths, ch.Path+" "+ch.Old+"→"+ch.New)
	}
	want := []string{
		`spec.workflows[0].trigger.cron "00 00 00 * * ?"→"00 30 05 * * ?"`,
		`spec.workflows[0].trigger.timezone "GMT+8"→"Asia/Shanghai"`,
		`spec.workflows[0].strategy.rerunTimes 3→5`,
	}
	if strings.Join(paths, "\n") != strings.Join(want, "\n") {
		t.Fatalf("changed:\n%s\nwant:\n%s", strings.Join(paths, "\n"), strings.Join(want, "\n"))
	}
}

// TestBadInputChangesNothing: every refused request names the problem and
// leaves the draft exactly as it was.
func TestBadInputChangesNothing(t *testing.T) {
	srv, _ := newTestServerWithStore(t, Config{})
	d := createDraft(t, srv, `{"projectId":"42"}`)
	good := string(d.Spec)
	path := "/api/v1/drafts/" + d.ID
	huge := `{"spec":{"x":"` + strings.Repeat("y", 1<<20) + `"}}`
	tests := []struct {
		name, method, ctype, body string
		ifMatch                   string
		status                    int
		code                      string
	}{
		{"malformed JSON", "PUT", "application/json", `{"spec":`, `"1"`, 400, "malformed_json"},
		{"spec is an array", "PUT", "application/json", `{"spec":[1]}`, `"1"`, 400, "not_an_object"},
		{"spec is a string", "PUT", "application/json", `{"spec":"{}"}`, `"1"`, 400, "not_an_object"},
		{"spec missing", "PUT", "application/json", `{"projectId":"42"}`, `"1"`, 400, "spec_required"},
		{"unknown field", "PUT", "application/json", `{"project":"42","spec":` + good + `}`, `"1"`, 400, "malformed_json"},
		{"project id not a number", "PUT", "application/json", `{"projectId":"abc","spec":` + good + `}`, `"1"`, 400, "invalid"},
		{"project id negative", "PUT", "application/json", `{"projectId":-5,"spec":` + good + `}`, `"1"`, 400, "invalid"},
		{"project id object", "PUT", "application/json", `{"projectId":{},"spec":` + good + `}`, `"1"`, 400, "project_id"},
		{"bad region", "PUT", "application/json", `{"region":"Shanghai","spec":` + good + `}`, `"1"`, 400, "invalid"},
		{"too large", "PUT", "application/json", huge, `"1"`, 413, "too_large"},
		{"not JSON", "PUT", "text/plain", `{"spec":` + good + `}`, `"1"`, 415, "content_type"},
		{"no If-Match", "PUT", "application/json", `{"spec":` + good + `}`, "", 428, "precondition_required"},
		{"If-Match star", "PUT", "application/json", `{"spec":` + good + `}`, "*", 428, "precondition_required"},
		{"If-Match without quotes", "PUT", "application/json", `{"spec":` + good + `}`, `1`, 400, "if_match"},
		{"If-Match garbage", "PUT", "application/json", `{"spec":` + good + `}`, `"v1`, 400, "if_match"},
		{"If-Match with a tab", "PUT", "application/json", `{"spec":` + good + `}`, "\"\t1\"", 400, "if_match"},
		{"If-Match weak", "PUT", "application/json", `{"spec":` + good + `}`, `W/"1"`, 412, "conflict"},
		{"If-Match leading zero", "PUT", "application/json", `{"spec":` + good + `}`, `"01"`, 412, "conflict"},
		{"If-Match plus sign", "PUT", "application/json", `{"spec":` + good + `}`, `"+1"`, 412, "conflict"},
		{"If-Match another tag", "PUT", "application/json", `{"spec":` + good + `}`, `"v1"`, 412, "conflict"},
		{"name too long", "PUT", "application/json", `{"spec":` + withName(t, good, strings.Repeat("n", 900)) + `}`, `"1"`, 400, "invalid"},
		{"name with a right-to-left override", "PUT", "application/json", `{"spec":` + withName(t, good, "sales\u202eliad") + `}`, `"1"`, 400, "invalid"},
		{"name with a newline", "PUT", "application/json", `{"spec":` + withName(t, good, `sales\ndaily`) + `}`, `"1"`, 400, "invalid"},
		{"stale", "PUT", "application/json", `{"spec":` + good + `}`, `"7"`, 412, "conflict"},
		{"create malformed", "POST", "application/json", `{"spec":{`, "", 400, "malformed_json"},
		{"create bad template", "POST", "application/json", `{"template":"yearly"}`, "", 400, "template"},
		{"create too large", "POST", "application/json", huge, "", 413, "too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := path
			if tt.method == "POST" {
				target = "/api/v1/drafts"
			}
			h := map[string]string{}
			if tt.ifMatch != "" {
				h["If-Match"] = tt.ifMatch
			}
			r := do(t, srv, tt.method, target, tt.ctype, tt.body, h)
			var got struct {
				Error struct{ Code, Message string }
			}
			decodeJSON(t, r.body, &got)
			if r.status != tt.status || got.Error.Code != tt.code || got.Error.Message == "" {
				t.Errorf("got %d %s, want %d %s", r.status, r.body, tt.status, tt.code)
			}
		})
	}
	after := do(t, srv, "GET", path, "", "", nil)
	var cur draftResp
	decodeJSON(t, after.body, &cur)
	revs := do(t, srv, "GET", path+"/revisions", "", "", nil)
	if cur.Version != 1 || string(cur.Spec) != good || cur.ProjectID != "42" || strings.Count(string(revs.body), `"version"`) != 1 {
		t.Fatalf("bad input changed the draft: version %d, %d revisions", cur.Version, strings.Count(string(revs.body), `"version"`))
	}
	// Bad creates wrote no drafts either: the only draft is still the one.
	if r := do(t, srv, "GET", "/api/v1/drafts/"+d.ID+"/duplicate", "", "", nil); r.status != 405 {
		t.Errorf("duplicate via GET: %d", r.status)
	}
}

// TestSpoofedForwardedForDoesNotEscapeTheLimit: with no trusted proxy, a
// guesser rotating X-Forwarded-For is still one client and gets 429; behind
// a trusted proxy, the forwarded address is the client.
func TestSpoofedForwardedForDoesNotEscapeTheLimit(t *testing.T) {
	srv := newTestServer(t)
	var last int
	for i := range missesPerMinute + 5 {
		last = do(t, srv, "GET", "/api/v1/drafts/"+rand.Text(), "", "", map[string]string{"X-Forwarded-For": fmt.Sprintf("203.0.113.%d", i%250)}).status
	}
	if last != 429 {
		t.Fatalf("spoofed X-Forwarded-For escaped the miss limit: %d", last)
	}

	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	proxied, _ := newTestServerWithStore(t, Config{TrustedProxies: []*net.IPNet{loopback}})
	for i := range missesPerMinute + 5 {
		last = do(t, proxied, "GET", "/api/v1/drafts/"+rand.Text(), "", "", map[string]string{"X-Forwarded-For": fmt.Sprintf("203.0.113.%d", i)}).status
	}
	if last != 404 {
		t.Fatalf("behind a trusted proxy, distinct clients were limited together: %d", last)
	}
}
