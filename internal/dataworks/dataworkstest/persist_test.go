package dataworkstest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/flowform/flowform/internal/dataworks/dataworkstest"
)

// persisting starts a server that persists to file, and a client for it;
// restored says whether the file was there.
func persisting(t *testing.T, file string) (e *env, restored bool) {
	t.Helper()
	srv, err := dataworkstest.New(keyID, secret, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	if restored, err = srv.PersistTo(file); err != nil {
		t.Fatal(err)
	}
	return envOn(t, srv), restored
}

// state is what the API shows of a workflow: its definition, its nodes as
// listed and as read one by one, and each node's upstreams.
func (e *env) state(wf string) (definitionAnswer, nodeListing, []nodeAnswer, []nodeListing) {
	e.t.Helper()
	var def definitionAnswer
	e.must("GetWorkflowDefinition", map[string]string{"ProjectId": project, "Id": wf, "IncludeScriptContent": "true"}, &def)
	var listed nodeListing
	e.must("ListNodes", map[string]string{"ProjectId": project, "ContainerId": wf, "PageSize": "100"}, &listed)
	var nodes []nodeAnswer
	var deps []nodeListing
	for _, n := range listed.PagingInfo.Nodes {
		var got nodeAnswer
		e.must("GetNode", map[string]string{"ProjectId": project, "Id": n.Id}, &got)
		nodes = append(nodes, got)
		var up nodeListing
		e.must("ListNodeDependencies", map[string]string{"ProjectId": project, "Id": n.Id}, &up)
		deps = append(deps, up)
	}
	return def, listed, nodes, deps
}

// TestPersistSurvivesRestart: what was created, updated and deleted on a
// persisting fake is there, the same, on a new fake reading the same
// file, and the id counter goes on where it stopped.
func TestPersistSurvivesRestart(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.json")
	a, restored := persisting(t, file)
	if restored {
		t.Fatal("restored from a file that did not exist")
	}
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("PersistTo did not write the file at once: %v", err)
	}
	wf := a.createWorkflow("CycleWorkflow", "sales", "team/sales")
	first := a.createNode(wf, "DATAWORKS_PROJECT", nodeSpec("local_A", "A", "ODPS_SQL", "select 1;"))
	second := a.createNode(wf, "DATAWORKS_PROJECT", nodeSpec("local_B", "B", "ODPS_SQL", "select 2;", first))
	gone := a.createNode(wf, "DATAWORKS_PROJECT", nodeSpec("local_C", "C", "ODPS_SQL", "select 3;", second))
	a.must("UpdateNode", map[string]string{"ProjectId": project, "Id": first, "Spec": `{"version":"2.0.0","kind":"Node","spec":{"nodes":[{"rerunTimes":5}]}}`}, nil)
	a.must("DeleteNode", map[string]string{"ProjectId": project, "Id": gone}, nil)
	def, listed, nodes, deps := a.state(wf)
	a.srv.Close()

	b, restored := persisting(t, file)
	if !restored {
		t.Fatal("the second fake did not restore the file")
	}
	def2, listed2, nodes2, deps2 := b.state(wf)
	if def2 != def {
		t.Errorf("GetWorkflowDefinition after restart:\n%+v\nbefore:\n%+v", def2, def)
	}
	if fmt.Sprint(listed2) != fmt.Sprint(listed) || fmt.Sprint(nodes2) != fmt.Sprint(nodes) || fmt.Sprint(deps2) != fmt.Sprint(deps) {
		t.Errorf("nodes after restart:\n%+v\n%+v\n%+v\nbefore:\n%+v\n%+v\n%+v", listed2, nodes2, deps2, listed, nodes, deps)
	}
	var ids []string
	for _, n := range listed2.PagingInfo.Nodes {
		ids = append(ids, n.Id)
	}
	if !slices.Equal(ids, []string{first, second}) || !strings.Contains(nodes2[0].Node.Spec, `"rerunTimes":5`) ||
		deps2[1].PagingInfo.TotalCount != "1" || deps2[1].PagingInfo.Nodes[0].Id != first {
		t.Errorf("restored nodes %v, A %s, upstreams of B %+v", ids, nodes2[0].Node.Spec, deps2[1].PagingInfo)
	}
	if err := b.call("GetNode", map[string]string{"ProjectId": project, "Id": gone}, nil); err == nil {
		t.Error("the deleted node came back")
	}

	// The counter survived exactly (a float64 would have rounded it): the
	// next id follows the last one handed out, the deleted node's.
	fresh := b.createNode(wf, "DATAWORKS_PROJECT", nodeSpec("local_D", "D", "ODPS_SQL", "select 4;"))
	last, _ := strconv.ParseUint(gone, 10, 64)
	if fresh != strconv.FormatUint(last+1, 10) || slices.Contains([]string{wf, first, second, gone}, fresh) {
		t.Errorf("new node id %s after %s, %s, %s, %s", fresh, wf, first, second, gone)
	}
	if info, err := os.Stat(file); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("state file: %v, %v", info.Mode(), err)
	}
	if tmp, _ := filepath.Glob(filepath.Join(filepath.Dir(file), ".*tmp")); len(tmp) > 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
}

// TestPersistToRefusesDamagedFile: a state file that cannot be restored
// is reported and left as it is, not overwritten.
func TestPersistToRefusesDamagedFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.json")
	os.WriteFile(file, []byte(`{"version":99}`), 0o600)
	srv, err := dataworkstest.New(keyID, secret, "")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if _, err := srv.PersistTo(file); err == nil || !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), "99") {
		t.Fatalf("PersistTo on a damaged file: %v", err)
	}
	if err := srv.SeedSandbox(); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(file); string(data) != `{"version":99}` {
		t.Errorf("the damaged file was overwritten: %.100s", data)
	}
}

// TestPersistFailureAnswersInternalError: a change that cannot be saved is
// made in memory and answered 500 InternalError (clients take it as "may
// have been done"); the next change that saves writes both.
func TestPersistFailureAnswersInternalError(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	os.Mkdir(dir, 0o700)
	file := filepath.Join(dir, "state.json")
	e, _ := persisting(t, file)
	os.RemoveAll(dir) // no folder to write the temporary file in
	err := e.call("CreateWorkflowDefinition", map[string]string{"ProjectId": project, "Spec": workflowSpec("CycleWorkflow", "lost", "lost")}, nil)
	wantError(t, err, 500, "InternalError", "could not be saved")
	calls := e.srv.Calls()
	made := calls[len(calls)-1].WorkflowID
	if _, ok := e.srv.Workflow(made); !ok {
		t.Fatalf("the workflow %q was not made in memory", made)
	}
	os.Mkdir(dir, 0o700)
	kept := e.createWorkflow("CycleWorkflow", "kept", "kept")
	e.srv.Close()
	again, _ := persisting(t, file)
	for _, id := range []string{made, kept} {
		if _, ok := again.srv.Workflow(id); !ok {
			t.Errorf("workflow %s is not on disk", id)
		}
	}
}

// TestPersistConcurrentWrites: writes racing each other all end up on
// disk (run with -race).
func TestPersistConcurrentWrites(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.json")
	e, _ := persisting(t, file)
	wf := e.createWorkflow("CycleWorkflow", "sales", "team/sales")
	var wg sync.WaitGroup
	for i := range 8 {
		e := envOn(t, e.srv) // an SDK client is not safe for concurrent use
		wg.Go(func() {
			name := fmt.Sprintf("N%d", i)
			params := map[string]string{"ProjectId": project, "Scene": "DATAWORKS_PROJECT", "ContainerId": wf, "Spec": nodeSpec("", name, "ODPS_SQL", "select 1;")}
			if err := e.send(e.request("", "CreateNode", params), nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	want := e.srv.Nodes(wf)
	e.srv.Close()
	again, _ := persisting(t, file)
	if got := again.srv.Nodes(wf); len(want) != 8 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%d nodes on disk, %d made", len(got), len(want))
	}
}
