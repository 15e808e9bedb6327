// Reminders as a notification on this phone (web push). Only an enhancement: without JavaScript, on a
// browser without push, or where notifications are blocked, the plain message stays and e-mail and the
// calendar still work. The service worker (sw.js, registered by offline.js) shows the notification.
(function () {
  "use strict";
  var block = document.querySelector("[data-push]");
  if (!block) return;
  var supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window &&
    !!window.fetch;
  if (!supported) return;
  if (Notification.permission === "denied") {
    block.querySelector("[data-push-denied]").hidden = false;
    return;
  }
  var panel = block.querySelector("[data-push-panel]"), status = block.querySelector("[data-push-status]");
  var onButton = block.querySelector("[data-push-on]"), offButton = block.querySelector("[data-push-off]");
  block.querySelector("[data-push-none]").hidden = true;
  panel.hidden = false;

  function say(text) { status.textContent = text; }
  function showOn(on) { onButton.hidden = on; offButton.hidden = !on; }
  function keyBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) base64 += "=";
    var raw = atob(base64), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }
  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-Requested-With": "fetch",
                 "X-CSRFToken": block.querySelector("input[name=csrf_token]").value }
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) throw { message: data.message || block.dataset.msgFailed };
        return data;
      });
    });
  }
  // The service worker, or an error after 10 seconds (it never comes on a page served without https).
  function worker() {
    return Promise.race([navigator.serviceWorker.ready, new Promise(function (_, fail) {
      setTimeout(function () { fail({ message: block.dataset.msgFailed }); }, 10000);
    })]);
  }
  function fail(error) {
    onButton.disabled = offButton.disabled = false;
    say(error && error.message && !error.name ? error.message : block.dataset.msgFailed);
  }

  // On when this phone's subscription is one of this account's (the page lists their SHA-256): a phone
  // shared with another account keeps that account's notifications, and "uit" is not offered for them.
  function mine(subscription) {
    if (!subscription || !window.crypto || !crypto.subtle) return Promise.resolve(false);
    return crypto.subtle.digest("SHA-256", new TextEncoder().encode(subscription.endpoint)).then(function (hash) {
      var hex = Array.prototype.map.call(new Uint8Array(hash), function (b) { return ("0" + b.toString(16)).slice(-2); });
      return block.dataset.phones.split(" ").indexOf(hex.join("")) >= 0;
    });
  }
  worker().then(function (registration) { return registration.pushManager.getSubscription(); })
    .then(mine).then(showOn).catch(function () { showOn(false); });

  onButton.addEventListener("click", function () {
    onButton.disabled = true;
    say(block.dataset.msgBusy);
    Promise.resolve(Notification.requestPermission()).then(function (permission) {
      if (permission !== "granted") throw { message: block.dataset.msgDenied };
      return worker();
    }).then(function (registration) {
      return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(block.dataset.key) });
    }).then(function (subscription) {
      return post(block.dataset.onUrl, subscription.toJSON());
    }).then(function (data) {
      onButton.disabled = false;
      showOn(true);
      say(data.message);
    }).catch(fail);
  });

  offButton.addEventListener("click", function () {
    offButton.disabled = true;
    worker().then(function (registration) { return registration.pushManager.getSubscription(); })
      .then(function (subscription) {
        if (!subscription) return { message: block.dataset.msgOff };
        var endpoint = subscription.endpoint;
        return subscription.unsubscribe().then(function () { return post(block.dataset.offUrl, { endpoint: endpoint }); });
      }).then(function (data) {
        offButton.disabled = false;
        showOn(false);
        say(data.message);
      }).catch(fail);
  });
})();
