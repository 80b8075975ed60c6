// FlowForm's own script: small conveniences on top of htmx. Everything works
// without it.
(function () {
  "use strict";
  // htmx requests carry the CSRF token from the page's meta tag.
  document.addEventListener("htmx:configRequest", function (e) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { e.detail.headers["X-CSRF-Token"] = meta.content; }
  });
  // The viewer's own time zone, for the "your time" column of next runs.
  function fillViewerZone() {
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (err) { zone = ""; }
    document.querySelectorAll('input[name="viewer_tz"]').forEach(function (input) {
      if (!input.value) { input.value = zone; }
    });
    // Remembered so the first render of the next page shows "your time" too.
    if (zone && document.cookie.indexOf("ff_tz=" + encodeURIComponent(zone)) < 0) {
      document.cookie = "ff_tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax";
    }
  }
  // Copy buttons copy the text of the element they name.
  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-copy]");
    if (!button) { return; }
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) { return; }
    var text = source.value !== undefined && source.tagName !== "PRE" ? source.value : source.textContent;
    navigator.clipboard.writeText(text).then(function () {
      var done = button.getAttribute("data-copied");
      if (done) { var old = button.textContent; button.textContent = done; setTimeout(function () { button.textContent = old; }, 1500); }
    });
  });
  document.addEventListener("DOMContentLoaded", fillViewerZone);
  document.addEventListener("htmx:afterSettle", fillViewerZone);
})();
// The time-zone search offers every zone the browser knows, with its offset.
document.addEventListener("DOMContentLoaded", function () {
  var list = document.getElementById("zones");
  if (!list || !Intl.supportedValuesOf) { return; }
  var have = {};
  list.querySelectorAll("option").forEach(function (o) { have[o.value] = true; });
  var now = new Date();
  Intl.supportedValuesOf("timeZone").forEach(function (zone) {
    if (have[zone]) { return; }
    var option = document.createElement("option");
    option.value = zone;
    try {
      var part = new Intl.DateTimeFormat("en", { timeZone: zone, timeZoneName: "shortOffset" }).formatToParts(now)
        .find(function (p) { return p.type === "timeZoneName"; });
      option.textContent = part ? part.value.replace("GMT", "UTC") : "";
    } catch (err) { option.textContent = ""; }
    list.appendChild(option);
  });
});

// home: the drafts list filters as you type (the form's GET does the same
// without JavaScript).
document.addEventListener("DOMContentLoaded", function () {
  var box = document.querySelector("input[data-filter-rows]");
  if (!box) return;
  var rows = document.querySelectorAll(box.getAttribute("data-filter-rows") + " tr");
  var empty = document.getElementById("draft-filter-empty");
  box.addEventListener("input", function () {
    var q = box.value.trim().toLowerCase(), shown = 0;
    rows.forEach(function (r) {
      var hit = r.getAttribute("data-search").indexOf(q) >= 0;
      r.hidden = !hit;
      if (hit) shown++;
    });
    if (empty) empty.hidden = shown > 0;
  });
});
