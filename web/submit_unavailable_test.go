package web

import (
	"strings"
	"testing"
)

// TestSubmitRoutesExistWithoutSubmitter: a server whose submitter could
// not be built still has its submit routes; they say why nothing can be
// sent (503), and the editor still links to them.
func TestSubmitRoutesExistWithoutSubmitter(t *testing.T) {
	srv := newTestServer(t)
	d := createDraft(t, srv, `{"projectId":"7","template":"daily"}`)
	r := do(t, srv, "POST", "/api/v1/drafts/"+d.ID+"/submit", "application/json", "", map[string]string{"If-Match": `"1"`})
	if r.status != 503 || !strings.Contains(string(r.body), "submission_unavailable") || !strings.Contains(string(r.body), "nothing was sent") {
		t.Fatalf("%d %s", r.status, r.body)
	}
	for _, path := range []string{"/d/" + d.ID + "/submit", "/api/v1/drafts/" + d.ID + "/submissions"} {
		if r := do(t, srv, "GET", path, "", "", nil); r.status != 200 {
			t.Errorf("GET %s: %d", path, r.status)
		}
	}
	confirm := string(do(t, srv, "GET", "/d/"+d.ID+"/submit", "", "", nil).body)
	if strings.Contains(confirm, `data-testid="submit-button"`) || !strings.Contains(confirm, "submission is not available on this server") {
		t.Error("the confirm page offers a Submit button that cannot work")
	}
	if r := do(t, srv, "GET", "/d/"+d.ID, "", "", nil); !strings.Contains(string(r.body), `data-testid="submit-link"`) {
		t.Error("the editor has no Submit link")
	}
}

// TestSubmissionIDsAreNumbers: a submission route with something other
// than a submission number is refused, naming sid.
func TestSubmissionIDsAreNumbers(t *testing.T) {
	srv := newTestServer(t)
	d := createDraft(t, srv, `{"projectId":"7","template":"daily"}`)
	for _, r := range []struct{ method, path string }{
		{"GET", "/api/v1/drafts/" + d.ID + "/submissions/x"},
		{"POST", "/api/v1/drafts/" + d.ID + "/submissions/x/resume"},
		{"POST", "/api/v1/drafts/" + d.ID + "/submissions/-1/resume"},
	} {
		res := do(t, srv, r.method, r.path, "application/json", "", nil)
		if res.status != 400 || !strings.Contains(string(res.body), "sid:") {
			t.Errorf("%s %s: %d %s", r.method, r.path, res.status, res.body)
		}
	}
}
