// Veerkracht's service worker: see webapp/offline/__init__.py.
"use strict";
const CACHE = "veerkracht-offline-1";
const SHELL = "/bezoek-zonder-internet";
// Pictures: filled in by the server.
const PICTURES = [/* pictures */];
const CORE = [SHELL, "/static/app.css", "/static/offline.js", "/static/favicon.svg",
  "/static/icons/veerkracht-192.png", "/manifest.webmanifest"];
const FILES = [...CORE, ...PICTURES];

// One by one: a missing picture must not stop the install.
self.addEventListener("install", event => {
  event.waitUntil(caches.open(CACHE).then(cache => cache.addAll(CORE)
    .then(() => Promise.allSettled(PICTURES.map(p => cache.add(p))))).then(() => self.skipWaiting()));
});

self.addEventListener("activate", event => {
  event.waitUntil(caches.keys()
    .then(names => Promise.all(names.filter(n => n !== CACHE).map(n => caches.delete(n))))
    .then(() => self.clients.claim()));
});

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
    event.respondWith(fetch(request).catch(() => caches.match(SHELL)));
  }
});

importScripts("/static/sw-push.js");
