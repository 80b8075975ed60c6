package flowspec

import (
	"os"
	"testing"
)

// BenchmarkValidateEncode is the /api/v1/validate hot path for a typical
// spec: import, validate and canonical encoding.
func BenchmarkValidateEncode(b *testing.B) {
	data, err := os.ReadFile("testdata/import/api-docs-1.1.0.json")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		doc, _, err := Import(data)
		if err != nil {
			b.Fatal(err)
		}
		if r := doc.Validate(testNow); !r.Valid() {
			b.Fatal(r.Errors)
		}
		_ = doc.Canonical()
	}
}

func BenchmarkIndented(b *testing.B) {
	doc := Blank("sales_daily")
	b.ReportAllocs()
	for b.Loop() {
		_ = doc.Indented()
	}
}
