// Live permit page: on each server-sent event, swap in the freshly rendered timeline.
// The page works without this script; it only saves the reader a reload.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live || !window.EventSource || !window.fetch) { return; }
  var number = live.getAttribute("data-number");
  var zone = live.getAttribute("data-zone") || undefined;
  var status = document.getElementById("live-status");
  // The log index of the newest change this page shows: the stream replays anything later,
  // so a change made between the render and the connection is not missed.
  var shown = live.getAttribute("data-after-index");
  var source = new EventSource("/api/permits/" + encodeURIComponent(number) + "/stream" +
                               (/^\d+$/.test(shown || "") ? "?after_index=" + shown : ""));
  var latest = 0;  // two changes in a row: only the newest answer may be shown
  var dropped = false;
  function say(text) { if (status) { status.textContent = text; } }
  // The page passes its messages in the reader's language (data-msg-* on #live, written by
  // the template with gettext); these English ones are the fallback.
  function msg(name, fallback) { return live.getAttribute("data-msg-" + name) || fallback; }
  var lang = document.documentElement.getAttribute("lang") || "en-GB";
  function now() {
    try {
      return new Date().toLocaleTimeString(lang === "en" ? "en-GB" : lang,
                                         { timeZone: zone, hour12: false });
    } catch (e) {  // an unknown zone in an old browser: the reader's own clock
      return new Date().toLocaleTimeString();
    }
  }
  function refresh() {
    var mine = ++latest;
    fetch("/permits/" + encodeURIComponent(number) + "/timeline", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        if (mine !== latest) { return; }
        live.innerHTML = html;
        say(msg("updated", "Updated at {time}.").replace("{time}", now()));
      })
      .catch(function () { if (mine === latest) { say(msg("stale", "Reload to see the latest.")); } });
  }
  say(msg("live", "This page updates itself when the application changes."));
  source.addEventListener("change", refresh);
  source.onopen = function () {
    live.setAttribute("data-live", "connected");
    // Back after an outage: what changed meanwhile may not be replayed, so fetch it.
    if (dropped) { dropped = false; refresh(); }
  };
  source.onerror = function () {
    dropped = true;
    live.setAttribute("data-live", "reconnecting");
  };
}());
