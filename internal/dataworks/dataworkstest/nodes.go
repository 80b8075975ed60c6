package dataworkstest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CreateNode's Scene values, each with the spelling ListNodes' Scene
// filter uses for it (nodes-reference §1.4).
var scenes = map[string]string{
	"DATAWORKS_PROJECT":         "DataworksProject",
	"DATAWORKS_MANUAL_WORKFLOW": "DataworksManualWorkflow",
	"DATAWORKS_MANUAL_TASK":     "DataworksManualTask",
}

// dependencyTypes are the labels of depends[].type (enum DependencyType).
var dependencyTypes = []string{"Normal", "CrossCycleDependsOnSelf", "CrossCycleDependsOnChildren", "CrossCycleDependsOnOtherNode"}

// node is a node as DataWorks holds it.
type node struct {
	id          string
	projectID   int64
	containerID string // the workflow holding it, "" for none
	scene       string // as CreateNode was given it
	obj         map[string]any
	// depends is the depends list of the node's dependency entry: what it
	// waits for; nil when it has none.
	depends           []any
	created, modified int64 // ms
}

func (n *node) name() string    { return str(n.obj, "name") }
func (n *node) command() string { return str(n.obj, "script", "runtime", "command") }

// entry is the node's dependency entry as documents write it.
func (n *node) entry() map[string]any {
	return map[string]any{"nodeId": n.id, "depends": clone(n.depends)}
}

// outputs are the names a downstream can depend on: the node's id and
// every output it declares.
func (n *node) outputs() []string {
	out := []string{n.id}
	for _, o := range list(n.obj, "outputs", "nodeOutputs") {
		if d := str(o, "data"); d != "" {
			out = append(out, d)
		}
	}
	return out
}

// node finds a node of a project; s.mu must be held.
func (s *Server) node(projectID int64, id string) *node {
	if n := s.nodes[id]; n != nil && n.projectID == projectID {
		return n
	}
	return nil
}

func nodeNotFound(projectID int64, id string) *apiError {
	return &apiError{404, "InvalidParameter.NodeNotFound", fmt.Sprintf("node %s does not exist in project %d", id, projectID)}
}

// nodeSpec is a kind "Node" document as CreateNode and UpdateNode take it.
type nodeSpec struct {
	node    map[string]any   // spec.nodes[0]; further nodes are ignored
	entries []map[string]any // spec.dependencies, then spec.flow (synonyms)
}

// parseNodeSpec reads a node document, or says why DataWorks would refuse
// it.
func parseNodeSpec(text string) (nodeSpec, string) {
	var ns nodeSpec
	doc, err := decodeObject(text)
	if err != nil {
		return ns, "Spec is not valid JSON: " + err.Error()
	}
	if kind := str(doc, "kind"); kind != "Node" {
		return ns, fmt.Sprintf("spec kind %q and request not match", kind)
	}
	spec := object(doc, "spec")
	if spec == nil {
		return ns, "spec is missing"
	}
	nodes, err := objects(spec["nodes"], "spec.nodes")
	if err != nil {
		return ns, err.Error()
	}
	if len(nodes) == 0 {
		return ns, "spec.nodes is empty"
	}
	ns.node = nodes[0]
	for _, key := range []string{"dependencies", "flow"} {
		entries, err := objects(spec[key], "spec."+key)
		if err != nil {
			return ns, err.Error()
		}
		for i, entry := range entries {
			items, err := objects(entry["depends"], fmt.Sprintf("spec.%s[%d].depends", key, i))
			if err != nil {
				return ns, err.Error()
			}
			for _, item := range items {
				if t, ok := item["type"]; ok && !slices.Contains(dependencyTypes, fmt.Sprint(t)) {
					return ns, fmt.Sprintf("Enum not found: dependency type %q is not one of %s", fmt.Sprint(t), strings.Join(dependencyTypes, ", "))
				}
			}
		}
		ns.entries = append(ns.entries, entries...)
	}
	return ns, ""
}

// depends is the depends list of the entry whose nodeId is one of ids;
// with sole, a lone entry counts too (a node sent without an id).
func (ns nodeSpec) depends(ids []string, sole bool) ([]any, bool) {
	for _, entry := range ns.entries {
		if id := str(entry, "nodeId"); id != "" && slices.Contains(ids, id) {
			return append([]any{}, list(entry, "depends")...), true
		}
	}
	if sole && len(ns.entries) == 1 {
		return append([]any{}, list(ns.entries[0], "depends")...), true
	}
	return nil, false
}

// settle writes what the server owns into a stored node: its id, its path
// inside its workflow (ContainerId overrides script.path), its default
// output first among its outputs, metadata and owner. s.mu must be held.
func (s *Server) settle(n *node, wf *workflow) {
	o := n.obj
	o["id"] = n.id
	script := ensure(o, "script")
	if wf != nil {
		script["path"] = wf.path() + "/" + n.name()
	} else if str(script, "path") == "" {
		script["path"] = n.name()
	}
	outputs := ensure(o, "outputs")
	kept := []any{map[string]any{"data": n.id, "artifactType": "NodeOutput", "refTableName": n.name(), "isDefault": true}}
	for _, out := range list(outputs, "nodeOutputs") {
		if get(out, "isDefault") != true { // the default output is the server's
			kept = append(kept, out)
		}
	}
	outputs["nodeOutputs"] = kept
	meta := map[string]any{"projectId": strconv.FormatInt(n.projectID, 10)}
	if wf != nil {
		meta["container"] = map[string]any{"type": "Flow", "uuid": wf.id}
	}
	o["metadata"] = meta
	if str(o, "owner") == "" {
		o["owner"] = s.Owner
	}
}

// document is the node as GetNode returns it: inside a workflow, a
// workflow-kind document holding the workflow and the node
// (nodes-reference §2.1); outside, a kind "Node" document. s.mu must be
// held.
func (s *Server) document(n *node) map[string]any {
	var deps []any
	if len(n.depends) > 0 {
		deps = []any{n.entry()}
	}
	meta := map[string]any{"uuid": n.id}
	if wf := s.workflows[n.containerID]; wf != nil {
		obj := map[string]any{"id": wf.id, "name": wf.name(),
			"script": map[string]any{"path": wf.path(), "runtime": map[string]any{"command": "WORKFLOW"}},
			"nodes":  []any{clone(n.obj)}}
		if deps != nil {
			obj["dependencies"] = deps
		}
		return map[string]any{"version": "1.1.0", "kind": wf.kind, "spec": map[string]any{"workflows": []any{obj}}, "metadata": meta}
	}
	spec := map[string]any{"nodes": []any{clone(n.obj)}}
	if deps != nil {
		spec["flow"] = deps
	}
	return map[string]any{"version": "1.1.0", "kind": "Node", "spec": spec, "metadata": meta}
}

// summary is the node as ListNodes and ListNodeDependencies list it.
func (n *node) summary() map[string]any {
	o := n.obj
	outputs := func(bucket string) map[string]any {
		l := []map[string]any{}
		for _, out := range list(o, bucket, "nodeOutputs") {
			l = append(l, map[string]any{"Data": str(out, "data"), "RefTableName": str(out, "refTableName")})
		}
		return map[string]any{"NodeOutputs": l}
	}
	return map[string]any{"Id": n.id, "Name": n.name(), "Description": str(o, "description"), "Owner": str(o, "owner"),
		"ProjectId": n.projectID, "CreateTime": n.created, "ModifyTime": n.modified, "TaskId": 0, "Recurrence": str(o, "recurrence"),
		"DataSource":      map[string]any{"Name": str(o, "datasource", "name"), "Type": str(o, "datasource", "type")},
		"RuntimeResource": map[string]any{"ResourceGroup": str(o, "runtimeResource", "resourceGroup"), "ResourceGroupId": str(o, "runtimeResource", "resourceGroupId")},
		"Script":          map[string]any{"Id": str(o, "script", "id"), "Path": str(o, "script", "path"), "Runtime": map[string]any{"Command": n.command()}},
		"Strategy": map[string]any{"InstanceMode": str(o, "instanceMode"), "RerunMode": str(o, "rerunMode"), "RerunTimes": num(o, "rerunTimes"),
			"RerunInterval": num(o, "rerunInterval"), "Timeout": num(o, "timeout")},
		"Trigger": map[string]any{"Id": str(o, "trigger", "id"), "Type": str(o, "trigger", "type"), "Cron": str(o, "trigger", "cron"),
			"StartTime": str(o, "trigger", "startTime"), "EndTime": str(o, "trigger", "endTime"), "Timezone": str(o, "trigger", "timezone")},
		"Inputs": outputs("inputs"), "Outputs": outputs("outputs")}
}

func (s *Server) createNode(q *request) (map[string]any, *apiError) {
	projectID, e := q.projectID()
	if e != nil {
		return nil, e
	}
	scene, e := q.required("Scene")
	if e != nil {
		return nil, e
	}
	if _, ok := scenes[scene]; !ok {
		return nil, invalid("Scene must be DATAWORKS_PROJECT, DATAWORKS_MANUAL_WORKFLOW or DATAWORKS_MANUAL_TASK, got %q", scene)
	}
	containerID := q.p["ContainerId"]
	switch {
	case scene == "DATAWORKS_MANUAL_WORKFLOW" && containerID == "":
		return nil, invalid("Scene DATAWORKS_MANUAL_WORKFLOW needs the ContainerId of a manual workflow")
	case scene == "DATAWORKS_MANUAL_TASK" && containerID != "":
		return nil, invalid("a manual task (Scene DATAWORKS_MANUAL_TASK) is not created inside a workflow: drop ContainerId")
	}
	text, e := q.required("Spec")
	if e != nil {
		return nil, e
	}
	ns, msg := parseNodeSpec(text)
	if msg != "" {
		return nil, invalid("%s", msg)
	}
	if msg := checkNode(ns.node); msg != "" {
		return nil, invalid("%s", msg)
	}
	specID := str(ns.node, "id")
	depends, _ := ns.depends([]string{specID}, specID == "")
	if e := q.decide(); e != nil {
		return nil, e
	}
	s.mu.Lock()
	var wf *workflow
	if containerID != "" {
		if wf = s.workflow(projectID, containerID); wf == nil {
			s.mu.Unlock()
			return nil, workflowNotFound(projectID, containerID)
		}
		if manual := scene == "DATAWORKS_MANUAL_WORKFLOW"; manual != (wf.kind == manualWorkflow) {
			s.mu.Unlock()
			if manual {
				return nil, invalid("Scene DATAWORKS_MANUAL_WORKFLOW needs a manual workflow as ContainerId; workflow %s is a %s", wf.id, wf.kind)
			}
			return nil, invalid("workflow %s is a ManualWorkflow: create its nodes with Scene DATAWORKS_MANUAL_WORKFLOW", wf.id)
		}
	}
	now := time.Now().UnixMilli()
	n := &node{id: s.newID(), projectID: projectID, containerID: containerID, scene: scene, obj: clone(ns.node), created: now, modified: now}
	s.settle(n, wf)
	if !q.b.DropDependency {
		n.depends = clone(depends)
	}
	s.nodes[n.id] = n
	s.nodeOrder = append(s.nodeOrder, n.id)
	s.mu.Unlock()
	q.call.NodeID = n.id
	return q.saved(map[string]any{"Id": n.id})
}

// checkNode applies the checks DataWorks makes on a node to create.
func checkNode(o map[string]any) string {
	if name, _ := o["name"].(string); name == "" {
		return "name is required: spec.nodes[0].name is empty"
	}
	if _, ok := o["script"].(map[string]any); !ok {
		return "script is required: spec.nodes[0].script is missing"
	}
	if str(o, "script", "runtime", "command") == "" {
		return "script.runtime.command is empty"
	}
	return ""
}

func (s *Server) updateNode(q *request) (map[string]any, *apiError) {
	projectID, id, e := q.object()
	if e != nil {
		return nil, e
	}
	text, e := q.required("Spec")
	if e != nil {
		return nil, e
	}
	ns, msg := parseNodeSpec(text)
	if msg != "" {
		return nil, invalid("%s", msg)
	}
	if v, ok := ns.node["name"]; ok {
		if name, _ := v.(string); name == "" {
			return nil, invalid("name cannot be empty")
		}
	}
	if script, ok := ns.node["script"]; ok {
		if _, isObject := script.(map[string]any); !isObject {
			return nil, invalid("script must be an object")
		}
	}
	depends, hasDepends := ns.depends([]string{id, str(ns.node, "id")}, false)
	if e := q.decide(); e != nil {
		return nil, e
	}
	if q.b.NotApplied {
		return map[string]any{"Success": false}, nil
	}
	s.mu.Lock()
	n := s.node(projectID, id)
	if n == nil {
		s.mu.Unlock()
		return nil, nodeNotFound(projectID, id)
	}
	command, path := n.command(), str(n.obj, "script", "path")
	if c := str(ns.node, "script", "runtime", "command"); c != "" && c != command {
		s.mu.Unlock()
		return nil, invalid("Node type (command) cannot be changed after creation: %s is %s, not %s", id, command, c)
	}
	// Incremental: each top-level field present replaces the stored one;
	// the id and the server's metadata stay.
	for k, v := range ns.node {
		if k != "id" && k != "metadata" {
			n.obj[k] = clone(v)
		}
	}
	script := ensure(n.obj, "script")
	if str(script, "runtime", "command") == "" {
		ensure(script, "runtime")["command"] = command
	}
	if str(script, "path") == "" {
		script["path"] = path
	}
	s.settle(n, s.workflows[n.containerID])
	if hasDepends && !q.b.DropDependency {
		n.depends = clone(depends)
	}
	n.modified = later(n.modified)
	s.mu.Unlock()
	q.call.NodeID = id
	return q.saved(map[string]any{"Success": true})
}

func (s *Server) deleteNode(q *request) (map[string]any, *apiError) {
	projectID, id, e := q.object()
	if e != nil {
		return nil, e
	}
	if e := q.decide(); e != nil {
		return nil, e
	}
	s.mu.Lock()
	if s.node(projectID, id) == nil {
		s.mu.Unlock()
		return nil, nodeNotFound(projectID, id)
	}
	delete(s.nodes, id)
	s.nodeOrder = slices.DeleteFunc(s.nodeOrder, func(x string) bool { return x == id })
	s.mu.Unlock()
	q.call.NodeID = id
	return q.saved(map[string]any{"Success": true})
}

func (s *Server) getNode(q *request) (map[string]any, *apiError) {
	projectID, id, e := q.object()
	if e != nil {
		return nil, e
	}
	if e := q.decide(); e != nil {
		return nil, e
	}
	s.mu.Lock()
	n := s.node(projectID, id)
	if n == nil {
		s.mu.Unlock()
		return nil, nodeNotFound(projectID, id)
	}
	answer := map[string]any{"Id": n.id, "Name": n.name(), "Owner": str(n.obj, "owner"), "ProjectId": n.projectID,
		"CreateTime": n.created, "ModifyTime": n.modified, "TaskId": 0, "Spec": encode(s.document(n))}
	s.mu.Unlock()
	q.call.NodeID = id
	return q.answer(map[string]any{"Node": answer})
}

func (s *Server) listNodes(q *request) (map[string]any, *apiError) {
	projectID, e := q.projectID()
	if e != nil {
		return nil, e
	}
	scene := ""
	if filter := q.p["Scene"]; filter != "" {
		for k, v := range scenes {
			if filter == v || filter == k { // the SDK's example value is the CreateNode spelling
				scene = k
			}
		}
		if scene == "" {
			return nil, invalid("Scene must be DataworksProject, DataworksManualWorkflow or DataworksManualTask, got %q", filter)
		}
	}
	recurrence, rerunMode := q.p["Recurrence"], q.p["RerunMode"]
	if recurrence != "" && !slices.Contains([]string{"Normal", "Pause", "Skip"}, recurrence) {
		return nil, invalid("Recurrence must be Normal, Pause or Skip, got %q", recurrence)
	}
	if rerunMode != "" && !slices.Contains([]string{"Allowed", "FailureAllowed", "Denied"}, rerunMode) {
		return nil, invalid("RerunMode must be Allowed, FailureAllowed or Denied, got %q", rerunMode)
	}
	number, size, e := q.paging()
	if e != nil {
		return nil, e
	}
	if e := q.decide(); e != nil {
		return nil, e
	}
	container, name := q.p["ContainerId"], strings.ToLower(q.p["Name"])
	s.mu.Lock()
	var hits []map[string]any
	for _, id := range s.nodeOrder {
		n := s.nodes[id]
		if n.projectID != projectID || container != "" && n.containerID != container ||
			!strings.Contains(strings.ToLower(n.name()), name) || scene != "" && n.scene != scene ||
			recurrence != "" && str(n.obj, "recurrence") != recurrence || rerunMode != "" && str(n.obj, "rerunMode") != rerunMode {
			continue
		}
		hits = append(hits, n.summary())
	}
	s.mu.Unlock()
	return q.answer(pagingInfo(number, size, strconv.Itoa(len(hits)), "Nodes", page(hits, number, size)))
}

// listNodeDependencies lists the nodes the node depends on: those whose
// id or declared outputs its depends list names. The documentation
// describes the direction inconsistently — "descendant nodes" in the SDK
// summary and the older English page, "dependent nodes"/依赖节点 in the
// newer pages, while Alibaba's agent skill uses it to check upstream edges
// (nodes-reference §3.6.4) — so the fake returns upstreams, what FlowForm
// verifies. A node depending on its own previous cycle lists itself.
func (s *Server) listNodeDependencies(q *request) (map[string]any, *apiError) {
	projectID, id, e := q.object()
	if e != nil {
		return nil, e
	}
	number, size, e := q.paging()
	if e != nil {
		return nil, e
	}
	if e := q.decide(); e != nil {
		return nil, e
	}
	s.mu.Lock()
	n := s.node(projectID, id)
	if n == nil {
		s.mu.Unlock()
		return nil, nodeNotFound(projectID, id)
	}
	var named []string
	for _, item := range n.depends {
		named = append(named, str(item, "output"), str(item, "nodeId"))
	}
	var hits []map[string]any
	for _, uid := range s.nodeOrder {
		up := s.nodes[uid]
		if up.projectID == projectID && slices.ContainsFunc(up.outputs(), func(o string) bool { return slices.Contains(named, o) }) {
			hits = append(hits, up.summary())
		}
	}
	s.mu.Unlock()
	q.call.NodeID = id
	return q.answer(pagingInfo(number, size, strconv.Itoa(len(hits)), "Nodes", page(hits, number, size)))
}
