package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// smokeRoute is how one documented route is asked and what it must answer.
type smokeRoute struct {
	path   string // {id} and {viewToken} are filled in
	body   string // {spec} is the draft's spec
	status int
	want   string // a substring of the reply (for a page form, of where it redirects)
}

// smokeRoutes are every route README.md documents, in the order they are
// walked (the draft lives until DELETE; undelete brings it back).
var smokeRoutes = []struct {
	route string // as README.md writes it
	smokeRoute
}{
	{"GET /healthz", smokeRoute{"/healthz", "", 200, `"status":"ok"`}},
	{"GET /", smokeRoute{"/", "", 200, `data-testid="template-daily"`}},
	{"GET /import", smokeRoute{"/import", "", 200, `<textarea`}},
	{"POST /api/v1/validate", smokeRoute{"/api/v1/validate", `{"version":"1.1.0","kind":"CycleWorkflow","spec":{"workflows":[{"name":"x"}]}}`, 200, `"valid":`}},
	{"GET /api/v1/cron", smokeRoute{"/api/v1/cron?expr=00+30+02+*+*+%3F&timezone=Asia/Shanghai", "", 200, `"description":"At 02:30 every day"`}},
	{"POST /api/v1/drafts", smokeRoute{"/api/v1/drafts", `{"template":"hourly","name":"other"}`, 201, `"editUrl"`}},
	{"GET /d/{id}", smokeRoute{"/d/{id}", "", 200, `data-testid="submit-link"`}},
	{"GET /v/{viewToken}", smokeRoute{"/v/{viewToken}", "", 200, `data-testid="readonly"`}},
	{"GET /d/{id}/history", smokeRoute{"/d/{id}/history", "", 200, `smoke`}},
	{"GET /d/{id}/submit", smokeRoute{"/d/{id}/submit", "", 200, `data-testid="submit-button"`}},
	{"GET /api/v1/drafts/{id}", smokeRoute{"/api/v1/drafts/{id}", "", 200, `"version":1`}},
	{"PUT /api/v1/drafts/{id}", smokeRoute{"/api/v1/drafts/{id}", `{"projectId":"10000","spec":{spec}}`, 200, `"version":2`}},
	{"POST /d/{id}/version", smokeRoute{"/d/{id}/version", "version={version}&version_message=smoke", 303, "/d/{id}?saved=1&rev=3"}},
	{"GET /api/v1/drafts/{id}/spec", smokeRoute{"/api/v1/drafts/{id}/spec", "", 200, `"kind":"CycleWorkflow"`}},
	{"GET /api/v1/views/{viewToken}", smokeRoute{"/api/v1/views/{viewToken}", "", 200, `"viewUrl"`}},
	{"GET /api/v1/drafts/{id}/revisions", smokeRoute{"/api/v1/drafts/{id}/revisions", "", 200, `"revisions"`}},
	{"GET …/revisions/{version}", smokeRoute{"/api/v1/drafts/{id}/revisions/1", "", 200, `"version":1`}},
	{"GET /api/v1/drafts/{id}/diff", smokeRoute{"/api/v1/drafts/{id}/diff?from=1", "", 200, `"changes"`}},
	{"POST /api/v1/drafts/{id}/revisions/{version}/restore", smokeRoute{"/api/v1/drafts/{id}/revisions/1/restore", "", 200, `"version":4`}},
	{"POST /d/{id}/nodes", smokeRoute{"/d/{id}/nodes", "version={version}&node_action=add&new_kind=ODPS_SQL&new_name=smoke_node", 303, "/d/{id}?node=0&saved=1#nodes"}},
	{"POST /api/v1/drafts/{id}/duplicate", smokeRoute{"/api/v1/drafts/{id}/duplicate", "", 201, `"editUrl"`}},
	{"POST /api/v1/drafts/{id}/submit", smokeRoute{"/api/v1/drafts/{id}/submit", "", 200, `"state":"succeeded"`}},
	{"GET /api/v1/drafts/{id}/submissions", smokeRoute{"/api/v1/drafts/{id}/submissions", "", 200, `"endpoint":"sandbox"`}},
	{"GET /d/{id}/submissions/{sid}", smokeRoute{"/d/{id}/submissions/1", "", 200, `Nothing reached Alibaba Cloud`}},
	{"GET /api/v1/drafts/{id}/submissions/{sid}", smokeRoute{"/api/v1/drafts/{id}/submissions/1", "", 200, `"action":"CreateWorkflowDefinition"`}},
	{"POST /api/v1/drafts/{id}/submissions/{sid}/resume", smokeRoute{"/api/v1/drafts/{id}/submissions/1/resume", "", 409, `"not_resumable"`}},
	{"POST /d/{id}/submissions/{sid}/resume", smokeRoute{"/d/{id}/submissions/1/resume", "", 303, "/d/{id}/submissions/1?refused=not_resumable"}},
	{"GET /open", smokeRoute{"/open", "", 200, `data-testid="open-list"`}},
	{"GET /api/v1/dataworks/workflows", smokeRoute{"/api/v1/dataworks/workflows?projectId=10001&name=sales", "", 200, `"name":"sales_daily_demo"`}},
	{"POST /api/v1/dataworks/open", smokeRoute{"/api/v1/dataworks/open", `{"projectId":"10001","workflowId":"{workflow}"}`, 201, `"editUrl"`}},
	{"POST /open", smokeRoute{"/open", "project_id=10001&workflow_id={workflow}", 303, "/d/"}},
	{"POST /api/v1/drafts/{id}/share/rotate", smokeRoute{"/api/v1/drafts/{id}/share/rotate", "", 200, `"viewUrl"`}},
	{"DELETE /api/v1/drafts/{id}", smokeRoute{"/api/v1/drafts/{id}", "", 200, `"restoreUntil"`}},
	{"POST /api/v1/drafts/{id}/undelete", smokeRoute{"/api/v1/drafts/{id}/undelete", "", 200, `"editUrl"`}},
	// Page forms: posted same-origin; the reply is a redirect.
	{"POST /d/{id}/duplicate", smokeRoute{"/d/{id}/duplicate", "", 303, "/d/"}},
	{"POST /d/{id}/delete", smokeRoute{"/d/{id}/delete", "", 303, "/\n"}},
	{"POST /d/{id}/undelete", smokeRoute{"/d/{id}/undelete", "", 303, "/\n"}},
}

// TestReadmeRoutesOnTheRealProgram starts the program exactly as `make run`
// does (default flags except a free port and a temp database, no Alibaba
// credentials) and asks every route README.md documents: each answers as
// documented. A route the README adds without a line here fails the test.
func TestReadmeRoutesOnTheRealProgram(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile("`((?:GET|POST|PUT|DELETE) [/…][^`\\s?]*)").FindAllStringSubmatch(string(readme), -1) {
		documented[m[1]] = true
	}
	walked := map[string]bool{}
	for _, r := range smokeRoutes {
		walked[r.route] = true
		if !documented[r.route] {
			t.Errorf("README.md no longer documents %s", r.route)
		}
	}
	for route := range documented {
		if !walked[route] {
			t.Errorf("README.md documents %s, which this smoke test does not walk", route)
		}
	}

	// make run's flags but a free port; its ./data/flowform.db lands in the
	// temp dir; no credentials anywhere in the environment.
	dir := t.TempDir()
	_, base, stderr := startProgram(t, dir, []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH")}, "--addr 127.0.0.1:0")
	base = strings.TrimSuffix(base, "/")
	if _, err := os.Stat(filepath.Join(dir, "data", "flowform.db")); err != nil {
		t.Errorf("make run's database ./data/flowform.db was not created: %v", err)
	}

	// Redirects are not followed: a redirect's reply is its Location.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	call := func(method, path, body string, header map[string]string) (int, string) {
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if body != "" || method != "GET" {
			req.Header.Set("Content-Type", "application/json")
		}
		for k, v := range header {
			req.Header.Set(k, v)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer res.Body.Close()
		data, _ := io.ReadAll(res.Body)
		if loc := res.Header.Get("Location"); loc != "" {
			data = append(data, "Location: "+loc+"\n"...)
		}
		return res.StatusCode, string(data)
	}
	status, body := call("POST", "/api/v1/drafts", `{"projectId":10000,"template":"daily","name":"smoke"}`, nil)
	var d struct {
		ID, ViewURL string
		Spec        json.RawMessage
	}
	if status != 201 || json.Unmarshal([]byte(body), &d) != nil {
		t.Fatalf("create: %d %s", status, body)
	}
	viewToken := d.ViewURL[strings.LastIndex(d.ViewURL, "/")+1:]
	// A workflow the sandbox holds, for the routes that open one.
	_, listed := call("GET", "/api/v1/dataworks/workflows?projectId=10001", "", nil)
	var workflows struct{ Workflows []struct{ ID string } }
	if json.Unmarshal([]byte(listed), &workflows) != nil || len(workflows.Workflows) == 0 {
		t.Fatalf("the sandbox lists no workflow: %s", listed)
	}
	version := 1
	for _, r := range smokeRoutes {
		method := strings.Fields(r.route)[0]
		path := strings.NewReplacer("{id}", d.ID, "{viewToken}", viewToken).Replace(r.path)
		fill := strings.NewReplacer("{spec}", string(d.Spec), "{workflow}", workflows.Workflows[0].ID, "{version}", strconv.Itoa(version))
		header := map[string]string{"If-Match": `"` + string(rune('0'+version)) + `"`}
		var status int
		var body string
		if method == "POST" && !strings.HasPrefix(r.path, "/api/") { // a page form, posted same-origin
			status, body = postForm(t, base, path, fill.Replace(r.body))
		} else {
			status, body = call(method, path, fill.Replace(r.body), header)
		}
		if want := strings.ReplaceAll(r.want, "{id}", d.ID); status != r.status || !strings.Contains(body, want) {
			t.Errorf("%s (%s %s): %d, want %d with %q\n%.400s", r.route, method, path, status, r.status, want, body)
		}
		if r.route == "PUT /api/v1/drafts/{id}" || r.route == "POST /d/{id}/version" || r.route == "POST /d/{id}/nodes" || strings.HasSuffix(r.route, "/restore") {
			version++
		}
	}
	if !strings.Contains(stderr.String(), "submissions: sandbox") {
		t.Errorf("start-up does not say where submissions go:\n%s", stderr.String())
	}
}

// postForm posts a page form as a browser does from one of FlowForm's own
// pages: same-origin, urlencoded. It answers the status and where the
// reply redirects, without following.
func postForm(t *testing.T, base, path, form string) (int, string) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("POST", base+path, strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Location") + "\n" + string(body)
}
