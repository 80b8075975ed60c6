package dataworkstest

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"time"
)

// SandboxProjectID is the project SeedSandbox fills.
const SandboxProjectID int64 = 10001

// sandboxDocs are the demo workflows of SeedSandbox, seeded in name order.
//
//go:embed sandbox/*.json
var sandboxDocs embed.FS

// SeedSandbox stores a few demo workflows with their inner nodes in
// project SandboxProjectID, as if made in the console, so that the sandbox
// has something to list: a daily ODPS SQL chain ods → dwd → ads, a manual
// workflow with a virtual root, a Python and a Shell node, and a real
// workflow exported from DataWorks. Each call seeds them again (the
// sandbox calls it only on its first start, when it persists).
func (s *Server) SeedSandbox() error {
	names, err := fs.Glob(sandboxDocs, "sandbox/*.json")
	if err != nil {
		return err
	}
	for _, name := range names {
		doc, err := sandboxDocs.ReadFile(name)
		if err != nil {
			return err
		}
		if _, _, err := s.SeedWorkflow(SandboxProjectID, doc); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// SeedWorkflow stores a whole workflow document — spec.workflows[0] with
// its nodes and dependencies (or flow), or the flat 1.x shape with the
// workflow in spec.{id,name,type} and its nodes in spec.nodes and
// spec.flow — as if it had been made in the console: the workflow and
// every node get new ids, node paths move under the workflow's path, each
// node gets its default output and metadata, and every dependency entry
// is rewritten to the new ids (an entry's nodeId, and depends[].output or
// depends[].nodeId naming an old node id or old default output). Other
// references (project roots, named outputs) stay. It returns the new
// workflow id and the new node ids in the document's order, and saves the
// state when the server persists (see PersistTo).
func (s *Server) SeedWorkflow(projectID int64, doc []byte) (workflowID string, nodeIDs []string, err error) {
	if projectID <= 0 {
		return "", nil, errors.New("dataworkstest: project id must be positive")
	}
	root, err := decodeObject(string(doc))
	if err != nil {
		return "", nil, fmt.Errorf("dataworkstest: %w", err)
	}
	kind := str(root, "kind")
	if kind != cycleWorkflow && kind != manualWorkflow {
		return "", nil, fmt.Errorf("dataworkstest: kind %q is not a workflow", kind)
	}
	spec := object(root, "spec")
	var skeleton, obj map[string]any
	var nodes, entries []map[string]any
	switch {
	case len(list(spec, "workflows")) > 0:
		wf, ok := list(spec, "workflows")[0].(map[string]any)
		if !ok {
			return "", nil, errors.New("dataworkstest: spec.workflows[0] is not an object")
		}
		if nodes, entries, err = innerOf(wf, "spec.workflows[0]"); err != nil {
			return "", nil, err
		}
		skeleton, obj = splitWorkflow(root)
	case str(spec, "name") != "" || str(spec, "id") != "": // the flat 1.x shape
		if nodes, entries, err = innerOf(spec, "spec"); err != nil {
			return "", nil, err
		}
		skeleton = clone(root)
		for _, k := range []string{"nodes", "flow", "dependencies"} {
			delete(object(skeleton, "spec"), k)
		}
		obj = map[string]any{"id": str(spec, "id"), "name": str(spec, "name"), "script": map[string]any{"path": flatPath(str(spec, "name"), nodes)}}
		if owner := str(spec, "owner"); owner != "" {
			obj["owner"] = owner
		}
		if kind == manualWorkflow {
			obj["trigger"] = map[string]any{"type": "Manual"}
		}
	default:
		return "", nil, errors.New("dataworkstest: no workflow in the document (spec.workflows is empty and spec names none): a node document?")
	}
	for i, o := range nodes {
		if msg := checkNode(o); msg != "" {
			return "", nil, fmt.Errorf("dataworkstest: node %d: %s", i, msg)
		}
	}
	delete(skeleton, "metadata") // it describes the workflow the document came from

	s.mu.Lock()
	now := time.Now().UnixMilli()
	w := &workflow{id: s.newID(), projectID: projectID, kind: kind, skeleton: skeleton, obj: obj, created: now, modified: now}
	oldID := str(obj, "id")
	if w.name() == "" {
		obj["name"] = "workflow_" + w.id
	}
	script := ensure(obj, "script")
	if str(script, "path") == "" {
		script["path"] = w.name()
	}
	ensure(script, "runtime")["command"] = "WORKFLOW"
	w.setID()
	renamed := map[string]string{} // old id or old default output → new id
	if oldID != "" {
		renamed[oldID] = w.id
	}
	scene := "DATAWORKS_PROJECT"
	if kind == manualWorkflow {
		scene = "DATAWORKS_MANUAL_WORKFLOW"
	}
	made := map[string]*node{}
	var added []*node
	for _, o := range nodes {
		n := &node{id: s.newID(), projectID: projectID, containerID: w.id, scene: scene, obj: clone(o), created: now, modified: now}
		if old := str(o, "id"); old != "" {
			renamed[old] = n.id
		}
		for _, out := range list(o, "outputs", "nodeOutputs") {
			if d := str(out, "data"); d != "" && get(out, "isDefault") == true {
				renamed[d] = n.id
			}
		}
		s.settle(n, w)
		made[n.id] = n
		added = append(added, n)
		nodeIDs = append(nodeIDs, n.id)
	}
	for _, entry := range entries {
		n := made[renamed[str(entry, "nodeId")]]
		if n == nil {
			continue // an entry for no node of the document has nowhere to go
		}
		for _, item := range list(entry, "depends") {
			n.depends = append(n.depends, rewrite(item, renamed))
		}
	}
	// The workflow's own default output and upstream entry name its id.
	for _, out := range list(obj, "outputs", "nodeOutputs") {
		if m, ok := out.(map[string]any); ok && str(m, "data") == oldID && oldID != "" {
			m["data"] = w.id
		}
	}
	for _, key := range []string{"flow", "dependencies"} {
		for _, entry := range list(skeleton, "spec", key) {
			if m, ok := entry.(map[string]any); ok {
				if v := renamed[str(m, "nodeId")]; v != "" {
					m["nodeId"] = v
				}
			}
		}
	}
	s.workflows[w.id] = w
	s.wfOrder = append(s.wfOrder, w.id)
	for _, n := range added {
		s.nodes[n.id] = n
		s.nodeOrder = append(s.nodeOrder, n.id)
	}
	s.mu.Unlock()
	// A save that fails leaves the workflow seeded in memory only.
	return w.id, nodeIDs, s.persist()
}

// innerOf reads the nodes and dependency entries a workflow object (or a
// flat spec) holds.
func innerOf(holder map[string]any, where string) (nodes, entries []map[string]any, err error) {
	if nodes, err = objects(holder["nodes"], where+".nodes"); err != nil {
		return nil, nil, fmt.Errorf("dataworkstest: %w", err)
	}
	for _, key := range []string{"dependencies", "flow"} {
		e, err := objects(holder[key], where+"."+key)
		if err != nil {
			return nil, nil, fmt.Errorf("dataworkstest: %w", err)
		}
		entries = append(entries, e...)
	}
	return nodes, entries, nil
}

// flatPath is the folder of a flat workflow: the parent folder of its
// nodes when that folder bears the workflow's name, else the name.
func flatPath(name string, nodes []map[string]any) string {
	for _, o := range nodes {
		if dir := path.Dir(str(o, "script", "path")); dir != "." && path.Base(dir) == name {
			return dir
		}
	}
	return name
}

// rewrite is a depends item with references to old ids replaced.
func rewrite(item any, renamed map[string]string) any {
	m, ok := clone(item).(map[string]any)
	if !ok {
		return item
	}
	for _, key := range []string{"output", "nodeId"} {
		if v := renamed[str(m, key)]; v != "" {
			m[key] = v
		}
	}
	return m
}
