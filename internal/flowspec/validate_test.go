package flowspec

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// mutate loads the documentation's example, applies edit to it as plain
// JSON values, and returns the re-encoded document.
func mutate(t *testing.T, edit func(root, wf map[string]any)) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/import/api-docs-1.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	wf := root["spec"].(map[string]any)["workflows"].([]any)[0].(map[string]any)
	edit(root, wf)
	out, err := json.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func obj(m map[string]any, key string) map[string]any { return m[key].(map[string]any) }

// TestValidationRules holds, for every rule, a document that breaks it and
// one that keeps it. Each failing case names the code, severity and path.
func TestValidationRules(t *testing.T) {
	type edit = func(root, wf map[string]any)
	tests := []struct {
		rule, name string
		fail       edit
		code, path string
		severity   Severity
		pass       edit
	}{
		{"V1", "version format", func(r, _ map[string]any) { r["version"] = "1.1" }, "version_format", "version", Error,
			func(r, _ map[string]any) { r["version"] = "2.0.0" }},
		{"V1", "version missing", func(r, _ map[string]any) { delete(r, "version") }, "required", "version", Error,
			func(r, _ map[string]any) { r["version"] = "1.2.0" }},
		{"V2", "kind", func(r, _ map[string]any) { r["kind"] = "Node" }, "kind", "kind", Error,
			func(r, _ map[string]any) {}},
		{"V2", "spec.type", func(r, _ map[string]any) { obj(r, "spec")["type"] = "ManualWorkflow" }, "spec_type", "spec.type", Error,
			func(r, _ map[string]any) { obj(r, "spec")["type"] = "CycleWorkflow" }},
		{"V3", "two workflows", func(r, wf map[string]any) { obj(r, "spec")["workflows"] = []any{wf, wf} }, "workflows_count", "spec.workflows", Error,
			func(r, wf map[string]any) { obj(r, "spec")["workflows"] = []any{wf} }},
		{"V3", "inner nodes", func(_, wf map[string]any) { wf["nodes"] = []any{map[string]any{"id": "1"}} }, "nodes_ignored", "spec.workflows[0].nodes", Warning,
			func(_, wf map[string]any) { wf["nodes"] = []any{} }},
		{"V4", "name", func(_, wf map[string]any) { wf["name"] = " " }, "name_required", "spec.workflows[0].name", Error,
			func(_, wf map[string]any) {}},
		{"V4", "script", func(_, wf map[string]any) { delete(wf, "script") }, "required", "spec.workflows[0].script", Error,
			func(_, wf map[string]any) {}},
		{"V5", "runtime command", func(_, wf map[string]any) { obj(obj(wf, "script"), "runtime")["command"] = "ODPS_SQL" }, "runtime_command", "spec.workflows[0].script.runtime.command", Error,
			func(_, wf map[string]any) { obj(obj(wf, "script"), "runtime")["command"] = "WORKFLOW" }},
		{"V6", "path ends with name", func(_, wf map[string]any) { obj(wf, "script")["path"] = "etl/sales/other" }, "script_path", "spec.workflows[0].script.path", Error,
			func(_, wf map[string]any) { obj(wf, "script")["path"] = "sales_daily" }},
		{"V6", "empty segment", func(_, wf map[string]any) { obj(wf, "script")["path"] = "etl//sales_daily" }, "script_path", "spec.workflows[0].script.path", Error,
			func(_, wf map[string]any) { obj(wf, "script")["path"] = "a/b/c/sales_daily" }},
		{"V7", "trigger type", func(_, wf map[string]any) { obj(wf, "trigger")["type"] = "Manual" }, "trigger_type", "spec.workflows[0].trigger.type", Error,
			func(_, wf map[string]any) { obj(wf, "trigger")["type"] = "Scheduler" }},
		{"V7", "cron missing", func(_, wf map[string]any) { delete(obj(wf, "trigger"), "cron") }, "cron_required", "spec.workflows[0].trigger.cron", Error,
			func(_, wf map[string]any) {}},
		{"V8", "cron dialect", func(_, wf map[string]any) { obj(wf, "trigger")["cron"] = "0 30 2 * * ? 2030" }, "cron_year", "spec.workflows[0].trigger.cron", Error,
			func(_, wf map[string]any) { obj(wf, "trigger")["cron"] = "0 30 2 ? * 1#2" }},
		{"V8", "seconds", func(_, wf map[string]any) { obj(wf, "trigger")["cron"] = "15 30 02 * * ?" }, "cron_value", "spec.workflows[0].trigger.cron", Error,
			func(_, wf map[string]any) { obj(wf, "trigger")["cron"] = "00 30 02 * * ?" }},
		{"V9", "interval", func(_, wf map[string]any) { obj(wf, "trigger")["cron"] = "00 */3 * * * ?" }, "cron_interval", "spec.workflows[0].trigger.cron", Error,
			func(_, wf map[string]any) { obj(wf, "trigger")["cron"] = "00 */5 * * * ?" }},
		{"V9", "early daily time", func(_, wf map[string]any) { obj(wf, "trigger")["cron"] = "00 02 00 * * ?" }, "cron_early", "spec.workflows[0].trigger.cron", Warning,
			func(_, wf map[string]any) { obj(wf, "trigger")["cron"] = "00 05 00 * * ?" }},
		{"V10", "cycleType", func(_, wf map[string]any) { obj(wf, "trigger")["cycleType"] = "NotDaily" }, "cycle_type", "spec.workflows[0].trigger.cycleType", Error,
			func(_, wf map[string]any) { obj(wf, "trigger")["cycleType"] = "Daily" }},
		{"V11", "time format", func(_, wf map[string]any) { obj(wf, "trigger")["startTime"] = "2026-01-01T00:00:00" }, "time_format", "spec.workflows[0].trigger.startTime", Error,
			func(_, wf map[string]any) { obj(wf, "trigger")["startTime"] = "2026-01-01 00:00:00" }},
		{"V11", "window order", func(_, wf map[string]any) { obj(wf, "trigger")["endTime"] = "1960-01-01 00:00:00" }, "window_order", "spec.workflows[0].trigger.endTime", Error,
			func(_, wf map[string]any) { obj(wf, "trigger")["endTime"] = "2099-01-01 00:00:00" }},
		{"V11", "window over", func(_, wf map[string]any) { obj(wf, "trigger")["endTime"] = "2020-01-01 00:00:00" }, "window_empty", "spec.workflows[0].trigger.endTime", Error,
			func(_, wf map[string]any) { obj(wf, "trigger")["endTime"] = "2026-11-29 00:00:00" }},
		{"V11", "delay", func(_, wf map[string]any) { obj(wf, "trigger")["delaySeconds"] = -5 }, "delay_range", "spec.workflows[0].trigger.delaySeconds", Error,
			func(_, wf map[string]any) { obj(wf, "trigger")["delaySeconds"] = 300 }},
		{"V12", "timezone", func(_, wf map[string]any) { obj(wf, "trigger")["timezone"] = "Asia/Beijing" }, "timezone", "spec.workflows[0].trigger.timezone", Error,
			func(_, wf map[string]any) { obj(wf, "trigger")["timezone"] = "Europe/London" }},
		{"V13", "unknown label", func(_, wf map[string]any) { obj(wf, "strategy")["rerunMode"] = "Sometimes" }, "enum", "spec.workflows[0].strategy.rerunMode", Error,
			func(_, wf map[string]any) { obj(wf, "strategy")["rerunMode"] = "FailureAllowed" }},
		{"V13", "legacy label", func(_, wf map[string]any) {
			obj(wf, "strategy")["rerunMode"] = "ALL_DENIED"
			obj(wf, "strategy")["rerunTimes"] = 0
		}, "label_legacy", "spec.workflows[0].strategy.rerunMode", Warning,
			func(_, wf map[string]any) {
				obj(wf, "strategy")["rerunMode"] = "Denied"
				obj(wf, "strategy")["rerunTimes"] = 0
			}},
		{"V13", "timeout unit", func(_, wf map[string]any) { obj(wf, "strategy")["timeoutUnit"] = "FORTNIGHTS" }, "enum", "spec.workflows[0].strategy.timeoutUnit", Error,
			func(_, wf map[string]any) { obj(wf, "strategy")["timeoutUnit"] = "MINUTES" }},
		{"V14", "priority", func(_, wf map[string]any) { obj(wf, "strategy")["priority"] = 9 }, "priority_range", "spec.workflows[0].strategy.priority", Error,
			func(_, wf map[string]any) { obj(wf, "strategy")["priority"] = 8 }},
		{"V14", "priority type", func(_, wf map[string]any) { obj(wf, "strategy")["priority"] = "3" }, "type", "spec.workflows[0].strategy.priority", Error,
			func(_, wf map[string]any) { delete(obj(wf, "strategy"), "priority") }},
		{"V15", "rerun times", func(_, wf map[string]any) { obj(wf, "strategy")["rerunTimes"] = 11 }, "rerun_times_range", "spec.workflows[0].strategy.rerunTimes", Error,
			func(_, wf map[string]any) { obj(wf, "strategy")["rerunTimes"] = 10 }},
		{"V15", "denied with retries", func(_, wf map[string]any) { obj(wf, "strategy")["rerunMode"] = "Denied" }, "rerun_times_denied", "spec.workflows[0].strategy.rerunTimes", Error,
			func(_, wf map[string]any) {
				obj(wf, "strategy")["rerunMode"] = "Denied"
				obj(wf, "strategy")["rerunTimes"] = 0
			}},
		{"V16", "rerun interval", func(_, wf map[string]any) { obj(wf, "strategy")["rerunInterval"] = 180 }, "rerun_interval", "spec.workflows[0].strategy.rerunInterval", Error,
			func(_, wf map[string]any) { obj(wf, "strategy")["rerunInterval"] = 1800000 }},
		{"V17", "timeout negative", func(_, wf map[string]any) { obj(wf, "strategy")["timeout"] = -1 }, "timeout_range", "spec.workflows[0].strategy.timeout", Error,
			func(_, wf map[string]any) { obj(wf, "strategy")["timeout"] = 4 }},
		{"V17", "timeout unit missing", func(_, wf map[string]any) { delete(obj(wf, "strategy"), "timeoutUnit") }, "timeout_unit_missing", "spec.workflows[0].strategy.timeoutUnit", Warning,
			func(_, wf map[string]any) { obj(wf, "strategy")["timeoutUnit"] = "SECONDS" }},
		{"V18", "output data", func(_, wf map[string]any) { outputRow(wf)["data"] = "" }, "output_data", "spec.workflows[0].outputs.nodeOutputs[0].data", Error,
			func(_, wf map[string]any) { outputRow(wf)["data"] = "proj.sales_daily" }},
		{"V18", "duplicate output", func(_, wf map[string]any) {
			o := obj(wf, "outputs")
			o["nodeOutputs"] = []any{outputRow(wf), outputRow(wf)}
		}, "output_duplicate", "spec.workflows[0].outputs.nodeOutputs[1].data", Error,
			func(_, wf map[string]any) {}},
		{"V18", "artifact type", func(_, wf map[string]any) { outputRow(wf)["artifactType"] = "Table" }, "enum", "spec.workflows[0].outputs.nodeOutputs[0].artifactType", Error,
			func(_, wf map[string]any) { outputRow(wf)["artifactType"] = "NodeOutput" }},
		{"V19", "parameter value", func(_, wf map[string]any) { paramRow(wf)["value"] = "" }, "parameter_value", "spec.workflows[0].script.parameters[0].value", Error,
			func(_, wf map[string]any) { paramRow(wf)["value"] = "$bizdate" }},
		{"V19", "parameter scope", func(_, wf map[string]any) { paramRow(wf)["scope"] = "Tenant" }, "parameter_scope", "spec.workflows[0].script.parameters[0].scope", Error,
			func(_, wf map[string]any) { paramRow(wf)["scope"] = "Workflow" }},
		{"V19", "parameter type", func(_, wf map[string]any) { paramRow(wf)["type"] = "Magic" }, "enum", "spec.workflows[0].script.parameters[0].type", Error,
			func(_, wf map[string]any) { paramRow(wf)["type"] = "Constant" }},
		{"V20", "owner", func(_, wf map[string]any) { wf["owner"] = "alice@example.com" }, "owner_format", "spec.workflows[0].owner", Warning,
			func(_, wf map[string]any) { wf["owner"] = "1107550004253538" }},
		{"V22", "tags", func(_, wf map[string]any) { wf["tags"] = []any{"etl"} }, "invented_field", "spec.workflows[0].tags", Error,
			func(_, wf map[string]any) {}},
		{"V22", "apiVersion", func(r, _ map[string]any) { r["apiVersion"] = "v1" }, "invented_field", "apiVersion", Error,
			func(r, _ map[string]any) {}},
		{"V22", "metadata.name", func(r, _ map[string]any) { r["metadata"] = map[string]any{"name": "x"} }, "invented_field", "metadata.name", Error,
			func(r, _ map[string]any) { r["metadata"] = map[string]any{"tenantId": "1"} }},
	}
	for _, tt := range tests {
		t.Run(tt.rule+" "+tt.name, func(t *testing.T) {
			findings := func(e edit) []Finding {
				doc, notes, err := Import(mutate(t, e))
				if err != nil {
					t.Fatal(err)
				}
				r := doc.Validate(testNow)
				return append(append(notes, r.Errors...), r.Warnings...)
			}
			var hit *Finding
			for _, f := range findings(tt.fail) {
				if f.Code == tt.code && f.Path == tt.path {
					hit = &f
				}
			}
			if hit == nil {
				t.Fatalf("no %s at %s in %+v", tt.code, tt.path, findings(tt.fail))
			}
			if hit.Severity != tt.severity || hit.Rule != tt.rule {
				t.Errorf("severity %s rule %s, want %s %s", hit.Severity, hit.Rule, tt.severity, tt.rule)
			}
			if hit.Message.EN == "" || hit.Message.ZH == "" || hit.Message.EN == hit.Message.ZH {
				t.Errorf("message not bilingual: %+v", hit.Message)
			}
			for _, f := range findings(tt.pass) {
				if f.Rule == tt.rule {
					t.Errorf("passing case still reports %s %s at %s: %s", f.Severity, f.Code, f.Path, f.Message.EN)
				}
			}
		})
	}
}

func outputRow(wf map[string]any) map[string]any {
	return obj(wf, "outputs")["nodeOutputs"].([]any)[0].(map[string]any)
}

func paramRow(wf map[string]any) map[string]any {
	return obj(wf, "script")["parameters"].([]any)[0].(map[string]any)
}

func TestCheckProjectID(t *testing.T) {
	for id, ok := range map[string]bool{"": true, "123456": true, "9223372036854775807": true,
		"0": false, "-4": false, "12a": false, "9223372036854775808": false, " 1": false} {
		f := CheckProjectID(id)
		if (f == nil) != ok {
			t.Errorf("CheckProjectID(%q) = %+v, want ok=%v", id, f, ok)
		}
		if f != nil && (f.Rule != "V21" || f.Path != "projectId" || !strings.Contains(f.Message.ZH, "工作空间")) {
			t.Errorf("CheckProjectID(%q) finding %+v", id, f)
		}
	}
}

func TestImportRefusesNonDocuments(t *testing.T) {
	for _, in := range []string{``, `{`, `{"a":1}x`, `[1,2]`, `"spec"`, `null`, `{"a":}`} {
		_, _, err := Import([]byte(in))
		if err == nil {
			t.Errorf("Import(%q) succeeded", in)
			continue
		}
		var se *SyntaxError
		var sh *ShapeError
		if !(asErr(err, &se) || asErr(err, &sh)) {
			t.Errorf("Import(%q) error %T", in, err)
		}
	}
}

func asErr[T error](err error, target *T) bool {
	t, ok := err.(T)
	if ok {
		*target = t
	}
	return ok
}
