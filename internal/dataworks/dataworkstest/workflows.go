package dataworkstest

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// The workflow types, from a Spec's kind (ListWorkflowDefinitions' Type).
const (
	cycleWorkflow  = "CycleWorkflow"
	manualWorkflow = "ManualWorkflow"
)

// workflow is a workflow definition as DataWorks holds it. Its inner nodes
// are nodes whose container is the workflow; the workflow operations never
// create or change them.
type workflow struct {
	id        string
	projectID int64
	kind      string
	// skeleton is the document as sent (version, kind, spec-level fields,
	// metadata) without spec.workflows and without inner nodes.
	skeleton map[string]any
	// obj is spec.workflows[0] as sent, with id written in and the inner
	// nodes and their dependencies removed.
	obj               map[string]any
	created, modified int64 // ms
}

func (w *workflow) name() string { return str(w.obj, "name") }

func (w *workflow) path() string {
	if p := str(w.obj, "script", "path"); p != "" {
		return p
	}
	return w.name()
}

// document is the workflow document with the given inner nodes and
// dependency entries (none when nil).
func (w *workflow) document(nodes, deps []any) map[string]any {
	doc := clone(w.skeleton)
	obj := clone(w.obj)
	if nodes != nil {
		obj["nodes"] = nodes
	}
	if deps != nil {
		obj["dependencies"] = deps
	}
	ensure(doc, "spec")["workflows"] = []any{obj}
	return doc
}

// splitWorkflow separates a nested workflow document into skeleton and
// workflow object, dropping inner nodes: the workflow operations ignore
// them, as the real API does.
func splitWorkflow(doc map[string]any) (skeleton, obj map[string]any) {
	skeleton = clone(doc)
	spec := ensure(skeleton, "spec")
	if wfs := list(spec, "workflows"); len(wfs) > 0 {
		obj, _ = wfs[0].(map[string]any)
	}
	if obj == nil {
		obj = map[string]any{}
	}
	delete(spec, "workflows")
	delete(spec, "nodes") // spec-level flow stays: it is the workflow's own upstream
	for _, k := range []string{"nodes", "dependencies", "flow"} {
		delete(obj, k)
	}
	return skeleton, obj
}

// setID writes the workflow's id into the workflow object and, when the
// document mirrors it at spec level (1.x), there too.
func (w *workflow) setID() {
	w.obj["id"] = w.id
	if spec := object(w.skeleton, "spec"); spec != nil {
		if _, ok := spec["id"]; ok {
			spec["id"] = w.id
		}
	}
}

func (s *Server) ownerOf(o map[string]any) string {
	if v := str(o, "owner"); v != "" {
		return v
	}
	return s.Owner
}

// workflow finds a workflow of a project; s.mu must be held.
func (s *Server) workflow(projectID int64, id string) *workflow {
	if w := s.workflows[id]; w != nil && w.projectID == projectID {
		return w
	}
	return nil
}

func workflowNotFound(projectID int64, id string) *apiError {
	return &apiError{404, "InvalidParameter.WorkflowNotFound", fmt.Sprintf("workflow %s does not exist in project %d", id, projectID)}
}

// repath moves a workflow's inner nodes to its current script path, as
// the console does when a workflow is renamed or moved; s.mu must be held.
func (s *Server) repath(w *workflow) {
	for _, id := range s.nodeOrder {
		if n := s.nodes[id]; n.containerID == w.id {
			ensure(n.obj, "script")["path"] = w.path() + "/" + n.name()
		}
	}
}

// inner lists a workflow's nodes (creation order) and their dependency
// entries as "Show Spec" writes them; without content, the nodes'
// script.content is left out. s.mu must be held.
func (s *Server) inner(workflowID string, content bool) (nodes, deps []any) {
	nodes, deps = []any{}, []any{}
	for _, id := range s.nodeOrder {
		n := s.nodes[id]
		if n.containerID != workflowID {
			continue
		}
		o := clone(n.obj)
		if script := object(o, "script"); script != nil && !content {
			delete(script, "content")
		}
		nodes = append(nodes, o)
		if len(n.depends) > 0 {
			deps = append(deps, n.entry())
		}
	}
	return nodes, deps
}

func (s *Server) createWorkflow(q *request) (map[string]any, *apiError) {
	projectID, e := q.projectID()
	if e != nil {
		return nil, e
	}
	if msg := checkSpec(q.p["Spec"]); msg != "" {
		return nil, invalid("%s", msg)
	}
	doc, _ := decodeObject(q.p["Spec"]) // checkSpec parsed it already
	if e := q.decide(); e != nil {
		return nil, e
	}
	skeleton, obj := splitWorkflow(doc)
	// The work happens even if the caller stops waiting.
	s.mu.Lock()
	now := time.Now().UnixMilli()
	w := &workflow{id: s.newID(), projectID: projectID, kind: str(doc, "kind"), skeleton: skeleton, obj: obj, created: now, modified: now}
	w.setID()
	s.workflows[w.id] = w
	s.wfOrder = append(s.wfOrder, w.id)
	s.mu.Unlock()
	q.call.WorkflowID = w.id
	// Id as a string, as SDK 8.0.0+ and the 2024-05-18 API define it.
	return q.saved(map[string]any{"Id": w.id})
}

func (s *Server) updateWorkflow(q *request) (map[string]any, *apiError) {
	projectID, id, e := q.object()
	if e != nil {
		return nil, e
	}
	if msg := checkSpec(q.p["Spec"]); msg != "" {
		return nil, invalid("%s", msg)
	}
	doc, _ := decodeObject(q.p["Spec"])
	if e := q.decide(); e != nil {
		return nil, e
	}
	if q.b.NotApplied {
		return map[string]any{"Success": false}, nil
	}
	skeleton, obj := splitWorkflow(doc)
	s.mu.Lock()
	w := s.workflow(projectID, id)
	if w == nil {
		s.mu.Unlock()
		return nil, workflowNotFound(projectID, id)
	}
	if kind := str(doc, "kind"); kind != w.kind {
		s.mu.Unlock()
		return nil, invalid("the type of workflow %s is %s and cannot be changed to %s", id, w.kind, kind)
	}
	// Incremental: every field present replaces the stored one.
	for k, v := range obj {
		if k != "id" {
			w.obj[k] = v
		}
	}
	spec := ensure(w.skeleton, "spec")
	for k, v := range object(skeleton, "spec") {
		if k != "id" {
			spec[k] = v
		}
	}
	for k, v := range skeleton {
		if k != "spec" && k != "kind" {
			w.skeleton[k] = v
		}
	}
	w.modified = later(w.modified)
	s.repath(w)
	s.mu.Unlock()
	q.call.WorkflowID = id
	return q.saved(map[string]any{"Success": true})
}

func (s *Server) getWorkflow(q *request) (map[string]any, *apiError) {
	projectID, id, e := q.object()
	if e != nil {
		return nil, e
	}
	content, e := q.boolean("IncludeScriptContent")
	if e != nil {
		return nil, e
	}
	if e := q.decide(); e != nil {
		return nil, e
	}
	s.mu.Lock()
	w := s.workflow(projectID, id)
	if w == nil {
		s.mu.Unlock()
		return nil, workflowNotFound(projectID, id)
	}
	nodes, deps := s.inner(w.id, content)
	def := map[string]any{"Id": w.id, "Name": w.name(), "Owner": s.ownerOf(w.obj), "ProjectId": w.projectID,
		"CreateTime": w.created, "ModifyTime": w.modified, "WorkflowId": 0, "Spec": encode(w.document(nodes, deps))}
	s.mu.Unlock()
	return q.answer(map[string]any{"WorkflowDefinition": def})
}

func (s *Server) listWorkflows(q *request) (map[string]any, *apiError) {
	projectID, e := q.projectID()
	if e != nil {
		return nil, e
	}
	kind := q.p["Type"]
	if kind == "" {
		kind = cycleWorkflow // documented default when omitted
	}
	if kind != cycleWorkflow && kind != manualWorkflow {
		return nil, invalid("Type must be CycleWorkflow or ManualWorkflow, got %q", kind)
	}
	number, size, e := q.paging()
	if e != nil {
		return nil, e
	}
	if e := q.decide(); e != nil {
		return nil, e
	}
	name, owner := strings.ToLower(q.p["Name"]), q.p["Owner"]
	s.mu.Lock()
	var hits []map[string]any
	for _, id := range s.wfOrder {
		w := s.workflows[id]
		if w.projectID != projectID || w.kind != kind || !strings.Contains(strings.ToLower(w.name()), name) ||
			owner != "" && s.ownerOf(w.obj) != owner {
			continue
		}
		hits = append(hits, map[string]any{"Id": w.id, "Name": w.name(), "Owner": s.ownerOf(w.obj), "ProjectId": w.projectID,
			"Description": str(w.obj, "description"), "Type": w.kind, "CreateTime": w.created, "ModifyTime": w.modified,
			"Script": map[string]any{"Id": str(w.obj, "script", "id"), "Path": w.path(), "Runtime": map[string]any{"Command": "WORKFLOW"}}})
	}
	s.mu.Unlock()
	return q.answer(pagingInfo(number, size, len(hits), "WorkflowDefinitions", page(hits, number, size)))
}

// boolean reads an optional true/false parameter.
func (q *request) boolean(name string) (bool, *apiError) {
	switch v := strings.ToLower(q.p[name]); v {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, invalid("%s must be true or false, got %q", name, q.p[name])
}

// checkSpec applies the checks DataWorks makes before creating a workflow.
func checkSpec(spec string) string {
	var doc struct {
		Kind string `json:"kind"`
		Spec struct {
			Workflows []struct {
				Name   string `json:"name"`
				Script struct {
					Path    string `json:"path"`
					Runtime struct {
						Command string `json:"command"`
					} `json:"runtime"`
				} `json:"script"`
				Strategy map[string]any `json:"strategy"`
			} `json:"workflows"`
		} `json:"spec"`
	}
	if _, err := decodeObject(spec); err != nil {
		return "Spec is not valid JSON: " + err.Error()
	}
	if err := json.Unmarshal([]byte(spec), &doc); err != nil {
		return "Spec does not have the FlowSpec shape: " + err.Error()
	}
	if doc.Kind != cycleWorkflow && doc.Kind != manualWorkflow {
		return fmt.Sprintf("spec kind %q and request not match", doc.Kind)
	}
	if len(doc.Spec.Workflows) == 0 {
		return "spec has no workflow"
	}
	wf := doc.Spec.Workflows[0]
	if wf.Script.Runtime.Command != "WORKFLOW" {
		return "script.runtime.command is empty"
	}
	if !strings.HasSuffix(wf.Script.Path, wf.Name) || wf.Name == "" {
		return "Script path must end with node name"
	}
	labels := map[string][]string{"rerunMode": {"Allowed", "Denied", "FailureAllowed"}, "instanceMode": {"T+1", "Immediately"},
		"failureStrategy": {"Continue", "Break"}, "recurrenceType": {"Normal", "Pause", "Skip"}}
	for key, allowed := range labels {
		if v, ok := wf.Strategy[key].(string); ok && !contains(allowed, v) {
			return fmt.Sprintf("Enum not found: %s %q", key, v)
		}
	}
	return ""
}
