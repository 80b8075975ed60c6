package web

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/flowform/flowform/components"
	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/i18n"
)

// handleNodeAction serves POST /d/{id}/nodes: the node list's buttons
// (add, duplicate, delete, undo, move up, move down). The whole editor form
// is posted with them, so unsaved edits are saved first, as their own
// version; then the action is saved as the next one. A stale page is
// refused with the conflict, like any save.
func (s *Server) handleNodeAction(c echo.Context) error {
	ctx, d, in, lang, err := s.postedEditor(c)
	if err != nil {
		return err
	}
	if len(in.errs) > 0 {
		return render(c, http.StatusUnprocessableEntity, components.Editor(s.editorView(c, d, &in, notSaved(lang))))
	}
	input := func(doc *flowspec.Document) draft.Input {
		return draft.Input{ProjectID: in.projectID, Region: in.region, Spec: doc}
	}
	save := func(doc *flowspec.Document, expected int64) (*draft.Draft, error) {
		saved, err := s.drafts.Update(ctx, d.ID, expected, input(doc), s.author(c))
		var de *draft.Error
		if errors.As(err, &de) && de.Code == draft.Conflict {
			return nil, s.conflictPage(c, de.Current, &in, lang)
		}
		return saved, err
	}
	// The action is worked out on a copy first: one that cannot be done
	// saves nothing, not even the pending edits.
	refuse := func(msg i18n.Text) error {
		in.errs["new_name"] = append(in.errs["new_name"], msg.In(lang))
		return render(c, http.StatusUnprocessableEntity, components.Editor(s.editorView(c, d, &in, notSaved(lang))))
	}
	doc := in.doc.Clone()
	sel := in.node
	query := url.Values{}
	switch action := c.FormValue("node_action"); action {
	case "add":
		kind := c.FormValue("new_kind")
		if k, ok := flowspec.KindOf(kind); !ok || !k.Editable {
			return refuse(i18n.Sprintf("%q is not a kind of node FlowForm can add", "「%s」不是 FlowForm 可添加的节点类型", kind))
		}
		name := strings.TrimSpace(c.FormValue("new_name"))
		if name == "" {
			name = doc.UniqueNodeName(strings.ToLower(kind))
		}
		if _, taken := nodeNames(doc)[name]; taken {
			return refuse(i18n.Sprintf("A node named %q is already in this workflow; node names must be unique",
				"本工作流已有名为「%s」的节点；节点名称必须唯一", name))
		}
		sel = doc.AddNode(kind, name)
	case "duplicate", "delete", "up", "down":
		if sel < 0 {
			return refuse(i18n.Text{EN: "Open a node first: there is no node form on this page.", ZH: "请先打开一个节点：此页面没有节点表单。"})
		}
		switch action {
		case "duplicate":
			sel = doc.DuplicateNode(sel)
		case "delete":
			query.Set("removed", doc.Node(sel).ID)
			doc.RemoveNode(sel)
			sel = min(sel, doc.NodeCount()-1)
		default:
			to := sel - 1
			if action == "down" {
				to = sel + 1
			}
			doc.MoveNode(sel, to)
			sel = max(0, min(to, doc.NodeCount()-1))
		}
	case "undo":
		from, _ := strconv.ParseInt(c.FormValue("restore_from"), 10, 64)
		rev, err := s.drafts.Revision(ctx, d.ID, from)
		if err != nil {
			return err
		}
		before, _, err := flowspec.Import(rev.Spec)
		if err != nil {
			return err
		}
		id := c.FormValue("restore_id")
		if !doc.RestoreNode(before, id) {
			return refuse(i18n.Sprintf("Nothing to undo: version %d has no node %q that is not here", "无可撤销：版本 %d 中没有此处缺少的节点「%s」", from, id))
		}
		sel, _ = doc.NodeIndex(id)
	default:
		return refuse(i18n.Sprintf("%q is not something the node buttons do", "「%s」不是节点按钮的操作", action))
	}
	if f := doc.CheckLimits(); f != nil {
		return refuse(f.Message)
	}

	// Then the pending edits are saved as their own version, and the
	// action as the next one (an action that changed nothing, such as
	// moving the first node up, saves nothing).
	version := pageVersion(c)
	if !bytes.Equal(in.doc.Canonical(), d.SpecJSON) || in.projectID != d.ProjectID || in.region != d.Region {
		saved, err := save(in.doc, version)
		if saved == nil {
			return err
		}
		version = saved.Version
	}
	if query.Has("removed") {
		query.Set("from", strconv.FormatInt(version, 10)) // the version that still has the node
	}
	id := d.ID
	if !bytes.Equal(doc.Canonical(), in.doc.Canonical()) {
		saved, err := save(doc, version)
		if saved == nil {
			return err
		}
		id = saved.ID
	}
	if sel >= 0 {
		query.Set("node", strconv.Itoa(sel))
	}
	query.Set("saved", "1")
	return c.Redirect(http.StatusSeeOther, "/d/"+id+"?"+query.Encode()+"#nodes")
}

// removedNode is the node a delete just removed, named from the version
// that still had it, for the Undo button; nil when the query names none.
func (s *Server) removedNode(c echo.Context, id string) *components.RemovedNode {
	nodeID, from := c.QueryParam("removed"), c.QueryParam("from")
	v, err := strconv.ParseInt(from, 10, 64)
	if nodeID == "" || err != nil {
		return nil
	}
	rev, err := s.drafts.Revision(c.Request().Context(), id, v)
	if err != nil {
		return nil
	}
	before, _, err := flowspec.Import(rev.Spec)
	if err != nil {
		return nil
	}
	i, ok := before.NodeIndex(nodeID)
	if !ok {
		return nil
	}
	var dependents []string
	g := before.Graph()
	for _, e := range g.Edges {
		if e.From == i && e.To != i && !slices.Contains(dependents, g.Names[e.To]) {
			dependents = append(dependents, g.Names[e.To])
		}
	}
	return &components.RemovedNode{ID: nodeID, Name: before.NodeName(i), From: v, Dependents: strings.Join(dependents, ", ")}
}
