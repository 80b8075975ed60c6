package flowspec

import (
	"github.com/flowform/flowform/internal/cron"
	"github.com/flowform/flowform/internal/i18n"
)

// Template is a starting point for a new draft.
type Template struct {
	ID    string
	Title i18n.Text
	cycle cron.Cycle // zero Kind means a manual trigger
	nodes []templateNode
}

// templateNode is an inner node a template starts with; it depends on the
// template node before it.
type templateNode struct {
	name, code string
}

// pipelineNodes are the layers of a daily MaxCompute warehouse: raw orders
// land in ODS, are cleaned into DWD, and summed into an ADS report, each
// reading yesterday's partition.
var pipelineNodes = []templateNode{
	{"ods_orders", "-- Land yesterday's orders from the source system.\nINSERT OVERWRITE TABLE ods_orders PARTITION (ds = '${bizdate}')\nSELECT order_id, customer_id, amount, status, created_at\nFROM   src_orders\nWHERE  ds = '${bizdate}';\n"},
	{"dwd_orders", "-- Keep paid orders, one row per order.\nINSERT OVERWRITE TABLE dwd_orders PARTITION (ds = '${bizdate}')\nSELECT order_id, customer_id, amount\nFROM   ods_orders\nWHERE  ds = '${bizdate}'\n  AND  status = 'PAID';\n"},
	{"ads_sales_daily", "-- Daily sales per customer for the report.\nINSERT OVERWRITE TABLE ads_sales_daily PARTITION (ds = '${bizdate}')\nSELECT customer_id, COUNT(*) AS orders, SUM(amount) AS sales\nFROM   dwd_orders\nWHERE  ds = '${bizdate}'\nGROUP BY customer_id;\n"},
}

// Templates lists the starting points in the order the home page shows them.
var Templates = []Template{
	{"daily", i18n.Text{EN: "Daily at 02:00", ZH: "每天 02:00"}, cron.Cycle{Kind: cron.CycleDay, Hour: 2}, nil},
	{"hourly", i18n.Text{EN: "Hourly", ZH: "每小时"}, cron.Cycle{Kind: cron.CycleHour, Every: 1, StartHour: 0, EndHour: 23}, nil},
	{"every-15-min", i18n.Text{EN: "Every 15 minutes, 08:00–18:45", ZH: "08:00–18:45 每 15 分钟"}, cron.Cycle{Kind: cron.CycleMinute, Every: 15, StartHour: 8, EndHour: 18}, nil},
	{"weekly-monday", i18n.Text{EN: "Weekly on Monday at 09:00", ZH: "每周一 09:00"}, cron.Cycle{Kind: cron.CycleWeek, Weekdays: []int{1}, Hour: 9}, nil},
	{"month-end", i18n.Text{EN: "Month end at 23:00", ZH: "每月最后一天 23:00"}, cron.Cycle{Kind: cron.CycleMonth, LastDay: true, Hour: 23}, nil},
	{"manual", i18n.Text{EN: "Manual trigger", ZH: "手动触发"}, cron.Cycle{}, nil},
	{"daily-pipeline", i18n.Text{EN: "Daily ODS → DWD → ADS pipeline (3 ODPS SQL nodes)", ZH: "每日 ODS → DWD → ADS 数仓链路（3 个 ODPS SQL 节点）"},
		cron.Cycle{Kind: cron.CycleDay, Hour: 2, Minute: 30}, pipelineNodes},
}

// TemplateByID finds a template; ok is false for an unknown id.
func TemplateByID(id string) (Template, bool) {
	for _, t := range Templates {
		if t.ID == id {
			return t, true
		}
	}
	return Template{}, false
}

// Blank returns a new valid daily workflow named name.
func Blank(name string) *Document {
	return Templates[0].New(name)
}

// New returns a new document from the template, with the values of the
// documentation's example: version 1.1.0, T+1, rerun allowed 3 times every
// 3 minutes, Break on failure, zone Asia/Shanghai.
func (t Template) New(name string) *Document {
	kind, trigger := KindCycle, objectNode(member{"type", stringNode(TriggerScheduler)})
	if t.cycle.Kind == "" {
		kind, trigger = KindManual, objectNode(member{"type", stringNode(TriggerManual)})
	} else {
		expr, err := t.cycle.Expression()
		if err != nil {
			panic("flowspec: template " + t.ID + ": " + err.Error()) // templates are constants; tests cover them
		}
		trigger.members = append(trigger.members,
			member{"cron", stringNode(expr)},
			member{"startTime", stringNode(cron.DefaultStart)},
			member{"endTime", stringNode(cron.DefaultEnd)},
			member{"timezone", stringNode(cron.DefaultTimezone)},
			member{"delaySeconds", intNode(0)})
	}
	strategy := objectNode(
		member{"priority", intNode(1)},
		member{"timeout", intNode(0)},
		member{"timeoutUnit", stringNode("HOURS")},
		member{"instanceMode", stringNode("T+1")},
		member{"rerunMode", stringNode("Allowed")},
		member{"rerunTimes", intNode(3)},
		member{"rerunInterval", intNode(180000)},
		member{"failureStrategy", stringNode("Break")},
		member{"recurrenceType", stringNode("Normal")},
	)
	workflow := objectNode(
		member{"script", objectNode(member{"path", stringNode(name)}, member{"runtime", objectNode(member{"command", stringNode("WORKFLOW")})})},
		member{"trigger", trigger},
		member{"strategy", strategy},
		member{"name", stringNode(name)},
		member{"inputs", objectNode()},
		member{"outputs", objectNode(member{"nodeOutputs", &node{kind: kindArray, items: []*node{}}})},
		member{"nodes", &node{kind: kindArray, items: []*node{}}},
		member{"dependencies", &node{kind: kindArray, items: []*node{}}},
	)
	root := objectNode(
		member{"kind", stringNode(kind)},
		member{"version", stringNode("1.1.0")},
		member{"spec", objectNode(
			member{"name", stringNode(name)},
			member{"type", stringNode(kind)},
			member{"workflows", &node{kind: kindArray, items: []*node{workflow}}},
		)},
	)
	d := &Document{root: root}
	for i, tn := range t.nodes {
		n := d.AddNode("ODPS_SQL", tn.name)
		f := d.Node(n)
		f.Values["node_code"] = tn.code
		f.Values["node_datasource"] = "odps_first" // the MaxCompute datasource every workspace starts with
		f.Parameters = []Parameter{{Name: "bizdate", Type: "System", Value: "$[yyyymmdd-1]"}}
		if i > 0 {
			f.Upstreams = []Upstream{{Output: d.RefOutput(n - 1), Type: DependNormal, RefTableName: t.nodes[i-1].name}}
		}
		d.ApplyNode(n, f)
	}
	return d
}
