package flowspec

import (
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/flowform/flowform/internal/i18n"
)

// Limits on the text fields FlowForm edits, in characters. A draft that
// breaks one is refused (not saved with a finding): these bound what one
// request can make FlowForm store and render. Where each comes from:
//   - name 128: the Data Studio workflow-name rule, 1–128 characters
//     (nodes-reference §5, help doc 137500); the new Data Studio documents
//     none, so the old rule stands.
//   - folder path 1024 and description 1024: the 2024-05-18 API's own
//     limits for comparable fields (directory levels of data-quality
//     templates 1,024; dataset and dataset-version descriptions 1,024);
//     DataWorks documents none for workflows.
//   - owner 64: an Alibaba Cloud account ID has 16–19 digits; 64 leaves
//     room for RAM identities without admitting essays.
//   - parameter name 128, parameter value 1024, output name 256: FlowForm's
//     choice (DataWorks documents none), far above real values
//     (`bizdate`, `$[yyyymmdd-1]`, `<project>.<workflow>`).
const (
	MaxName           = 128
	MaxPath           = 1024
	MaxDescription    = 1024
	MaxOwner          = 64
	MaxParameterName  = 128
	MaxParameterValue = 1024
	MaxOutputName     = 256
)

// CheckLimits returns the first text field of the document that is too
// long or holds characters no DataWorks name or value should: control
// characters (NUL, newlines — except in a description) and the Unicode
// bidirectional controls that make text display in another order than it
// is stored.
func (d *Document) CheckLimits() *Finding {
	f := d.Form()
	wf := "spec.workflows[0]"
	type field struct {
		path      string
		label     i18n.Text
		value     string
		max       int
		multiline bool
	}
	var (
		name        = i18n.Text{EN: "name", ZH: "名称"}
		folder      = i18n.Text{EN: "folder path", ZH: "文件夹路径"}
		description = i18n.Text{EN: "description", ZH: "描述"}
		owner       = i18n.Text{EN: "owner", ZH: "责任人"}
		paramName   = i18n.Text{EN: "parameter name", ZH: "参数名"}
		paramValue  = i18n.Text{EN: "parameter value", ZH: "参数值"}
		output      = i18n.Text{EN: "output name", ZH: "输出名称"}
	)
	fields := []field{
		{wf + ".name", name, f.Name, MaxName, false},
		{wf + ".script.path", folder, text(d.workflow().get("script"), "path"), MaxPath, false},
		{wf + ".description", description, f.Description, MaxDescription, true},
		{wf + ".owner", owner, f.Owner, MaxOwner, false},
	}
	for i, p := range f.Parameters {
		base := wf + ".script.parameters[" + strconv.Itoa(i) + "]"
		fields = append(fields, field{base + ".name", paramName, p.Name, MaxParameterName, false},
			field{base + ".value", paramValue, p.Value, MaxParameterValue, false})
	}
	for i, o := range f.Outputs {
		fields = append(fields, field{wf + ".outputs.nodeOutputs[" + strconv.Itoa(i) + "].data", output, o.Data, MaxOutputName, false})
	}
	for _, x := range fields {
		if n := utf8.RuneCountInString(x.value); n > x.max {
			fd := failure("V23", "too_long", x.path, i18n.Text{
				EN: fmt.Sprintf("%s: the %s has %d characters; at most %d are allowed; nothing was saved", x.path, x.label.EN, n, x.max),
				ZH: fmt.Sprintf("%s：%s有 %d 个字符；最多允许 %d 个；未保存任何内容", x.path, x.label.ZH, n, x.max)})
			return &fd
		}
		if r, ok := forbiddenRune(x.value, x.multiline); ok {
			fd := failure("V23", "bad_character", x.path, i18n.Text{
				EN: fmt.Sprintf("%s: the %s contains the invisible character %U, which is not allowed; nothing was saved", x.path, x.label.EN, r),
				ZH: fmt.Sprintf("%s：%s含有不允许的不可见字符 %U；未保存任何内容", x.path, x.label.ZH, r)})
			return &fd
		}
	}
	return nil
}

// forbiddenRune finds a control or bidirectional-control character.
func forbiddenRune(s string, multiline bool) (rune, bool) {
	for _, r := range s {
		switch {
		case multiline && (r == '\n' || r == '\r' || r == '\t'):
		case unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r), r == utf8.RuneError:
			return r, true
		}
	}
	return 0, false
}
