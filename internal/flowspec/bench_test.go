package flowspec

import (
	"fmt"
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

// hundredNodes is a layered 100-node workflow with about 150 dependencies.
func hundredNodes(b *testing.B) *Document {
	names := make([]string, 100)
	var edges [][2]int
	for i := range names {
		names[i] = fmt.Sprintf("node_%03d", i)
		if i >= 10 {
			edges = append(edges, [2]int{i - 10 + i%3, i})
			if i%2 == 0 {
				edges = append(edges, [2]int{i - 7 - i%5, i})
			}
		}
	}
	return pipeline(b, names, edges)
}

// BenchmarkValidateAndPlan100 is the budget of issue 11: validate and
// derive the delivery plan of a 100-node workflow in ≤ 2 ms.
func BenchmarkValidateAndPlan100(b *testing.B) {
	d := hundredNodes(b)
	b.ReportAllocs()
	for b.Loop() {
		if r := d.Validate(testNow); !r.Valid() {
			b.Fatal(r.Errors)
		}
		if p := d.Plan(); len(p.Steps) != 101 {
			b.Fatal(len(p.Steps))
		}
	}
}
