// Package components holds FlowForm's templ pages. Pages are pure functions
// of the view models defined here; web fills them.
package components

import "github.com/flowform/flowform/internal/i18n"

// Page is what every page needs.
type Page struct {
	Lang  i18n.Lang
	Title string
}

// HomeView is the home page: templates and the schedule explainer.
type HomeView struct {
	Page
	Templates []TemplateView
	Explain   ExplainView
}

// TemplateView is one starting point.
type TemplateView struct {
	ID          string
	Title       string
	Cron        string // empty for a manual trigger
	Description string
}

// ExplainView is the schedule explainer: a cron expression in words and its
// next runs.
type ExplainView struct {
	Expr        string
	Timezone    string
	Description string
	CycleType   string
	Runs        []RunView
	Errors      []string
	Warnings    []string
}

// RunView is one upcoming run, in the schedule's zone and in UTC.
type RunView struct {
	Local string
	UTC   string
	Flag  string
	Note  string
}

// tr picks the English or Chinese text.
func tr(lang i18n.Lang, en, zh string) string {
	return i18n.Text{EN: en, ZH: zh}.In(lang)
}

// otherLang is the language the switcher offers.
func otherLang(lang i18n.Lang) (i18n.Lang, string) {
	if lang == i18n.ZH {
		return i18n.EN, "English"
	}
	return i18n.ZH, "简体中文"
}
