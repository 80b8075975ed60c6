package dataworkstest

import (
	"encoding/json"
	"testing"
)

// FuzzCreateNodeSpec: whatever Spec CreateNode is sent, parsing it never
// panics, and a Spec it accepts can be stored and written back as JSON
// with the server's fields in place.
func FuzzCreateNodeSpec(f *testing.F) {
	f.Add(`{"version":"2.0.0","kind":"Node","spec":{"nodes":[{"id":"a","name":"a","script":{"runtime":{"command":"ODPS_SQL"}}}],"dependencies":[{"nodeId":"a","depends":[{"type":"Normal","output":"root"}]}]}}`)
	f.Add(`{"version":"1.1.0","kind":"Node","spec":{"nodes":[{"name":"b","script":{"path":"x/b","runtime":{"command":"VIRTUAL"}},"outputs":{"nodeOutputs":[{"data":"p.b","isDefault":true}]}}],"flow":[{"nodeId":"z","depends":[]}]}}`)
	f.Add(`{"kind":"Node","spec":{"nodes":[{"id":12345678901234567890,"name":"c","script":{"runtime":{"command":"PYTHON"}},"outputs":"oops"}],"flow":[{"depends":[{"type":"CrossCycleDependsOnSelf"}]}]}}`)
	f.Add(`{"kind":"Node","spec":{"nodes":[null]}}`)
	f.Add(`{"kind":"CycleWorkflow"}`)
	s := &Server{Owner: DefaultOwner}
	wf := &workflow{id: "4634978808809541235", obj: map[string]any{"name": "w", "script": map[string]any{"path": "f/w"}}}
	f.Fuzz(func(t *testing.T, spec string) {
		ns, msg := parseNodeSpec(spec)
		if msg != "" {
			return
		}
		if ns.node == nil {
			t.Fatal("accepted without a node")
		}
		id := str(ns.node, "id")
		depends, _ := ns.depends([]string{id}, id == "")
		if checkNode(ns.node) != "" {
			return
		}
		n := &node{id: "4634978808809541236", projectID: 1, containerID: wf.id, obj: clone(ns.node), depends: clone(depends)}
		s.settle(n, wf)
		var back map[string]any
		if err := json.Unmarshal([]byte(encode(n.obj)), &back); err != nil {
			t.Fatal(err)
		}
		if str(back, "id") != n.id || str(back, "script", "path") != "f/w/"+n.name() {
			t.Fatalf("stored %s", encode(n.obj))
		}
		if outs := list(back, "outputs", "nodeOutputs"); len(outs) == 0 || str(outs[0], "data") != n.id || get(outs[0], "isDefault") != true {
			t.Fatalf("default output missing: %s", encode(n.obj))
		}
		_ = encode(n.record())
		_ = encode(n.summary())
	})
}
