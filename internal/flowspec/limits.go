package flowspec

import (
	"fmt"
	"strconv"
	"strings"
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
//   - node code 128 KiB (bytes): the ODPS SQL node's limit, "code ≤128 KB,
//     ≤200 statements" (nodes-reference §4, the DataWorks node-type pages);
//     no other kind documents one, so it applies to all.
//   - nodes 500 per workflow: FlowForm's choice, to bound what one page
//     draws; DataWorks documents no hard limit and recommends at most 100
//     (rule N9 warns above that).
//   - upstreams 500 per node: FlowForm's choice, to bound one request's
//     work; DataWorks documents none.
const (
	MaxCode      = 128 << 10
	MaxNodes     = 500
	MaxUpstreams = 500

	MaxName           = 128
	MaxPath           = 1024
	MaxDescription    = 1024
	MaxOwner          = 64
	MaxParameterName  = 128
	MaxParameterValue = 1024
	MaxOutputName     = 256
)

// CheckLimits returns the first text field of the document — the form's
// fields, then every name, path and description anywhere in it — that is
// too long or holds characters no DataWorks name or value should: control
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
	if n := d.NodeCount(); n > MaxNodes {
		fd := failure("V23", "too_many_nodes", workflowPrefix+"nodes", i18n.Sprintf(
			"the workflow has %d nodes; at most %d are allowed; nothing was saved",
			"工作流有 %d 个节点；最多允许 %d 个；未保存任何内容", n, MaxNodes))
		return &fd
	}
	for i, n := range d.nodeList() {
		code := text(n.get("script"), "content")
		if len(code) > MaxCode {
			fd := failure("V23", "too_long", nodePrefix(i)+".script.content", i18n.Sprintf(
				"node %q: the code has %d KiB; at most %d KiB are allowed (the DataWorks limit for SQL nodes); nothing was saved",
				"节点「%s」：代码有 %d KiB；最多允许 %d KiB（DataWorks SQL 节点的限制）；未保存任何内容", text(n, "name"), (len(code)+1023)>>10, MaxCode>>10))
			return &fd
		}
		// Code may hold tabs and line breaks, not controls or the
		// bidirectional overrides that show code other than it runs.
		if r, ok := forbiddenRune(code, true); ok {
			fd := failure("V23", "bad_character", nodePrefix(i)+".script.content", i18n.Sprintf(
				"node %q: the code contains the invisible character %U, which is not allowed; nothing was saved",
				"节点「%s」：代码含有不允许的不可见字符 %U；未保存任何内容", text(n, "name"), r))
			return &fd
		}
		if strings.Contains(text(n, "name"), "/") {
			fd := failure("V23", "bad_character", nodePrefix(i)+".name", i18n.Sprintf(
				"node %q: a node name cannot contain \"/\", which separates the folders of its path; nothing was saved",
				"节点「%s」：节点名称不能包含“/”（它是路径中文件夹的分隔符）；未保存任何内容", text(n, "name")))
			return &fd
		}
	}
	if deps, key := dependencies(d.workflow()); deps != nil {
		for e, entry := range deps.itemsOrNil() {
			if n := len(entry.get("depends").itemsOrNil()); n > MaxUpstreams {
				fd := failure("V23", "too_many_upstreams", workflowPrefix+key+"["+strconv.Itoa(e)+"].depends", i18n.Sprintf(
					"a node has %d upstreams; at most %d are allowed; nothing was saved", "一个节点有 %d 个上游依赖；最多允许 %d 个；未保存任何内容", n, MaxUpstreams))
				return &fd
			}
		}
	}
	// Then every name, path and description anywhere else in the document:
	// inner nodes, spec.name, the flat manual-workflow shape.
	walkText(d.root, "", func(path, key, value string) {
		switch key {
		case "name":
			fields = append(fields, field{path, name, value, MaxName, false})
		case "path":
			fields = append(fields, field{path, folder, value, MaxPath, false})
		case "description":
			fields = append(fields, field{path, description, value, MaxDescription, true})
		case "data", "output":
			fields = append(fields, field{path, output, value, MaxOutputName, false})
		case "resourceGroup":
			fields = append(fields, field{path, i18n.Text{EN: "resource group", ZH: "资源组"}, value, MaxOutputName, false})
		}
	})
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

// walkText calls fn for every string member of every object below n.
func walkText(n *node, path string, fn func(path, key, value string)) {
	switch n.kind {
	case kindObject:
		for _, m := range n.members {
			p := m.key
			if path != "" {
				p = path + "." + m.key
			}
			if v, ok := m.val.str(); ok {
				fn(p, m.key, v)
			}
			walkText(m.val, p, fn)
		}
	case kindArray:
		for i, item := range n.items {
			walkText(item, path+"["+strconv.Itoa(i)+"]", fn)
		}
	}
}

// forbiddenRune finds a character no single-line name or value should
// hold: controls, invisible format characters (bidirectional overrides,
// zero-width spaces, byte-order marks), line and paragraph separators,
// invalid UTF-8. A description may hold line breaks and tabs, and format
// characters other than the bidirectional controls.
func forbiddenRune(s string, multiline bool) (rune, bool) {
	for _, r := range s {
		switch {
		case multiline && (r == '\n' || r == '\r' || r == '\t'):
		case unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r), r == utf8.RuneError:
			return r, true
		case !multiline && (unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r)):
			return r, true
		}
	}
	return 0, false
}
