package dataworkstest_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestSnapshotRoundTrip: a snapshot restored into another server gives
// the same snapshot, with the 19-digit ids as written.
func TestSnapshotRoundTrip(t *testing.T) {
	a := newEnv(t)
	if err := a.srv.SeedSandbox(); err != nil {
		t.Fatal(err)
	}
	a.chain()
	data, err := a.srv.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(`"next": 4634978808809541250`)) {
		t.Errorf("the counter is not written as its exact number:\n%.300s", data)
	}
	b := newEnv(t)
	if err := b.srv.Restore(data); err != nil {
		t.Fatal(err)
	}
	again, err := b.srv.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, data) {
		t.Errorf("round trip changed the snapshot:\n%s\nwas:\n%s", again, data)
	}
	if fmt.Sprint(b.srv.Nodes("")) != fmt.Sprint(a.srv.Nodes("")) {
		t.Error("restored nodes differ")
	}
}

// TestRestoreRefuses: a document that is not a snapshot of this version,
// or is inconsistent, is refused and changes nothing.
func TestRestoreRefuses(t *testing.T) {
	e := newEnv(t)
	before, _ := e.srv.Snapshot()
	node := func(container string) string {
		return `{"id":"5","projectId":1,"containerId":"` + container + `","scene":"DATAWORKS_PROJECT","obj":{},"depends":null,"createTime":0,"modifyTime":0}`
	}
	valid := `{"version":1,"next":9,"workflows":[{"id":"4","projectId":1,"kind":"CycleWorkflow","skeleton":{},"obj":{},"createTime":0,"modifyTime":0}],"nodes":[` + node("4") + `]}`
	if err := newEnv(t).srv.Restore([]byte(valid)); err != nil {
		t.Fatalf("the base document is refused: %v", err) // so each case below fails for its own reason
	}
	for _, c := range []struct{ doc, want string }{
		{``, "not a snapshot"},
		{`garbage`, "not a snapshot"},
		{`[1,2]`, "not a snapshot"},
		{`{"workflows":[]}`, "version"},
		{strings.Replace(valid, `"version":1`, `"version":2`, 1), `version "2" is unknown`},
		{valid + `{}`, "after top-level value"},
		{strings.Replace(valid, `"next":9`, `"next":"x"`, 1), "malformed"},
		{strings.Replace(valid, `"next":9`, `"next":4.5`, 1), "next"},
		{strings.Replace(valid, `"next":9`, `"next":4`, 1), "above the counter"},
		{strings.Replace(valid, `"kind":"CycleWorkflow"`, `"kind":"Node"`, 1), "kind"},
		{strings.Replace(valid, `"skeleton":{}`, `"skeleton":null`, 1), "skeleton"},
		{strings.Replace(valid, `"projectId":1,"kind"`, `"projectId":0,"kind"`, 1), "projectId"},
		{strings.Replace(valid, node("4"), node("7"), 1), "workflow 7"},
		{strings.Replace(valid, `"id":"5"`, `"id":"4"`, 1), "twice"},
		{strings.Replace(valid, `"id":"5"`, `"id":"n5"`, 1), "not a number"},
		{strings.Replace(valid, `"scene":"DATAWORKS_PROJECT"`, `"scene":"X"`, 1), "scene"},
		{strings.Replace(valid, `"depends":null`, `"depends":{}`, 1), "malformed"},
		{strings.Replace(valid, `"version":1,`, `"version":1,"calls":[],`, 1), "unknown field"},
	} {
		err := e.srv.Restore([]byte(c.doc))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Restore(%.80s): %v, want an error about %q", c.doc, err, c.want)
		}
	}
	if after, _ := e.srv.Snapshot(); !bytes.Equal(after, before) {
		t.Errorf("a refused document changed the server:\n%s", after)
	}
	// The counter is untouched too: the first id is the first a new server
	// hands out.
	if wf := e.createWorkflow("CycleWorkflow", "w", "w"); wf != "4634978808809541235" {
		t.Errorf("first id after refused restores: %s", wf)
	}
}
