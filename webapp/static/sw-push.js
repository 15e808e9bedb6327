// Reminders (web push, issue 14), imported by sw.js: see webapp/offline/__init__.py.
"use strict";
self.addEventListener("push", event => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { /* not JSON */ }
  event.waitUntil(self.registration.showNotification(data.title || "Veerkracht", {
    body: data.body || "", icon: "/static/icons/veerkracht-192.png", data: {url: data.url || "/"},
  }));
});

// Tapped: this site's page only.
self.addEventListener("notificationclick", event => {
  event.notification.close();
  let url = new URL((event.notification.data || {}).url || "/", self.location.origin);
  if (url.origin !== self.location.origin) url = new URL("/", self.location.origin);
  event.waitUntil(self.clients.matchAll({type: "window", includeUncontrolled: true}).then(windows => {
    const open = windows.find(w => w.url === url.href && "focus" in w);
    return open ? open.focus() : self.clients.openWindow(url.href);
  }));
});
