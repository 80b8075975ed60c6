package dataworkstest

import "errors"

// NodeRecord is a stored node, for assertions.
type NodeRecord struct {
	ID          string
	ProjectID   int64  // a number, as the API's ProjectId is a Long
	ContainerID string // the workflow holding the node, "" for none
	Scene       string // as CreateNode was given it
	Name        string
	Command     string // script.runtime.command
	Spec        string // the node object as stored (id, rewritten path, default output, metadata), JSON
	Depends     string // the depends list of its dependency entry, JSON; "[]" when it has none
	CreateTime  int64  // ms
	ModifyTime  int64  // ms
}

func (n *node) record() NodeRecord {
	depends := n.depends
	if depends == nil {
		depends = []any{}
	}
	return NodeRecord{ID: n.id, ProjectID: n.projectID, ContainerID: n.containerID, Scene: n.scene, Name: n.name(), Command: n.command(),
		Spec: encode(n.obj), Depends: encode(depends), CreateTime: n.created, ModifyTime: n.modified}
}

// Node returns the node stored under id.
func (s *Server) Node(id string) (NodeRecord, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.nodes[id]
	if n == nil {
		return NodeRecord{}, false
	}
	return n.record(), true
}

// Nodes returns the nodes inside a workflow in creation order; an empty
// containerID returns every node.
func (s *Server) Nodes(containerID string) []NodeRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []NodeRecord
	for _, id := range s.nodeOrder {
		if n := s.nodes[id]; containerID == "" || n.containerID == containerID {
			out = append(out, n.record())
		}
	}
	return out
}

// Workflow returns the workflow document stored for a workflow Id: the
// Spec as sent (and updated), with its id, without inner nodes.
func (s *Server) Workflow(id string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.workflows[id]
	if w == nil {
		return "", false
	}
	return encode(w.document(nil, nil)), true
}

// ErrNotFound is what the console edits return for an unknown id. On a
// server that persists (PersistTo), the edits also return the error of
// saving the change, which is then made in memory only.
var ErrNotFound = errors.New("dataworkstest: no such workflow or node")

// EditNode changes a stored node as a colleague in the DataWorks console
// would: edit gets the node object (numbers as json.Number) and may change
// it in place; whatever it leaves is stored as is, except the id. It bumps
// ModifyTime. edit runs without the server's lock, so it may call the
// server.
func (s *Server) EditNode(id string, edit func(node map[string]any)) error {
	s.mu.Lock()
	n := s.nodes[id]
	if n == nil {
		s.mu.Unlock()
		return ErrNotFound
	}
	o := clone(n.obj)
	s.mu.Unlock()
	edit(o)
	s.mu.Lock()
	if n = s.nodes[id]; n == nil {
		s.mu.Unlock()
		return ErrNotFound // deleted meanwhile
	}
	o["id"] = id
	n.obj = o
	n.modified = later(n.modified)
	s.mu.Unlock()
	return s.persist()
}

// EditDepends changes a stored node's dependency entry as a colleague in
// the console would (drawing or removing an edge): edit gets the depends
// list and returns the new one. It bumps ModifyTime.
func (s *Server) EditDepends(id string, edit func(depends []any) []any) error {
	s.mu.Lock()
	n := s.nodes[id]
	if n == nil {
		s.mu.Unlock()
		return ErrNotFound
	}
	d := clone(n.depends)
	s.mu.Unlock()
	d = edit(d)
	s.mu.Lock()
	if n = s.nodes[id]; n == nil {
		s.mu.Unlock()
		return ErrNotFound
	}
	n.depends = d
	n.modified = later(n.modified)
	s.mu.Unlock()
	return s.persist()
}

// EditWorkflow changes a stored workflow as a colleague in the console
// would: edit gets spec.workflows[0] (without inner nodes) and may change
// it in place; the id stays. Inner nodes follow a changed script path. It
// bumps ModifyTime.
func (s *Server) EditWorkflow(id string, edit func(workflow map[string]any)) error {
	s.mu.Lock()
	w := s.workflows[id]
	if w == nil {
		s.mu.Unlock()
		return ErrNotFound
	}
	o := clone(w.obj)
	s.mu.Unlock()
	edit(o)
	s.mu.Lock()
	o["id"] = id
	w.obj = o
	w.modified = later(w.modified)
	s.repath(w)
	s.mu.Unlock()
	return s.persist()
}
