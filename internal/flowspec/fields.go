package flowspec

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/flowform/flowform/internal/i18n"
)

// FieldKind is how a field is edited.
type FieldKind int

// The kinds of field.
const (
	KindText   FieldKind = iota
	KindNumber           // a whole number, in the field's unit
	KindChoice           // one of Choices
	KindTime             // "2006-01-02 15:04:05" in the schedule's zone
	KindRows             // a list of rows (parameters, outputs)
	KindCode             // a node's code: kept byte for byte, never trimmed
)

// Section is the part of the editor a field is in.
type Section string

// The editor's sections.
const (
	SectionWorkflow Section = "workflow"
	SectionTrigger  Section = "trigger"
	SectionStrategy Section = "strategy"
	SectionOutputs  Section = "outputs"
	SectionNode     Section = "node"
)

// Choice is one allowed value of a choice field and what the form calls it.
type Choice struct {
	Value string
	Label i18n.Text
}

// Unit is the unit a number field is typed in, and how many of the spec's
// units one of it is (a retry interval is typed in minutes and stored in
// milliseconds: Scale 60000).
type Unit struct {
	Name  i18n.Text
	Scale int64
}

// Field is one editable field, defined once: the form input, where it lives
// in the spec, what the user reads about it, and what it may hold. Form
// parsing, applying to the spec, inline errors, the read-only page and
// diffs are all driven from Fields.
type Field struct {
	Name    string // the form input's name and id
	Path    string // under the workflow (spec.workflows[0]); "" for draft fields
	Section Section
	Label   i18n.Text
	Help    i18n.Text
	Kind    FieldKind
	Unit    Unit // for numbers; Scale 0 means 1
	Min     int64
	Max     int64 // 0: no upper bound
	Choices []Choice
	// Default is what DataWorks applies when the spec omits the field.
	Default string
	// PathLabel names the spec value in a diff when it is more than the
	// input (script.path is the folder and the name).
	PathLabel i18n.Text

	// Follows is the workflow field a node's run setting takes its value
	// from while the node does not set its own.
	Follows *Field

	// text or number is where the field is in a Form; plain fields (not
	// custom) are read and written by Form and Apply from Path alone.
	text   func(*Form) *string
	number func(*Form) *int64
	custom bool
}

func tr(en, zh string) i18n.Text { return i18n.Text{EN: en, ZH: zh} }

func choices(pairs ...any) []Choice {
	out := make([]Choice, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, Choice{Value: pairs[i].(string), Label: pairs[i+1].(i18n.Text)})
	}
	return out
}

// Fields is the one table of the fields the designer edits, in form order.
var Fields = []*Field{
	{Name: "name", custom: true, Path: "name", Section: SectionWorkflow, Label: tr("Name", "名称"),
		Help: tr("The workflow's name; also the last part of its path.", "工作流名称；也是路径的最后一段。"),
		text: func(f *Form) *string { return &f.Name }},
	{Name: "folder", custom: true, Path: "script.path", Section: SectionWorkflow, Label: tr("Folder", "文件夹"), PathLabel: tr("Path (folder/name)", "路径（文件夹/名称）"),
		Help: tr("Data Studio folder, e.g. etl/sales.", "Data Studio 文件夹，例如 etl/sales。"),
		text: func(f *Form) *string { return &f.Folder }},
	{Name: "description", Path: "description", Section: SectionWorkflow, Label: tr("Description", "描述"),
		text: func(f *Form) *string { return &f.Description }},
	{Name: "owner", Path: "owner", Section: SectionWorkflow, Label: tr("Owner", "责任人"),
		Help: tr("Alibaba Cloud account ID (digits); empty = the submitter.", "阿里云账号 ID（数字）；留空 = 提交者。"),
		text: func(f *Form) *string { return &f.Owner }},
	{Name: "project_id", Section: SectionWorkflow, Label: tr("Workspace ProjectId", "工作空间 ProjectId"),
		Help: tr("Needed to submit; can stay empty while drafting.", "提交时必填；草稿阶段可留空。")},
	{Name: "region", Section: SectionWorkflow, Label: tr("Region", "地域"),
		Help: tr("Where the workspace is, e.g. cn-shanghai.", "工作空间所在地域，例如 cn-shanghai。")},
	{Name: "param", Path: "script.parameters", Section: SectionWorkflow, Kind: KindRows, Label: tr("Parameter", "参数")},

	{Name: "trigger_type", custom: true, Path: "trigger.type", Section: SectionTrigger, Kind: KindChoice, Label: tr("Trigger", "触发方式"),
		Choices: choices("Scheduler", tr("Scheduled", "周期调度"), "Manual", tr("Manual (run by hand)", "手动运行")),
		text:    func(f *Form) *string { return &f.TriggerType }},
	{Name: "cron", custom: true, Path: "trigger.cron", Section: SectionTrigger, Label: tr("Cron expression", "Cron 表达式"),
		Help: tr("Six fields: second minute hour day-of-month month day-of-week (1 = Monday … 7 = Sunday). Edit here or in the builder.",
			"六个字段：秒 分 时 日 月 星期（1 = 星期一 … 7 = 星期日）。可在此处或构建器中编辑。"),
		text: func(f *Form) *string { return &f.Cron }},
	{Name: "start_time", Path: "trigger.startTime", Section: SectionTrigger, Kind: KindTime, Label: tr("Effective from", "生效开始"),
		Help: tr("In the schedule's time zone.", "按调度时区。"),
		text: func(f *Form) *string { return &f.StartTime }},
	{Name: "end_time", Path: "trigger.endTime", Section: SectionTrigger, Kind: KindTime, Label: tr("Effective until", "生效结束"),
		Help: tr("Empty = no end.", "留空 = 永久有效。"),
		text: func(f *Form) *string { return &f.EndTime }},
	{Name: "timezone", Path: "trigger.timezone", Section: SectionTrigger, Label: tr("Time zone", "时区"),
		Help: tr("Type to search, e.g. Shanghai or London; keep it equal to the workspace's zone.", "输入以搜索，例如 Shanghai 或 London；应与工作空间时区一致。"),
		text: func(f *Form) *string { return &f.Timezone }},
	{Name: "delay_seconds", Path: "trigger.delaySeconds", Section: SectionTrigger, Kind: KindNumber, Label: tr("Delay", "延迟"),
		Help: tr("Wait this long after the scheduled time before running.", "到达调度时间后再等待的时长。"),
		Unit: Unit{Name: tr("seconds", "秒")}, Default: "0",
		number: func(f *Form) *int64 { return &f.DelaySeconds }},

	{Name: "recurrence_type", Path: "strategy.recurrenceType", Section: SectionStrategy, Kind: KindChoice, Label: tr("Run state", "运行状态"),
		Help: tr("Dry run marks instances successful without running them; Paused holds them and blocks descendants.",
			"空跑：实例直接置为成功、不实际运行；暂停：生成实例但不运行，并阻塞下游。"),
		Choices: choices("Normal", tr("Normal", "正常"), "Skip", tr("Dry run", "空跑"), "Pause", tr("Paused", "暂停")), Default: "Normal",
		text: func(f *Form) *string { return &f.RecurrenceType }},
	{Name: "instance_mode", Path: "strategy.instanceMode", Section: SectionStrategy, Kind: KindChoice, Label: tr("Instance generation", "实例生成方式"),
		Help: tr("Next day: changes apply from tomorrow's instances. Immediately: today's later runs (10+ min after deploying) run today.",
			"T+1 次日生成：变更从次日实例生效。立即生成：今天晚于发布 10 分钟以上的运行当天就会执行。"),
		Choices: choices("T+1", tr("Next day (T+1)", "T+1 次日生成"), "Immediately", tr("Immediately after deployment", "发布后即时生成")), Default: "T+1",
		text: func(f *Form) *string { return &f.InstanceMode }},
	{Name: "rerun_mode", Path: "strategy.rerunMode", Section: SectionStrategy, Kind: KindChoice, Label: tr("Rerun", "重跑属性"),
		Help: tr("Whether an instance may be rerun.", "实例是否允许重跑。"),
		Choices: choices("Allowed", tr("Allow regardless of running status", "运行成功或失败后皆可重跑"),
			"FailureAllowed", tr("Allow upon failure only", "运行成功后不可重跑，失败后可以重跑"),
			"Denied", tr("Disallow regardless of running status", "运行成功或失败后皆不可重跑")), Default: "Allowed",
		text: func(f *Form) *string { return &f.RerunMode }},
	{Name: "rerun_times", Path: "strategy.rerunTimes", Section: SectionStrategy, Kind: KindNumber, Label: tr("Retries on failure", "出错自动重跑次数"),
		Unit: Unit{Name: tr("times", "次")}, Min: 0, Max: 10, Default: "0",
		number: func(f *Form) *int64 { return &f.RerunTimes }},
	{Name: "rerun_interval", Path: "strategy.rerunInterval", Section: SectionStrategy, Kind: KindNumber, Label: tr("Retry interval", "重跑间隔"),
		Unit: Unit{Name: tr("minutes", "分钟"), Scale: 60000}, Min: 1, Max: 30,
		number: func(f *Form) *int64 { return &f.RerunIntervalMinutes }},
	{Name: "timeout", Path: "strategy.timeout", Section: SectionStrategy, Kind: KindNumber, Label: tr("Timeout", "超时时间"),
		Help: tr("0 = no timeout.", "0 = 不限。"), Min: 0, Default: "0",
		number: func(f *Form) *int64 { return &f.Timeout }},
	{Name: "timeout_unit", Path: "strategy.timeoutUnit", Section: SectionStrategy, Kind: KindChoice, Label: tr("Timeout unit", "超时单位"),
		Choices: choices("HOURS", tr("hours", "小时"), "MINUTES", tr("minutes", "分钟"), "SECONDS", tr("seconds", "秒")), Default: defaultTimeoutUnit,
		text: func(f *Form) *string { return &f.TimeoutUnit }},
	{Name: "failure_strategy", Path: "strategy.failureStrategy", Section: SectionStrategy, Kind: KindChoice, Label: tr("When an inner node fails", "内部节点失败时"),
		Help: tr("Stop ends the rest of the workflow; Continue runs what does not depend on the failed node.",
			"中断：停止工作流其余部分；继续：运行不依赖失败节点的部分。"),
		Choices: choices("Break", tr("Stop the workflow", "中断"), "Continue", tr("Continue other branches", "继续")), Default: "Break",
		text: func(f *Form) *string { return &f.FailureStrategy }},
	{Name: "priority", Path: "strategy.priority", Section: SectionStrategy, Kind: KindNumber, Label: tr("Priority", "优先级"),
		Help: tr("1–8; higher runs first.", "1–8，越大越优先。"), Min: 1, Max: 8, Default: strconv.Itoa(defaultPriority),
		number: func(f *Form) *int64 { return &f.Priority }},
	{Name: "priority_weight", Path: "strategy.priorityWeightStrategy", Section: SectionStrategy, Kind: KindChoice, Label: tr("Priority weighting", "优先级加权"),
		Choices: choices("", tr("(not set)", "（未设置）"), "Disabled", tr("Disabled", "不加权"), "Upstream", tr("Upstream", "向上加权")),
		text:    func(f *Form) *string { return &f.PriorityWeightStrategy }},

	{Name: "output", Path: "outputs.nodeOutputs", Section: SectionOutputs, Kind: KindRows, Label: tr("Output", "输出")},
}

// workflowPrefix is where the workflow's fields are in a finding's path.
const workflowPrefix = "spec.workflows[0]."

var fieldsByName = func() map[string]*Field {
	m := make(map[string]*Field, len(Fields))
	for _, f := range Fields {
		m[f.Name] = f
	}
	return m
}()

// FieldNamed returns the field whose form input is name.
func FieldNamed(name string) (*Field, bool) {
	f, ok := fieldsByName[name]
	return f, ok
}

// FieldAt finds the field a spec path belongs to ("spec.workflows[0].strategy.rerunInterval",
// or a draft field: "projectId", "region"). For a row field, row is the
// row's index; otherwise it is -1. trigger.cycleType belongs to the cron.
func FieldAt(path string) (f *Field, row int, ok bool) {
	switch path {
	case "projectId":
		return fieldsByName["project_id"], -1, true
	case "region":
		return fieldsByName["region"], -1, true
	}
	p, found := strings.CutPrefix(path, workflowPrefix)
	if !found {
		return nil, -1, false
	}
	if p == "trigger.cycleType" {
		p = "trigger.cron"
	}
	for _, f := range Fields {
		if f.Path == "" {
			continue
		}
		if f.Kind == KindRows {
			if rest, ok := strings.CutPrefix(p, f.Path+"["); ok {
				if i := strings.IndexByte(rest, ']'); i > 0 {
					if n, err := strconv.Atoi(rest[:i]); err == nil {
						return f, n, true
					}
				}
			}
			continue
		}
		if p == f.Path {
			return f, -1, true
		}
	}
	return nil, -1, false
}

// Input is the id of the input that shows the field's errors: the field's
// name, or name-N for row N of a row field.
func (f *Field) Input(row int) string {
	if f.Kind == KindRows {
		return f.Name + "-" + strconv.Itoa(row)
	}
	return f.Name
}

// Scale is how many spec units one form unit is.
func (f *Field) Scale() int64 {
	if f.Unit.Scale == 0 {
		return 1
	}
	return f.Unit.Scale
}

// ChoiceLabel is what the form calls an allowed value; other values are
// shown as they are.
func (f *Field) ChoiceLabel(value string, lang i18n.Lang) string {
	for _, c := range f.Choices {
		if c.Value == value {
			return c.Label.In(lang)
		}
	}
	return value
}

// Show is a spec value (JSON text, as a diff reports it) in the form's
// words and units: 2700000 for the retry interval is "45 minutes",
// "Skip" for the run state is "Dry run".
func (f *Field) Show(jsonValue string, lang i18n.Lang) string {
	if jsonValue == "" {
		return ""
	}
	s := jsonValue
	if unq, err := strconv.Unquote(jsonValue); err == nil && strings.HasPrefix(jsonValue, `"`) {
		s = unq
	}
	switch f.Kind {
	case KindChoice:
		return f.ChoiceLabel(s, lang)
	case KindNumber:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return s
		}
		if n%f.Scale() == 0 {
			n /= f.Scale()
		} else {
			return s
		}
		out := strconv.FormatInt(n, 10)
		if u := f.Unit.Name.In(lang); u != "" {
			out += " " + u
		}
		return out
	}
	return s
}

// Value is the field as the form shows it ("" for fields a Form does not hold).
func (fl *Field) Value(f *Form) string {
	switch {
	case fl.text != nil:
		return *fl.text(f)
	case fl.number != nil:
		return strconv.FormatInt(*fl.number(f), 10)
	}
	return ""
}

// Set writes a typed value into the form: text trimmed, a number parsed. A
// number that does not parse leaves the form as it was.
func (fl *Field) Set(f *Form, typed string) error {
	typed = strings.TrimSpace(typed)
	switch {
	case fl.text != nil:
		*fl.text(f) = typed
	case fl.number != nil:
		n, err := strconv.ParseInt(typed, 10, 64)
		if err != nil {
			return &FieldError{Field: fl, Message: i18n.Text{
				EN: fmt.Sprintf("%s: %q is not a whole number", fl.Label.EN, typed),
				ZH: fmt.Sprintf("%s：「%s」不是整数", fl.Label.ZH, typed)}}
		}
		*fl.number(f) = n
	}
	return nil
}

// FieldError is a typed value a field cannot hold.
type FieldError struct {
	Field   *Field
	Message i18n.Text
}

func (e *FieldError) Error() string { return e.Message.EN }

// Say is a finding about this field in the form's words: the field's label
// where the message names its JSON path, and a range in the form's units
// with the value as typed ("Retry interval must be 1–30 minutes (you
// entered 45)", not milliseconds).
func (fl *Field) Say(fd Finding, typed string) i18n.Text {
	if fl.Kind == KindNumber && (strings.HasSuffix(fd.Code, "_range") || fd.Code == "rerun_interval") {
		unit := fl.Unit.Name
		if fl.Max == 0 {
			return i18n.Text{
				EN: fmt.Sprintf("%s must be %d or more (you entered %s)", fl.Label.EN, fl.Min, typed),
				ZH: fmt.Sprintf("%s须大于或等于 %d（当前为 %s）", fl.Label.ZH, fl.Min, typed)}
		}
		return i18n.Text{
			EN: strings.Replace(fmt.Sprintf("%s must be %d–%d %s (you entered %s)", fl.Label.EN, fl.Min, fl.Max, unit.EN, typed), "  ", " ", 1),
			ZH: strings.Replace(fmt.Sprintf("%s须为 %d–%d %s（当前为 %s）", fl.Label.ZH, fl.Min, fl.Max, unit.ZH, typed), " （", "（", 1),
		}
	}
	msg := fd.Message
	label := fl.Label
	if fl.Kind == KindRows {
		label = i18n.Text{} // a row's message names the row itself ("parameter "bizdate" needs a value")
	}
	say := func(text, path, label string) string {
		rest, ok := strings.CutPrefix(text, path)
		if !ok {
			return text
		}
		if label == "" {
			rest = strings.TrimLeft(rest, ".:： ")
			if i := strings.IndexAny(rest, ":："); i >= 0 && i < 12 && !strings.Contains(rest[:i], " ") {
				rest = strings.TrimLeft(rest[i+1:], " ") // the key the path ended in: "value: …"
			}
			if rest != "" {
				rest = strings.ToUpper(rest[:1]) + rest[1:]
			}
			return rest
		}
		return label + rest
	}
	msg.EN, msg.ZH = say(msg.EN, fd.Path, label.EN), say(msg.ZH, fd.Path, label.ZH)
	return msg
}

// plainFields are the fields Form and Apply handle from their Path alone.
var plainFields = func() []*Field {
	var out []*Field
	for _, f := range Fields {
		if !f.custom && f.Path != "" && f.Kind != KindRows {
			out = append(out, f)
		}
	}
	return out
}()

// container and key split a plain field's path: "strategy.priority" is
// key priority of the workflow's strategy object.
func (fl *Field) container() (string, string) {
	if i := strings.IndexByte(fl.Path, '.'); i >= 0 {
		return fl.Path[:i], fl.Path[i+1:]
	}
	return "", fl.Path
}
