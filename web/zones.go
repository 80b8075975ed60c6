package web

// commonZones are offered in the page itself; app.js adds every zone the
// browser knows (Intl.supportedValuesOf) to the search. Any valid IANA name
// can be typed either way.
var commonZones = []string{"Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Tokyo", "Asia/Seoul",
	"Asia/Kolkata", "Asia/Dubai", "Asia/Riyadh", "Asia/Jakarta", "Asia/Kuala_Lumpur", "Asia/Manila", "Asia/Bangkok",
	"Europe/London", "Europe/Berlin", "Europe/Paris", "Europe/Madrid", "Europe/Moscow", "America/New_York",
	"America/Chicago", "America/Denver", "America/Los_Angeles", "America/Sao_Paulo", "America/Mexico_City",
	"Australia/Sydney", "Australia/Perth", "Pacific/Auckland", "UTC"}
