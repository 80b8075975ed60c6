package draft

import (
	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/i18n"
)

func conflictMessage(expected, current int64) i18n.Text {
	if expected < 1 {
		return i18n.Sprintf("If-Match names no version of this draft (a weak or unknown entity-tag); it is at version %d; nothing was changed",
			"If-Match 未指明此草稿的任何版本（弱校验或未知的实体标签）；当前为版本 %d；未做任何更改", current)
	}
	return i18n.Sprintf(
		"this draft was saved by someone else: you edited version %d, it is now at version %d; nothing was overwritten — reload, or save your copy as a new draft",
		"此草稿已被他人保存：你编辑的是版本 %d，当前为版本 %d；未覆盖任何内容——请重新加载，或将你的内容另存为新草稿",
		expected, current)
}

func noRevision(version, latest int64) *Error {
	return &Error{Code: NotFound, Message: i18n.Sprintf(
		"revision %d does not exist; this draft has versions 1 to %d",
		"修订 %d 不存在；此草稿的版本为 1 至 %d", version, latest)}
}

func revisionDiff(a, b Revision) ([]flowspec.Change, error) {
	da, _, err := flowspec.Import(a.Spec)
	if err != nil {
		return nil, err
	}
	db, _, err := flowspec.Import(b.Spec)
	if err != nil {
		return nil, err
	}
	changes := flowspec.Diff(da, db)
	if a.ProjectID != b.ProjectID {
		changes = append([]flowspec.Change{{Path: "projectId", Op: flowspec.Changed, Old: quote(a.ProjectID), New: quote(b.ProjectID)}}, changes...)
	}
	if a.Region != b.Region {
		changes = append([]flowspec.Change{{Path: "region", Op: flowspec.Changed, Old: quote(a.Region), New: quote(b.Region)}}, changes...)
	}
	return changes, nil
}

func quote(s string) string { return `"` + s + `"` }
