// Progressive enhancement only: every step also works without JavaScript.
(function () {
  "use strict";
  // Save each answer as soon as it is chosen, so a locked phone or lost tab loses nothing.
  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    var status = form.querySelector("[data-autosave-status]");
    var timer = null;
    function save() {
      var data = new FormData(form);
      data.set("action", "autosave");
      // getAttribute: form.action is shadowed by the buttons named "action".
      fetch(form.getAttribute("action") || window.location.href, {
        method: "POST", body: data, credentials: "same-origin", redirect: "manual",
        headers: { "X-Requested-With": "fetch" }
      }).then(function (response) {
        // Only 204 means saved; a redirect (logged out, already sent) is not a save.
        if (status) status.textContent = response.status === 204 ? status.dataset.saved : status.dataset.offline;
      }).catch(function () {
        if (status) status.textContent = status.dataset.offline || "";
      });
    }
    form.addEventListener("change", function () {
      clearTimeout(timer);
      timer = setTimeout(save, 300);
    });
    // Typed text (the plan, the coach's notes): saved as a draft a moment after typing stops.
    form.addEventListener("input", function (event) {
      if (event.target.tagName !== "TEXTAREA" && event.target.type !== "text") return;
      clearTimeout(timer);
      timer = setTimeout(save, 1200);
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
  // After a failed submit, the error summary takes the focus (autofocus does this too where supported).
  var summary = document.querySelector(".error-summary[tabindex]");
  if (summary && document.activeElement === document.body) summary.focus();
})();
