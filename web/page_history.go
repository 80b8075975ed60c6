package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/sergi/go-diff/diffmatchpatch"

	"github.com/flowform/flowform/components"
	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/i18n"
)

// handleHistory serves GET /d/{id}/history?from=&to=&rev=: editing
// sessions and named versions, the diff between two versions, and (rev)
// what a restore just made.
func (s *Server) handleHistory(c echo.Context) error {
	return s.renderHistory(c, http.StatusOK, "")
}

// renderHistory shows the history page; notice, when set, replaces the
// one rev asks for.
func (s *Server) renderHistory(c echo.Context, status int, notice string) error {
	ctx := c.Request().Context()
	lang := language(c)
	d, err := s.drafts.Get(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	entries, err := s.drafts.History(ctx, d.ID)
	if err != nil {
		return err
	}
	loc := viewerLocation(c)
	now := s.now().In(loc)
	if notice == "" {
		if notice, err = s.revisionNotice(c, d.ID, loc); err != nil {
			return err
		}
	}
	v := components.HistoryView{Page: s.page(c, i18n.Text{EN: "History of " + d.Spec.Form().Name, ZH: d.Spec.Form().Name + " 的历史"}),
		DraftID: d.ID, Version: d.Version, Notice: notice, Zone: loc.String()}
	for _, e := range entries {
		v.Entries = append(v.Entries, entryView(e, d.Version, lang, loc, now))
		v.Options = append(v.Options, components.VersionOption{Version: e.Last.Version, Label: optionLabel(e.Last, lang, loc, now)})
	}
	from, _ := strconv.ParseInt(c.QueryParam("from"), 10, 64)
	to, _ := strconv.ParseInt(c.QueryParam("to"), 10, 64)
	if from > 0 {
		if to == 0 {
			to = d.Version
		}
		changes, err := s.drafts.Diff(ctx, d.ID, from, to)
		if err != nil {
			return err
		}
		v.From, v.To = from, to
		v.Changes = changeViews(changes, lang)
		// A version inside a session is not in the menus: offer it too, so
		// the menus show what is compared.
		for _, ver := range []int64{from, to} {
			if !hasOption(v.Options, ver) {
				rev, err := s.drafts.Revision(ctx, d.ID, ver)
				if err != nil {
					return err
				}
				v.Options = insertOption(v.Options, components.VersionOption{Version: ver, Label: optionLabel(rev.RevisionInfo, lang, loc, now)})
			}
		}
	}
	v.MenuFrom, v.MenuTo = v.From, v.To
	if v.From == 0 && len(v.Options) > 0 {
		// Unasked, the menus offer the latest entry against the one before.
		v.MenuTo, v.MenuFrom = v.Options[0].Version, v.Options[min(1, len(v.Options)-1)].Version
	}
	return render(c, status, components.History(v))
}

// handleHistoryRestore serves POST /d/{id}/history/restore: the chosen
// version's content saved as a new version, then the history saying so.
func (s *Server) handleHistoryRestore(c echo.Context) error {
	version, _ := strconv.ParseInt(c.FormValue("version"), 10, 64)
	expected, _ := strconv.ParseInt(c.FormValue("expected"), 10, 64)
	if version < 1 || expected < 1 {
		return &Error{Status: http.StatusBadRequest, Code: "version", Message: i18n.Text{EN: "choose a version to restore", ZH: "请选择要恢复的版本"}}
	}
	d, err := s.drafts.Restore(c.Request().Context(), c.Param("id"), version, expected, s.author(c))
	var de *draft.Error
	if errors.As(err, &de) && de.Code == draft.Conflict {
		// Restoring over a save the page did not show would hide it: show
		// the history as it now is instead.
		return s.renderHistory(c, http.StatusPreconditionFailed, i18n.Sprintf(
			"Not restored: someone saved version %d after this page was loaded. Here is the history as it is now; nothing was overwritten.",
			"未恢复：此页面加载后有人保存了版本 %d。以下为当前的历史；未覆盖任何内容。", de.Current.Version).In(language(c)))
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/d/"+d.ID+"/history?rev="+strconv.FormatInt(d.Version, 10))
}

// handleSaveVersion serves POST /d/{id}/version: the editor's form saved
// as a named version, with the message typed beside the button
// (version_message), guarded by the version the page holds.
func (s *Server) handleSaveVersion(c echo.Context) error {
	ctx, d, in, lang, err := s.postedEditor(c)
	if err != nil {
		return err
	}
	if len(in.errs) > 0 {
		return render(c, http.StatusUnprocessableEntity, components.Editor(s.editorView(c, d, &in, notSaved(lang))))
	}
	saved, err := s.drafts.SaveVersion(ctx, d.ID, pageVersion(c), draft.Input{ProjectID: in.projectID, Region: in.region, Spec: in.doc},
		c.FormValue("version_message"), s.author(c))
	var de *draft.Error
	switch {
	case errors.As(err, &de) && de.Code == draft.Conflict:
		return s.conflictPage(c, de.Current, &in, lang)
	case errors.As(err, &de) && de.Code == draft.Invalid:
		return render(c, http.StatusUnprocessableEntity, components.Editor(s.editorView(c, d, &in,
			i18n.Sprintf("Not saved: %s", "未保存：%s", de.Message.In(lang)).In(lang))))
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/d/"+saved.ID+"?saved=1&rev="+strconv.FormatInt(saved.Version, 10))
}

// revisionNotice says what the revision named by ?rev= is, when it is a
// named version or a restore: "Saved version 42 “Before release”",
// "Restored version 12 (saved 10:04 by alice) as version 41". It is ""
// for any other revision, or without rev.
func (s *Server) revisionNotice(c echo.Context, id string, loc *time.Location) (string, error) {
	v, err := strconv.ParseInt(c.QueryParam("rev"), 10, 64)
	if err != nil || v < 1 {
		return "", nil
	}
	ctx, lang := c.Request().Context(), language(c)
	rev, err := s.drafts.Revision(ctx, id, v)
	var de *draft.Error
	if errors.As(err, &de) && de.Code == draft.NotFound {
		return "", nil // a link to a revision that is not there: nothing to say
	} else if err != nil {
		return "", err
	}
	switch rev.Kind {
	case draft.KindVersion:
		if rev.Message == "" {
			return i18n.Sprintf("Saved version %d", "已保存版本 %d", v).In(lang), nil
		}
		return i18n.Sprintf("Saved version %d “%s”", "已保存版本 %d“%s”", v, rev.Message).In(lang), nil
	case draft.KindRestore:
		if rev.RestoredFrom < 1 {
			return "", nil
		}
		old, err := s.drafts.Revision(ctx, id, rev.RestoredFrom)
		if err != nil {
			return "", err
		}
		return i18n.Sprintf("Restored version %d (saved %s by %s) as version %d", "已将版本 %d（%s 由 %s 保存）恢复为版本 %d",
			old.Version, clock(old.CreatedAt, s.now(), loc), draft.AuthorName(old.Author, lang), v).In(lang), nil
	}
	return "", nil
}

// clock is a time as the history shows it: the time of day for today,
// with the date otherwise.
func clock(t, now time.Time, loc *time.Location) string {
	t, now = t.In(loc), now.In(loc)
	if sameDay(t, now) {
		return t.Format("15:04")
	}
	return t.Format("2006-01-02 15:04")
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// span is when an entry happened: "10:02–10:04", "2026-11-26 09:00–09:40".
func span(first, last, now time.Time, loc *time.Location) string {
	start := clock(first, now, loc)
	first, last = first.In(loc), last.In(loc)
	switch {
	case first.Format("15:04") == last.Format("15:04") && sameDay(first, last):
		return start
	case sameDay(first, last):
		return start + "–" + last.Format("15:04")
	}
	return start + " – " + clock(last, now, loc)
}

// entryView shows one history entry in the page's language and the
// viewer's zone.
func entryView(e draft.Entry, current int64, lang i18n.Lang, loc *time.Location, now time.Time) components.HistoryEntry {
	v := components.HistoryEntry{Kind: string(e.Kind), Author: draft.AuthorName(e.Last.Author, lang), Last: e.Last.Version,
		When: span(e.First.CreatedAt, e.Last.CreatedAt, now, loc), At: e.Last.CreatedAt.Format(time.RFC3339),
		Current: e.Last.Version == current, Fields: fieldList(e.Changes, lang)}
	if len(e.Changes) > 0 {
		v.DiffFrom = e.First.Version - 1
	}
	switch e.Kind {
	case draft.KindCreate:
		v.Title = i18n.Text{EN: "Created", ZH: "创建"}.In(lang)
	case draft.KindVersion:
		v.Title, v.Message = i18n.Sprintf("Version %d", "版本 %d", e.Last.Version).In(lang), e.Last.Message
	case draft.KindRestore:
		v.Title = i18n.Sprintf("Restored version %d", "恢复了版本 %d", e.Last.RestoredFrom).In(lang)
	default:
		v.Title = i18n.Text{EN: "Edited", ZH: "编辑"}.In(lang)
	}
	switch {
	case e.Saves > 1:
		v.Versions = i18n.Sprintf("versions %d–%d, %d saves", "版本 %d–%d，共 %d 次保存", e.First.Version, e.Last.Version, e.Saves).In(lang)
	case e.Kind != draft.KindVersion:
		v.Versions = i18n.Sprintf("version %d", "版本 %d", e.Last.Version).In(lang)
	}
	return v
}

// optionLabel names a version in the compare menus by when, who and, for
// a named version, its message.
func optionLabel(r draft.RevisionInfo, lang i18n.Lang, loc *time.Location, now time.Time) string {
	label := i18n.Sprintf("v%d · %s · %s", "v%d · %s · %s", r.Version, clock(r.CreatedAt, now, loc), draft.AuthorName(r.Author, lang)).In(lang)
	if r.Kind == draft.KindVersion && r.Message != "" {
		label += " · “" + r.Message + "”"
	}
	return label
}

func hasOption(opts []components.VersionOption, v int64) bool {
	for _, o := range opts {
		if o.Version == v {
			return true
		}
	}
	return false
}

// insertOption keeps the options newest first.
func insertOption(opts []components.VersionOption, o components.VersionOption) []components.VersionOption {
	i := 0
	for i < len(opts) && opts[i].Version > o.Version {
		i++
	}
	return append(opts[:i], append([]components.VersionOption{o}, opts[i:]...)...)
}

// fieldList names the changed fields by label, each once, in document
// order; fields the form does not know are counted.
func fieldList(changes []flowspec.Change, lang i18n.Lang) string {
	var names []string
	others := 0
	seen := map[string]bool{}
	for _, ch := range changes {
		label := ""
		if f, row, ok := flowspec.NodeChangeField(ch.Path); ok && ch.Node != "" {
			label = nodeChangeLabel(ch, f, row, lang)
		} else if f, row, ok := flowspec.FieldAt(ch.Path); ok {
			label = rowLabel(f, row, lang)
		}
		switch {
		case label == "":
			others++
		case !seen[label]:
			seen[label] = true
			names = append(names, label)
		}
	}
	switch {
	case others == 1:
		names = append(names, i18n.Text{EN: "1 other field", ZH: "其他 1 个字段"}.In(lang))
	case others > 1:
		names = append(names, i18n.Sprintf("%d other fields", "其他 %d 个字段", others).In(lang))
	}
	return strings.Join(names, i18n.Text{EN: ", ", ZH: "、"}.In(lang))
}

// rowLabel is a field's label, numbered for a row of a row field
// ("Parameter 2").
func rowLabel(f *flowspec.Field, row int, lang i18n.Lang) string {
	if row < 0 {
		return f.Label.In(lang)
	}
	return f.Label.In(lang) + " " + strconv.Itoa(row+1)
}

// changeViews shows changes in the form's terms: each field by its label,
// its values in the form's words and units; a path the form does not know
// stays a path with JSON values.
func changeViews(changes []flowspec.Change, lang i18n.Lang) []components.ChangeView {
	out := make([]components.ChangeView, 0, len(changes))
	for _, ch := range changes {
		v := components.ChangeView{Path: ch.Path, Op: string(ch.Op), Theirs: ch.Old, Yours: ch.New}
		if f, row, ok := flowspec.NodeChangeField(ch.Path); ok && ch.Node != "" {
			v.Label = nodeChangeLabel(ch, f, row, lang)
			if f != nil && row < 0 && f.Kind != flowspec.KindRows {
				v.Theirs, v.Yours = f.Show(ch.Old, lang), f.Show(ch.New, lang)
			} else {
				v.Theirs, v.Yours, v.Raw = unquote(ch.Old), unquote(ch.New), !isString(ch.Old, ch.New)
			}
		} else if f, row, ok := flowspec.FieldAt(ch.Path); ok {
			v.Label = rowLabel(f, row, lang)
			if f.PathLabel.EN != "" {
				v.Label = f.PathLabel.In(lang)
			}
			if row < 0 {
				v.Theirs, v.Yours = f.Show(ch.Old, lang), f.Show(ch.New, lang)
			} else {
				// Part of a row: name the part ("Parameter 2 value"); a
				// whole row added or removed is shown as its JSON.
				_, part, _ := strings.Cut(ch.Path[strings.LastIndex(ch.Path, "]")+1:], ".")
				v.Label = strings.TrimSpace(v.Label + " " + part)
				v.Theirs, v.Yours, v.Raw = unquote(ch.Old), unquote(ch.New), part == "" || !isString(ch.Old, ch.New)
			}
		}
		if strings.Contains(v.Theirs, "\n") || strings.Contains(v.Yours, "\n") {
			v.OldLines, v.NewLines = lineDiff(v.Theirs, v.Yours)
		}
		out = append(out, v)
	}
	return out
}

// lineDiff splits two texts (code) into lines, marking the lines each
// side has that the other lacks.
func lineDiff(old, new string) (was, is []components.DiffLine) {
	dmp := diffmatchpatch.New()
	a, b, lines := dmp.DiffLinesToRunes(old, new)
	for _, d := range dmp.DiffCharsToLines(dmp.DiffMainRunes(a, b, false), lines) {
		for _, line := range strings.SplitAfter(d.Text, "\n") {
			if line == "" {
				continue
			}
			text := strings.TrimSuffix(line, "\n")
			switch d.Type {
			case diffmatchpatch.DiffEqual:
				was, is = append(was, components.DiffLine{Text: text}), append(is, components.DiffLine{Text: text})
			case diffmatchpatch.DiffDelete:
				was = append(was, components.DiffLine{Text: text, Changed: true})
			case diffmatchpatch.DiffInsert:
				is = append(is, components.DiffLine{Text: text, Changed: true})
			}
		}
	}
	return was, is
}

// nodeChangeLabel names a change in an inner node by the node's name and
// the field's label: "Node dwd_orders · Code"; a whole node added or
// removed is just the node.
func nodeChangeLabel(ch flowspec.Change, f *flowspec.Field, row int, lang i18n.Lang) string {
	label := i18n.Sprintf("Node %s", "节点 %s", ch.Node).In(lang)
	switch {
	case f == nil && strings.HasSuffix(ch.Path, "]") && strings.Count(ch.Path, "[") == 2:
		return label // the whole node
	case f == nil:
		_, rest, _ := strings.Cut(ch.Path[len("spec.workflows[0].nodes["):], ".")
		return label + " · " + rest
	}
	return label + " · " + rowLabel(f, row, lang)
}

// unquote is a JSON string's text; other JSON is returned as it is.
func unquote(j string) string {
	if s, err := strconv.Unquote(j); err == nil && strings.HasPrefix(j, `"`) {
		return s
	}
	return j
}

// isString says whether every non-empty value is a JSON string.
func isString(values ...string) bool {
	for _, j := range values {
		if j != "" && !strings.HasPrefix(j, `"`) {
			return false
		}
	}
	return true
}
