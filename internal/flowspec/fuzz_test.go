package flowspec

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzImport checks that no input panics or hangs, that whatever imports
// encodes to valid JSON that imports again to the same bytes, and that
// validation and the form survive it.
func FuzzImport(f *testing.F) {
	files, _ := filepath.Glob("testdata/import/*.json")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"version":"1.0.0","workflows":[{"outputs":{"outputs":[1]}}]}`))
	f.Add([]byte(`{"spec":{"workflows":[{"script":[],"trigger":"x","strategy":{"priority":1e400}}]}}`))
	f.Add([]byte(`{"a":"\ud83d\ude00 \ud800 \u00e9\n","b":[-0.5e+3,0,1E2,true,false,null]}`))
	f.Add([]byte("{\"kind\":\"ManualWorkflow\",\"kind\":1,\"spec\":{\"name\":\"w\xff\",\"id\":\"1\",\"nodes\":[{\"script\":{\"path\":\"a/w\xff/n\"}}],\"flow\":[{\"nodeId\":\"1\"},{\"nodeId\":\"2\"}],\"variables\":{}}}"))
	f.Add([]byte(`{"kind":"Node","metadata":{"uuid":"n","projectId":12},"spec":{"nodes":[{"id":"n","name":"x"}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, _, err := decode(data); (err == nil) != json.Valid(data) {
			t.Fatalf("decode and json.Valid disagree on %q: %v", data, err)
		}
		doc, _, err := Import(data)
		if err != nil {
			return
		}
		out := doc.Canonical()
		if !json.Valid(out) || !json.Valid(doc.Indented()) {
			t.Fatalf("invalid JSON output %s", out)
		}
		again, _, err := Import(out)
		if err != nil {
			t.Fatalf("re-import: %v", err)
		}
		if !bytes.Equal(again.Canonical(), out) {
			t.Fatalf("not a fixed point:\n%s\n%s", out, again.Canonical())
		}
		_ = doc.Validate(testNow)
		_ = doc.Plan()
		if id, _ := doc.MetadataProjectID(); id != "" && CheckProjectID(id) != nil {
			t.Fatalf("offered ProjectId %q is not valid", id)
		}
		doc.Apply(doc.Form())
		if !bytes.Equal(doc.Canonical(), out) {
			t.Fatalf("applying the unchanged form changed the document:\n%s\n%s", out, doc.Canonical())
		}
	})
}
