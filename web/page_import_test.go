package web

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// items lists the texts of the elements sel matches.
func items(doc *goquery.Document, sel string) []string {
	var out []string
	doc.Find(sel).Each(func(_ int, s *goquery.Selection) { out = append(out, strings.TrimSpace(s.Text())) })
	return out
}

// TestImportCheckMatchesEditor imports every DataWorks sample through the
// import page: the check lists exactly the errors and warnings the editor
// then shows, the editor shows the workflow's name, and a node document
// becomes a new workflow named after its node.
func TestImportCheckMatchesEditor(t *testing.T) {
	tests := []struct {
		file, name, projectID string
	}{
		{file: "client__migrationx__migrationx-transformer__src__test__resources__json__spec__real-case-shell-python-sql-spec.json"},
		{file: "copier__cycle_workflow_spec.json", name: "workflow1", projectID: "873483"},
		{file: "copier__cycle_workflow_with_join_spec.json", name: "归并节点测试0715", projectID: "610727"},
		{file: "copier__manual_workflow_spec.json", name: "workflow1", projectID: "3159"},
		{file: "copier__real_cycle_workflow_spec.json", name: "workflow1", projectID: "528891"},
		{file: "copier__single_dowhile_spec.json", name: "dowhile1_workflow"},
		{file: "nodemodel__all_depend_types.json", name: "调度参数设置1_workflow"},
		{file: "version__1.x.y__cycle_workflow.json", name: "工作流042203", projectID: "250515"},
		{file: "version__1.x.y__cycle_workflow_inner_node.json", name: "工作流042203", projectID: "250515"},
		{file: "version__1.x.y__manual_node.json", name: "手动odps01_workflow"},
		{file: "version__1.x.y__manual_workflow.json", name: "teest", projectID: "250515"},
		{file: "version__1.x.y__manual_workflow_inner_node.json", name: "teest"},
		{file: "version__1.x.y__single_cycle_node.json", name: "3232_workflow"},
	}
	srv := newTestServer(t)
	b := newClient(t, srv)
	_, page := b.do("GET", "/import", nil, nil)
	noToken(t, page)
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			spec, err := os.ReadFile(filepath.Join("../internal/flowspec/testdata/import", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			res, checked := b.do("POST", "/import", url.Values{"spec": {string(spec)}, "action": {"check"}}, nil)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("check: %d %q", res.StatusCode, checked.Find("main").Text())
			}
			pid, _ := checked.Find("#import-project").Attr("value")
			if pid != tt.projectID || (tt.projectID != "") != (checked.Find(`[data-testid="import-project-from"]`).Length() == 1) {
				t.Errorf("ProjectId %q offered (%q), want %q", pid, checked.Find("#import-project-note").Text(), tt.projectID)
			}
			wantErrs, wantWarns := items(checked, `[data-testid="import-editor-errors"] li`), items(checked, `[data-testid="import-editor-warnings"] li`)

			res, _ = b.do("POST", "/import", url.Values{"spec": {string(spec)}, "project_id": {pid}, "action": {"create"}}, nil)
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("create: %d", res.StatusCode)
			}
			_, editor := b.do("GET", res.Header.Get("Location"), nil, nil)
			if got, _ := editor.Find("#name").Attr("value"); got != tt.name {
				t.Errorf("editor name %q, want %q", got, tt.name)
			}
			gotErrs, gotWarns := items(editor, `#summary-card li.error`), items(editor, `#summary-card li.warning`)
			if !slices.Equal(gotErrs, wantErrs) || !slices.Equal(gotWarns, wantWarns) {
				t.Errorf("the editor shows other findings than the check listed:\n check  %q / %q\n editor %q / %q", wantErrs, wantWarns, gotErrs, gotWarns)
			}
			if strings.Contains(editor.Find("#summary-card").Text(), "spec.workflows must hold exactly one workflow") {
				t.Error("the editor reports the workflows count")
			}
		})
	}
}

// TestImportCheckListsWhatImportChanges: a flat workflow's move, repeated
// keys and text that is not UTF-8 are listed before anything is created.
func TestImportCheckListsWhatImportChanges(t *testing.T) {
	srv := newTestServer(t)
	b := newClient(t, srv)
	_, page := b.do("GET", "/import", nil, nil)
	noToken(t, page)
	flat, err := os.ReadFile("../internal/flowspec/testdata/import/version__1.x.y__manual_workflow.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, spec, lang string
		paths            []string // data-path of the listed normalisations, in order
		want             string   // text the list holds
		status           int
	}{
		{"flat workflow", string(flat), "en",
			[]string{"spec.workflows", "spec.workflows[0].script.path", "spec.workflows[0].script.parameters", "spec.workflows[0].nodes", "spec.workflows[0].dependencies"},
			`spec.nodes (inner nodes: 6) moved to spec.workflows[0].nodes`, http.StatusOK},
		{"flat workflow in Chinese", string(flat), "zh-CN",
			[]string{"spec.workflows", "spec.workflows[0].script.path", "spec.workflows[0].script.parameters", "spec.workflows[0].nodes", "spec.workflows[0].dependencies"},
			`spec.nodes（内部节点：6 个）已移至 spec.workflows[0].nodes`, http.StatusOK},
		{"repeated key", `{"version":"1.1.0","kind":"ManualWorkflow","spec":{"name":"a","type":"ManualWorkflow","workflows":[{"name":"a","name":"b","script":{"path":"b","runtime":{"command":"WORKFLOW"}}}]}}`, "en",
			[]string{"spec.workflows[0].name"}, `the key "name" appears more than once; only its last value is kept`, http.StatusOK},
		{"not UTF-8", "{\"version\":\"1.1.0\",\"kind\":\"ManualWorkflow\",\"spec\":{\"name\":\"a\",\"type\":\"ManualWorkflow\",\"workflows\":[{\"name\":\"a\",\"citable\":\"caf\xe9\",\"script\":{\"path\":\"a\",\"runtime\":{\"command\":\"WORKFLOW\"}}}]}}", "en",
			[]string{"spec.workflows[0].citable"}, "bytes that are not UTF-8", http.StatusOK},
		// U+FFFD is no character for a description: creating would refuse it.
		{"not UTF-8 in a field the form edits", "{\"version\":\"1.1.0\",\"kind\":\"ManualWorkflow\",\"spec\":{\"name\":\"a\",\"type\":\"ManualWorkflow\",\"workflows\":[{\"name\":\"a\",\"description\":\"caf\xe9\",\"script\":{\"path\":\"a\",\"runtime\":{\"command\":\"WORKFLOW\"}}}]}}", "en",
			[]string{"spec.workflows[0].description"}, "bytes that are not UTF-8", http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, checked := b.do("POST", "/import?lang="+tt.lang, url.Values{"spec": {tt.spec}, "action": {"check"}}, nil)
			if res.StatusCode != tt.status || (tt.status != http.StatusOK) != strings.Contains(checked.Find("#import-errors").Text(), "spec.workflows[0].description") {
				t.Fatalf("check: %d %q", res.StatusCode, checked.Find("main").Text())
			}
			var paths []string
			checked.Find(`[data-testid="import-warnings"] li`).Each(func(_ int, s *goquery.Selection) { p, _ := s.Attr("data-path"); paths = append(paths, p) })
			if !slices.Equal(paths, tt.paths) || !strings.Contains(checked.Find(`[data-testid="import-warnings"]`).Text(), tt.want) {
				t.Errorf("listed %v:\n%s", paths, checked.Find(`[data-testid="import-warnings"]`).Text())
			}
			if checked.Find(`[data-testid="import-clean"]`).Length() != 0 {
				t.Error("the check says nothing changes")
			}
		})
	}
}

// TestImportProjectID: the ProjectId in the document's metadata is offered
// with where it came from; one the user entered is kept, and a bad one
// stops creation with a message naming projectId.
func TestImportProjectID(t *testing.T) {
	srv := newTestServer(t)
	b := newClient(t, srv)
	_, page := b.do("GET", "/import", nil, nil)
	noToken(t, page)
	spec, err := os.ReadFile("../internal/flowspec/testdata/import/version__1.x.y__manual_workflow.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, entered, want, note string
		status                    int
	}{
		{"offered", "", "250515", "metadata.projectId", http.StatusOK},
		{"entered is kept", "777", "777", "250515", http.StatusOK},
		{"same as the document", "250515", "250515", "", http.StatusOK},
		{"bad", "abc", "abc", "250515", http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, checked := b.do("POST", "/import", url.Values{"spec": {string(spec)}, "project_id": {tt.entered}, "action": {"check"}}, nil)
			got, _ := checked.Find("#import-project").Attr("value")
			note := strings.TrimSpace(checked.Find("#import-project-note").Text())
			if res.StatusCode != tt.status || got != tt.want || (tt.note == "") != (note == "") || !strings.Contains(note, tt.note) {
				t.Errorf("%d: %q with note %q", res.StatusCode, got, note)
			}
			if tt.status != http.StatusOK && (!strings.Contains(checked.Find("#import-errors").Text(), "projectId") || checked.Find(`[data-testid="import-create"]`).Length() != 0) {
				t.Errorf("a bad ProjectId does not stop creation: %q", checked.Find("main").Text())
			}
		})
	}
}
