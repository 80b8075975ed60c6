package dataworkstest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// snapshotVersion is the version of the document Snapshot writes; Restore
// reads no other.
const snapshotVersion = 1

// snapshot is what a real DataWorks would keep across a restart: the
// workflows and nodes, each list in creation order (which the List
// operations answer in), and the id counter. Calls, nonces, scripts and
// faults are the test's, not DataWorks', and are left out. Numbers inside
// skeleton, obj and depends are json.Number (decoded with UseNumber), so
// 19-digit ids survive exactly.
type snapshot struct {
	Version   int              `json:"version"`
	Next      json.Number      `json:"next"` // the last id handed out
	Workflows []workflowRecord `json:"workflows"`
	Nodes     []nodeRecord     `json:"nodes"`
}

type workflowRecord struct {
	ID         string         `json:"id"`
	ProjectID  int64          `json:"projectId"`
	Kind       string         `json:"kind"`
	Skeleton   map[string]any `json:"skeleton"`
	Obj        map[string]any `json:"obj"`
	CreateTime int64          `json:"createTime"`
	ModifyTime int64          `json:"modifyTime"`
}

type nodeRecord struct {
	ID          string         `json:"id"`
	ProjectID   int64          `json:"projectId"`
	ContainerID string         `json:"containerId"`
	Scene       string         `json:"scene"`
	Obj         map[string]any `json:"obj"`
	Depends     []any          `json:"depends"` // null when the node has no dependency entry
	CreateTime  int64          `json:"createTime"`
	ModifyTime  int64          `json:"modifyTime"`
}

// Snapshot is a versioned JSON document of everything the server holds
// that DataWorks itself would keep — workflows, nodes and the id counter —
// for Restore. Calls, nonces, scripts and faults are not in it.
func (s *Server) Snapshot() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	doc := snapshot{Version: snapshotVersion, Next: json.Number(strconv.FormatUint(s.next, 10)),
		Workflows: []workflowRecord{}, Nodes: []nodeRecord{}}
	for _, id := range s.wfOrder {
		w := s.workflows[id]
		doc.Workflows = append(doc.Workflows, workflowRecord{ID: w.id, ProjectID: w.projectID, Kind: w.kind,
			Skeleton: w.skeleton, Obj: w.obj, CreateTime: w.created, ModifyTime: w.modified})
	}
	for _, id := range s.nodeOrder {
		n := s.nodes[id]
		doc.Nodes = append(doc.Nodes, nodeRecord{ID: n.id, ProjectID: n.projectID, ContainerID: n.containerID, Scene: n.scene,
			Obj: n.obj, Depends: n.depends, CreateTime: n.created, ModifyTime: n.modified})
	}
	// Marshalled under the lock: the maps are the server's own.
	return json.MarshalIndent(doc, "", " ")
}

// Restore replaces the server's workflows, nodes and id counter with those
// of a Snapshot document. A document of another version, or one that is
// malformed or inconsistent (a node in a missing workflow, an id above the
// counter), is refused with an error and the server is left unchanged.
func (s *Server) Restore(data []byte) error {
	var head struct{ Version json.Number }
	if err := json.Unmarshal(data, &head); err != nil { // trailing data too
		return fmt.Errorf("dataworkstest: not a snapshot: %w", err)
	}
	if head.Version != json.Number(strconv.Itoa(snapshotVersion)) {
		return fmt.Errorf("dataworkstest: snapshot version %q is unknown (this build reads version %d)", head.Version.String(), snapshotVersion)
	}
	var doc snapshot
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	d.DisallowUnknownFields()
	if err := d.Decode(&doc); err != nil {
		return fmt.Errorf("dataworkstest: malformed snapshot: %w", err)
	}

	// Build the new state aside, so that a refused document changes nothing.
	next, err := strconv.ParseUint(doc.Next.String(), 10, 64)
	if err != nil {
		return fmt.Errorf("dataworkstest: malformed snapshot: next %q is not an id", doc.Next.String())
	}
	taken := map[string]bool{}
	checkID := func(what, id string, projectID int64) error {
		n, err := strconv.ParseUint(id, 10, 64)
		switch {
		case err != nil:
			return fmt.Errorf("dataworkstest: malformed snapshot: %s id %q is not a number", what, id)
		case n > next:
			return fmt.Errorf("dataworkstest: malformed snapshot: %s id %s is above the counter %d, which would hand it out again", what, id, next)
		case taken[id]:
			return fmt.Errorf("dataworkstest: malformed snapshot: id %s appears twice", id)
		case projectID <= 0:
			return fmt.Errorf("dataworkstest: malformed snapshot: %s %s has no positive projectId", what, id)
		}
		taken[id] = true
		return nil
	}
	workflows, nodes := map[string]*workflow{}, map[string]*node{}
	var wfOrder, nodeOrder []string
	for _, r := range doc.Workflows {
		if err := checkID("workflow", r.ID, r.ProjectID); err != nil {
			return err
		}
		if r.Kind != cycleWorkflow && r.Kind != manualWorkflow || r.Skeleton == nil || r.Obj == nil {
			return fmt.Errorf("dataworkstest: malformed snapshot: workflow %s needs a kind (CycleWorkflow or ManualWorkflow), a skeleton and an obj", r.ID)
		}
		workflows[r.ID] = &workflow{id: r.ID, projectID: r.ProjectID, kind: r.Kind, skeleton: r.Skeleton, obj: r.Obj,
			created: r.CreateTime, modified: r.ModifyTime}
		wfOrder = append(wfOrder, r.ID)
	}
	for _, r := range doc.Nodes {
		if err := checkID("node", r.ID, r.ProjectID); err != nil {
			return err
		}
		if _, ok := scenes[r.Scene]; !ok || r.Obj == nil {
			return fmt.Errorf("dataworkstest: malformed snapshot: node %s needs a known scene and an obj", r.ID)
		}
		if w := workflows[r.ContainerID]; r.ContainerID != "" && (w == nil || w.projectID != r.ProjectID) {
			return fmt.Errorf("dataworkstest: malformed snapshot: node %s is in workflow %s, which project %d does not hold", r.ID, r.ContainerID, r.ProjectID)
		}
		nodes[r.ID] = &node{id: r.ID, projectID: r.ProjectID, containerID: r.ContainerID, scene: r.Scene, obj: r.Obj,
			depends: r.Depends, created: r.CreateTime, modified: r.ModifyTime}
		nodeOrder = append(nodeOrder, r.ID)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.workflows, s.nodes, s.wfOrder, s.nodeOrder, s.next = workflows, nodes, wfOrder, nodeOrder, next
	return nil
}
