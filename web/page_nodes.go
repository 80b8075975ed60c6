package web

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
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
	version := pageVersion(c)
	if !bytes.Equal(in.doc.Canonical(), d.SpecJSON) || in.projectID != d.ProjectID || in.region != d.Region {
		saved, err := save(in.doc, version)
		if saved == nil {
			return err
		}
		version = saved.Version
	}
	doc := in.doc.Clone()
	sel := in.node
	query := url.Values{}
	switch c.FormValue("node_action") {
	case "add":
		kind := c.FormValue("new_kind")
		if k, ok := flowspec.KindOf(kind); !ok || !k.Editable {
			kind = flowspec.NodeKinds[0].Command
		}
		name := strings.TrimSpace(c.FormValue("new_name"))
		if name == "" {
			name = doc.UniqueNodeName(strings.ToLower(kind))
		}
		for _, n := range doc.Nodes() {
			if n.Name() == name {
				in.errs["new_name"] = append(in.errs["new_name"], i18n.Sprintf(
					"A node named %q is already in this workflow; node names must be unique", "本工作流已有名为「%s」的节点；节点名称必须唯一", name).In(lang))
				return render(c, http.StatusUnprocessableEntity, components.Editor(s.editorView(c, d, &in, notSaved(lang))))
			}
		}
		sel = doc.AddNode(kind, name)
	case "duplicate":
		if sel >= 0 {
			sel = doc.DuplicateNode(sel)
		}
	case "delete":
		if sel >= 0 {
			query.Set("removed", doc.Node(sel).ID)
			query.Set("from", strconv.FormatInt(version, 10))
			doc.RemoveNode(sel)
			sel = min(sel, doc.NodeCount()-1)
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
		if doc.RestoreNode(before, id) {
			sel, _ = doc.NodeIndex(id)
		}
	case "up", "down":
		if sel >= 0 {
			to := sel - 1
			if c.FormValue("node_action") == "down" {
				to = sel + 1
			}
			doc.MoveNode(sel, to)
			sel = max(0, min(to, doc.NodeCount()-1))
		}
	default:
		return &echo.HTTPError{Code: http.StatusBadRequest, Message: "unknown node action"}
	}
	if f := doc.CheckLimits(); f != nil {
		in.errs["new_name"] = append(in.errs["new_name"], f.Message.In(lang))
		return render(c, http.StatusUnprocessableEntity, components.Editor(s.editorView(c, d, &in, notSaved(lang))))
	}
	saved, err := save(doc, version)
	if saved == nil {
		return err
	}
	if sel >= 0 {
		query.Set("node", strconv.Itoa(sel))
	}
	query.Set("saved", "1")
	return c.Redirect(http.StatusSeeOther, "/d/"+saved.ID+"?"+query.Encode()+"#nodes")
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
	return &components.RemovedNode{ID: nodeID, Name: before.Node(i).Name(), From: v}
}
