// Package i18n holds the two languages FlowForm speaks (English and
// Simplified Chinese) and the bilingual text type every user-facing message
// is built from.
package i18n

import (
	"fmt"
	"strings"
)

// Lang is a supported language tag.
type Lang string

// The supported languages. English is the fallback.
const (
	EN Lang = "en"
	ZH Lang = "zh-CN"
)

// Text is one message in every supported language.
type Text struct {
	EN string
	ZH string
}

// In returns the message in lang, falling back to English.
func (t Text) In(lang Lang) string {
	if lang == ZH && t.ZH != "" {
		return t.ZH
	}
	return t.EN
}

// String returns the English message.
func (t Text) String() string { return t.EN }

// Sprintf builds a Text from a pair of format strings sharing the same
// arguments.
func Sprintf(en, zh string, args ...any) Text {
	return Text{EN: fmt.Sprintf(en, args...), ZH: fmt.Sprintf(zh, args...)}
}

// Parse maps an explicit language choice (a lang parameter or cookie) to a
// Lang, ok reports whether it named a supported language.
func Parse(s string) (lang Lang, ok bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "":
		return EN, false
	case s == "zh" || strings.HasPrefix(s, "zh-cn") || strings.HasPrefix(s, "zh-hans") || strings.HasPrefix(s, "zh-sg") || s == "zh_cn":
		return ZH, true
	case s == "en" || strings.HasPrefix(s, "en-") || strings.HasPrefix(s, "en_"):
		return EN, true
	}
	return EN, false
}

// Negotiate picks the language: an explicit choice wins, then the first
// supported entry of an Accept-Language header by quality, then English.
func Negotiate(explicit, acceptLanguage string) Lang {
	if l, ok := Parse(explicit); ok {
		return l
	}
	best, bestQ := EN, -1.0
	for part := range strings.SplitSeq(acceptLanguage, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, found := strings.CutPrefix(strings.TrimSpace(params), "q="); found {
			if _, err := fmt.Sscanf(v, "%g", &q); err != nil {
				continue
			}
		}
		if l, ok := Parse(tag); ok && q > bestQ {
			best, bestQ = l, q
		}
	}
	return best
}

// Join is t followed by more, separated by a space ("" parts dropped).
func (t Text) Join(more Text) Text {
	join := func(a, b string) string {
		if a == "" || b == "" {
			return a + b
		}
		return a + " " + b
	}
	return Text{EN: join(t.EN, more.EN), ZH: join(t.ZH, more.ZH)}
}
