package web

import (
	"github.com/flowform/flowform/internal/cron"
	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/i18n"
)

// finding is a problem tied to a path, before it is put in one language.
type finding struct {
	Path    string
	Code    string
	Message i18n.Text
}

// findingJSON is the contract shape {"path","code","message"}.
type findingJSON struct {
	Path    string `json:"path"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func localise(fs []finding, lang i18n.Lang) []findingJSON {
	out := make([]findingJSON, len(fs))
	for i, f := range fs {
		out[i] = findingJSON{Path: f.Path, Code: f.Code, Message: f.Message.In(lang)}
	}
	return out
}

func fromSpec(fs []flowspec.Finding) []finding {
	out := make([]finding, len(fs))
	for i, f := range fs {
		out[i] = finding{Path: f.Path, Code: f.Code, Message: f.Message}
	}
	return out
}

// fromCron ties a cron error to the request parameter it came from.
func fromCron(param string, err error) finding {
	if ce, ok := err.(*cron.Error); ok {
		return finding{Path: param, Code: ce.Code, Message: ce.Message}
	}
	return finding{Path: param, Code: "invalid", Message: i18n.Text{EN: err.Error(), ZH: err.Error()}}
}
