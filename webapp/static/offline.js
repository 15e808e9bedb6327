// Home visits without network: the design is described in webapp/offline/__init__.py.
const me = document.querySelector("script[data-offline]");
const ok = me && window.indexedDB && window.crypto && crypto.subtle;
const T = ok ? JSON.parse(me.dataset.words || "{}") : {};
const DB = "veerkracht-offline";
const say = (key, values) => (T[key] || key).replace(/\{(\w+)\}/g, (_, name) => values[name]);
let db = null;

// ---- The store ----
const open = () => db ? Promise.resolve(db) : new Promise((done, fail) => {
  const request = indexedDB.open(DB, 1);
  request.onupgradeneeded = () => {
    request.result.createObjectStore("keys", { keyPath: "visit" });
    request.result.createObjectStore("visits", { keyPath: "visit" });
  };
  request.onsuccess = () => {
    db = request.result;
    db.onversionchange = () => { db.close(); db = null; };
    done(db);
  };
  request.onerror = () => fail(request.error);
});
const tx = async (store, mode, work) => {
  const t = (await open()).transaction(store, mode);
  const request = work(t.objectStore(store));
  return new Promise((done, fail) => {
    t.oncomplete = () => done(request && request.result);
    t.onerror = t.onabort = () => fail(t.error);
  });
};
const get = (store, key) => tx(store, "readonly", s => s.get(key));
const put = (store, value) => tx(store, "readwrite", s => s.put(value));
const all = () => tx("visits", "readonly", s => s.getAll());
const keys = {};  // CryptoKeys already read
const keyOf = async visit => keys[visit] || (keys[visit] = ((await get("keys", visit)) || {}).key);

async function save(record, state) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plain = new TextEncoder().encode(JSON.stringify(state));
  record.data = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await keyOf(record.visit), plain);
  record.iv = iv;
  record.updated = Date.now();
  return put("visits", record);
}
async function load(record) {
  const key = await keyOf(record.visit);
  if (!key || !record.data) return null;
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: record.iv }, key, record.data);
  return JSON.parse(new TextDecoder().decode(plain));
}
async function drop(visit) {
  delete keys[visit];
  for (const store of ["keys", "visits"]) await tx(store, "readwrite", s => s.delete(visit));
}
async function wipe(record) {
  await drop(record.visit);
  await put("visits", { visit: record.visit, status: "sent", sent_time: record.sent_time, updated: Date.now() });
}

// Scoring: core/scoring.py's rule, in whole numbers.
const score = (items, answers) => {
  let sum = 0, count = 0;
  for (const i of items) if (answers[i] != null) { sum += answers[i]; count++; }
  if (!items.length || count * 2 < items.length) return null;
  return Math.floor((20 * sum + count) / (2 * count)) / 10;
};
const scores = (scoring, answers) => {
  const out = {};
  for (const p in scoring.pillars) out[p] = score(scoring.pillars[p], answers);
  return out;
};
window.VeerkrachtScores = scores;

// ---- The badge, and sending ----
let badge = document.querySelector("[data-offline-badge]");
function showBadge(text, kind) {
  const main = document.querySelector("main");
  if (!badge && text && main) {
    badge = document.createElement("p");
    badge.setAttribute("role", "status");
    badge.setAttribute("data-offline-badge", "");
    main.prepend(badge);
  }
  if (!badge) return;
  badge.className = "offline-badge " + (kind || "");
  badge.textContent = text;
  badge.hidden = !text;
}
async function refreshBadge() {
  const records = await all();
  const waiting = records.filter(r => r.status === "pending");
  const refused = records.find(r => r.status === "refused");
  const sent = records.filter(r => r.status === "sent" && r.sent_time && Date.now() - r.updated < 864e5)
    .sort((a, b) => b.updated - a.updated)[0];
  if (waiting.length) showBadge(waiting.length === 1 ? T.pending_one : say("pending_many", { n: waiting.length }), "waiting");
  else if (refused) showBadge(T.refused + " " + refused.error, "refused");
  else if (sent) showBadge(say("sent", { time: sent.sent_time }), "sent");
  else showBadge("");
  return waiting;
}

async function sendOne(record) {
  const state = await load(record), q = state.bundle.questionnaire;
  const body = {
    visit: record.visit, questionnaire: q.id, version: q.version, form: q.form, ...state.when, answers: state.answers, talk: state.talk, conversation: state.conversation,
    finished_at: state.finished_at, followups: state.f,
  };
  // "manual": a login page (session ended) is no success
  const token = await fetch(me.dataset.token, { redirect: "manual" });
  if (!token.ok) throw "login";
  const r = await fetch(me.dataset.upload, {
    method: "POST", redirect: "manual", body: JSON.stringify(body),
    headers: { "Content-Type": "application/json", "X-CSRFToken": (await token.json()).csrf_token },
  });
  if (r.status === 0) throw "login";
  if (r.status >= 500) throw "later";
  const answer = await r.json();
  if (r.ok) {
    record.sent_time = answer.sent_time;
    await wipe(record);
    document.dispatchEvent(new CustomEvent("veerkracht:sent", { detail: answer }));
  } else {  // refused: nothing changed; keep it all and say why
    record.status = "refused";
    record.error = answer.error;
    await put("visits", record);
  }
}

let sending = false;
async function send() {
  if (sending || !navigator.onLine) return refreshBadge();
  sending = true;
  let problem = null;
  const run = async () => {
    const waiting = await refreshBadge();
    if (waiting.length) showBadge(T.sending, "waiting");
    for (const record of waiting) await sendOne(record);
  };
  try {  // one tab at a time
    await (navigator.locks ? navigator.locks.request("veerkracht-send", run) : run());
  } catch (why) {
    problem = why;
  }
  sending = false;
  await refreshBadge();
  if (problem === "login") showBadge(T.login, "waiting");
}

// ---- Logging out wipes everything ----
if (ok) document.addEventListener("submit", async event => {
  const form = event.target;
  if (!/\/uitloggen$/.test(form.getAttribute("action") || "") || form.dataset.wiped) return;
  event.preventDefault();
  const records = await all().catch(() => []);
  if (records.some(r => r.status !== "sent") && !window.confirm(T.logout)) return;
  if (db) { db.close(); db = null; }
  indexedDB.deleteDatabase(DB);
  if (window.caches) for (const name of await caches.keys().catch(() => [])) caches.delete(name);
  form.dataset.wiped = "1";
  setTimeout(() => form.submit(), 50);
}, true);

// ---- Preparing a visit ----
const prepare = document.querySelector("form[data-prepare]");
if (ok && prepare) {
  const P = JSON.parse(prepare.dataset.words);
  const status = document.querySelector("[data-prepare-status]");
  prepare.hidden = false;
  prepare.addEventListener("submit", async event => {
    event.preventDefault();
    status.textContent = P.busy;
    try {
      const r = await fetch(prepare.action, { method: "POST", body: new FormData(prepare) });
      if (!r.ok) throw r.status;
      const bundle = await r.json();
      const existing = await get("visits", bundle.visit);
      if (!existing || !existing.data) {  // already here: keep its answers and its key
        const raw = Uint8Array.from(atob(bundle.key), c => c.charCodeAt(0));
        const key = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
        delete bundle.key;
        await put("keys", { visit: bundle.visit, key });
        await save({ visit: bundle.visit, status: "prepared" },
          { bundle, screen: 0, answers: {}, talk: [], conversation: {} });
      }
      if (navigator.serviceWorker) await navigator.serviceWorker.ready;  // the visit page is kept
      status.textContent = P.ready;
      document.querySelector("[data-prepare-done]").hidden = false;
    } catch (problem) {
      status.textContent = P.failed;
    }
  });
}

// ---- The visit page ----
const app = document.querySelector("[data-offline-app]");
const lang = document.documentElement.lang;
function h(tag, attrs, children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") el.textContent = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (v !== false && v !== null && v !== undefined) el.setAttribute(k, v);
  }
  for (const c of children || []) if (c) el.append(c);
  return el;
}
const t = (tag, text, attrs) => h(tag, { ...attrs, text });
// A <template> of the page, with the suffix added to its ids, label targets and names.
function clone(id, suffix) {
  const f = document.getElementById(id).content.firstElementChild.cloneNode(true);
  for (const el of [f, ...f.querySelectorAll("*")]) {
    for (const a of ["id", "for", "name", "aria-describedby"]) if (el.hasAttribute(a)) el.setAttribute(a, el.getAttribute(a) + suffix);
  }
  return f;
}
// Fields shown with the kept values[name], and kept again as they change.
function bind(el, values, changed) {
  for (const f of el.querySelectorAll("[name]")) {
    if (f.type === "radio") f.checked = (values[f.name] || "") === f.value;
    else f.value = values[f.name] || "";
  }
  el.addEventListener("input", e => { values[e.target.name] = e.target.value; changed(); });
}
function show(nodes) {
  app.replaceChildren(...nodes);
  const title = app.querySelector("h1");
  if (title) { title.tabIndex = -1; title.focus(); }
  window.scrollTo(0, 0);
}

async function listScreen() {
  const records = (await all()).filter(r => r.status !== "sent");
  const nodes = [t("h1", T.list)];
  if (!records.length) nodes.push(t("p", T.none));
  for (const r of records) {
    const state = await load(r).catch(() => null);
    // Refused (or its key is gone): say why; the coach may throw it away.
    const discard = h("button", { type: "button", class: "button secondary", text: T.discard, onclick: async () => {
      if (window.confirm(T.discard_confirm)) { await drop(r.visit); listScreen(); refreshBadge(); } } });
    if (!state || r.status === "refused") nodes.push(t("p", state ? say("refused_list", {
      name: state.bundle.resident }) + " " + r.error : T.locked), h("p", {}, [discard]));
    else nodes.push(h("p", {}, [
      h("button", { type: "button", class: "button", text: say("start", { name: state.bundle.resident }),
        onclick: () => { location.hash = "v=" + r.visit; } }),
      h("span", { class: "hint", text: " " + say("prepared", {
        date: new Date(state.bundle.prepared_at).toLocaleDateString(lang) }) })]));
  }
  show(nodes);
}

async function visitScreen(visit) {
  const record = await get("visits", visit);
  const state = record && record.data ? await load(record).catch(() => null) : null;
  if (state) render(record, state); else listScreen();
}

// Saves run in turn; data-unsaved: how many still wait.
let chain = Promise.resolve(), unsaved = 0;
function keep(record, state) {
  app.dataset.unsaved = ++unsaved;
  chain = chain.then(() => save(record, state)).then(() => { app.dataset.unsaved = --unsaved; });
  return chain;
}

function render(record, state) {
  const b = state.bundle, q = b.questionnaire, total = q.pillars.length + 1;
  const go = screen => { state.screen = screen; keep(record, state).then(() => render(record, state)); };
  const progress = n => h("div", { class: "progress" }, [h("p", { text: say("step", { n: n + 1, total: total + 1 }) }),
    h("progress", { max: total + 1, value: n + 1, "aria-hidden": "true" })]);
  const actions = (next, back) => h("div", { class: "actions" }, [
    h("button", { type: "submit", class: "button", text: next }),
    back && h("button", { type: "button", class: "button secondary", text: T.back, onclick: back })]);
  const form = (submit, children) => h("form", { novalidate: "", onsubmit: e => { e.preventDefault(); submit(); } }, children);
  const screen = record.status === "pending" ? total + 1 : state.screen, kept = () => keep(record, state);

  if (screen === 0) {  // what happened and when, as online
    const f = clone("offline-event", ""), error = f.querySelector(".error"), w = state.when = state.when || {};
    bind(f, w, kept);
    return show([progress(0), form(() => {
      const m = +w.event_month, y = +w.event_year, now = new Date();
      error.textContent = !w.life_event ? T.event_missing : w.life_event === "geen" ? ""
        : !m !== !y ? T.when_half : y * 12 + m > now.getFullYear() * 12 + now.getMonth() + 1 ? T.when_future : "";
      if (!(error.hidden = !error.textContent)) return;
      go(1);
    }, [f, actions(T.next)])]);
  }

  if (screen <= q.pillars.length) {
    const pillar = q.pillars[screen - 1];
    const fields = pillar.items.map(item => {
      const f = clone(q.faces ? "offline-" + q.form : "offline-item", item.id);
      f.querySelector("legend span").textContent = item.text;
      if (q.faces) f.querySelector("legend").prepend(
        h("img", { class: "picto", src: "/static/" + item.picture, alt: "", width: 56, height: 56 }));
      for (const input of f.querySelectorAll("input")) {
        const talk = input.type === "checkbox", value = input.value === "" ? null : +input.value;
        input.checked = talk ? state.talk.includes(item.id) : state.answers[item.id] === value;
        input.onchange = () => {
          if (!talk) state.answers[item.id] = value;
          else state.talk = state.talk.filter(i => i !== item.id).concat(input.checked ? [item.id] : []);
          kept();
        };
      }
      return f;
    });
    return show([progress(screen), form(() => {
      for (const item of pillar.items) if (!(item.id in state.answers)) state.answers[item.id] = null;  // skipped
      go(screen + 1);
    }, [h("div", { class: "pillar-head" }, [
      h("img", { src: "/static/pillars/" + pillar.id + ".svg", alt: "", width: 48, height: 48 }),
      t("h1", pillar.short)]),
    t("p", pillar.intro, { class: "lead" }), t("p", q.faces ? T.face_hint : T.hint, { class: "hint" }), ...fields,
    actions(T.next, () => go(screen - 1)), t("p", T.kept, { class: "autosave-status" })])]);
  }

  if (screen === total) {
    const items = q.pillars.flatMap(p => p.items.map(i => i.id));
    const answered = items.filter(i => state.answers[i] != null);
    // "Bent u naar ... geweest? Hoe was het?" for each activity the resident wanted to try.
    const asked = h("div", {}, (b.followups || []).map(r => {
      const f = clone("offline-followup", r.id);
      f.querySelector("legend").textContent = say("followup", { name: r.name });
      return f;
    }));
    bind(asked, state.f = state.f || {}, kept);
    return show([progress(screen), t("h1", T.done),
      h("p", { text: say("answered", { answered: answered.length, count: items.length }) }),
      form(() => go(screen + 1), [asked, actions(T.finish, () => go(screen - 1))])]);
  }
  resultScreen(record, state);
}

function chart(q, now, before) {  // the page holds the frame; the scores go in here
  const svg = clone("offline-chart", ""), n = q.pillars.length;
  const points = values => q.pillars.map((p, i) => {
    const angle = -Math.PI / 2 + 2 * Math.PI * i / n, d = 12 * (values[p.id] || 0);
    return [170 + d * Math.cos(angle), 170 + d * Math.sin(angle)];
  }).join(" ");
  const [was, is] = svg.querySelectorAll("polygon[data-before], polygon[data-now]");
  if (before) was.setAttribute("points", points(before)); else was.remove();
  is.setAttribute("points", points(now));
  return svg;
}

const number = v => v == null ? T.no_score
  : v.toLocaleString(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });

function resultScreen(record, state) {
  const b = state.bundle, q = b.questionnaire, now = scores(b.scoring, state.answers);
  const before = b.previous && b.previous.scores, talk = state.conversation = state.conversation || {};
  const title = h("h1", { text: say("result", { name: b.resident }) });
  if (record.status === "pending") return show([title, t("p", T.saved)]);
  const table = clone("offline-scores", "");
  table.querySelectorAll("tr").forEach((row, i) => {
    const p = q.pillars[i - 1], cells = row.children;
    if (p) cells[1].textContent = number(now[p.id]);
    if (!before) cells[2].remove(); else if (p) cells[2].textContent = number(before[p.id]);
  });
  const conversation = clone("offline-talk", "");
  talk.rhythm = talk.rhythm || "gewoon";
  bind(conversation, talk, () => keep(record, state));
  conversation.addEventListener("submit", e => {
    e.preventDefault();
    state.finished_at = new Date().toISOString();
    record.status = "pending";
    keep(record, state).then(() => { render(record, state); send(); });
  });
  show([title, h("figure", { class: "chart" }, [chart(q, now, before)]), table, conversation]);
}

const route = () => {
  const match = /^#v=([\w-]+)$/.exec(location.hash);
  return match ? visitScreen(match[1]) : listScreen();
};
if (ok && app) {
  window.addEventListener("hashchange", route);
  document.addEventListener("veerkracht:sent", route);
  route();
}
if (ok) {
  if (navigator.serviceWorker) navigator.serviceWorker.register(me.dataset.sw, { scope: "/" });
  window.addEventListener("online", send);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) send(); });
  send();
}
