package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/flowform/flowform/internal/cron"
	"github.com/flowform/flowform/internal/i18n"
)

// cronResponse is the contract of GET /api/v1/cron.
type cronResponse struct {
	Expr        string        `json:"expr"`
	Description string        `json:"description"`
	CycleType   string        `json:"cycleType"`
	Next        []string      `json:"next"`
	Flags       []cronFlag    `json:"flags"`
	Warnings    []findingJSON `json:"warnings"`
}

type cronFlag struct {
	Index   int    `json:"index"`
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

// defaultRuns is how many runs /api/v1/cron lists without count.
const defaultRuns = 10

// handleCron serves GET /api/v1/cron: the schedule of one expression in
// words and its next runs in a zone, inside an effective window. Every
// problem is reported at once as a 422 naming its parameter.
func (s *Server) handleCron(c echo.Context) error {
	expr, zone := c.QueryParam("expr"), c.QueryParam("timezone")
	if zone == "" {
		zone = cron.DefaultTimezone
	}
	var problems []finding
	parsed, err := cron.Parse(expr)
	if err != nil {
		problems = append(problems, fromCron("expr", err))
	}
	loc, _, err := cron.LoadZone(zone)
	if err != nil {
		problems = append(problems, fromCron("timezone", err))
	}
	count := defaultRuns
	if v := c.QueryParam("count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > cron.MaxRuns {
			problems = append(problems, finding{Path: "count", Code: "count_range", Message: i18n.Sprintf(
				"count: %q must be a whole number from 1 to %d", "count：「%s」必须是 1 到 %d 的整数", v, cron.MaxRuns)})
		}
		count = n
	}
	var start, end time.Time
	if loc != nil {
		start, end, err = cron.ParseWindow(c.QueryParam("start"), c.QueryParam("end"), loc)
		if err != nil {
			param := "end"
			if ce, ok := err.(*cron.Error); ok && ce.Field == "startTime" {
				param = "start"
			}
			problems = append(problems, fromCron(param, err))
		}
	}
	if len(problems) > 0 {
		return &Error{Status: http.StatusUnprocessableEntity, Code: "invalid", Findings: problems}
	}
	runs, err := parsed.Next(cron.Query{Location: loc, Now: s.now(), Start: start, End: end, Count: count})
	if err != nil {
		return &Error{Status: http.StatusUnprocessableEntity, Code: "invalid", Findings: []finding{fromCron("end", err)}}
	}

	lang := language(c)
	resp := cronResponse{
		Expr:        parsed.Canonical(),
		Description: parsed.Describe().In(lang),
		CycleType:   parsed.CycleType(),
		Next:        make([]string, len(runs)),
		Flags:       []cronFlag{},
		Warnings:    []findingJSON{},
	}
	for i, r := range runs {
		resp.Next[i] = r.At.Format(time.RFC3339)
		if r.Flag != "" {
			resp.Flags = append(resp.Flags, cronFlag{Index: i, Kind: r.Flag, Message: r.Note.In(lang)})
		}
	}
	for _, w := range parsed.Warnings() {
		resp.Warnings = append(resp.Warnings, findingJSON{Path: "expr", Code: w.Code, Message: w.Message.In(lang)})
	}
	return c.JSON(http.StatusOK, resp)
}
