package cron

import (
	"time"

	gocron "github.com/netresearch/go-cron"

	"github.com/flowform/flowform/internal/i18n"
)

// MaxRuns is the most runs Next lists.
const MaxRuns = 100

// Flag kinds attached to single runs.
const (
	FlagDSTGap     = "dst-gap"     // the wall time does not exist that day
	FlagDSTOverlap = "dst-overlap" // the wall time occurs twice that day
)

// Run is one scheduled run. Flag and Note are set when daylight saving time
// moves or repeats the run's wall time.
type Run struct {
	At   time.Time
	Flag string
	Note i18n.Text
}

// Query asks for the next runs of an expression.
type Query struct {
	Location   *time.Location // the schedule's zone
	Now        time.Time
	Start, End time.Time // effective window; zero means unbounded
	Count      int       // 1…MaxRuns
}

// Next lists up to q.Count runs inside the effective window, from
// max(now, start). Instants strictly increase; a wall time repeated by a
// daylight-saving fall-back is returned once (flagged), and a wall time
// skipped by spring-forward is returned where the engine runs it (flagged).
// A window that holds no run is an error.
func (e *Expr) Next(q Query) ([]Run, error) {
	loc := q.Location
	if loc == nil {
		loc = time.UTC
	}
	count := min(max(q.Count, 1), MaxRuns)
	from := q.Now
	if q.Start.After(from) {
		from = q.Start
	}
	// The engine answers strictly after its argument; step back one second
	// so a run exactly at the window start counts.
	cursor := from.In(loc).Add(-time.Second)
	prev := cursor
	runs := make([]Run, 0, count)
	seen := make(map[[5]int]int, count) // wall clock → index in runs
	// Every engine answer either becomes a run or is a repeated wall time,
	// which happens at most once per run; so 4×count+8 answers always suffice.
	for range 4*count + 8 {
		if len(runs) == count {
			break
		}
		next := e.schedule.Next(cursor)
		if skipped, ok := e.skippedInGap(cursor, next, loc); ok {
			next = skipped
		}
		if next.IsZero() || !next.After(prev) || (!q.End.IsZero() && next.After(q.End)) {
			break
		}
		// Runs fall on whole minutes, so the next one is at least a minute
		// later: skip the engine's second-by-second walk (a 3× saving).
		prev, cursor = next, next.Add(59*time.Second)
		wall := wallClock(next)
		if i, dup := seen[wall]; dup {
			runs[i].Flag = FlagDSTOverlap
			runs[i].Note = i18n.Sprintf(
				"%s occurs twice on %s (clocks go back); it runs once, at the first (%s)",
				"%s 在 %s 出现两次（时钟回拨）；只运行一次，即第一次（%s）",
				next.Format("15:04"), next.Format("2006-01-02"), FormatOffset(runs[i].At))
			continue
		}
		seen[wall] = len(runs)
		run := Run{At: next}
		if !gocron.Matches(e.schedule, next) {
			run.Flag = FlagDSTGap
			run.Note = i18n.Sprintf(
				"the scheduled time does not exist on %s (clocks go forward); it runs at %s %s",
				"计划时间在 %s 不存在（时钟拨快）；将在 %s %s 运行",
				next.Format("2006-01-02"), next.Format("15:04"), FormatOffset(next))
		}
		runs = append(runs, run)
	}
	if len(runs) == 0 {
		return nil, &Error{Code: "window_empty", Field: "endTime", Text: e.text, Message: i18n.Sprintf(
			"%q has no run between %s and %s (%s)",
			"「%s」在 %s 至 %s（%s）之间没有任何运行",
			e.text, from.In(loc).Format(TimeLayout), endText(q.End, loc), loc.String())}
	}
	return runs, nil
}

// skippedInGap finds a run the engine skipped because its wall time fell
// into a spring-forward gap between after and before (go-cron moves a
// skipped time forward for whole-hour gaps but drops it for Lord Howe's
// 30-minute gap). It returns the earliest such wall time moved forward by
// the gap (02:30 → 03:30), so every gap is reported the same way.
func (e *Expr) skippedInGap(after, before time.Time, loc *time.Location) (time.Time, bool) {
	t := after
	for range 4 { // a few transitions at most between two runs a year apart
		_, end := t.ZoneBounds()
		if end.IsZero() || (!before.IsZero() && !end.Before(before)) {
			return time.Time{}, false
		}
		_, offBefore := end.Add(-time.Second).Zone()
		_, offAfter := end.Zone()
		if gap := time.Duration(offAfter-offBefore) * time.Second; gap > 0 {
			// Wall times [start, start+gap) do not exist on this day.
			start := end.In(time.FixedZone("", offBefore))
			for w := start; w.Before(start.Add(gap)); w = w.Add(time.Minute) {
				wall := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), 0, 0, time.UTC)
				if !gocron.Matches(e.schedule, wall) {
					continue
				}
				run := w.In(loc) // the wall time read with the old offset: moved forward by the gap
				if run.After(after) && (before.IsZero() || run.Before(before)) {
					return run, true
				}
			}
		}
		t = end
	}
	return time.Time{}, false
}

func endText(end time.Time, loc *time.Location) string {
	if end.IsZero() {
		return DefaultEnd
	}
	return end.In(loc).Format(TimeLayout)
}

func wallClock(t time.Time) [5]int {
	return [5]int{t.Year(), int(t.Month()), t.Day(), t.Hour(), t.Minute()}
}
