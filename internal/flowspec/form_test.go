package flowspec

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestFormRoundTrip(t *testing.T) {
	doc := Blank("sales_daily")
	f := doc.Form()
	f.Name = "orders_hourly"
	f.Folder = "/etl/orders/"
	f.Description = "Hourly orders"
	f.Owner = "1107550004253538"
	f.Parameters = []Parameter{{Name: "bizdate", Type: "System", Value: "$[yyyymmdd-1]"}}
	f.Cron = "00 15 00-23 * * ?"
	f.StartTime = "2027-01-01 00:00:00"
	f.Timezone = "Europe/London"
	f.DelaySeconds = 60
	f.RecurrenceType = "Skip"
	f.InstanceMode = "Immediately"
	f.RerunMode = "FailureAllowed"
	f.RerunTimes = 2
	f.RerunIntervalMinutes = 10
	f.Timeout = 90
	f.TimeoutUnit = "MINUTES"
	f.FailureStrategy = "Continue"
	f.Priority = 7
	f.PriorityWeightStrategy = "Upstream"
	f.Outputs = []Output{DefaultOutput("proj", "orders_hourly")}
	doc.Apply(f)

	got := doc.Form()
	f.Folder = "etl/orders"
	if !reflect.DeepEqual(got, f) {
		t.Fatalf("read back\n%+v\nwant\n%+v", got, f)
	}
	spec := string(doc.Canonical())
	for _, want := range []string{`"path":"etl/orders/orders_hourly"`, `"rerunInterval":600000`, `"name":"orders_hourly","type":"CycleWorkflow"`,
		`{"data":"proj.orders_hourly","artifactType":"NodeOutput","refTableName":"orders_hourly","isDefault":false}`,
		`{"artifactType":"Variable","name":"bizdate","scope":"Workflow","type":"System","value":"$[yyyymmdd-1]"}`} {
		if !strings.Contains(spec, want) {
			t.Errorf("spec lacks %s:\n%s", want, spec)
		}
	}
	if r := doc.Validate(testNow); !r.Valid() {
		t.Errorf("edited spec invalid: %+v", r.Errors)
	}
}

func TestFormManualTrigger(t *testing.T) {
	doc := Blank("adhoc")
	f := doc.Form()
	f.TriggerType = TriggerManual
	doc.Apply(f)
	spec := string(doc.Canonical())
	if !strings.HasPrefix(spec, `{"kind":"ManualWorkflow","version":"1.1.0","spec":{"name":"adhoc","type":"ManualWorkflow"`) ||
		!strings.Contains(spec, `"trigger":{"type":"Manual"`) {
		t.Fatalf("manual spec: %s", spec)
	}
	if r := doc.Validate(testNow); !r.Valid() {
		t.Errorf("manual spec invalid: %+v", r.Errors)
	}
	f = doc.Form()
	f.TriggerType = TriggerScheduler
	doc.Apply(f)
	if r := doc.Validate(testNow); !r.Valid() || !strings.HasPrefix(string(doc.Canonical()), `{"kind":"CycleWorkflow"`) {
		t.Errorf("back to scheduler: %+v %s", r.Errors, doc.Canonical())
	}
}

func TestFormRowsKeepUnknownFields(t *testing.T) {
	data, err := os.ReadFile("testdata/import/version__1.x.y__cycle_workflow.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, _, err := Import(data)
	if err != nil {
		t.Fatal(err)
	}
	f := doc.Form()
	if len(f.Outputs) != 2 || !f.Outputs[0].IsDefault || f.Outputs[1].IsDefault {
		t.Fatalf("outputs read as %+v", f.Outputs)
	}
	f.Outputs[1].RefTableName = "renamed"
	f.Outputs = append(f.Outputs, Output{Data: "p.extra", RefTableName: "extra"})
	doc.Apply(f)
	spec := string(doc.Canonical())
	// The system output keeps its sourceType; the edited row keeps the rest.
	for _, want := range []string{`"sourceType":"System"`, `"refTableName":"renamed"`, `{"data":"p.extra","artifactType":"NodeOutput","refTableName":"extra","isDefault":false}`} {
		if !strings.Contains(spec, want) {
			t.Errorf("spec lacks %s", want)
		}
	}
	f = doc.Form()
	f.Outputs = f.Outputs[:1]
	doc.Apply(f)
	if got := len(doc.Form().Outputs); got != 1 {
		t.Errorf("%d outputs after removing rows", got)
	}
}

func TestFormCronKeepsCycleTypeInStep(t *testing.T) {
	data := mutate(t, func(_, wf map[string]any) { obj(wf, "trigger")["cycleType"] = "Daily" })
	doc, _, err := Import(data)
	if err != nil {
		t.Fatal(err)
	}
	f := doc.Form()
	f.Cron = "00 00-59/15 08-18 * * ?"
	doc.Apply(f)
	if !strings.Contains(string(doc.Canonical()), `"cycleType":"NotDaily"`) {
		t.Errorf("cycleType not updated: %s", doc.Canonical())
	}
	if r := doc.Validate(testNow); !r.Valid() {
		t.Errorf("%+v", r.Errors)
	}
}

func TestDeniedRerunForcesZeroRetries(t *testing.T) {
	doc := Blank("x")
	f := doc.Form()
	f.RerunMode = "Denied"
	doc.Apply(f)
	if got := doc.Form().RerunTimes; got != 0 {
		t.Errorf("rerunTimes = %d", got)
	}
	if r := doc.Validate(testNow); !r.Valid() {
		t.Errorf("%+v", r.Errors)
	}
}

func TestCanonicalEscapesLikeJSONButNotHTML(t *testing.T) {
	doc := Blank(`a<b>&"c"` + "\n\u2028\x01")
	s := string(doc.Canonical())
	if !strings.Contains(s, `"name":"a<b>&\"c\"\n\u2028\u0001"`) {
		t.Errorf("escaping: %s", s)
	}
}
