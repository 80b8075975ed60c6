package flowspec

import (
	"fmt"
	"strings"

	"github.com/flowform/flowform/internal/i18n"
)

// enum is one enumerated field: its exact labels (FlowSpec's enums, which
// DataWorks matches case-insensitively) and labels from older documentation
// or other APIs that mean one of them.
type enum struct {
	labels []string
	legacy map[string]string
}

// The enumerated fields FlowForm edits, keyed by shape and key. This is the
// one mapping table between label dialects (reference §4).
var enums = map[shape]map[string]enum{
	shapeTrigger: {
		"type":      {labels: []string{"Scheduler", "Manual", "Streaming", "None", "Custom"}, legacy: map[string]string{"SchedulerTrigger": "Scheduler"}},
		"cycleType": {labels: []string{"Daily", "NotDaily"}, legacy: map[string]string{"DAY": "Daily", "NOT_DAY": "NotDaily"}},
	},
	shapeStrategy: {
		"instanceMode":           {labels: []string{"T+1", "Immediately"}},
		"rerunMode":              {labels: []string{"Allowed", "Denied", "FailureAllowed"}, legacy: map[string]string{"ALL_ALLOWED": "Allowed", "FAILURE_ALLOWED": "FailureAllowed", "ALL_DENIED": "Denied", "AllAllowed": "Allowed", "AllDenied": "Denied"}},
		"failureStrategy":        {labels: []string{"Continue", "Break"}},
		"recurrenceType":         {labels: []string{"Normal", "Pause", "Skip"}, legacy: map[string]string{"NORMAL": "Normal", "PAUSE": "Pause", "SKIP": "Skip"}},
		"priorityWeightStrategy": {labels: []string{"Disabled", "Upstream"}},
		"timeoutUnit":            {labels: []string{"SECONDS", "MINUTES", "HOURS"}},
	},
	shapeVariable: {
		"artifactType": {labels: []string{"Variable"}},
		"scope":        {labels: []string{"Tenant", "Workspace", "Workflow", "NodeParameter", "NodeContext"}},
		"type":         {labels: []string{"System", "Constant", "NodeOutput", "PassThrough", "NoKvVariableExpression", "PaiOutput"}},
	},
	shapeOutput: {
		"artifactType": {labels: []string{"NodeOutput"}},
	},
}

// exact maps a label to the exact label it stands for. legacy reports a
// label from older documentation; ok is false for a label that maps to
// nothing.
func (e enum) exact(v string) (label string, legacy, ok bool) {
	for _, l := range e.labels {
		if l == v {
			return l, false, true
		}
	}
	if l, found := e.legacy[v]; found {
		return l, true, true
	}
	for _, l := range e.labels {
		if strings.EqualFold(l, v) {
			return l, false, true
		}
	}
	return "", false, false
}

// normaliseLabels rewrites case variants and legacy labels in the edited
// objects to the exact labels, one warning for each.
func (d *Document) normaliseLabels() []Finding {
	var out []Finding
	fix := func(obj *node, sh shape, path string) {
		for key, en := range enums[sh] {
			v, ok := obj.get(key).str()
			if !ok {
				continue
			}
			label, legacy, ok := en.exact(v)
			if !ok || label == v {
				continue
			}
			obj.set(key, stringNode(label))
			p := path + "." + key
			if legacy {
				out = append(out, warning("V13", "label_legacy", p, i18n.Sprintf(
					"%s: legacy label %q was rewritten to %q",
					"%s：旧版标签「%s」已改写为「%s」", p, v, label)))
			} else {
				out = append(out, warning("V13", "label_case", p, i18n.Sprintf(
					"%s: %q was rewritten to the exact label %q",
					"%s：「%s」已改写为标准标签「%s」", p, v, label)))
			}
		}
	}
	wf := d.workflow()
	if wf == nil {
		return nil
	}
	const base = "spec.workflows[0]"
	fix(wf.get("trigger"), shapeTrigger, base+".trigger")
	fix(wf.get("strategy"), shapeStrategy, base+".strategy")
	for i, p := range wf.get("script").get("parameters").itemsOrNil() {
		fix(p, shapeVariable, fmt.Sprintf("%s.script.parameters[%d]", base, i))
	}
	for i, o := range wf.get("outputs").get("nodeOutputs").itemsOrNil() {
		fix(o, shapeOutput, fmt.Sprintf("%s.outputs.nodeOutputs[%d]", base, i))
	}
	sortFindings(out)
	return out
}
