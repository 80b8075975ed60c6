package flowspec

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/flowform/flowform/internal/cron"
	"github.com/flowform/flowform/internal/i18n"
)

var versionPattern = regexp.MustCompile(`^\d+\.\d+\.\d+$`)

// checker collects findings for one document.
type checker struct {
	r   Report
	now time.Time
}

func (c *checker) fail(rule, code, path string, msg i18n.Text) {
	c.r.add(failure(rule, code, path, msg))
}

func (c *checker) warn(rule, code, path string, msg i18n.Text) {
	c.r.add(warning(rule, code, path, msg))
}

func (c *checker) required(rule, path string) {
	c.fail(rule, "required", path, i18n.Sprintf("%s is required", "%s 为必填项", path))
}

// str reads a string field; a value of another type is an error.
func (c *checker) str(rule string, obj *node, key, path string) (string, bool) {
	n := obj.get(key)
	if n == nil {
		return "", false
	}
	s, ok := n.str()
	if !ok {
		c.fail(rule, "type", path, i18n.Sprintf("%s must be a string", "%s 必须是字符串", path))
	}
	return s, ok
}

// integer reads an integral number field; anything else is an error.
func (c *checker) integer(rule string, obj *node, key, path string) (int64, bool) {
	n := obj.get(key)
	if n == nil {
		return 0, false
	}
	v, ok := n.integer()
	if !ok {
		c.fail(rule, "type", path, i18n.Sprintf("%s must be a whole number", "%s 必须是整数", path))
	}
	return v, ok
}

// object reads an object field; a value of another type is an error.
func (c *checker) object(rule string, obj *node, key, path string) *node {
	n := obj.get(key)
	if n != nil && n.kind != kindObject {
		c.fail(rule, "type", path, i18n.Sprintf("%s must be an object", "%s 必须是对象", path))
		return nil
	}
	return n
}

// enum checks an enumerated field against its exact labels (V13, or the
// rule of the object it belongs to).
func (c *checker) enum(rule string, obj *node, sh shape, key, path string) string {
	v, ok := c.str(rule, obj, key, path)
	if !ok {
		return ""
	}
	en := enums[sh][key]
	for _, l := range en.labels {
		if l == v {
			return v
		}
	}
	c.fail(rule, "enum", path, i18n.Sprintf("%s: %q is not one of %s", "%s：「%s」不是以下之一：%s",
		path, v, strings.Join(en.labels, ", ")))
	return ""
}

// Validate checks the document against rules V1–V22 of the reference (V21's
// ProjectId lives on the draft: see CheckProjectID). now decides whether the
// effective window still holds a run.
func (d *Document) Validate(now time.Time) Report {
	c := &checker{now: now}
	root := d.root

	// V1
	if v, ok := c.str("V1", root, "version", "version"); !ok && root.get("version") == nil {
		c.required("V1", "version")
	} else if ok && !versionPattern.MatchString(v) {
		c.fail("V1", "version_format", "version", i18n.Sprintf(
			"version: %q is not of the form 1.1.0", "version：「%s」不是 1.1.0 这样的格式", v))
	}
	// V2
	kind, ok := c.str("V2", root, "kind", "kind")
	switch {
	case !ok && root.get("kind") == nil:
		c.required("V2", "kind")
	case ok && kind != KindCycle && kind != KindManual:
		c.fail("V2", "kind", "kind", i18n.Sprintf(
			"kind: %q cannot be created as a workflow; use CycleWorkflow (or ManualWorkflow for a manual trigger)",
			"kind：「%s」无法创建为工作流；请使用 CycleWorkflow（手动触发用 ManualWorkflow）", kind))
	}
	spec := c.object("V2", root, "spec", "spec")
	if spec == nil {
		if root.get("spec") == nil {
			c.required("V2", "spec")
		}
		return c.finish()
	}
	if t, ok := c.str("V2", spec, "type", "spec.type"); ok && t != kind {
		c.fail("V2", "spec_type", "spec.type", i18n.Sprintf(
			"spec.type: %q must equal kind %q", "spec.type：「%s」必须与 kind「%s」一致", t, kind))
	} else if spec.get("type") == nil {
		c.required("V2", "spec.type")
	}
	c.checkInvented(root, "")
	c.checkInvented(spec, "spec")
	c.checkOwner(spec, "spec.owner")

	// V3
	wfs := spec.get("workflows")
	if wfs == nil || wfs.kind != kindArray || len(wfs.items) != 1 {
		n := len(wfs.itemsOrNil())
		c.fail("V3", "workflows_count", "spec.workflows", i18n.Sprintf(
			"spec.workflows must hold exactly one workflow (it holds %d); CreateWorkflowDefinition uses only the first",
			"spec.workflows 必须恰好包含一个工作流（当前 %d 个）；CreateWorkflowDefinition 只使用第一个", n))
		if n == 0 {
			return c.finish()
		}
	}
	wf := wfs.items[0]
	const base = "spec.workflows[0]"
	if wf.kind != kindObject {
		c.fail("V3", "type", base, i18n.Sprintf("%s must be an object", "%s 必须是对象", base))
		return c.finish()
	}
	if nodes := wf.get("nodes"); len(nodes.itemsOrNil()) > 0 {
		c.warn("V3", "nodes_ignored", base+".nodes", i18n.Sprintf(
			"Inner nodes (%d) go to DataWorks in calls of their own: CreateWorkflowDefinition ignores them, so submitting creates each node with CreateNode after the workflow, or updates it (see the delivery plan)",
			"内部节点（%d 个）通过单独的调用发送到 DataWorks：CreateWorkflowDefinition 会忽略它们，因此提交时先建工作流，再用 CreateNode 创建或更新每个节点（见提交计划）", len(nodes.items)))
	}
	c.checkInvented(wf, base)
	c.checkOwner(wf, base+".owner")

	// V4
	name, _ := c.str("V4", wf, "name", base+".name")
	if strings.TrimSpace(name) == "" {
		c.fail("V4", "name_required", base+".name", i18n.Text{EN: "the workflow name is required", ZH: "工作流名称为必填项"})
	}
	script := c.object("V4", wf, "script", base+".script")
	if script == nil {
		if wf.get("script") == nil {
			c.required("V4", base+".script")
		}
	} else {
		c.checkScript(script, name, base+".script")
	}

	c.checkTrigger(wf, kind, base)
	c.checkStrategy(wf, base)
	c.checkOutputs(wf, base)
	c.checkNodes(d)
	return c.finish()
}

func (c *checker) finish() Report {
	sortFindings(c.r.Errors)
	sortFindings(c.r.Warnings)
	return c.r
}

// checkInvented rejects fields people invent that FlowSpec does not have (V22).
func (c *checker) checkInvented(obj *node, path string) {
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	for _, key := range []string{"tags", "apiVersion"} {
		if obj.get(key) != nil {
			c.fail("V22", "invented_field", join(key), i18n.Sprintf(
				"%s: FlowSpec has no such field; remove it", "%s：FlowSpec 没有此字段；请删除", join(key)))
		}
	}
	if obj.get("metadata").get("name") != nil {
		p := join("metadata.name")
		c.fail("V22", "invented_field", p, i18n.Sprintf(
			"%s: FlowSpec does not name things in metadata; use the workflow name", "%s：FlowSpec 不在 metadata 中命名；请使用工作流名称", p))
	}
}

// checkOwner warns about an owner that is not an account ID (V20).
func (c *checker) checkOwner(obj *node, path string) {
	owner, ok := c.str("V20", obj, "owner", path)
	if !ok || owner == "" {
		return
	}
	if _, err := strconv.ParseUint(owner, 10, 64); err != nil {
		c.warn("V20", "owner_format", path, i18n.Sprintf(
			"%s: %q is not an Alibaba Cloud account ID (digits only)", "%s：「%s」不是阿里云账号 ID（应为纯数字）", path, owner))
	}
}

func (c *checker) checkScript(script *node, name, path string) {
	// V5
	runtime := c.object("V5", script, "runtime", path+".runtime")
	cmd, _ := c.str("V5", runtime, "command", path+".runtime.command")
	if cmd != "WORKFLOW" {
		c.fail("V5", "runtime_command", path+".runtime.command", i18n.Sprintf(
			"%s.runtime.command must be WORKFLOW (found %q)", "%s.runtime.command 必须为 WORKFLOW（当前为「%s」）", path, cmd))
	}
	// V6
	p, _ := c.str("V6", script, "path", path+".path")
	segments := strings.Split(p, "/")
	switch {
	case strings.TrimSpace(p) == "":
		c.fail("V6", "script_path", path+".path", i18n.Text{
			EN: "the folder path (script.path) is required, e.g. etl/sales/" + name,
			ZH: "文件夹路径（script.path）为必填项，例如 etl/sales/" + name})
	case slicesContainsEmpty(segments):
		c.fail("V6", "script_path", path+".path", i18n.Sprintf(
			"%s.path: %q has an empty folder name (leading, trailing or double /)",
			"%s.path：「%s」含有空的文件夹名（开头、结尾或连续的 /）", path, p))
	case segments[len(segments)-1] != name:
		c.fail("V6", "script_path", path+".path", i18n.Sprintf(
			"%s.path: %q must end with the workflow name %q", "%s.path：「%s」必须以工作流名称「%s」结尾", path, p, name))
	}
	// V19
	params := script.get("parameters")
	if params != nil && params.kind != kindArray {
		c.fail("V19", "type", path+".parameters", i18n.Sprintf("%s.parameters must be a list", "%s.parameters 必须是列表", path))
		return
	}
	seen := map[string]bool{}
	for i, prm := range params.itemsOrNil() {
		pp := fmt.Sprintf("%s.parameters[%d]", path, i)
		if prm.kind != kindObject {
			c.fail("V19", "type", pp, i18n.Sprintf("%s must be an object", "%s 必须是对象", pp))
			continue
		}
		if at := c.enum("V19", prm, shapeVariable, "artifactType", pp+".artifactType"); at == "" && prm.get("artifactType") == nil {
			c.required("V19", pp+".artifactType")
		}
		if scope := c.enum("V19", prm, shapeVariable, "scope", pp+".scope"); scope != "" && scope != "Workflow" {
			c.fail("V19", "parameter_scope", pp+".scope", i18n.Sprintf(
				"%s.scope: workflow parameters use scope Workflow, not %q", "%s.scope：工作流参数的 scope 应为 Workflow，而不是「%s」", pp, scope))
		} else if prm.get("scope") == nil {
			c.required("V19", pp+".scope")
		}
		if c.enum("V19", prm, shapeVariable, "type", pp+".type"); prm.get("type") == nil {
			c.required("V19", pp+".type")
		}
		pname, _ := c.str("V19", prm, "name", pp+".name")
		if strings.TrimSpace(pname) == "" {
			c.fail("V19", "parameter_name", pp+".name", i18n.Sprintf("%s.name: a parameter needs a name", "%s.name：参数需要名称", pp))
		} else if seen[pname] {
			c.fail("V19", "parameter_duplicate", pp+".name", i18n.Sprintf("%s.name: %q is defined twice", "%s.name：「%s」重复定义", pp, pname))
		}
		seen[pname] = true
		if v, _ := c.str("V19", prm, "value", pp+".value"); strings.TrimSpace(v) == "" {
			c.fail("V19", "parameter_value", pp+".value", i18n.Sprintf(
				"%s.value: parameter %q needs a value, e.g. $[yyyymmdd-1]", "%s.value：参数「%s」需要取值，例如 $[yyyymmdd-1]", pp, pname))
		}
	}
}

func slicesContainsEmpty(s []string) bool {
	for _, x := range s {
		if strings.TrimSpace(x) == "" {
			return true
		}
	}
	return false
}

func (c *checker) checkTrigger(wf *node, kind, base string) {
	path := base + ".trigger"
	trigger := c.object("V7", wf, "trigger", path)
	if trigger == nil {
		if kind == KindCycle && wf.get("trigger") == nil {
			c.fail("V7", "trigger_required", path, i18n.Text{
				EN: "a CycleWorkflow needs a trigger with type Scheduler and a cron expression",
				ZH: "CycleWorkflow 需要类型为 Scheduler 且带 cron 表达式的触发器"})
		}
		return
	}
	// V7
	typ := c.enum("V7", trigger, shapeTrigger, "type", path+".type")
	switch {
	case kind == KindCycle && typ != TriggerScheduler:
		c.fail("V7", "trigger_type", path+".type", i18n.Sprintf(
			"%s.type must be Scheduler for a CycleWorkflow (found %q)", "%s.type 对 CycleWorkflow 必须为 Scheduler（当前为「%s」）", path, typ))
	case kind == KindManual && typ != "" && typ != TriggerManual:
		c.fail("V7", "trigger_type", path+".type", i18n.Sprintf(
			"%s.type must be Manual for a ManualWorkflow (found %q)", "%s.type 对 ManualWorkflow 必须为 Manual（当前为「%s」）", path, typ))
	}
	if typ != TriggerScheduler {
		return
	}
	expr, ok := c.str("V7", trigger, "cron", path+".cron")
	if !ok {
		if trigger.get("cron") == nil {
			c.fail("V7", "cron_required", path+".cron", i18n.Text{
				EN: "a Scheduler trigger needs a cron expression, e.g. 00 30 02 * * ?",
				ZH: "Scheduler 触发器需要 cron 表达式，例如 00 30 02 * * ?"})
		}
		return
	}
	// V8, V9 (from the cron dialect)
	parsed, err := cron.Parse(expr)
	if err != nil {
		rule := "V8"
		if ce, ok := err.(*cron.Error); ok && ce.Code == "cron_interval" {
			rule = "V9"
		}
		c.cronError(rule, path+".cron", err)
	} else {
		for _, w := range parsed.Warnings() {
			c.warn("V9", w.Code, path+".cron", w.Message)
		}
	}
	// V10
	if ct := c.enum("V10", trigger, shapeTrigger, "cycleType", path+".cycleType"); ct != "" && parsed != nil && ct != parsed.CycleType() {
		c.fail("V10", "cycle_type", path+".cycleType", i18n.Sprintf(
			"%s.cycleType is %s but the cron expression is %s", "%s.cycleType 为 %s，但 cron 表达式属于 %s", path, ct, parsed.CycleType()))
	}
	// V12
	zone, ok := c.str("V12", trigger, "timezone", path+".timezone")
	if !ok && trigger.get("timezone") == nil {
		c.warn("V12", "timezone_default", path+".timezone", i18n.Sprintf(
			"%s.timezone is not set; DataWorks uses %s", "%s.timezone 未设置；DataWorks 使用 %s", path, cron.DefaultTimezone))
		zone = cron.DefaultTimezone
	}
	loc, offset, err := cron.LoadZone(zone)
	if err != nil {
		if ok {
			c.cronError("V12", path+".timezone", err)
		}
		return
	}
	if offset {
		c.warn("V12", "timezone_offset", path+".timezone", i18n.Sprintf(
			"%s: %q is a fixed offset, not an IANA zone: it knows no daylight saving time",
			"%s：「%s」是固定偏移而不是 IANA 时区：不考虑夏令时", path+".timezone", zone))
	}
	// V11
	start, okStart := c.str("V11", trigger, "startTime", path+".startTime")
	end, okEnd := c.str("V11", trigger, "endTime", path+".endTime")
	for _, f := range []struct {
		ok      bool
		key, to string
	}{{okStart, "startTime", cron.DefaultStart}, {okEnd, "endTime", cron.DefaultEnd}} {
		if !f.ok && trigger.get(f.key) == nil {
			c.warn("V11", "window_default", path+"."+f.key, i18n.Sprintf(
				"%s.%s is not set; DataWorks uses %s", "%s.%s 未设置；DataWorks 使用 %s", path, f.key, f.to))
		}
	}
	from, to, err := cron.ParseWindow(start, end, loc)
	if err != nil {
		var ce *cron.Error
		field := "endTime"
		if errors.As(err, &ce) {
			field = ce.Field
		}
		c.cronError("V11", path+"."+field, err)
		return
	}
	// delaySeconds ≥ 0
	if v, ok := c.integer("V11", trigger, "delaySeconds", path+".delaySeconds"); ok && v < 0 {
		c.fail("V11", "delay_range", path+".delaySeconds", i18n.Sprintf(
			"%s.delaySeconds must be 0 or more (found %d)", "%s.delaySeconds 必须大于或等于 0（当前为 %d）", path, v))
	}
	if parsed != nil {
		if _, err := parsed.Next(cron.Query{Location: loc, Now: c.now, Start: from, End: to, Count: 1}); err != nil {
			c.cronError("V11", path+".endTime", err)
		}
	}
}

// cronError turns a cron error into a finding, keeping its code and message.
func (c *checker) cronError(rule, path string, err error) {
	var ce *cron.Error
	if errors.As(err, &ce) {
		c.fail(rule, ce.Code, path, ce.Message)
		return
	}
	c.fail(rule, "invalid", path, i18n.Sprintf("%s: %v", "%s：%v", path, err))
}

func (c *checker) checkStrategy(wf *node, base string) {
	path := base + ".strategy"
	s := c.object("V13", wf, "strategy", path)
	if s == nil {
		return
	}
	for _, key := range []string{"instanceMode", "failureStrategy", "recurrenceType", "priorityWeightStrategy"} {
		c.enum("V13", s, shapeStrategy, key, path+"."+key)
	}
	rerunMode := c.enum("V13", s, shapeStrategy, "rerunMode", path+".rerunMode")
	// V14
	if p, ok := c.integer("V14", s, "priority", path+".priority"); ok && (p < 1 || p > 8) {
		c.fail("V14", "priority_range", path+".priority", i18n.Sprintf(
			"%s.priority must be 1–8 (found %d)", "%s.priority 必须在 1–8 之间（当前为 %d）", path, p))
	}
	// V15
	if n, ok := c.integer("V15", s, "rerunTimes", path+".rerunTimes"); ok {
		switch {
		case n < 0 || n > 10:
			c.fail("V15", "rerun_times_range", path+".rerunTimes", i18n.Sprintf(
				"%s.rerunTimes must be 0–10 (found %d)", "%s.rerunTimes 必须在 0–10 之间（当前为 %d）", path, n))
		case rerunMode == "Denied" && n != 0:
			c.fail("V15", "rerun_times_denied", path+".rerunTimes", i18n.Sprintf(
				"%s.rerunTimes must be 0 when rerun is Denied (found %d)", "%s.rerunTimes 在禁止重跑时必须为 0（当前为 %d）", path, n))
		}
	}
	// V16
	if ms, ok := c.integer("V16", s, "rerunInterval", path+".rerunInterval"); ok && (ms < 60000 || ms > 1800000 || ms%60000 != 0) {
		c.fail("V16", "rerun_interval", path+".rerunInterval", i18n.Sprintf(
			"%s.rerunInterval is in milliseconds: a whole number of minutes from 1 to 30 (60000–1800000), found %d",
			"%s.rerunInterval 以毫秒为单位：须为 1–30 分钟的整分钟数（60000–1800000），当前为 %d", path, ms))
	}
	// V17
	timeout, hasTimeout := c.integer("V17", s, "timeout", path+".timeout")
	if hasTimeout && timeout < 0 {
		c.fail("V17", "timeout_range", path+".timeout", i18n.Sprintf(
			"%s.timeout must be 0 or more (found %d)", "%s.timeout 必须大于或等于 0（当前为 %d）", path, timeout))
	}
	unit := c.enum("V13", s, shapeStrategy, "timeoutUnit", path+".timeoutUnit")
	if hasTimeout && unit == "" && s.get("timeoutUnit") == nil {
		c.warn("V17", "timeout_unit_missing", path+".timeoutUnit", i18n.Sprintf(
			"%s.timeoutUnit is not set, so timeout %d is read as hours; set it explicitly",
			"%s.timeoutUnit 未设置，超时 %d 按小时计；请明确设置", path, timeout))
	}
}

func (c *checker) checkOutputs(wf *node, base string) {
	path := base + ".outputs"
	outputs := c.object("V18", wf, "outputs", path)
	list := outputs.get("nodeOutputs")
	if list != nil && list.kind != kindArray {
		c.fail("V18", "type", path+".nodeOutputs", i18n.Sprintf("%s.nodeOutputs must be a list", "%s.nodeOutputs 必须是列表", path))
		return
	}
	seen := map[string]bool{}
	for i, o := range list.itemsOrNil() {
		op := fmt.Sprintf("%s.nodeOutputs[%d]", path, i)
		if o.kind != kindObject {
			c.fail("V18", "type", op, i18n.Sprintf("%s must be an object", "%s 必须是对象", op))
			continue
		}
		if c.enum("V18", o, shapeOutput, "artifactType", op+".artifactType"); o.get("artifactType") == nil {
			c.required("V18", op+".artifactType")
		}
		data, _ := c.str("V18", o, "data", op+".data")
		switch {
		case strings.TrimSpace(data) == "":
			c.fail("V18", "output_data", op+".data", i18n.Sprintf(
				"%s.data: an output needs a name, e.g. <project>.<workflow name>", "%s.data：输出需要名称，例如 <项目标识>.<工作流名称>", op))
		case seen[data]:
			c.fail("V18", "output_duplicate", op+".data", i18n.Sprintf(
				"%s.data: %q is listed twice; outputs must be unique in the project",
				"%s.data：「%s」重复；输出在项目内必须唯一", op, data))
		}
		seen[data] = true
	}
}

// CheckProjectID checks a workspace ProjectId (V21): a positive int64.
// An empty id is allowed while drafting; submission requires one.
func CheckProjectID(id string) *Finding {
	if id == "" {
		return nil
	}
	if v, err := strconv.ParseInt(id, 10, 64); err != nil || v <= 0 {
		f := failure("V21", "project_id", "projectId", i18n.Sprintf(
			"projectId: %q is not a workspace ID (a positive whole number, e.g. 123456)",
			"projectId：「%s」不是工作空间 ID（正整数，例如 123456）", id))
		return &f
	}
	return nil
}
