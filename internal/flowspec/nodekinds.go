package flowspec

import (
	"strings"

	"github.com/flowform/flowform/internal/i18n"
)

// NodeKind is a node command (script.runtime.command) and what FlowForm
// knows about it: nodes-reference §4 (the dataworks-spec CodeProgramType
// codes, datasource types from the DataWorks node-type pages).
type NodeKind struct {
	Command  string
	Label    i18n.Text
	Code     int    // commandTypeId DataWorks records for it
	Language string // script.language DataWorks writes
	// Datasource is the datasource type the kind runs on ("" = none).
	Datasource string
	// Editable marks the kinds the node form offers; other commands
	// imported are kept and shown by their command name.
	Editable bool
	// Lang names the code editor's language for highlighting hints.
	Lang string
}

// NodeKinds are the node commands FlowForm knows, the editable ones first
// in the order the form offers them.
var NodeKinds = []NodeKind{
	{Command: "ODPS_SQL", Label: tr("ODPS SQL", "ODPS SQL"), Code: 10, Language: "odps-sql", Datasource: "odps", Editable: true, Lang: "sql"},
	{Command: "DIDE_SHELL", Label: tr("Shell", "Shell"), Code: 6, Language: "shell-script", Editable: true, Lang: "shell"},
	{Command: "PYTHON", Label: tr("Python", "Python"), Code: 1322, Language: "python3", Editable: true, Lang: "python"},
	{Command: "PYODPS3", Label: tr("PyODPS 3", "PyODPS 3"), Code: 1221, Language: "python3", Datasource: "odps", Editable: true, Lang: "python"},
	{Command: "VIRTUAL", Label: tr("Virtual", "虚拟节点"), Code: 99, Editable: true},

	{Command: "ODPS_SCRIPT", Label: tr("ODPS Script", "ODPS Script"), Code: 24, Datasource: "odps", Lang: "sql"},
	{Command: "PYODPS", Label: tr("PyODPS 2", "PyODPS 2"), Code: 221, Datasource: "odps", Lang: "python"},
	{Command: "ODPS_MR", Label: tr("ODPS MR", "ODPS MR"), Code: 11, Datasource: "odps"},
	{Command: "ODPS_SPARK", Label: tr("ODPS Spark", "ODPS Spark"), Code: 225, Datasource: "odps"},
	{Command: "SHELL", Label: tr("Shell (legacy)", "Shell（旧版）"), Code: 2, Lang: "shell"},
	{Command: "SSH", Label: tr("SSH", "SSH"), Code: 1321, Lang: "shell"},
	{Command: "PERL", Label: tr("Perl", "Perl"), Code: 31},
	{Command: "DI", Label: tr("Batch sync", "离线同步"), Code: 23},
	{Command: "HOLOGRES_SQL", Label: tr("Hologres SQL", "Hologres SQL"), Code: 1093, Datasource: "hologres", Lang: "sql"},
	{Command: "EMR_HIVE", Label: tr("EMR Hive", "EMR Hive"), Code: 227, Datasource: "emr", Lang: "sql"},
	{Command: "EMR_SPARK_SQL", Label: tr("EMR Spark SQL", "EMR Spark SQL"), Code: 229, Datasource: "emr", Lang: "sql"},
	{Command: "EMR_SHELL", Label: tr("EMR Shell", "EMR Shell"), Code: 257, Datasource: "emr", Lang: "shell"},
	{Command: "SERVERLESS_SPARK_SQL", Label: tr("Serverless Spark SQL", "Serverless Spark SQL"), Code: 2101, Datasource: "emr", Lang: "sql"},
	{Command: "FLINK_SQL_STREAM", Label: tr("Flink SQL (stream)", "Flink SQL（流）"), Code: 2012, Datasource: "flink"},
	{Command: "FLINK_SQL_BATCH", Label: tr("Flink SQL (batch)", "Flink SQL（批）"), Code: 2011, Datasource: "flink"},
	{Command: "CLICK_SQL", Label: tr("ClickHouse SQL", "ClickHouse SQL"), Code: 1301, Datasource: "clickhouse", Lang: "sql"},
	{Command: "StarRocks", Label: tr("StarRocks", "StarRocks"), Code: 1306, Datasource: "starrocks", Lang: "sql"},
	{Command: "MYSQL", Label: tr("MySQL", "MySQL"), Code: 1303, Datasource: "mysql", Lang: "sql"},
	{Command: "POSTGRESQL", Label: tr("PostgreSQL", "PostgreSQL"), Code: 1302, Datasource: "postgresql", Lang: "sql"},
	{Command: "Selectdb", Label: tr("SelectDB", "SelectDB"), Code: 1310, Datasource: "selectdb", Lang: "sql"},
	{Command: "CONTROLLER_ASSIGNMENT", Label: tr("Assignment", "赋值节点"), Code: 1100},
	{Command: "CONTROLLER_BRANCH", Label: tr("Branch", "分支节点"), Code: 1101},
	{Command: "CONTROLLER_JOIN", Label: tr("Merge", "归并节点"), Code: 1102},
	{Command: "CONTROLLER_CYCLE", Label: tr("Do-while", "do-while 节点"), Code: 1103},
	{Command: "CONTROLLER_TRAVERSE", Label: tr("For-each", "for-each 节点"), Code: 1106},
	{Command: "PARAM_HUB", Label: tr("Parameter hub", "参数节点"), Code: 1115},
	{Command: "SUB_PROCESS", Label: tr("Sub-process", "子流程"), Code: 1122},
	{Command: "PAI_DLC", Label: tr("PAI DLC", "PAI DLC"), Code: 1119, Datasource: "pai"},
}

// KindOf finds a command's kind; DataWorks matches command names
// case-insensitively (nodes-reference §4).
func KindOf(command string) (NodeKind, bool) {
	for _, k := range NodeKinds {
		if strings.EqualFold(k.Command, command) {
			return k, true
		}
	}
	return NodeKind{}, false
}

// kindByCode finds the kind DataWorks recorded as a commandTypeId.
func kindByCode(code int64) (NodeKind, bool) {
	for _, k := range NodeKinds {
		if int64(k.Code) == code {
			return k, true
		}
	}
	return NodeKind{}, false
}

// KindLabel is what the form calls a command: its label, or the command
// name as imported for one FlowForm does not know.
func KindLabel(command string, lang i18n.Lang) string {
	if k, ok := KindOf(command); ok {
		return k.Label.In(lang)
	}
	if command == "" {
		return i18n.Text{EN: "(no kind)", ZH: "（无类型）"}.In(lang)
	}
	return command
}
