// The dashboard's live behaviour, served inline with the page (no framework, no build step):
// poll the cheap state endpoint, swap in the fresh page when the state version changes,
// and drive the clock buttons through the server's clock endpoint (same origin).
(function () {
  "use strict";
  var body = document.body;
  var stateUrl = body.dataset.stateUrl;
  var clockUrl = body.dataset.clockUrl;
  var pollMs = parseInt(body.dataset.pollMs, 10) || 1000;
  var clock = document.getElementById("clock");
  var liveStatus = document.getElementById("live-status");
  var clockStatus = document.getElementById("clock-status");

  function live() { return document.getElementById("live"); }

  function setLive(ok) {
    liveStatus.textContent = ok ? "live" : "offline";
    liveStatus.classList.toggle("offline", !ok);
  }

  function showClock(text, iso) {
    clock.textContent = text;
    clock.setAttribute("datetime", iso);
  }

  // Fetch this same URL again and put its live part in place of ours, keeping open <details> open.
  async function refresh() {
    var response = await fetch(location.href, {cache: "no-store", credentials: "same-origin"});
    if (!response.ok) { throw new Error("page answered " + response.status); }
    var doc = new DOMParser().parseFromString(await response.text(), "text/html");
    var fresh = doc.getElementById("live");
    var old = live();
    if (!fresh || !old) { return; }
    var open = new Set(Array.prototype.map.call(old.querySelectorAll("details[open][data-key]"),
      function (d) { return d.dataset.key; }));
    fresh.querySelectorAll("details[data-key]").forEach(function (d) {
      if (open.has(d.dataset.key)) { d.setAttribute("open", ""); }
    });
    old.replaceWith(document.adoptNode(fresh));
    var freshClock = doc.getElementById("clock");
    if (freshClock) { showClock(freshClock.textContent, freshClock.getAttribute("datetime")); }
  }

  async function poll() {
    try {
      var response = await fetch(stateUrl, {cache: "no-store", credentials: "same-origin"});
      if (!response.ok) { throw new Error("state answered " + response.status); }
      var state = await response.json();
      showClock(state.nowText, state.now);
      if (state.version !== live().dataset.version) { await refresh(); }
      setLive(true);
    } catch (error) {
      setLive(false);
    } finally {
      window.setTimeout(poll, pollMs);
    }
  }

  var buttons = document.querySelectorAll(".clock-button");
  buttons.forEach(function (button) {
    button.addEventListener("click", async function () {
      var payload = button.dataset.reset ? {reset: true} : {advance: Number(button.dataset.advance)};
      buttons.forEach(function (b) { b.disabled = true; });
      clockStatus.textContent = "";
      try {
        var response = await fetch(clockUrl, {
          method: "POST", credentials: "same-origin", cache: "no-store",
          headers: {"Content-Type": "application/json"}, body: JSON.stringify(payload)
        });
        if (!response.ok) {
          var refusal = await response.json().catch(function () { return {}; });
          clockStatus.textContent = refusal.message || ("The clock refused: HTTP " + response.status);
          return;
        }
        await refresh();
      } catch (error) {
        clockStatus.textContent = "The clock could not be reached.";
      } finally {
        buttons.forEach(function (b) { b.disabled = false; });
      }
    });
  });

  window.setTimeout(poll, pollMs);
}());
