package flowspec

import (
	"slices"
	"strings"

	"github.com/flowform/flowform/internal/i18n"
)

// Severity says whether a finding blocks submission.
type Severity string

// Severities.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Finding is one validation result. Path is the JSON path of the field
// ("spec.workflows[0].strategy.rerunMode"; a top-level field is just
// "kind"), which the form maps back to its input.
type Finding struct {
	Rule     string // V1…V22 of the reference, or "" for import notes
	Code     string // stable machine-readable code
	Severity Severity
	Path     string
	Message  i18n.Text
}

func warning(rule, code, path string, msg i18n.Text) Finding {
	return Finding{Rule: rule, Code: code, Severity: Warning, Path: path, Message: msg}
}

func failure(rule, code, path string, msg i18n.Text) Finding {
	return Finding{Rule: rule, Code: code, Severity: Error, Path: path, Message: msg}
}

// Report is the outcome of validation.
type Report struct {
	Errors   []Finding
	Warnings []Finding
}

// Valid reports whether nothing blocks submission.
func (r Report) Valid() bool { return len(r.Errors) == 0 }

// add files findings by severity.
func (r *Report) add(fs ...Finding) {
	for _, f := range fs {
		if f.Severity == Error {
			r.Errors = append(r.Errors, f)
		} else {
			r.Warnings = append(r.Warnings, f)
		}
	}
}

// sortFindings orders findings by path, then code, so output is stable.
func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.Code, b.Code)
	})
}
