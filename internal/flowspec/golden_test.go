package flowspec

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testNow is the fixed "now" of every validation in these tests.
var testNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file:\n%s", name, firstDiff(string(want), string(got)))
	}
}

func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\nwant %q\n got %q", i+1, wl, gl)
		}
	}
	return ""
}

// describe renders findings one per line for golden files.
func describe(import_ []Finding, r Report) []byte {
	var b bytes.Buffer
	for _, group := range [][]Finding{import_, r.Errors, r.Warnings} {
		for _, f := range group {
			fmt.Fprintf(&b, "%s %s %s %s\n  en: %s\n  zh: %s\n", f.Severity, f.Rule, f.Code, f.Path, f.Message.EN, f.Message.ZH)
		}
	}
	return b.Bytes()
}

func TestTemplatesGolden(t *testing.T) {
	for _, tpl := range Templates {
		t.Run(tpl.ID, func(t *testing.T) {
			doc := tpl.New("sales_daily")
			r := doc.Validate(testNow)
			if !r.Valid() {
				t.Fatalf("template %s is invalid: %+v", tpl.ID, r.Errors)
			}
			// Only the note that inner nodes need their own calls.
			if w := slices.DeleteFunc(r.Warnings, func(f Finding) bool { return f.Code == "nodes_ignored" }); len(w) > 0 {
				t.Errorf("template %s has warnings: %+v", tpl.ID, w)
			}
			golden(t, "template/"+tpl.ID+".json", doc.Indented())
		})
	}
}

func TestImportGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/import/*.json")
	if len(files) < 8 {
		t.Fatalf("only %d import fixtures", len(files))
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			doc, notes, err := Import(data)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "import/"+name, doc.Indented())
			golden(t, "import/"+strings.TrimSuffix(name, ".json")+".findings", describe(notes, doc.Validate(testNow)))

			// Compact and indented hold the same content, and both are stable.
			var a, b any
			if err := json.Unmarshal(doc.Canonical(), &a); err != nil {
				t.Fatalf("canonical output is not JSON: %v", err)
			}
			if err := json.Unmarshal(doc.Indented(), &b); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(a) != fmt.Sprint(b) {
				t.Error("compact and indented documents differ in content")
			}
			again, _, err := Import(doc.Canonical())
			if err != nil || !bytes.Equal(again.Canonical(), doc.Canonical()) {
				t.Error("canonical encoding is not a fixed point")
			}
			golden(t, "plan/"+strings.TrimSuffix(name, ".json")+".plan", describePlan(doc))
		})
	}
}

// describePlan renders a delivery plan for golden files: each call, what
// it waits for, and its exact Spec.
func describePlan(doc *Document) []byte {
	var b bytes.Buffer
	p := doc.Plan()
	g := doc.Graph()
	if p.Blocked.EN != "" {
		fmt.Fprintf(&b, "blocked: %s\n", p.Blocked.EN)
	}
	for i, s := range p.Steps {
		op := "CreateNode"
		if s.Node < 0 {
			op = "CreateWorkflowDefinition"
		}
		var ups []string
		for _, u := range s.Upstreams {
			ups = append(ups, g.Names[u])
		}
		fmt.Fprintf(&b, "%d. %s %q after %v assigned %v\n%s\n", i+1, op, s.Name, ups, s.Assigned, s.Spec)
	}
	return b.Bytes()
}

// TestImportKeepsEveryField proves that import → export loses nothing: the
// exported document equals the input as JSON values (order aside), except
// for label rewrites and version upgrades the import reported. Flat
// workflows move: TestLiftFlatKeepsEverything follows them.
func TestImportKeepsEveryField(t *testing.T) {
	for _, name := range []string{"copier__cycle_workflow_spec.json", "copier__cycle_workflow_with_join_spec.json",
		"copier__real_cycle_workflow_spec.json", "version__1.x.y__cycle_workflow.json", "api-docs-1.1.0.json"} {
		data, err := os.ReadFile(filepath.Join("testdata/import", name))
		if err != nil {
			t.Fatal(err)
		}
		doc, notes, err := Import(data)
		if err != nil {
			t.Fatal(err)
		}
		if len(notes) > 0 {
			t.Errorf("%s: unexpected import notes %+v", name, notes)
		}
		if diff := jsonDiff(t, data, doc.Canonical()); diff != "" {
			t.Errorf("%s: export differs from import: %s", name, diff)
		}
	}
}

// jsonDiff compares two documents as values, with numbers as text.
func jsonDiff(t *testing.T, a, b []byte) string {
	t.Helper()
	decode := func(data []byte) any {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	var out []string
	var walk func(path string, x, y any)
	walk = func(path string, x, y any) {
		switch xv := x.(type) {
		case map[string]any:
			yv, ok := y.(map[string]any)
			if !ok {
				out = append(out, path)
				return
			}
			for k := range xv {
				walk(path+"."+k, xv[k], yv[k])
			}
			for k := range yv {
				if _, ok := xv[k]; !ok {
					out = append(out, path+"."+k)
				}
			}
		case []any:
			yv, ok := y.([]any)
			if !ok || len(xv) != len(yv) {
				out = append(out, path)
				return
			}
			for i := range xv {
				walk(fmt.Sprintf("%s[%d]", path, i), xv[i], yv[i])
			}
		default:
			if x != y {
				out = append(out, fmt.Sprintf("%s (%v → %v)", path, x, y))
			}
		}
	}
	walk("", decode(a), decode(b))
	return strings.Join(out, ", ")
}

func TestEditOneFieldChangesOnlyThatField(t *testing.T) {
	data, err := os.ReadFile("testdata/import/copier__real_cycle_workflow_spec.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(*Form)
		want string // the only changed paths
	}{
		{"cron", func(f *Form) { f.Cron = "00 30 05 * * ?" }, ".spec.workflows[0].trigger.cron (00 00 00 * * ? → 00 30 05 * * ?)"},
		{"retries", func(f *Form) { f.RerunTimes = 5 }, ".spec.workflows[0].strategy.rerunTimes (3 → 5)"},
		{"interval", func(f *Form) { f.RerunIntervalMinutes = 10 }, ".spec.workflows[0].strategy.rerunInterval (180000 → 600000)"},
		{"timezone", func(f *Form) { f.Timezone = "Asia/Tokyo" }, ".spec.workflows[0].trigger.timezone (GMT+8 → Asia/Tokyo)"},
		{"priority", func(f *Form) { f.Priority = 5 }, ".spec.workflows[0].strategy.priority"},
		{"nothing", func(f *Form) {}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, _, err := Import(data)
			if err != nil {
				t.Fatal(err)
			}
			f := doc.Form()
			tt.edit(&f)
			doc.Apply(f)
			if got := jsonDiff(t, data, doc.Canonical()); got != tt.want {
				t.Errorf("changed: %s\n   want: %s", got, tt.want)
			}
		})
	}
}
