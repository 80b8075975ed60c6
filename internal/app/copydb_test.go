package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/flowform/flowform/internal/postgres/pgtest"
)

// TestCopyDBRoundTrip: a SQLite database with drafts, revisions, named
// versions, a delivery and rotated share links moves into PostgreSQL;
// FlowForm on PostgreSQL then opens every draft with the same edit token
// and the current view token (the rotated one still not), with identical
// history and submissions. A second copy into the same database is
// refused and changes nothing.
func TestCopyDBRoundTrip(t *testing.T) {
	lite := start(t, noCredentials())
	var drafts []draftResp
	for i := range 3 {
		d := lite.createDraft(t, fmt.Sprintf(`{"projectId":"123456","template":"daily-pipeline","name":"copied_%d"}`, i))
		lite.describe(t, d, 1, "second version")
		drafts = append(drafts, d)
	}
	if status, res := lite.submit(t, drafts[0].ID, 2, ""); status != 200 || res.Submission.State != "succeeded" {
		t.Fatalf("submit: %d %+v", status, res)
	}
	oldView := drafts[1].ViewURL
	rotated := lite.do(t, "POST", "/api/v1/drafts/"+drafts[1].ID+"/share/rotate", "", nil)
	if rotated.status != 200 {
		t.Fatalf("rotate: %d", rotated.status)
	}
	read := func(app *running) map[string]string {
		out := map[string]string{}
		for _, d := range drafts {
			for _, path := range []string{"/api/v1/drafts/" + d.ID, "/api/v1/drafts/" + d.ID + "/revisions", "/api/v1/drafts/" + d.ID + "/submissions"} {
				r := app.do(t, "GET", path, "", nil)
				out[path] = fmt.Sprint(r.status) + " " + strings.ReplaceAll(string(r.body), app.URL, "")
			}
		}
		return out
	}
	before := read(lite)
	lite.stop()

	pg := pgtest.Start(t)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := Run(context.Background(), []string{"copy-db", "--from", lite.DB, "--to", pg}, noCredentials(), io.Discard, quiet); err != nil {
		t.Fatalf("copy-db: %v", err)
	}
	err := Run(context.Background(), []string{"copy-db", "--from", lite.DB, "--to", pg}, noCredentials(), io.Discard, quiet)
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("a second copy into a database that holds drafts: %v", err)
	}

	onPG := start(t, noCredentials(), "--db", pg)
	after := read(onPG)
	for path, want := range before {
		if after[path] != want {
			t.Errorf("%s differs after the copy:\n%s\n%s", path, want, after[path])
		}
	}
	if r := onPG.do(t, "GET", "/v/"+oldView[strings.LastIndex(oldView, "/")+1:], "", nil); r.status != 404 {
		t.Errorf("the rotated view link opens the copy: %d", r.status)
	}
}
