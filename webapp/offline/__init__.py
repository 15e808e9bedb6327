"""Offline home visits: the installable app, the visit bundle and the once-only upload (issue 13).

The browser side, kept small on purpose (bench/bench_offline_size.py: under 20 KB), so its design is
written down here rather than in comments there:

- static/sw.js, the service worker by hand: it keeps the offline visit page and its files, network
  first and the kept copy without network (after 6 s on slow Wi-Fi); any other page without network
  gets the visit page. It keeps no answers and no page with a name on it. sw-push.js, imported by it,
  shows reminders (web push, issue 14) and opens only this site's pages when one is tapped.
- static/offline.js, on every page: registers the worker, shows the "Nog niet verstuurd" badge,
  sends what waits exactly once (one tab at a time; the server's visit key makes it one check-in
  anyway), and wipes the device's store at logout (the server's Clear-Site-Data does too). On the
  prepare page it stores the bundle; on the visit page it draws the check-in, the spider web and the
  conversation from the device's store, filling in the <template>s of offline/visit.html.
- The store is IndexedDB: each visit encrypted with AES-GCM under the key the server sent for it,
  kept as a non-extractable CryptoKey in a store of its own; data and key are wiped after sending.
- Scores on the device follow core/scoring.py's rule (the mean of the answered items, one decimal
  rounded half up, none when fewer than half were answered), computed in whole numbers so that the
  result is the same double as Python's (tests/e2e/test_offline_browser.py compares 300 cases).
"""
