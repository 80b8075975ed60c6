package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowform/flowform/internal/flowspec"
)

// createFromFile creates a draft from a sample over the API and returns
// its id.
func createFromFile(t *testing.T, b *browserClient, file string) string {
	t.Helper()
	spec, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	res := do(t, b.srv, "POST", "/api/v1/drafts", "application/json", `{"projectId":"10000","region":"cn-shanghai","spec":`+string(spec)+`}`, nil)
	var d struct{ ID string }
	if res.status != http.StatusCreated || json.Unmarshal(res.body, &d) != nil {
		t.Fatalf("create: %d %s", res.status, res.body)
	}
	return d.ID
}

// newPipelineDraft creates a draft from the three-node pipeline template
// through the home page and returns its editor's path.
func newPipelineDraft(t *testing.T) (*browserClient, string) {
	t.Helper()
	b := newClient(t, newTestServer(t))
	b.do("GET", "/", nil, nil)
	res, _ := b.do("POST", "/drafts", url.Values{"template": {"daily-pipeline"}, "name": {"pipe"}}, nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", res.StatusCode)
	}
	return b, res.Header.Get("Location")
}

func storedSpec(t *testing.T, b *browserClient, id string) (*flowspec.Document, int64) {
	t.Helper()
	res := do(t, b.srv, "GET", "/api/v1/drafts/"+id, "", "", nil)
	var d struct {
		Version int64
		Spec    json.RawMessage
	}
	if err := json.Unmarshal(res.body, &d); err != nil {
		t.Fatal(err)
	}
	doc, _, err := flowspec.Import(d.Spec)
	if err != nil {
		t.Fatal(err)
	}
	return doc, d.Version
}

// TestNodeFormPostedBackChangesNoNode: every sample's editor, with each
// node's form open, posted back as a browser sends it with only the
// description edited, changes no node and no dependency. (A branch's
// output, shown as the branch's name, stays that output.)
func TestNodeFormPostedBackChangesNoNode(t *testing.T) {
	files, _ := filepath.Glob("../internal/flowspec/testdata/import/*.json")
	srv := newTestServer(t)
	b := newClient(t, srv)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			id := createFromFile(t, b, file)
			before, _ := storedSpec(t, b, id)
			for i := range min(before.NodeCount(), 4) {
				_, page := b.do("GET", "/d/"+id+"?node="+string(rune('0'+i)), nil, nil)
				form := editorForm(page)
				form.Set("description", "edited "+string(rune('0'+i)))
				res, _ := b.do("POST", "/d/"+id+"/autosave", form, nil)
				if res.StatusCode != http.StatusOK {
					t.Fatalf("autosave: %d", res.StatusCode)
				}
				after, _ := storedSpec(t, b, id)
				for _, c := range flowspec.Diff(before, after) {
					if strings.Contains(c.Path, ".nodes[") || strings.Contains(c.Path, ".dependencies[") || strings.Contains(c.Path, ".flow[") {
						t.Errorf("node %d's form posted back changed %s: %s → %s", i, c.Path, c.Old, c.New)
					}
				}
				before = after
			}
		})
	}
}

// TestNodeActionsRefusedSaveNothing: an action that cannot be done
// (a name taken, an unknown action or kind, an undo of nothing, a stale
// page) saves nothing, not even the edits posted with it.
func TestNodeActionsRefusedSaveNothing(t *testing.T) {
	b, path := newPipelineDraft(t)
	id := strings.TrimPrefix(path, "/d/")
	_, page := b.do("GET", path+"?node=1", nil, nil)
	base := editorForm(page)
	_, version := storedSpec(t, b, id)
	for _, tc := range []struct {
		name   string
		set    map[string]string
		status int
		says   string
	}{
		{"name taken", map[string]string{"node_action": "add", "new_kind": "ODPS_SQL", "new_name": "ods_orders"}, 422, `already in this workflow`},
		{"unknown kind", map[string]string{"node_action": "add", "new_kind": "RM_RF", "new_name": "x"}, 422, `"RM_RF" is not a kind`},
		{"unknown action", map[string]string{"node_action": "explode"}, 422, `"explode" is not something`},
		{"undo of nothing", map[string]string{"node_action": "undo", "restore_id": "nope", "restore_from": "1"}, 422, "Nothing to undo"},
		{"undo from no version", map[string]string{"node_action": "undo", "restore_id": "nope", "restore_from": "99"}, 404, ""},
		{"stale page", map[string]string{"node_action": "duplicate", "version": "0"}, 412, "someone else saved first"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{}
			for k, v := range base {
				form[k] = append([]string(nil), v...)
			}
			form.Set("node_code", "-- an edit that must not be saved\n")
			for k, v := range tc.set {
				form.Set(k, v)
			}
			res, doc := b.do("POST", path+"/nodes", form, nil)
			if res.StatusCode != tc.status || !strings.Contains(doc.Text(), tc.says) {
				t.Errorf("%d %q, want %d saying %q", res.StatusCode, doc.Find("main").Text(), tc.status, tc.says)
			}
			if tc.set["new_name"] != "" && tc.status == 422 {
				if v, _ := doc.Find("#new_name").Attr("value"); v != tc.set["new_name"] {
					t.Errorf("the typed name %q is not shown back: %q", tc.set["new_name"], v)
				}
			}
			if _, v := storedSpec(t, b, id); v != version {
				t.Errorf("version %d after a refused action, want %d", v, version)
			}
		})
	}
}

// TestNodeActionsSave: add, duplicate, move, delete and undo each save one
// version (two when edits were pending), and a move that moves nothing
// saves none.
func TestNodeActionsSave(t *testing.T) {
	b, path := newPipelineDraft(t)
	id := strings.TrimPrefix(path, "/d/")
	act := func(node, action string, set map[string]string) string {
		t.Helper()
		_, page := b.do("GET", path+"?node="+node, nil, nil)
		form := editorForm(page)
		form.Set("node_action", action)
		for k, v := range set {
			form.Set(k, v)
		}
		res, _ := b.do("POST", path+"/nodes", form, nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d", action, res.StatusCode)
		}
		return res.Header.Get("Location")
	}
	names := func() string {
		doc, _ := storedSpec(t, b, id)
		var out []string
		for _, n := range doc.Nodes() {
			out = append(out, n.Name())
		}
		return strings.Join(out, " ")
	}
	version := func() int64 { _, v := storedSpec(t, b, id); return v }

	act("0", "up", nil)
	if v := version(); v != 1 {
		t.Errorf("moving the first node up saved version %d", v)
	}
	act("2", "up", nil)
	if got := names(); got != "ods_orders ads_sales_daily dwd_orders" || version() != 2 {
		t.Errorf("after up: %s, version %d", got, version())
	}
	act("0", "duplicate", map[string]string{"node_code": "select 0;"})
	if got := names(); got != "ods_orders ods_orders_copy ads_sales_daily dwd_orders" || version() != 4 {
		t.Errorf("after an edit and duplicate: %s, version %d", got, version())
	}
	if doc, _ := storedSpec(t, b, id); doc.Node(1).Values["node_code"] != "select 0;" {
		t.Errorf("the pending edit was not saved before duplicating")
	}
	loc := act("3", "delete", nil)
	if got := names(); got != "ods_orders ods_orders_copy ads_sales_daily" {
		t.Errorf("after delete: %s", got)
	}
	q, _ := url.ParseQuery(loc[strings.Index(loc, "?")+1 : strings.Index(loc, "#")])
	_, page := b.do("GET", loc[:strings.Index(loc, "#")], nil, nil)
	if !strings.Contains(page.Find(`[data-testid="node-removed"]`).Text(), "dwd_orders") {
		t.Fatalf("no undo notice at %s", loc)
	}
	act("0", "undo", map[string]string{"restore_id": q.Get("removed"), "restore_from": q.Get("from")})
	if got := names(); got != "ods_orders ods_orders_copy ads_sales_daily dwd_orders" {
		t.Errorf("after undo: %s", got)
	}
	if doc, _ := storedSpec(t, b, id); len(doc.Graph().Edges) != 2 {
		t.Errorf("undo did not bring back the dependencies: %+v", doc.Graph().Edges)
	}
}

// TestNodeFormRowsBounded: a node form posting thousands of upstream rows
// is refused at once, and nothing is saved.
func TestNodeFormRowsBounded(t *testing.T) {
	b, path := newPipelineDraft(t)
	_, page := b.do("GET", path+"?node=2", nil, nil)
	form := editorForm(page)
	for k := range 3000 {
		form.Add("node_up", "ext.table_"+strings.Repeat("x", k%7))
		form.Add("node_up_type", "Normal")
	}
	res, doc := b.do("POST", path+"/autosave", form, nil)
	if res.StatusCode != http.StatusOK || !strings.Contains(doc.Text(), "Not saved") {
		t.Errorf("%d %q", res.StatusCode, doc.Text())
	}
	if _, v := storedSpec(t, b, strings.TrimPrefix(path, "/d/")); v != 1 {
		t.Errorf("saved version %d", v)
	}
}
