// Home visits without network (issue 13). On every page: install the service worker, show what
// waits ("Nog niet verstuurd: 1 check-in") and send it once when the network is back. On the
// prepare page: store the visit bundle. On the offline visit page: the whole long check-in, the
// spider web and the conversation, drawn from the device's store.
// The store: IndexedDB, every visit's data encrypted with AES-GCM. The key comes from the server
// per visit and is imported as a non-extractable CryptoKey, kept in a store of its own: the
// script can use it but never read it out. Sent, or logged out: data and key are wiped.
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || !window.indexedDB || !window.crypto || !crypto.subtle) return;
  var T = JSON.parse(me.dataset.words || "{}");
  var DB = "veerkracht-offline";
  var db = null;

  function say(key, values) {
    return (T[key] || key).replace(/\{(\w+)\}/g, function (_, name) { return values[name]; });
  }

  // ---- The store -------------------------------------------------------------------------------
  function open() {
    if (db) return Promise.resolve(db);
    return new Promise(function (done, fail) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore("keys", { keyPath: "visit" });
        request.result.createObjectStore("visits", { keyPath: "visit" });
      };
      request.onsuccess = function () {
        db = request.result;
        db.onversionchange = function () { db.close(); db = null; };
        done(db);
      };
      request.onerror = function () { fail(request.error); };
    });
  }

  function tx(store, mode, work) {
    return open().then(function (conn) {
      return new Promise(function (done, fail) {
        var t = conn.transaction(store, mode);
        var result = work(t.objectStore(store));
        t.oncomplete = function () { done(result && "result" in result ? result.result : result); };
        t.onerror = t.onabort = function () { fail(t.error); };
      });
    });
  }
  function get(store, key) { return tx(store, "readonly", function (s) { return s.get(key); }); }
  function put(store, value) { return tx(store, "readwrite", function (s) { s.put(value); }); }
  function all() { return tx("visits", "readonly", function (s) { return s.getAll(); }); }

  function b64(text) {
    var s = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "==".slice(0, (4 - text.length % 4) % 4));
    return Uint8Array.from(s, function (c) { return c.charCodeAt(0); });
  }

  // Encrypt the visit's state with its key; the record keeps only the status in the clear.
  function save(record, state) {
    return get("keys", record.visit).then(function (k) {
      var iv = crypto.getRandomValues(new Uint8Array(12));
      var plain = new TextEncoder().encode(JSON.stringify(state));
      return crypto.subtle.encrypt({ name: "AES-GCM", iv: iv }, k.key, plain).then(function (data) {
        record.iv = iv;
        record.data = data;
        record.updated = Date.now();
        return put("visits", record);
      });
    });
  }

  function load(record) {
    return get("keys", record.visit).then(function (k) {
      if (!k || !record.data) return null;
      return crypto.subtle.decrypt({ name: "AES-GCM", iv: record.iv }, k.key, record.data).then(function (p) {
        return JSON.parse(new TextDecoder().decode(p));
      });
    });
  }

  function wipe(visit) {
    return Promise.all([
      tx("keys", "readwrite", function (s) { s.delete(visit); }),
      get("visits", visit).then(function (r) {
        return put("visits", { visit: visit, status: "sent", sent_time: r && r.sent_time, updated: Date.now() });
      })
    ]);
  }

  // ---- Scoring: core/scoring.py's rule, sent with the bundle -----------------------------------
  // The mean of the answered items, one decimal rounded half up; none when fewer than half were
  // answered. In whole numbers, so the result is the same double as Python's.
  function score(items, answers) {
    var sum = 0, count = 0;
    items.forEach(function (i) {
      if (answers[i] !== null && answers[i] !== undefined) { sum += answers[i]; count++; }
    });
    if (!items.length || count * 2 < items.length) return null;
    return Math.floor((20 * sum + count) / (2 * count)) / 10;
  }
  function scores(scoring, answers) {
    var out = {};
    Object.keys(scoring.pillars).forEach(function (p) { out[p] = score(scoring.pillars[p], answers); });
    return out;
  }
  window.VeerkrachtScores = scores;

  // ---- Badge and sending -------------------------------------------------------------------------
  var badge = document.querySelector("[data-offline-badge]");
  function showBadge(text, kind) {
    if (!badge) {
      var main = document.querySelector("main");
      if (!main || !text) return;
      badge = document.createElement("p");
      badge.setAttribute("role", "status");
      badge.setAttribute("data-offline-badge", "");
      main.insertBefore(badge, main.firstChild);
    }
    badge.className = "offline-badge " + (kind || "");
    badge.textContent = text;
    badge.hidden = !text;
  }

  function refreshBadge() {
    return all().then(function (records) {
      var waiting = records.filter(function (r) { return r.status === "pending"; });
      var refused = records.filter(function (r) { return r.status === "refused"; })[0];
      var sent = records.filter(function (r) { return r.status === "sent" && Date.now() - r.updated < 864e5; })
        .sort(function (a, b) { return b.updated - a.updated; })[0];
      if (waiting.length) {
        showBadge(waiting.length === 1 ? T.pending_one : say("pending_many", { n: waiting.length }), "waiting");
      } else if (refused) {
        showBadge(T.refused + " " + refused.error, "refused");
      } else if (sent && sent.sent_time) {
        showBadge(say("sent", { time: sent.sent_time }), "sent");
      } else {
        showBadge("");
      }
      return waiting;
    });
  }

  var sending = false;
  function sendOne(record) {
    return load(record).then(function (state) {
      var q = state.bundle.questionnaire;
      var body = {
        visit: record.visit, questionnaire: q.id, version: q.version, form: q.form,
        life_event: state.life_event, answers: state.answers, talk: state.talk,
        conversation: state.conversation, finished_at: state.finished_at
      };
      return fetch(me.dataset.token, { credentials: "same-origin", redirect: "manual" }).then(function (r) {
        if (!r.ok) throw "login";
        return r.json();
      }).then(function (token) {
        return fetch(me.dataset.upload, {
          method: "POST", credentials: "same-origin", redirect: "manual",
          headers: { "Content-Type": "application/json", "X-CSRFToken": token.csrf_token },
          body: JSON.stringify(body)
        });
      }).then(function (r) {
        if (r.status === 0 || r.status >= 500) throw "later";
        return r.json().then(function (answer) {
          if (r.ok) {
            record.sent_time = answer.sent_time;
            return put("visits", record).then(function () { return wipe(record.visit); }).then(function () {
              document.dispatchEvent(new CustomEvent("veerkracht:sent", { detail: answer }));
            });
          }
          record.status = "refused";
          record.error = answer.error;
          return put("visits", record);
        });
      });
    });
  }

  function send() {
    if (sending || !navigator.onLine) return refreshBadge();
    sending = true;
    var problem = null;
    var run = function () {
      return refreshBadge().then(function (waiting) {
        if (waiting.length) showBadge(T.sending, "waiting");
        return waiting.reduce(function (chain, record) {
          return chain.then(function () { return sendOne(record); });
        }, Promise.resolve());
      });
    };
    // One tab at a time sends (the server also makes sure a visit becomes one check-in only).
    var locked = navigator.locks ? navigator.locks.request("veerkracht-send", run) : run();
    return locked.catch(function (why) { problem = why; }).then(function () {
      sending = false;
      return refreshBadge();
    }).then(function () { if (problem === "login") showBadge(T.login, "waiting"); });
  }

  // ---- Logging out wipes everything (the server's Clear-Site-Data does too) ----------------------
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!/\/uitloggen$/.test(form.getAttribute("action") || "") || form.dataset.wiped) return;
    event.preventDefault();
    all().then(function (records) {
      var waiting = records.some(function (r) { return r.status === "pending" || r.status === "prepared"; });
      if (waiting && !window.confirm(T.logout)) return;
      if (db) { db.close(); db = null; }
      indexedDB.deleteDatabase(DB);
      if (window.caches) caches.keys().then(function (n) { n.forEach(function (k) { caches.delete(k); }); });
      form.dataset.wiped = "1";
      setTimeout(function () { form.submit(); }, 50);
    }, function () { form.dataset.wiped = "1"; form.submit(); });
  }, true);

  // ---- Preparing a visit --------------------------------------------------------------------------
  var prepare = document.querySelector("form[data-prepare]");
  if (prepare) {
    var P = JSON.parse(prepare.dataset.words);
    var status = document.querySelector("[data-prepare-status]");
    prepare.hidden = false;
    prepare.addEventListener("submit", function (event) {
      event.preventDefault();
      status.textContent = P.busy;
      fetch(prepare.action, { method: "POST", body: new FormData(prepare), credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw r.status; return r.json(); })
        .then(function (bundle) {
          return get("visits", bundle.visit).then(function (existing) {
            if (existing && existing.data) return null; // already here: keep its answers and its key
            return crypto.subtle.importKey("raw", b64(bundle.key), "AES-GCM", false, ["encrypt", "decrypt"])
              .then(function (key) {
                delete bundle.key;
                return put("keys", { visit: bundle.visit, key: key });
              }).then(function () {
                return save({ visit: bundle.visit, status: "prepared" },
                  { bundle: bundle, screen: 0, answers: {}, talk: [], conversation: {} });
              });
          });
        }).then(function () {
          // Make sure the visit page is kept before the network goes.
          return navigator.serviceWorker ? navigator.serviceWorker.ready : null;
        }).then(function () {
          status.textContent = P.ready;
          document.querySelector("[data-prepare-done]").hidden = false;
        }).catch(function () { status.textContent = P.failed; });
    });
  }

  // ---- The visit page -------------------------------------------------------------------------------
  var app = document.querySelector("[data-offline-app]");

  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") el.textContent = attrs[k];
      else if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), attrs[k]);
      else if (attrs[k] !== false && attrs[k] !== null && attrs[k] !== undefined) el.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) el.appendChild(c); });
    return el;
  }
  var SVG = "http://www.w3.org/2000/svg";
  function s(tag, attrs) {
    var el = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    return el;
  }

  function show(nodes) {
    app.replaceChildren.apply(app, nodes);
    var title = app.querySelector("h1");
    if (title) { title.tabIndex = -1; title.focus(); }
    window.scrollTo(0, 0);
  }

  function listScreen() {
    all().then(function (records) {
      var open = records.filter(function (r) { return r.status === "prepared" || r.status === "pending"; });
      var nodes = [h("h1", { text: T.list })];
      if (!open.length) nodes.push(h("p", { text: T.none }));
      return Promise.all(open.map(function (r) {
        return load(r).then(function (state) {
          if (!state) return h("p", { text: T.locked });
          return h("p", {}, [h("button", {
            type: "button", "class": "button", text: say("start", { name: state.bundle.resident }),
            onclick: function () { location.hash = "v=" + r.visit; }
          }), h("span", { "class": "hint", text: " " + say("prepared", {
            date: new Date(state.bundle.prepared_at).toLocaleDateString(document.documentElement.lang)
          }) })]);
        }, function () { return h("p", { text: T.locked }); });
      })).then(function (items) { show(nodes.concat(items)); });
    });
  }

  function visitScreen(visit) {
    get("visits", visit).then(function (record) {
      if (!record || !record.data) return listScreen();
      return load(record).then(function (state) { render(record, state); });
    }).catch(listScreen);
  }

  // Saves run one after the other; data-unsaved says how many still wait (0: all on the device).
  var chain = Promise.resolve(), unsaved = 0;
  function keep(record, state) {
    app.dataset.unsaved = ++unsaved;
    chain = chain.then(function () { return save(record, state); }).then(function () {
      app.dataset.unsaved = --unsaved;
    });
    return chain;
  }

  function render(record, state) {
    var b = state.bundle, q = b.questionnaire, total = q.pillars.length + 1;
    var go = function (screen) { state.screen = screen; keep(record, state).then(function () { render(record, state); }); };
    var progress = function (n) {
      return h("div", { "class": "progress" }, [h("p", { text: say("step", { n: n + 1, total: total + 1 }) }),
        h("progress", { max: total + 1, value: n + 1, "aria-hidden": "true" })]);
    };
    var actions = function (next, back) {
      return h("div", { "class": "actions" }, [
        h("button", { type: "submit", "class": "button", text: next }),
        back ? h("button", { type: "button", "class": "button secondary", text: T.back, onclick: back }) : null]);
    };
    var screen = state.screen;
    if (record.status === "pending") screen = total + 1;

    if (screen === 0) {
      var error = h("p", { "class": "error", id: "event-error", hidden: "" });
      var form = h("form", { novalidate: "", onsubmit: function (e) {
        e.preventDefault();
        if (!state.life_event) { error.hidden = false; error.textContent = T.event_missing; return; }
        go(1);
      } }, [h("fieldset", { "class": "item" }, [h("legend", {}, [h("h1", { text: T.event })]), error]
        .concat(b.life_events.map(function (ev) {
          return h("label", { "class": "option" }, [h("input", {
            type: "radio", name: "life_event", value: ev.id, checked: state.life_event === ev.id ? "" : null,
            onchange: function () { state.life_event = ev.id; keep(record, state); }
          }), h("span", { text: ev.name })]);
        }))), actions(T.next)]);
      return show([progress(0), form]);
    }

    if (screen <= q.pillars.length) {
      var pillar = q.pillars[screen - 1];
      var fields = pillar.items.map(function (item) {
        var pick = function (value) { return function () { state.answers[item.id] = value; keep(record, state); }; };
        var radios = [];
        for (var n = q.scale.min; n <= q.scale.max; n++) {
          radios.push(h("label", { "class": "score" }, [h("input", {
            type: "radio", name: item.id, value: n, "aria-describedby": "ends-" + item.id,
            checked: state.answers[item.id] === n ? "" : null, onchange: pick(n)
          }), h("span", { text: n })]));
        }
        var talking = state.talk.indexOf(item.id) >= 0;
        return h("fieldset", { "class": "item", id: "vraag-" + item.id }, [
          h("legend", { text: item.text }),
          h("div", { "class": "scale", role: "presentation" }, radios),
          h("div", { "class": "scale-ends", "aria-hidden": "true" }, [
            h("span", { text: "0 = " + q.scale.low }), h("span", { text: "10 = " + q.scale.high })]),
          h("span", { "class": "visually-hidden", id: "ends-" + item.id,
            text: "0 = " + q.scale.low + ", 10 = " + q.scale.high }),
          h("div", { "class": "item-options" }, [
            h("label", { "class": "option" }, [h("input", {
              type: "radio", name: item.id, value: "skip", onchange: pick(null),
              checked: item.id in state.answers && state.answers[item.id] === null ? "" : null
            }), h("span", { text: T.skip })]),
            h("label", { "class": "option" }, [h("input", {
              type: "checkbox", name: "talk_" + item.id, value: "1", checked: talking ? "" : null,
              onchange: function (e) {
                state.talk = state.talk.filter(function (i) { return i !== item.id; });
                if (e.target.checked) state.talk.push(item.id);
                keep(record, state);
              }
            }), h("span", { text: T.talk })])])]);
      });
      var head = h("div", { "class": "pillar-head" }, [
        h("img", { src: "/static/pillars/" + pillar.id + ".svg", alt: "", width: 48, height: 48 }),
        h("h1", { text: pillar.short })]);
      return show([progress(screen), h("form", { novalidate: "", onsubmit: function (e) {
        e.preventDefault();
        pillar.items.forEach(function (item) { if (!(item.id in state.answers)) state.answers[item.id] = null; });
        go(screen + 1);
      } }, [head, h("p", { "class": "lead", text: pillar.intro }), h("p", { "class": "hint", text: T.hint })]
        .concat(fields, [actions(T.next, function () { go(screen - 1); }),
          h("p", { "class": "autosave-status", text: T.kept })]))]);
    }

    var items = [].concat.apply([], q.pillars.map(function (p) { return p.items.map(function (i) { return i.id; }); }));
    if (screen === q.pillars.length + 1) {
      var answered = items.filter(function (i) { return state.answers[i] !== null && state.answers[i] !== undefined; });
      return show([progress(screen), h("h1", { text: T.done }),
        h("p", { text: say("answered", { answered: answered.length, count: items.length }) }),
        h("form", { onsubmit: function (e) { e.preventDefault(); go(screen + 1); } },
          [actions(T.finish, function () { go(screen - 1); })])]);
    }
    resultScreen(record, state);
  }

  function chart(q, now, before) {
    var size = 340, c = size / 2, r = 120, n = q.pillars.length;
    var at = function (i, value) {
      var angle = -Math.PI / 2 + 2 * Math.PI * i / n, d = r * (value || 0) / 10;
      return [c + d * Math.cos(angle), c + d * Math.sin(angle)];
    };
    var svg = s("svg", { viewBox: "0 0 " + size + " " + size, width: size, height: size, role: "img",
      "aria-label": T.chart, "class": "offline-chart" });
    [2, 4, 6, 8, 10].forEach(function (v) {
      svg.appendChild(s("polygon", { points: q.pillars.map(function (_, i) { return at(i, v).join(","); }).join(" "),
        fill: "none", stroke: "#c8c8c8" }));
    });
    q.pillars.forEach(function (p, i) {
      var end = at(i, 10), label = at(i, 11.6);
      svg.appendChild(s("line", { x1: c, y1: c, x2: end[0], y2: end[1], stroke: "#c8c8c8" }));
      var text = s("text", { x: label[0], y: label[1], "text-anchor": "middle", "dominant-baseline": "middle",
        "font-size": 13, fill: "#1b1b1b" });
      text.textContent = p.short;
      svg.appendChild(text);
    });
    var shape = function (values, attrs) {
      attrs.points = q.pillars.map(function (p, i) { return at(i, values[p.id]).join(","); }).join(" ");
      svg.appendChild(s("polygon", attrs));
    };
    if (before) shape(before, { fill: "none", stroke: "#4a4a4a", "stroke-width": 2, "stroke-dasharray": "6 4" });
    shape(now, { fill: "rgba(0,90,140,0.25)", stroke: "#005a8c", "stroke-width": 3 });
    return svg;
  }

  function number(v) {
    return v === null || v === undefined ? T.no_score
      : v.toLocaleString(document.documentElement.lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  }

  function resultScreen(record, state) {
    var b = state.bundle, q = b.questionnaire, now = scores(b.scoring, state.answers);
    var before = b.previous && b.previous.scores;
    var rows = q.pillars.map(function (p) {
      return h("tr", {}, [h("th", { scope: "row", text: p.name }), h("td", { text: number(now[p.id]) }),
        before ? h("td", { text: number(before[p.id]) }) : null]);
    });
    var table = h("table", { "class": "scores" }, [h("caption", { text: T.scores }),
      h("thead", {}, [h("tr", {}, [h("th", { scope: "col", text: T.pillar }), h("th", { scope: "col", text: T.now }),
        before ? h("th", { scope: "col", text: T.previous }) : null])]), h("tbody", {}, rows)]);
    state.conversation = state.conversation || {};
    var field = function (name, rows) {
      return h("div", { "class": "field" }, [h("label", { "for": "c-" + name, text: T[name] }),
        h("textarea", { id: "c-" + name, name: name, rows: rows, oninput: function (e) {
          state.conversation[name] = e.target.value; keep(record, state);
        } })]);
    };
    var talk = h("form", { "class": "card", onsubmit: function (e) {
      e.preventDefault();
      state.finished_at = new Date().toISOString();
      record.status = "pending";
      keep(record, state).then(function () { render(record, state); send(); });
    } }, [h("h2", { text: T.talk_title }), field("plan_important", 2), field("plan_step", 2),
      field("plan_helper", 2), field("coach_notes", 4),
      h("fieldset", {}, [h("legend", { text: T.rhythm })].concat(["gewoon", "waakvlam"].map(function (v) {
        return h("label", { "class": "option" }, [h("input", { type: "radio", name: "rhythm", value: v,
          checked: (state.conversation.rhythm || "gewoon") === v ? "" : null,
          onchange: function () { state.conversation.rhythm = v; keep(record, state); } }), h("span", { text: T[v] })]);
      }))), h("div", { "class": "actions" }, [h("button", { type: "submit", "class": "button", text: T.save })])]);
    if (record.status === "pending") {
      return show([h("h1", { text: say("result", { name: b.resident }) }), h("p", { text: T.saved })]);
    }
    show([h("h1", { text: say("result", { name: b.resident }) }), h("figure", { "class": "chart" }, [chart(q, now, before)]),
      table, talk]);
    ["plan_important", "plan_step", "plan_helper", "coach_notes"].forEach(function (name) {
      app.querySelector("#c-" + name).value = state.conversation[name] || "";
    });
  }

  function route() {
    var match = /^#v=([\w-]+)$/.exec(location.hash);
    if (match) visitScreen(match[1]); else listScreen();
  }

  if (app) {
    window.addEventListener("hashchange", route);
    document.addEventListener("veerkracht:sent", function (e) {
      if (!e.detail.result_url) return;
      route();
    });
    route();
  }

  if (navigator.serviceWorker && me.dataset.sw) navigator.serviceWorker.register(me.dataset.sw, { scope: "/" });
  window.addEventListener("online", send);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) send(); });
  send();
})();
