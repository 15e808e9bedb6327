// The service worker's reminder part (web push), imported by sw.js: kept apart so that the offline visit's
// own files stay within their 20 KB (bench/bench_offline_size.py prints both).
"use strict";

// A reminder (web push, from `flask send-reminders`): no health data, only the words and the start page.
self.addEventListener("push", event => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { /* not JSON: the default words */ }
  event.waitUntil(self.registration.showNotification(data.title || "Veerkracht", {
    body: data.body || "", icon: "/static/icons/veerkracht-192.png", data: {url: data.url || "/"},
  }));
});

// Tapped: a window of this site on that page, or a new one; never another site's address.
self.addEventListener("notificationclick", event => {
  event.notification.close();
  let url = new URL((event.notification.data || {}).url || "/", self.location.origin);
  if (url.origin !== self.location.origin) url = new URL("/", self.location.origin);
  event.waitUntil(self.clients.matchAll({type: "window", includeUncontrolled: true}).then(windows => {
    const open = windows.find(w => w.url === url.href && "focus" in w);
    return open ? open.focus() : self.clients.openWindow(url.href);
  }));
});
