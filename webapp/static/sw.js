// Veerkracht's service worker, written by hand: it keeps the offline visit page and the files it
// needs, so a prepared visit opens without network. It keeps no answers (those are in IndexedDB,
// encrypted) and no page with a name on it. Kept files: network first, the kept copy when offline.
"use strict";
var CACHE = "veerkracht-offline-1";
var SHELL = "/bezoek-zonder-internet";
var FILES = [SHELL, "/static/app.css", "/static/offline.js", "/static/favicon.svg",
  "/static/icons/veerkracht-192.png", "/manifest.webmanifest"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(FILES);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) {
      return caches.delete(n);
    }));
  }).then(function () { return self.clients.claim(); }));
});

function fromNetwork(request, keep) {
  // Slow Wi-Fi at the kitchen table: after 6 seconds the kept copy is better than waiting.
  var timeout = new Promise(function (_, fail) { setTimeout(fail, 6000); });
  return Promise.race([fetch(request), timeout]).then(function (response) {
    if (keep && response.ok && response.type === "basic") {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(keep, copy); });
    }
    return response;
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (FILES.indexOf(url.pathname) >= 0) {
    event.respondWith(fromNetwork(request, url.pathname).catch(function () {
      return caches.match(url.pathname);
    }));
  } else if (request.mode === "navigate") {
    // Any other page without network: the visit page, which says what waits and what can be done.
    event.respondWith(fetch(request).catch(function () { return caches.match(SHELL); }));
  }
});
