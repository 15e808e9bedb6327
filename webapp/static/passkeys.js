// Passkeys (WebAuthn): log in with a fingerprint, face or PIN, or add a passkey. Only an
// enhancement: without JavaScript, or on a browser without passkeys, the password still works and
// these parts of the page stay hidden.
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !navigator.credentials || !window.fetch) return;

  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) base64 += "=";
    var raw = atob(base64), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes.buffer;
  }
  function toText(buffer) {
    var bytes = new Uint8Array(buffer), raw = "";
    for (var i = 0; i < bytes.length; i++) raw += String.fromCharCode(bytes[i]);
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function withIds(list) {
    return (list || []).map(function (c) { return Object.assign({}, c, { id: toBytes(c.id) }); });
  }
  // The server's options (JSON, ids in base64url) as the browser wants them (ArrayBuffers).
  function creationOptions(o) {
    return Object.assign({}, o, {
      challenge: toBytes(o.challenge), user: Object.assign({}, o.user, { id: toBytes(o.user.id) }),
      excludeCredentials: withIds(o.excludeCredentials)
    });
  }
  function requestOptions(o) {
    return Object.assign({}, o, { challenge: toBytes(o.challenge), allowCredentials: withIds(o.allowCredentials) });
  }
  // The browser's answer as JSON for the server.
  function answer(credential) {
    var r = credential.response, response = { clientDataJSON: toText(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toText(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = toText(r.authenticatorData);
      response.signature = toText(r.signature);
      if (r.userHandle) response.userHandle = toText(r.userHandle);
    }
    return {
      id: credential.id, rawId: toText(credential.rawId), type: credential.type, response: response,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      authenticatorAttachment: credential.authenticatorAttachment || undefined
    };
  }
  function post(url, block, body) {
    var token = block.querySelector("input[name=csrf_token]").value;
    var headers = { "X-CSRFToken": token, "X-Requested-With": "fetch" };
    if (!(body instanceof FormData)) headers["Content-Type"] = "application/json";
    return fetch(url, { method: "POST", body: body instanceof FormData ? body : JSON.stringify(body),
                        credentials: "same-origin", headers: headers })
      .then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (data) {
          if (!res.ok) throw { message: data.message || block.dataset.msgFailed };
          return data;
        });
      });
  }

  document.querySelectorAll("[data-passkey]").forEach(function (block) {
    var status = block.querySelector("[data-passkey-status]");
    var button = block.querySelector("button:not(.read-aloud)");  // not the "Lees voor" button (readaloud.js)
    var adding = block.dataset.passkey === "add";
    var busy = false;
    function say(text) { status.textContent = text; }
    function fail(error) {
      busy = false;
      button.disabled = false;
      if (error && error.name === "NotAllowedError") say(block.dataset.msgCancelled);
      else if (error && error.name === "InvalidStateError") say(block.dataset.msgExists);
      else say((error && error.message && !error.name) ? error.message : block.dataset.msgFailed);
    }
    function start(event) {
      if (event) event.preventDefault();
      if (busy) return;
      busy = true;
      button.disabled = true;
      say(block.dataset.msgBusy);
      var options = adding ? post(block.getAttribute("action"), block, new FormData(block))
                           : post(block.dataset.optionsUrl, block, {});
      options.then(function (o) {
        return adding ? navigator.credentials.create({ publicKey: creationOptions(o) })
                      : navigator.credentials.get({ publicKey: requestOptions(o) });
      }).then(function (credential) {
        return post(block.dataset.verifyUrl, block, answer(credential));
      }).then(function (result) {
        window.location.assign(result.redirect);
      }).catch(fail);
    }
    block.hidden = false;
    if (adding) block.addEventListener("submit", start);
    else button.addEventListener("click", start);
  });
  document.querySelectorAll("[data-passkey-unsupported]").forEach(function (note) { note.hidden = true; });
})();
