// FlowForm's own script: small conveniences on top of htmx. Everything works
// without it.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // The viewer's own time zone, for the "your time" column of next runs.
  // On a first visit the page was drawn without it: redraw the live parts.
  function fillViewerZone() {
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (err) { zone = ""; }
    var filled = false;
    document.querySelectorAll('input[name="viewer_tz"]').forEach(function (input) {
      if (!input.value && zone) { input.value = zone; filled = true; }
    });
    // Remembered so the first render of the next page shows "your time" too.
    if (zone && document.cookie.indexOf("ff_tz=" + encodeURIComponent(zone)) < 0) {
      document.cookie = "ff_tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax";
    }
    // Only the next-runs panel shows the zone: redraw when it is open, else
    // when it is first opened (every live update sends the zone meanwhile),
    // so a first load costs no extra request.
    if (filled) { refreshPending = true; refreshRuns(); }
  }
  var refreshPending = false;
  function refreshRuns() {
    var live = document.getElementById("sec-workflow");
    var runs = document.querySelector("details.runs-panel");
    if (!refreshPending || !live || !runs || !runs.open) { return; }
    refreshPending = false;
    live.dispatchEvent(new Event("ff-refresh"));
  }
  document.addEventListener("toggle", function (e) {
    if (e.target.matches && e.target.matches("details.runs-panel")) { refreshRuns(); }
  }, true);
  document.addEventListener("htmx:beforeRequest", function (e) {
    var path = (e.detail && e.detail.requestConfig && e.detail.requestConfig.path) || "";
    if (/\/preview$/.test(path)) { refreshPending = false; } // a preview redraws the runs too
  });

  // The input last edited, so the server knows what changed.
  function noteChange(e) {
    var changed = document.getElementById("changed");
    if (changed && e.target && e.target.name) { changed.value = e.target.name; }
  }
  document.addEventListener("input", noteChange, true);
  document.addEventListener("change", noteChange, true);

  // A redrawn part of the form keeps the caret where the user was typing:
  // only when the swap took the focused element away, never moving focus
  // the user has since moved elsewhere.
  var focused = null;
  function remember() {
    var el = document.activeElement;
    if (el && el.id && el !== document.body) {
      focused = { el: el, id: el.id, start: el.selectionStart, end: el.selectionEnd };
    }
  }
  function restore() {
    var f = focused;
    focused = null;
    if (!f || document.contains(f.el)) { return; }
    var active = document.activeElement;
    if (active && active !== document.body) { return; }
    var el = document.getElementById(f.id);
    if (!el) { return; }
    el.focus();
    try { if (f.start != null) { el.setSelectionRange(f.start, f.end); } } catch (err) { /* not a text input */ }
  }
  document.addEventListener("htmx:beforeSwap", remember);
  document.addEventListener("htmx:oobBeforeSwap", remember);
  document.addEventListener("htmx:afterSettle", restore);

  // Panels remember whether they were open (FlowSpec JSON, next runs).
  function rememberPanels() {
    document.querySelectorAll("details[data-remember]").forEach(function (d) {
      var key = "ff-open-" + d.getAttribute("data-remember");
      try { if (localStorage.getItem(key) === "1") { d.open = true; } } catch (err) { return; }
      d.addEventListener("toggle", function () {
        try { localStorage.setItem(key, d.open ? "1" : "0"); } catch (err) { /* private mode */ }
      });
    });
  }

  // Theme: auto → light → dark, remembered in a cookie the server reads, so
  // the next page is drawn in it without a flash.
  document.addEventListener("click", function (e) {
    var button = e.target.closest("#theme-toggle");
    if (!button) { return; }
    var order = ["", "light", "dark"];
    var labels = (button.getAttribute("data-theme-labels") || "").split("|");
    var now = document.documentElement.getAttribute("data-theme") || "";
    var next = order[(order.indexOf(now) + 1) % order.length];
    if (next) { document.documentElement.setAttribute("data-theme", next); } else { document.documentElement.removeAttribute("data-theme"); }
    document.cookie = "ff_theme=" + next + "; path=/; max-age=" + (next ? 31536000 : 0) + "; samesite=lax";
    if (labels.length === 3) { button.textContent = labels[order.indexOf(next)]; }
  });

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
  document.addEventListener("DOMContentLoaded", function () { rememberPanels(); fillViewerZone(); });
})();
// The time-zone search offers every zone the browser knows, with its offset
// (again after the schedule is redrawn).
function ffFillZones() {
  var list = document.getElementById("zones");
  if (!list || !Intl.supportedValuesOf || list.getAttribute("data-filled")) { return; }
  list.setAttribute("data-filled", "1");
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
}
document.addEventListener("DOMContentLoaded", ffFillZones);
document.addEventListener("htmx:afterSettle", ffFillZones);
// An input's invalid state follows its error slot when only the slot was
// redrawn.
document.addEventListener("htmx:afterSettle", function () {
  document.querySelectorAll(".field-error[id]").forEach(function (slot) {
    var bad = !!slot.querySelector(".error");
    document.querySelectorAll('[aria-describedby~="' + slot.id + '"]').forEach(function (input) {
      if (bad) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
      var field = input.closest(".field");
      if (field) { field.classList.toggle("invalid", bad); }
    });
  });
});
// Removing a row changes the form without an input event: save it too,
// once the redrawn rows are in place (the button itself is gone by then).
var ffSaveAfterSwap = false;
document.addEventListener("htmx:beforeRequest", function (e) {
  var elt = e.detail && e.detail.elt;
  if (elt && elt.name && elt.name.indexOf("remove_") === 0) { ffSaveAfterSwap = true; }
});
document.addEventListener("htmx:afterSettle", function () {
  var form = document.getElementById("editor");
  if (ffSaveAfterSwap && form) { ffSaveAfterSwap = false; form.dispatchEvent(new Event("change")); }
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
// Popovers (Share, More): one open at a time; Escape or a click elsewhere
// closes them.
document.addEventListener("toggle", function (e) {
  var d = e.target;
  if (!d.matches || !d.matches("details.share") || !d.open) { return; }
  document.querySelectorAll("details.share[open]").forEach(function (other) { if (other !== d) { other.open = false; } });
}, true);
document.addEventListener("keydown", function (e) {
  if (e.key !== "Escape") { return; }
  document.querySelectorAll("details.share[open]").forEach(function (d) { d.open = false; d.querySelector("summary").focus(); });
});
document.addEventListener("click", function (e) {
  document.querySelectorAll("details.share[open]").forEach(function (d) { if (!d.contains(e.target)) { d.open = false; } });
});
// An edit still waiting for autosave is sent as the page goes away, so
// leaving quickly loses nothing.
(function () {
  var form = document.getElementById("editor");
  var autosave = form && form.querySelector("[hx-post$='/autosave']");
  if (!autosave || !navigator.sendBeacon) { return; }
  var pending = false;
  form.addEventListener("input", function () { pending = true; });
  form.addEventListener("change", function () { pending = true; });
  document.addEventListener("htmx:beforeRequest", function (e) { if (e.detail.elt === autosave) { pending = false; } });
  function flush() {
    if (!pending) { return; }
    pending = false;
    navigator.sendBeacon(autosave.getAttribute("hx-post"), new URLSearchParams(new FormData(form)));
  }
  // A link to another part of this draft (a node's form, the history)
  // saves first, so the next page loads the version with the edit and its
  // own saves do not conflict with this one.
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a[href]");
    if (!pending || !link || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) { return; }
    var href = link.getAttribute("href") || "";
    if (href.indexOf(form.getAttribute("action")) !== 0 || href.indexOf("/spec.json") > 0) { return; }
    e.preventDefault();
    pending = false;
    fetch(autosave.getAttribute("hx-post"), { method: "POST", body: new URLSearchParams(new FormData(form)), headers: { "HX-Request": "true" } })
      .finally(function () { location.href = new URL(href, location.href).href; });
  });
  window.addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") { flush(); } });
})();
// Nodes: the list filters as you type, and again after it is redrawn.
function ffFilterNodes() {
  var box = document.getElementById("node-search");
  if (!box) { return; }
  var q = box.value.trim().toLowerCase();
  document.querySelectorAll("#node-list li").forEach(function (li) {
    li.hidden = q !== "" && li.getAttribute("data-search").indexOf(q) < 0;
  });
}
document.addEventListener("input", function (e) { if (e.target.id === "node-search") { ffFilterNodes(); } });
document.addEventListener("htmx:afterSettle", ffFilterNodes);
// The delivery plan is drawn only while its panel is open: opening it asks
// for it.
document.addEventListener("toggle", function (e) {
  var d = e.target;
  if (d.id !== "plan") { return; }
  var flag = document.getElementById("plan-open");
  var want = d.open ? "1" : "";
  if (!flag || flag.value === want) { return; }
  flag.value = want;
  var live = document.getElementById("sec-workflow");
  if (want && live) { live.dispatchEvent(new Event("ff-refresh")); }
}, true);
// The code editor: line numbers beside the text, Tab indents (Esc, then
// Tab, leaves the editor, so keyboard users are never trapped).
(function () {
  function number(area) {
    var gutter = area.parentNode.querySelector(".gutter");
    if (!gutter) { return; }
    var lines = area.value.split("\n").length, text = "";
    for (var i = 1; i <= lines; i++) { text += i + "\n"; }
    if (gutter.textContent !== text) { gutter.textContent = text; }
    gutter.scrollTop = area.scrollTop;
  }
  function all() { document.querySelectorAll("textarea[data-code]").forEach(number); }
  var escaped = null;
  document.addEventListener("input", function (e) { if (e.target.matches && e.target.matches("textarea[data-code]")) { number(e.target); } });
  document.addEventListener("scroll", function (e) { if (e.target.matches && e.target.matches("textarea[data-code]")) { number(e.target); } }, true);
  document.addEventListener("keydown", function (e) {
    var area = e.target;
    if (!area.matches || !area.matches("textarea[data-code]")) { return; }
    if (e.key === "Escape") { escaped = area; return; }
    if (e.key !== "Tab" || e.shiftKey || e.ctrlKey || e.altKey || e.metaKey || escaped === area) { escaped = null; return; }
    e.preventDefault();
    area.setRangeText("\t", area.selectionStart, area.selectionEnd, "end");
    area.dispatchEvent(new Event("input", { bubbles: true }));
  });
  document.addEventListener("DOMContentLoaded", all);
  document.addEventListener("htmx:afterSettle", all);
})();
// Enter in the new node's name adds it: the form's implicit submission
// (its hidden default Save button) becomes Add node.
document.addEventListener("submit", function (e) {
  var add = document.querySelector('[data-testid="node-add"]');
  if (!add || e.submitter === add || !document.activeElement || document.activeElement.id !== "new_name") { return; }
  e.preventDefault();
  setTimeout(function () { add.click(); }, 0); // not while this submission is under way
}, true);
// The picture opens at the node being edited: on a phone the graph is
// wider than the screen.
function ffShowSelectedNode() {
  document.querySelectorAll(".dag-scroll").forEach(function (box) {
    var sel = box.querySelector(".dag-selected") || box.querySelector(".dag-node");
    if (!sel || box.scrollWidth <= box.clientWidth && box.scrollHeight <= box.clientHeight) { return; }
    var b = box.getBoundingClientRect(), r = sel.getBoundingClientRect();
    box.scrollLeft += (r.left + r.width / 2) - (b.left + b.width / 2);
    box.scrollTop += (r.top + r.height / 2) - (b.top + b.height / 2);
  });
}
document.addEventListener("DOMContentLoaded", ffShowSelectedNode);
// The submit page: a choice that changes the plan (create another
// workflow, delete removed nodes) redraws the page with it, so the steps,
// the summary and the request kit show what will be sent. Without
// JavaScript the choice is still posted with the form.
document.addEventListener("change", function (e) {
  var input = e.target.closest("[data-replan]");
  if (!input) { return; }
  var form = input.form, url = new URL(location.href);
  url.searchParams.delete("new");
  url.searchParams.delete("delete_removed");
  var op = form.querySelector('input[name="operation"]:checked');
  if (op && op.value === "new") { url.searchParams.set("new", "1"); }
  var del = form.querySelector('input[name="delete_removed"]');
  if (del && del.checked) { url.searchParams.set("delete_removed", "1"); }
  location.replace(url.toString());
});
