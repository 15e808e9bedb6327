// Veerkracht's service worker, by hand: keeps the offline visit page and its files (network first,
// the kept copy without network). No answers (IndexedDB, encrypted), no page with a name on it.
"use strict";
const CACHE = "veerkracht-offline-1";
const SHELL = "/bezoek-zonder-internet";
const FILES = [SHELL, "/static/app.css", "/static/offline.js", "/static/favicon.svg",
  "/static/icons/veerkracht-192.png", "/manifest.webmanifest"];

self.addEventListener("install", event => {
  event.waitUntil(caches.open(CACHE).then(cache => cache.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", event => {
  event.waitUntil(caches.keys()
    .then(names => Promise.all(names.filter(n => n !== CACHE).map(n => caches.delete(n))))
    .then(() => self.clients.claim()));
});

// Slow Wi-Fi at the kitchen table: after 6 seconds the kept copy is better than waiting.
const fromNetwork = (request, keep) => Promise.race([
  fetch(request), new Promise((_, fail) => setTimeout(fail, 6000)),
]).then(response => {
  if (keep && response.ok && response.type === "basic") {
    const copy = response.clone();
    caches.open(CACHE).then(cache => cache.put(keep, copy));
  }
  return response;
});

self.addEventListener("fetch", event => {
  const request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (FILES.includes(url.pathname)) {
    event.respondWith(fromNetwork(request, url.pathname).catch(() => caches.match(url.pathname)));
  } else if (request.mode === "navigate") {
    // Any other page without network: the visit page, which says what waits and what can be done.
    event.respondWith(fetch(request).catch(() => caches.match(SHELL)));
  }
});

importScripts("/static/sw-push.js");
