package web

import (
	"strings"
	"time"

	"github.com/flowform/flowform/internal/cron"
)

// commonZones are offered in the page itself; app.js adds every zone the
// browser knows (Intl.supportedValuesOf) to the search. Any valid IANA name
// can be typed either way.
var commonZones = []string{"Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Tokyo", "Asia/Seoul",
	"Asia/Kolkata", "Asia/Dubai", "Asia/Riyadh", "Asia/Jakarta", "Asia/Kuala_Lumpur", "Asia/Manila", "Asia/Bangkok",
	"Europe/London", "Europe/Berlin", "Europe/Paris", "Europe/Madrid", "Europe/Moscow", "America/New_York",
	"America/Chicago", "America/Denver", "America/Los_Angeles", "America/Sao_Paulo", "America/Mexico_City",
	"Australia/Sydney", "Australia/Perth", "Pacific/Auckland", "UTC"}

// regionZones is the time zone workspaces in a region usually use.
var regionZones = map[string]string{
	"cn-hongkong": "Asia/Hong_Kong", "ap-southeast-1": "Asia/Singapore", "ap-southeast-2": "Australia/Sydney",
	"ap-southeast-3": "Asia/Kuala_Lumpur", "ap-southeast-5": "Asia/Jakarta", "ap-southeast-6": "Asia/Manila",
	"ap-southeast-7": "Asia/Bangkok", "ap-northeast-1": "Asia/Tokyo", "ap-northeast-2": "Asia/Seoul",
	"ap-south-1": "Asia/Kolkata", "eu-central-1": "Europe/Berlin", "eu-west-1": "Europe/London",
	"us-west-1": "America/Los_Angeles", "us-east-1": "America/New_York", "me-east-1": "Asia/Dubai",
	"me-central-1": "Asia/Riyadh",
}

// zoneWarning names the zone a region's workspaces usually use when the
// schedule's zone shows a different time now, or "" when they agree (or the
// region is unknown).
func zoneWarning(region, zone string, loc *time.Location, now time.Time) string {
	usual, ok := regionZones[region]
	if !ok && strings.HasPrefix(region, "cn-") {
		usual, ok = "Asia/Shanghai", true
	}
	if !ok || usual == zone {
		return ""
	}
	ul, err := time.LoadLocation(usual)
	if err != nil || sameClock(ul, loc, now) {
		return ""
	}
	return usual + " (UTC" + cron.FormatOffset(now.In(ul)) + ")"
}
