package dag

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Room for text in a box, in narrow characters; a wide (CJK) character
// counts two. At the stylesheet's 13px label and 11px detail this fills a
// box less its padding.
const (
	labelRoom  = 20
	detailRoom = 24
)

// rectSize ends every box's <rect>.
var rectSize = `" width="` + strconv.Itoa(BoxWidth) + `" height="` + strconv.Itoa(BoxHeight) + `" rx="6"/>`

// Baselines of the text, from the box top.
const (
	labelBaseline  = 19
	detailBaseline = 35
	aloneBaseline  = 27 // a label without a detail line
)

// AppendSVG appends the picture as an <svg class="dag"> element. It has its
// own size in px: the page scrolls it rather than scaling it down. Colours
// come from the stylesheet's dag-* classes; there are no style attributes
// and no scripts. It appends rather than writes so that a caller can reuse
// one buffer: w.Write(p.AppendSVG(buf[:0])).
func (p *Picture) AppendSVG(dst []byte) []byte {
	dst = append(dst, `<svg class="dag" xmlns="http://www.w3.org/2000/svg" role="group" aria-labelledby="`...)
	dst = p.appendID(dst, "-title")
	dst = append(dst, `" aria-describedby="`...)
	dst = p.appendID(dst, "-desc")
	dst = append(dst, `" width="`...)
	dst = strconv.AppendInt(dst, int64(p.Width), 10)
	dst = append(dst, `" height="`...)
	dst = strconv.AppendInt(dst, int64(p.Height), 10)
	dst = append(dst, `" viewBox="0 0 `...)
	dst = strconv.AppendInt(dst, int64(p.Width), 10)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(p.Height), 10)
	dst = append(dst, "\">\n<title id=\""...)
	dst = p.appendID(dst, "-title")
	dst = append(dst, `">`...)
	dst = appendEscaped(dst, p.Title)
	dst = append(dst, "</title>\n<desc id=\""...)
	dst = p.appendID(dst, "-desc")
	dst = append(dst, `">`...)
	dst = appendEscaped(dst, p.Desc)
	dst = append(dst, "</desc>\n<defs>\n"...)
	dst = p.appendMarker(dst, "-arrow", "dag-arrow")
	dst = p.appendMarker(dst, "-arrow-cycle", "dag-arrow dag-cycle")
	dst = append(dst, "</defs>\n"...)

	// Edges first, so that boxes cover their ends. The presentation
	// attributes keep the picture legible where the stylesheet is missing.
	dst = append(dst, `<g class="dag-edges" fill="none" stroke="currentColor">`+"\n"...)
	for i := range p.Paths {
		dst = p.appendPath(dst, &p.Paths[i])
	}
	dst = append(dst, "</g>\n"+`<g class="dag-nodes" text-anchor="middle">`+"\n"...)
	for i := range p.Boxes {
		dst = appendBox(dst, &p.Boxes[i])
	}
	return append(dst, "</g>\n</svg>\n"...)
}

func (p *Picture) appendID(dst []byte, suffix string) []byte {
	return append(appendEscaped(dst, p.ID), suffix...)
}

// appendMarker writes an arrowhead that ends on the path's end point. Its
// size is in px, whatever the stroke width.
func (p *Picture) appendMarker(dst []byte, suffix, class string) []byte {
	dst = append(dst, `<marker id="`...)
	dst = p.appendID(dst, suffix)
	dst = append(dst, `" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto"><path class="`...)
	dst = append(dst, class...)
	return append(dst, "\" d=\"M0 0L10 5L0 10z\"/></marker>\n"...)
}

func (p *Picture) appendPath(dst []byte, path *Path) []byte {
	dst = append(dst, `<path class="dag-edge`...)
	if path.CrossCycle {
		dst = append(dst, " dag-cross"...)
	}
	if path.Cycle {
		dst = append(dst, " dag-cycle"...)
	}
	dst = append(dst, `" d="M`...)
	dst = appendPoint(dst, path.Start)
	at := path.Start
	for _, c := range path.Curves {
		if c.C1 == at && c.C2 == c.P {
			dst = append(dst, 'L')
		} else {
			dst = append(dst, 'C')
			dst = appendPoint(dst, c.C1)
			dst = append(dst, ' ')
			dst = appendPoint(dst, c.C2)
			dst = append(dst, ' ')
		}
		dst = appendPoint(dst, c.P)
		at = c.P
	}
	dst = append(dst, `" marker-end="url(#`...)
	if path.Cycle {
		dst = p.appendID(dst, "-arrow-cycle")
	} else {
		dst = p.appendID(dst, "-arrow")
	}
	return append(dst, ")\"/>\n"...)
}

func appendPoint(dst []byte, pt Point) []byte {
	dst = strconv.AppendInt(dst, int64(pt.X), 10)
	dst = append(dst, ' ')
	return strconv.AppendInt(dst, int64(pt.Y), 10)
}

// appendBox writes a box: a link if it has one, its full text as a
// tooltip, and the text cut to fit.
func appendBox(dst []byte, b *Box) []byte {
	if b.Href != "" {
		dst = append(dst, `<a href="`...)
		dst = appendEscaped(dst, b.Href)
		dst = append(dst, `">`...)
	}
	dst = append(dst, `<g class="dag-node`...)
	if b.External {
		dst = append(dst, " dag-external"...)
	}
	if b.Selected {
		dst = append(dst, " dag-selected"...)
	}
	if b.Cycle {
		dst = append(dst, " dag-cycle"...)
	}
	dst = append(dst, `"><title>`...)
	dst = appendEscaped(dst, b.Label)
	if b.Detail != "" {
		dst = append(dst, " — "...)
		dst = appendEscaped(dst, b.Detail)
	}
	dst = append(dst, `</title><rect x="`...)
	dst = strconv.AppendInt(dst, int64(b.X), 10)
	dst = append(dst, `" y="`...)
	dst = strconv.AppendInt(dst, int64(b.Y), 10)
	dst = append(dst, rectSize...)
	baseline := labelBaseline
	if b.Detail == "" {
		baseline = aloneBaseline
	}
	dst = appendText(dst, "", b.X+BoxWidth/2, b.Y+baseline, b.Label, labelRoom)
	if b.Detail != "" {
		dst = appendText(dst, "dag-detail", b.X+BoxWidth/2, b.Y+detailBaseline, b.Detail, detailRoom)
	}
	dst = append(dst, "</g>"...)
	if b.Href != "" {
		dst = append(dst, "</a>"...)
	}
	return append(dst, '\n')
}

// appendText writes a <text> centred on x, cut with "…" to room.
func appendText(dst []byte, class string, x, y int, s string, room int) []byte {
	dst = append(dst, "<text"...)
	if class != "" {
		dst = append(dst, ` class="`...)
		dst = append(dst, class...)
		dst = append(dst, '"')
	}
	dst = append(dst, ` x="`...)
	dst = strconv.AppendInt(dst, int64(x), 10)
	dst = append(dst, `" y="`...)
	dst = strconv.AppendInt(dst, int64(y), 10)
	dst = append(dst, `">`...)
	if fit, cut := truncate(s, room); cut {
		dst = append(appendEscaped(dst, fit), "…"...)
	} else {
		dst = appendEscaped(dst, s)
	}
	return append(dst, "</text>"...)
}

// truncate returns the longest prefix of s that, with an ellipsis after
// it, fits in room; or s itself if it fits whole.
func truncate(s string, room int) (string, bool) {
	used, fits := 0, 0 // fits: the length of the prefix that leaves room for "…"
	for i, r := range s {
		used += width(r)
		if used > room {
			return s[:fits], true
		}
		if used <= room-1 {
			fits = i + utf8.RuneLen(r)
		}
	}
	return s, false
}

// width is 2 for the wide characters of Chinese, Japanese and Korean, else 1.
func width(r rune) int {
	if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		r >= 0x3000 && r <= 0x303f || r >= 0xff00 && r <= 0xff60 || r >= 0xffe0 && r <= 0xffe6 {
		return 2
	}
	return 1
}

// appendEscaped writes s as XML text or attribute value: markup characters
// as entities, and what XML cannot hold at all (bad UTF-8, most control
// characters) as U+FFFD.
func appendEscaped(dst []byte, s string) []byte {
	for _, r := range s {
		switch {
		case r == '&':
			dst = append(dst, "&amp;"...)
		case r == '<':
			dst = append(dst, "&lt;"...)
		case r == '>':
			dst = append(dst, "&gt;"...)
		case r == '"':
			dst = append(dst, "&#34;"...)
		case r == '\'':
			dst = append(dst, "&#39;"...)
		case !xmlChar(r):
			dst = append(dst, "\uFFFD"...)
		case r < utf8.RuneSelf:
			dst = append(dst, byte(r))
		default: // a bad byte comes as utf8.RuneError, written as U+FFFD
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst
}

// xmlChar tells whether XML 1.0 allows r in a document.
func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xd7ff || r >= 0xe000 && r <= 0xfffd || r >= 0x10000 && r <= 0x10ffff
}
