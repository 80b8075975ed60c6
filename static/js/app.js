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
