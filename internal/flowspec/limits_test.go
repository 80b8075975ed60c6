package flowspec

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestCheckLimits(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Form)
		path string // "" when within the limits
	}{
		{"a real workflow", func(f *Form) {}, ""},
		{"name at the limit", func(f *Form) { f.Name = strings.Repeat("n", MaxName) }, ""},
		{"name too long", func(f *Form) { f.Name = strings.Repeat("n", MaxName+1) }, "spec.workflows[0].name"},
		{"CJK counts characters, not bytes", func(f *Form) { f.Name = strings.Repeat("销", MaxName) }, ""},
		{"folder path too long", func(f *Form) { f.Folder = strings.Repeat("a/", MaxPath/2) }, "spec.workflows[0].script.path"},
		{"description too long", func(f *Form) { f.Description = strings.Repeat("d", MaxDescription+1) }, "spec.workflows[0].description"},
		{"description with lines", func(f *Form) { f.Description = "line one\nline two\r\n\tindented" }, ""},
		{"owner too long", func(f *Form) { f.Owner = strings.Repeat("1", MaxOwner+1) }, "spec.workflows[0].owner"},
		{"parameter value too long", func(f *Form) {
			f.Parameters = []Parameter{{Name: "bizdate", Type: "System", Value: strings.Repeat("$", MaxParameterValue+1)}}
		}, "spec.workflows[0].script.parameters[0].value"},
		{"output name too long", func(f *Form) { f.Outputs = []Output{{Data: strings.Repeat("o", MaxOutputName+1)}} }, "spec.workflows[0].outputs.nodeOutputs[0].data"},
		{"right-to-left override in the name", func(f *Form) { f.Name = "sales\u202Eyliad" }, "spec.workflows[0].name"},
		{"newline in the name", func(f *Form) { f.Name = "sales\ndaily" }, "spec.workflows[0].name"},
		{"zero-width space in the name", func(f *Form) { f.Name = "sales\u200bdaily" }, "spec.workflows[0].name"},
		{"line separator in the owner", func(f *Form) { f.Owner = "1\u20282" }, "spec.workflows[0].owner"},
		{"NUL in a parameter name", func(f *Form) { f.Parameters = []Parameter{{Name: "biz\x00date", Type: "System", Value: "x"}} }, "spec.workflows[0].script.parameters[0].name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := Blank("sales_daily")
			f := doc.Form()
			tt.edit(&f)
			doc.Apply(f)
			got := doc.CheckLimits()
			switch {
			case tt.path == "" && got != nil:
				t.Fatalf("refused: %+v", got)
			case tt.path != "" && (got == nil || got.Path != tt.path || !strings.Contains(got.Message.EN, "nothing was saved")):
				t.Fatalf("got %+v, want a refusal at %s", got, tt.path)
			}
		})
	}
}

// TestLimitsReachEveryNameAndPath: inner nodes, spec.name and the flat
// manual-workflow shape are held to the same limits.
func TestLimitsReachEveryNameAndPath(t *testing.T) {
	long := strings.Repeat("x", MaxName+1)
	for _, tt := range []struct{ doc, path string }{
		{`{"version":"1.1.0","kind":"CycleWorkflow","spec":{"name":"` + long + `","workflows":[{"name":"a","script":{"path":"a"}}]}}`, "spec.name"},
		{`{"version":"1.1.0","kind":"CycleWorkflow","spec":{"workflows":[{"name":"a","script":{"path":"a"},"nodes":[{"name":"` + long + `"}]}]}}`, "spec.workflows[0].nodes[0].name"},
		{`{"version":"1.1.0","kind":"CycleWorkflow","spec":{"workflows":[{"name":"a","script":{"path":"a"},"nodes":[{"name":"n","script":{"path":"\u202ea/n"}}]}]}}`, "spec.workflows[0].nodes[0].script.path"},
	} {
		doc, _, err := Import([]byte(tt.doc))
		if err != nil {
			t.Fatal(err)
		}
		if f := doc.CheckLimits(); f == nil || f.Path != tt.path {
			t.Errorf("%s: %+v", tt.path, f)
		}
	}
}

// TestRealSamplesAreWithinLimits: the limits never refuse what DataWorks
// itself produced.
func TestRealSamplesAreWithinLimits(t *testing.T) {
	files, _ := filepath.Glob("testdata/import/*.json")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		doc, _, err := Import(data)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if f := doc.CheckLimits(); f != nil {
			t.Errorf("%s: %+v", file, f)
		}
	}
}

func TestNodeLimits(t *testing.T) {
	d := pipeline(t, []string{"a"}, nil)
	setNode(d, 0, "node_code", strings.Repeat("x", MaxCode))
	if f := d.CheckLimits(); f != nil {
		t.Fatalf("code at the limit refused: %s", f.Message.EN)
	}
	setNode(d, 0, "node_code", strings.Repeat("x", MaxCode+1))
	if f := d.CheckLimits(); f == nil || f.Path != "spec.workflows[0].nodes[0].script.content" || !strings.Contains(f.Message.EN, `"a"`) {
		t.Fatalf("code over the limit: %+v", f)
	}
	setNode(d, 0, "node_code", "ok")
	setNode(d, 0, "node_name", strings.Repeat("n", MaxName+1))
	if f := d.CheckLimits(); f == nil || f.Path != "spec.workflows[0].nodes[0].name" {
		t.Fatalf("long node name: %+v", f)
	}
	d = Blank("w")
	for i := range MaxNodes + 1 {
		d.AddNode("VIRTUAL", strconv.Itoa(i))
	}
	if f := d.CheckLimits(); f == nil || f.Code != "too_many_nodes" {
		t.Fatalf("too many nodes: %+v", f)
	}
}

// TestSamplesWithinLimits: every real DataWorks document is within the
// limits, so none is refused at import.
func TestSamplesWithinLimits(t *testing.T) {
	files, _ := filepath.Glob("testdata/import/*.json")
	for _, file := range files {
		data, _ := os.ReadFile(file)
		doc, _, err := Import(data)
		if err != nil {
			t.Fatal(err)
		}
		if f := doc.CheckLimits(); f != nil {
			t.Errorf("%s: %s", filepath.Base(file), f.Message.EN)
		}
	}
	d := pipeline(t, []string{"a"}, nil)
	for _, bad := range []string{"select 1; -- \u202e", "x\x00"} {
		setNode(d, 0, "node_code", bad)
		if f := d.CheckLimits(); f == nil || f.Code != "bad_character" {
			t.Errorf("code %q: %+v", bad, f)
		}
	}
	setNode(d, 0, "node_code", "ok\r\n\tfine")
	setNode(d, 0, "node_name", "a/b")
	if f := d.CheckLimits(); f == nil || f.Path != "spec.workflows[0].nodes[0].name" {
		t.Errorf("a slash in a node name: %+v", f)
	}
}
