// Progressive enhancement only: every step also works without JavaScript.
(function () {
  "use strict";
  // Save each answer as soon as it is chosen, so a locked phone or lost tab loses nothing.
  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    var status = form.querySelector("[data-autosave-status]");
    // getAttribute: form.action is shadowed by the buttons named "action".
    var url = form.getAttribute("action") || window.location.href;
    var timer = null;
    var waiting = false;  // a change not sent yet
    function payload() {
      var data = new FormData(form);
      data.set("action", "autosave");
      return data;
    }
    function save() {
      clearTimeout(timer);
      waiting = false;
      return fetch(url, {
        method: "POST", body: payload(), credentials: "same-origin", redirect: "manual",
        headers: { "X-Requested-With": "fetch" }
      }).then(function (response) {
        // Only 204 means saved; a redirect (logged out, already sent) is not a save.
        if (status) status.textContent = response.status === 204 ? status.dataset.saved : status.dataset.offline;
      }).catch(function () {
        if (status) status.textContent = status.dataset.offline || "";
      });
    }
    function later(ms) {
      clearTimeout(timer);
      waiting = true;
      timer = setTimeout(save, ms);
    }
    form.addEventListener("change", function () { later(300); });
    // Typed text (the plan, the coach's notes): saved as a draft a moment after typing stops.
    form.addEventListener("input", function (event) {
      if (event.target.tagName === "TEXTAREA" || event.target.type === "text") later(1200);
    });
    // Another form on the page ("Dit wil ik proberen") or a link leaves the page: what was just
    // chosen or typed here is saved first, so it is not lost (the next page shows it). At most two
    // seconds: on a slow network the tap must not seem dead. A second tap meanwhile does nothing.
    var leaving = null;
    var released = false;  // the saved-first submit itself, sent again: let it go
    function saveThen(go) {
      if (!leaving) {
        var pause = new Promise(function (done) { setTimeout(done, 2000); });
        leaving = Promise.race([save(), pause]).then(go);
      }
    }
    form.addEventListener("submit", function () { clearTimeout(timer); waiting = false; });  // sends it all
    document.addEventListener("submit", function (event) {
      var other = event.target;
      if (released || other === form || !(waiting || leaving) || !other.requestSubmit) return;  // old: the beacon
      event.preventDefault();
      event.stopImmediatePropagation();
      var button = event.submitter;
      saveThen(function () { released = true; other.requestSubmit(button || undefined); });
    }, true);
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[href]");
      if (!(waiting || leaving) || !link || event.defaultPrevented || event.button || event.ctrlKey ||
          event.metaKey || event.shiftKey || link.target || link.hasAttribute("download") ||
          (link.pathname === window.location.pathname && link.search === window.location.search)) return;
      event.preventDefault();
      saveThen(function () { window.location.href = link.href; });
    });
    // The back button or closing the tab: sent on the way out. Best effort only: a browser may drop
    // it (Chromium does at times while the service worker is asleep); the pause before saving is short.
    window.addEventListener("pagehide", function () {
      if (waiting && navigator.sendBeacon) navigator.sendBeacon(url, payload());
    });
  });
  // Stop a second tap on a final button from sending the form twice (the server also guards).
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) {
        setTimeout(function () { b.disabled = true; }, 0);
      });
    });
  });
  // A form that comes back to its own section (#plan, #proberen) says "saved" there: at the top of a
  // long page, where the message stands without JavaScript, nobody saw it.
  var section = null;
  try { section = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1))); }
  catch (e) { /* a malformed #%E0: no section */ }
  var at = section && section.querySelector("h2");
  if (at) {
    document.querySelectorAll("main > .flash").forEach(function (flash) { at.after(flash); at = flash; });
  }
  // After a failed submit, the error summary takes the focus (autofocus does this too where supported).
  var summary = document.querySelector(".error-summary[tabindex]");
  if (summary && document.activeElement === document.body) summary.focus();
})();
