package cron

import (
	"fmt"
	"regexp"
	"strconv"
	"sync"
	"time"
	_ "time/tzdata" // zones must resolve on machines without a zoneinfo database

	"github.com/flowform/flowform/internal/i18n"
)

// TimeLayout is FlowSpec's format for startTime and endTime.
const TimeLayout = "2006-01-02 15:04:05"

// Default effective window and zone, as DataWorks writes them.
const (
	DefaultStart    = "1970-01-01 00:00:00"
	DefaultEnd      = "9999-01-01 00:00:00"
	DefaultTimezone = "Asia/Shanghai"
)

// gmtOffset matches the Java ZoneId offsets DataWorks itself writes
// ("GMT+8"), where the sign means what it says (unlike Etc/GMT+8).
var gmtOffset = regexp.MustCompile(`^(?:GMT|UTC)([+-])(\d{1,2})(?::?(\d{2}))?$`)

// zones caches loaded IANA zones: time.LoadLocation parses the zone data on
// every call, which was 10% of a validation.
var zones sync.Map

// LoadZone resolves an IANA zone name, or a GMT±h[:mm] offset as found in
// real DataWorks output. offset reports whether the name was an offset rather
// than an IANA zone (offsets know no daylight saving time).
func LoadZone(name string) (loc *time.Location, offset bool, err error) {
	if m := gmtOffset.FindStringSubmatch(name); m != nil {
		h, _ := strconv.Atoi(m[2])
		mm := 0
		if m[3] != "" {
			mm, _ = strconv.Atoi(m[3])
		}
		secs := h*3600 + mm*60
		if h > 14 || mm > 59 {
			return nil, false, zoneError(name)
		}
		if m[1] == "-" {
			secs = -secs
		}
		return time.FixedZone(name, secs), true, nil
	}
	if name == "" || name == "Local" {
		return nil, false, zoneError(name)
	}
	if cached, ok := zones.Load(name); ok {
		return cached.(*time.Location), false, nil
	}
	loc, err = time.LoadLocation(name)
	if err != nil {
		return nil, false, zoneError(name)
	}
	zones.Store(name, loc) // only real zones are stored, so the cache stays small
	return loc, false, nil
}

func zoneError(name string) *Error {
	return &Error{Code: "timezone", Field: "timezone", Text: name, Message: i18n.Sprintf(
		"timezone: %q is not a time zone; use an IANA name such as Asia/Shanghai or Europe/London",
		"时区：「%s」不是有效时区；请使用 IANA 名称，例如 Asia/Shanghai 或 Europe/London", name)}
}

// ParseLocalTime reads a FlowSpec time (yyyy-MM-dd HH:mm:ss) as a wall time
// in loc. field names the FlowSpec field for the error message.
func ParseLocalTime(field, s string, loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation(TimeLayout, s, loc)
	if err != nil {
		return time.Time{}, &Error{Code: "time_format", Field: field, Text: s, Message: i18n.Sprintf(
			"%s: %q is not a time in the form yyyy-MM-dd HH:mm:ss, e.g. 2026-01-01 00:00:00",
			"%s：「%s」不是 yyyy-MM-dd HH:mm:ss 格式的时间，例如 2026-01-01 00:00:00", field, s)}
	}
	return t, nil
}

// ParseWindow reads an effective window. Empty strings mean the DataWorks
// defaults (1970-01-01 00:00:00 … 9999-01-01 00:00:00).
func ParseWindow(start, end string, loc *time.Location) (from, to time.Time, err error) {
	if start == "" {
		start = DefaultStart
	}
	if end == "" {
		end = DefaultEnd
	}
	if from, err = ParseLocalTime("startTime", start, loc); err != nil {
		return from, to, err
	}
	if to, err = ParseLocalTime("endTime", end, loc); err != nil {
		return from, to, err
	}
	if !from.Before(to) {
		return from, to, &Error{Code: "window_order", Field: "endTime", Text: end, Message: i18n.Sprintf(
			"endTime: %s is not after startTime %s", "endTime：%s 不晚于 startTime %s", end, start)}
	}
	return from, to, nil
}

// FormatOffset writes a zone offset as UTC±hh:mm.
func FormatOffset(t time.Time) string {
	_, off := t.Zone()
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("UTC%c%02d:%02d", sign, off/3600, off%3600/60)
}
