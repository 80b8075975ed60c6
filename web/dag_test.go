package web

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/flowform/flowform/internal/dag"
	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/i18n"
)

var boxPattern = regexp.MustCompile(`<g class="dag-node[ "]`)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestSamplesDrawTheirDAG: every DataWorks sample draws every node and
// every external upstream once, with one arrow per dependency that has an
// upstream, as well-formed SVG; golden files pin the pictures.
func TestSamplesDrawTheirDAG(t *testing.T) {
	files, _ := filepath.Glob("../internal/flowspec/testdata/import/*.json")
	if len(files) < 13 {
		t.Fatalf("only %d samples", len(files))
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			doc, _, err := flowspec.Import(data)
			if err != nil {
				t.Fatal(err)
			}
			g := doc.Graph()
			dg := dagGraph(i18n.EN, g)
			svg := dag.Layout(dg).AppendSVG(nil)
			dec := xml.NewDecoder(bytes.NewReader(svg))
			for {
				if _, err := dec.Token(); errors.Is(err, io.EOF) {
					break
				} else if err != nil {
					t.Fatalf("not well-formed: %v", err)
				}
			}
			if got, want := len(boxPattern.FindAll(svg, -1)), len(g.Names)+len(g.External); got != want {
				t.Errorf("%d boxes, want %d (nodes %d, external %d)", got, want, len(g.Names), len(g.External))
			}
			if got, want := bytes.Count(svg, []byte(`<path class="dag-edge`)), len(dg.Edges); got != want {
				t.Errorf("%d arrows, want %d", got, want)
			}
			path := filepath.Join("testdata", "dag", name+".svg")
			if *updateGolden {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, svg, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test -update writes it)", err)
			}
			if !bytes.Equal(svg, want) {
				t.Errorf("%s differs from the golden file (go test -update rewrites it)", path)
			}
		})
	}
}
