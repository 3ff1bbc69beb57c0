/* podkit observation recorder: one page per assessment, no framework, no request to anywhere.
 * What it knows about the assessment (items, limits, field names, the YAML skeleton of
 * `podkit new-observation`, the CSV columns) comes from the JSON the page carries. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("recorder-config").textContent);
  var L = cfg.limits, F = cfg.fields;
  var form = document.getElementById("recorder");
  var items = {};
  cfg.items.forEach(function (it) { items[it.id] = it; });
  var CONTROL = new RegExp(L.control_pattern, "g");
  var SLUG = new RegExp(L.slug_pattern), OBSERVER = new RegExp(L.observer_pattern);

  function name() { return [F.prefix].concat([].slice.call(arguments)).join(F.sep); }
  function el(id) { return document.getElementById(id); }
  function field(n) { return form.elements.namedItem(n); }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function today() { var d = new Date(); return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()); }
  function clean(s) { return String(s == null ? "" : s).replace(CONTROL, ""); }

  // ------------------------------------------------------------------ storage
  var store = null;
  try {
    var probe = cfg.storage_prefix + "probe";
    window.localStorage.setItem(probe, "1");
    window.localStorage.removeItem(probe);
    store = window.localStorage;
  } catch (e) { store = null; }
  el("storage-status").textContent = store
    ? "Saved in this browser as you go."
    : "This browser does not let this page keep data (common for pages opened from a file). Keep working, and download the observation file often: it is your copy.";
  if (!store) el("storage-status").className = "status warn";

  var state = null;

  function blankState() {
    var s = { id: "s" + Date.now().toString(36) + Math.random().toString(36).slice(2, 7), created: new Date().toISOString(),
      pod: "", date: today(), session: cfg.sessions[0], duration: String(cfg.duration), observer: "", notes: "",
      items: {}, timers: {}, downloaded: false };
    cfg.items.forEach(function (it) { s.items[it.id] = blankItem(it); });
    return s;
  }
  function blankItem() { return { choice: "", count: "", out_of: "", rows: [], reached: 0, reason: "", evidence: "" }; }
  function save() {
    if (!state) return;
    state.updated = new Date().toISOString();
    if (!store) return;
    try { store.setItem(cfg.storage_prefix + state.id, JSON.stringify(state)); }
    catch (e) {
      el("storage-status").textContent = "Could not save in this browser (" + e.name + "). Download the observation file now.";
      el("storage-status").className = "status warn";
    }
  }
  function sessions() {
    var out = [];
    if (!store) return out;
    for (var i = 0; i < store.length; i++) {
      var k = store.key(i);
      if (k && k.indexOf(cfg.storage_prefix) === 0 && k !== cfg.storage_prefix + "probe") {
        try { out.push(JSON.parse(store.getItem(k))); } catch (e) { /* not ours */ }
      }
    }
    out.sort(function (a, b) { return (b.updated || "").localeCompare(a.updated || ""); });
    return out;
  }

  // ------------------------------------------------------------------ resume list
  function renderResume() {
    var list = el("resume-list");
    list.textContent = "";
    var others = sessions().filter(function (s) { return !state || s.id !== state.id; });
    el("resume-empty").hidden = others.length > 0;
    others.forEach(function (s) {
      var li = document.createElement("li");
      var desc = (s.pod || "no pod yet") + ", " + (s.date || "no date") + ", " + (s.observer || "no observer id") + " · " + answered(s) + " of " + cfg.items.length + " items" + (s.downloaded ? " · downloaded" : "");
      var span = document.createElement("span"); span.textContent = desc; li.appendChild(span);
      button(li, "Resume", desc, function () { open(s); announce("Resumed the session of " + (s.pod || "no pod") + " on " + s.date + "."); });
      button(li, "Discard", desc, function () {
        if (window.confirm("Discard the session " + desc + "? It is deleted from this browser and cannot be brought back.")) { store.removeItem(cfg.storage_prefix + s.id); renderResume(); }
      }).className = "danger";
      list.appendChild(li);
    });
  }
  function button(parent, text, what, onClick) {
    var b = document.createElement("button");
    b.type = "button"; b.textContent = text; b.setAttribute("aria-label", text + " " + what);
    b.addEventListener("click", onClick);
    return parent.appendChild(b);
  }
  function answered(s) { return cfg.items.filter(function (it) { return status(it, s.items[it.id] || blankItem(it), s) !== "empty"; }).length; }

  // ------------------------------------------------------------------ state <-> page
  function untouched(s) { return !s.pod && !s.observer && !s.notes && answered(s) === 0; }
  function open(s) {
    // a session nothing was entered in is not worth keeping in the list
    if (state && state.id !== s.id && store && untouched(state)) store.removeItem(cfg.storage_prefix + state.id);
    state = s;
    cfg.items.forEach(function (it) { if (!state.items[it.id]) state.items[it.id] = blankItem(it); });
    F.meta.forEach(function (k) { var f = field(name("meta", k)); if (f && k in s) f.value = s[k]; });
    cfg.items.forEach(function (it) { writeItem(it); });
    save(); renderResume(); refresh();
  }
  function setRadio(n, value) {
    var inputs = form.querySelectorAll('input[name="' + n + '"]');
    for (var i = 0; i < inputs.length; i++) inputs[i].checked = inputs[i].value === value;
  }
  function writeItem(it) {
    var r = state.items[it.id];
    if (it.kind === "anchored") setRadio(name(it.id, "level"), r.choice);
    else if (it.kind === "check") setRadio(name(it.id, "check"), r.choice);
    else {
      var no = field(name(it.id, F.not_observed)); if (no) no.checked = r.choice === F.not_observed;
      var na = field(name(it.id, F.not_applicable)); if (na) na.checked = r.choice === F.not_applicable;
      if (it.kind === "count") {
        field(name(it.id, "count")).value = r.count;
        if (it.ratio) field(name(it.id, F.out_of)).value = r.out_of;
      } else renderRows(it);
    }
    var reason = field(name(it.id, F.reason)); if (reason) reason.value = r.reason;
    field(name(it.id, "evidence")).value = r.evidence;
    showReason(it);
  }
  function showReason(it) {
    var box = document.querySelector('[data-item="' + it.id + '"] .reason');
    if (box) box.hidden = state.items[it.id].choice !== F.not_applicable;
  }

  form.addEventListener("input", onEdit);
  form.addEventListener("change", onEdit);
  function onEdit(ev) {
    if (!state) return;
    var t = ev.target;
    if (!t.name && !t.dataset.code) return;
    if (t.name && t.name.indexOf(name("meta", "")) === 0) {
      var key = t.name.slice(name("meta", "").length);
      var v = key === "notes" ? clean(t.value) : t.value.trim();
      state[key] = v;
      if (key === "duration") cfg.items.forEach(function (it) { if (it.kind === "codes") renderRows(it); });
      save(); refresh(); return;
    }
    var box = t.closest("[data-item]");
    if (!box) return;
    var it = items[box.getAttribute("data-item")], r = state.items[it.id];
    if (t.dataset.code) {
      var row = +t.dataset.row;
      while (r.rows.length <= row) r.rows.push([]);
      var codes = r.rows[row].filter(function (c) { return c !== t.dataset.code; });
      if (t.checked) codes.push(t.dataset.code);
      r.rows[row] = it.codes.map(function (c) { return c.id; }).filter(function (c) { return codes.indexOf(c) >= 0; });
      if (t.checked && r.choice === F.not_observed) { r.choice = ""; writeItem(it); }
    } else if (t.name === name(it.id, "level") || t.name === name(it.id, "check")) r.choice = t.value;
    else if (t.name === name(it.id, F.not_observed) || t.name === name(it.id, F.not_applicable)) {
      var which = t.name === name(it.id, F.not_observed) ? F.not_observed : F.not_applicable;
      r.choice = t.checked ? which : "";
      writeItem(it);
    } else if (t.name === name(it.id, "count")) { r.count = t.value.trim(); if (r.count !== "" && r.choice) { r.choice = ""; writeItem(it); } }
    else if (t.name === name(it.id, F.out_of)) r.out_of = t.value.trim();
    else if (t.name === name(it.id, F.reason)) r.reason = clean(t.value);
    else if (t.name === name(it.id, "evidence")) r.evidence = clean(t.value);
    else return;
    showReason(it);
    save(); refresh();
  }

  // tally buttons, timer buttons
  form.addEventListener("click", function (ev) {
    var b = ev.target.closest("button");
    if (!b || !state) return;
    var box = b.closest("[data-item]");
    if (!box) return;
    var it = items[box.getAttribute("data-item")], r = state.items[it.id];
    if (b.dataset.step) {
      var n = parseFloat(r.count || "0"); if (!isFinite(n)) n = 0;
      n = Math.max(0, Math.min(L.max_count, n + +b.dataset.step));
      r.count = String(n);
      if (r.choice) r.choice = "";
      writeItem(it);
      announce(it.title + ": " + r.count);
      save(); refresh();
    } else if (b.dataset.act === "toggle") toggleTimer(it);
    else if (b.dataset.act === "next") advance(it, true);
  });

  // ------------------------------------------------------------------ time-sampled items
  function maxIntervals(it) {
    var d = parseInt(state.duration, 10);
    return Math.ceil((d > 0 ? d : cfg.duration) / it.interval_minutes);
  }
  function timer(it) {
    if (!state.timers[it.id]) state.timers[it.id] = { running: false, index: -1, start: 0, left: it.interval_minutes * 60000 };
    return state.timers[it.id];
  }
  function renderRows(it) {
    var r = state.items[it.id], tm = timer(it);
    var body = document.querySelector('[data-item="' + it.id + '"] [data-rows]');
    var n = Math.max(maxIntervals(it), r.reached);
    body.textContent = "";
    for (var i = 0; i < n; i++) {
      var tr = document.createElement("tr");
      if (i === tm.index) tr.className = "current";
      var th = document.createElement("th"); th.scope = "row";
      var from = i * it.interval_minutes, to = from + it.interval_minutes;
      th.textContent = (i + 1) + " (" + from + "–" + to + " min)";
      tr.appendChild(th);
      it.codes.forEach(function (c) {
        var td = document.createElement("td");
        var lab = document.createElement("label"); lab.className = "cell";
        var box = document.createElement("input"); box.type = "checkbox";
        box.name = name(it.id, "i" + pad(i + 1), c.id);
        box.dataset.row = String(i); box.dataset.code = c.id;
        box.checked = (r.rows[i] || []).indexOf(c.id) >= 0;
        box.disabled = i >= r.reached;
        box.setAttribute("aria-label", "Interval " + (i + 1) + " (" + from + "–" + to + " min): " + c.id + " " + c.label);
        var span = document.createElement("span"); span.textContent = c.id; span.setAttribute("aria-hidden", "true");
        lab.appendChild(box); lab.appendChild(span); td.appendChild(lab); tr.appendChild(td);
      });
      body.appendChild(tr);
    }
    renderClock(it);
  }
  function renderClock(it) {
    var tm = timer(it), box = document.querySelector('[data-item="' + it.id + '"]');
    var left = tm.running ? tm.start + it.interval_minutes * 60000 - Date.now() : tm.left;
    left = Math.max(0, left);
    var secs = Math.ceil(left / 1000);
    var text = tm.index < 0 ? "Not started: " + maxIntervals(it) + " intervals of " + it.interval_minutes + " min"
      : "Interval " + (tm.index + 1) + " of " + maxIntervals(it) + " · " + Math.floor(secs / 60) + ":" + pad(secs % 60) + " left" + (tm.running ? "" : " (paused)");
    box.querySelector("[data-clock]").textContent = text;
    var toggle = box.querySelector('[data-act="toggle"]');
    toggle.textContent = tm.running ? "Pause timer" : (tm.index < 0 ? "Start timer" : "Resume timer");
  }
  function toggleTimer(it) {
    var tm = timer(it), len = it.interval_minutes * 60000;
    if (tm.running) {
      tm.left = Math.max(0, tm.start + len - Date.now());
      tm.running = false;
      announce(it.title + ": timer paused in interval " + (tm.index + 1) + ".");
    } else {
      if (tm.index < 0) { enter(it, 0); tm.left = len; }
      tm.start = Date.now() - (len - tm.left);
      tm.running = true;
      announce(it.title + ": timer running, interval " + (tm.index + 1) + " of " + maxIntervals(it) + ".");
    }
    save(); renderRows(it); refresh();
  }
  function enter(it, index) {
    var tm = timer(it), r = state.items[it.id];
    tm.index = index;
    r.reached = Math.max(r.reached, index + 1);
    while (r.rows.length < r.reached) r.rows.push([]);
    if (r.choice === F.not_observed) { r.choice = ""; writeItem(it); }
  }
  function advance(it, byHand) {
    var tm = timer(it), len = it.interval_minutes * 60000;
    if (tm.index + 1 >= maxIntervals(it)) {
      tm.running = false; tm.left = 0;
      announce(it.title + ": the last interval has ended; the timer stopped.");
      save(); renderRows(it); refresh(); return;
    }
    enter(it, tm.index + 1);
    if (byHand) { tm.start = Date.now(); tm.left = len; }
    else tm.start += len;
    announce(it.title + ": interval " + (tm.index + 1) + " of " + maxIntervals(it) + " begins.");
    signal(it);
    save(); renderRows(it); refresh();
    // keep the new row in view for an observer working in this grid
    var item = document.querySelector('[data-item="' + it.id + '"]'), current = item.querySelector("tr.current");
    if (current && item.contains(document.activeElement) && current.scrollIntoView) current.scrollIntoView({ block: "nearest" });
    var first = current && current.querySelector("input");
    if (first && byHand) first.focus();
  }
  function tick() {
    if (!state) return;
    cfg.items.forEach(function (it) {
      if (it.kind !== "codes") return;
      var tm = timer(it);
      if (!tm.running) return;
      var guard = 0;
      while (tm.running && Date.now() - tm.start >= it.interval_minutes * 60000 && guard++ < 1000) advance(it, false);
      renderClock(it);
    });
  }
  setInterval(tick, 250);

  var audio = null;
  function signal(it) {
    var box = document.querySelector('[data-item="' + it.id + '"] [data-act="signal"]');
    if (!box || !box.checked) return;
    if (navigator.vibrate) { try { navigator.vibrate(200); } catch (e) { /* not supported */ } }
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    try {
      audio = audio || new Ctx();
      var o = audio.createOscillator(), g = audio.createGain();
      o.frequency.value = 880; g.gain.value = 0.2;
      o.connect(g); g.connect(audio.destination);
      o.start(); o.stop(audio.currentTime + 0.25);
    } catch (e) { /* no sound: the announcement and the clock remain */ }
  }

  function announce(text) {
    var a = el("announcer");
    a.textContent = "";
    setTimeout(function () { a.textContent = text; }, 50);
  }

  // ------------------------------------------------------------------ answers and problems
  function num(s) {
    if (s === "" || s == null) return null;
    var n = Number(s);
    return isFinite(n) ? n : NaN;
  }
  function status(it, r, s) {
    if (r.choice === F.not_observed) return "not-observed";
    if (r.choice === F.not_applicable) return "not-applicable";
    if (it.kind === "anchored" || it.kind === "check") return r.choice ? "answered" : "empty";
    if (it.kind === "count") return r.count !== "" || (it.ratio && r.out_of !== "") ? "answered" : "empty";
    return r.reached > 0 ? "answered" : "empty";
  }
  function itemProblems(it, r) {
    var p = [], st = status(it, r, state);
    if (st === "not-applicable" && !r.reason.trim()) p.push("give the reason it did not apply");
    if (it.kind === "count" && st === "answered") {
      var c = num(r.count), o = num(r.out_of);
      if (c === null) p.push("give the count");
      else if (isNaN(c) || c < 0 || c > L.max_count) p.push("the count must be a number from 0 to " + L.max_count);
      if (it.ratio) {
        if (o === null) p.push("give the number it is out of");
        else if (isNaN(o) || o < 0 || o > L.max_count) p.push("out of must be a number from 0 to " + L.max_count);
        else if (c !== null && c > o) p.push("the count is more than the number it is out of");
      }
    }
    if (it.kind === "codes" && st === "answered" && r.reached > maxIntervals(it)) p.push(r.reached + " intervals recorded, but a " + state.duration + "-minute session has at most " + maxIntervals(it));
    return p;
  }
  function sessionProblems() {
    var p = [];
    function check(id, msg) { el(id + "-error").textContent = msg || ""; if (msg) p.push(msg); }
    var pod = state.pod;
    check("f-pod", !pod ? "Give the pod’s id." : (!SLUG.test(pod) || pod.length > L.max_id_length ? "The pod id is lowercase letters, digits and single hyphens, at most " + L.max_id_length + " characters." : ""));
    var d = state.date;
    check("f-date", !/^\d{4}-\d{2}-\d{2}$/.test(d) ? "Give the date of the session." : (d > today() ? "The date is in the future." : ""));
    var m = Number(state.duration);
    check("f-duration", !(Number.isInteger(m) && m >= 1 && m <= L.max_session_minutes) ? "Minutes observed: a whole number from 1 to " + L.max_session_minutes + "." : "");
    var o = state.observer;
    check("f-observer", !o ? "Give your observer id." : (!OBSERVER.test(o) || o.length > L.max_observer_length || o === L.consensus ? "The observer id is a pseudonym of letters, digits, - and _ (at most " + L.max_observer_length + "), and not “" + L.consensus + "”." : ""));
    return p;
  }

  function refresh() {
    var empty = [], problems = sessionProblems(), rows = [];
    cfg.items.forEach(function (it) {
      var r = state.items[it.id], st = status(it, r, state);
      var tag = el("state-" + it.id);
      tag.dataset.state = st;
      tag.textContent = { empty: "not recorded yet", answered: "recorded", "not-observed": "not observed", "not-applicable": "not applicable" }[st];
      if (st === "empty") empty.push(it);
      itemProblems(it, r).forEach(function (m) { problems.push(it.title + ": " + m); });
      rows.push([it, describe(it, r, st)]);
    });
    var done = cfg.items.length - empty.length;
    el("progress").textContent = done + " of " + cfg.items.length + " items recorded" + (empty.length ? "; " + empty.length + " still empty (written as not observed)." : ".");
    var list = el("empty-list"); list.textContent = "";
    empty.forEach(function (it) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = "#item-" + it.id; a.textContent = it.title; li.appendChild(a); list.appendChild(li);
    });
    var body = el("summary-body"); body.textContent = "";
    rows.forEach(function (row) {
      var tr = document.createElement("tr"), th = document.createElement("th"), td = document.createElement("td");
      th.scope = "row"; th.textContent = row[0].title; td.textContent = row[1];
      tr.appendChild(th); tr.appendChild(td); body.appendChild(tr);
    });
    var pl = el("problem-list"); pl.textContent = "";
    problems.forEach(function (m) { var li = document.createElement("li"); li.textContent = m; pl.appendChild(li); });
    el("problems").hidden = problems.length === 0;
    renderLast();
  }
  function describe(it, r, st) {
    if (st === "empty") return "nothing yet (not observed)";
    if (st === "not-observed") return "not observed";
    if (st === "not-applicable") return "not applicable: " + r.reason;
    if (it.kind === "anchored") return "level " + r.choice;
    if (it.kind === "check") return r.choice;
    if (it.kind === "count") return r.count + (it.ratio ? " out of " + r.out_of : "") + (it.per === "hour" ? " in the session" : "");
    var rows = r.rows.slice(0, r.reached);
    return rows.length + " intervals; " + rows.filter(function (x) { return x.length; }).length + " with a code ticked";
  }

  // ------------------------------------------------------------------ YAML and CSV
  function yamlString(s) {
    var out = '"';
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i), ch = s.charAt(i);
      if (ch === '"') out += '\\"';
      else if (ch === "\\") out += "\\\\";
      else if (ch === "\n") out += "\\n";
      else if (ch === "\t") out += "\\t";
      else if (ch === "\r") out += "\\r";
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) { out += ch + s.charAt(i + 1); i++; }
      else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xdfff) || c === 0x2028 || c === 0x2029 || c === 0xfeff || c >= 0xfffe) out += "\\u" + ("000" + c.toString(16)).slice(-4);
      else out += ch;
    }
    return out + '"';
  }
  function yamlNumber(n) {
    var s = String(n);
    if (/e/i.test(s)) s = n.toFixed(12).replace(/0+$/, "").replace(/\.$/, "");
    return s;
  }
  var YAML_WORDS = /^(y|yes|n|no|true|false|on|off|null)$/i;
  /* An id written plain unless YAML would read it as something else (yes, 12, 2026-10-01). */
  function yamlId(c) { return YAML_WORDS.test(c) || !/^[A-Za-z][A-Za-z0-9_-]*$/.test(c) ? yamlString(c) : c; }

  /* One observer's answer to one item: [key, value] pairs in the order the file lists them. */
  function answer(it, r) {
    var st = status(it, r, state), out = [];
    if (st === "empty" || st === "not-observed") out.push(["not_observed", "true"]);
    else if (st === "not-applicable") { out.push(["not_applicable", "true"]); out.push(["reason", r.reason.trim()]); }
    else if (it.kind === "anchored") out.push(["level", String(parseInt(r.choice, 10))]);
    else if (it.kind === "check") out.push(["check", r.choice]);
    else if (it.kind === "count") {
      var c = num(r.count), o = num(r.out_of);
      out.push(["count", c === null || isNaN(c) ? r.count : yamlNumber(c)]);
      if (it.ratio) out.push(["out_of", o === null || isNaN(o) ? r.out_of : yamlNumber(o)]);
    } else out.push(["intervals", r.rows.slice(0, r.reached).map(function (row) { return row.slice(); })]);
    out.push(["evidence", r.evidence.trim()]);
    return out;
  }
  function toYaml() {
    var ob = state.observer;
    var values = {
      schema: new URL(cfg.schema_path, window.location.href).href, pod: yamlId(state.pod), date: state.date,
      session: state.session, duration: String(parseInt(state.duration, 10) || state.duration), observer: yamlId(ob), notes: yamlString(state.notes.trim())
    };
    return cfg.yaml.replace(/\u27e6([a-z]+)(?::([a-z0-9-]+))?\u27e7/g, function (m, key, id) {
      if (key === "response") {
        var lines = ["    " + yamlId(ob) + ":"];
        answer(items[id], state.items[id]).forEach(function (kv) {
          var v = kv[1];
          if (kv[0] === "intervals") v = "[" + v.map(function (row) { return "[" + row.map(yamlId).join(", ") + "]"; }).join(", ") + "]";
          else if (kv[0] === "evidence" || kv[0] === "reason") v = yamlString(v);
          lines.push("      " + kv[0] + ": " + v);
        });
        return lines.join("\n");
      }
      if (key === "max") return String(maxIntervals(items[id]));
      return values[key];
    });
  }
  function csvCell(v) {
    v = String(v);
    return /[",\r\n]|^\s|\s$|^#/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
  }
  function toCsv() {
    var C = cfg.csv, lines = [C.columns.join(",")];
    cfg.items.forEach(function (it) {
      var row = { assessment: cfg.assessment, assessment_version: cfg.version, pod: state.pod, date: state.date, session_type: state.session,
        duration_minutes: String(parseInt(state.duration, 10) || state.duration), observer: state.observer, item: it.id };
      answer(it, state.items[it.id]).forEach(function (kv) {
        var k = kv[0], v = kv[1];
        if (k === "not_observed" || k === "not_applicable") v = "yes";
        if (k === "intervals") v = v.map(function (codes) { return codes.length ? codes.join(C.code_sep) : C.empty_interval; }).join(C.interval_sep);
        row[k] = v;
      });
      lines.push(C.columns.map(function (c) { return csvCell(row[c] == null ? "" : row[c]); }).join(","));
    });
    return lines.join("\r\n") + "\r\n";
  }
  function fileName(ext) {
    return cfg.file_name.replace("\u27e6pod\u27e7", state.pod || "pod").replace("\u27e6date\u27e7", state.date || "date").replace(/\.yaml$/, "--" + (state.observer || "observer") + ext);
  }
  function download(text, fname, type) {
    var blob = new Blob([text], { type: type });
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = fname;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    state.downloaded = true;
    save();
    announce("Downloaded " + fname + ". The session stays in this browser until you discard it.");
  }
  el("download-yaml").addEventListener("click", function () { download(toYaml(), fileName(".yaml"), "application/yaml"); });
  el("download-csv").addEventListener("click", function () { download(toCsv(), fileName(".csv"), "text/csv"); });
  el("discard").addEventListener("click", function () {
    if (!window.confirm("Discard this session? Everything recorded in it is deleted from this browser. Download the observation file first if you need it.")) return;
    if (store) store.removeItem(cfg.storage_prefix + state.id);
    open(blankState());
    announce("Session discarded; a new one is open.");
  });
  el("new-session").addEventListener("click", function () { open(blankState()); announce("A new session is open; the previous one stays in the list."); el("f-pod").focus(); });

  // ------------------------------------------------------------------ loading a file back
  function parseScalar(s) {
    s = s.trim();
    if (s === "") return "";
    if (s.charAt(0) === '"') return JSON.parse(s.replace(/\\x([0-9a-fA-F]{2})/g, "\\u00$1").replace(/\\\//g, "/"));
    if (s.charAt(0) === "'") return s.slice(1, -1).replace(/''/g, "'");
    if (/^(true|yes)$/i.test(s)) return true;
    if (/^(false|no)$/i.test(s)) return false;
    if (/^[-+]?(\d+\.?\d*|\.\d+)$/.test(s)) return Number(s);
    return s;
  }
  function stripComment(line) {
    var q = null;
    for (var i = 0; i < line.length; i++) {
      var ch = line.charAt(i);
      if (q) { if (ch === "\\" && q === '"') i++; else if (ch === q) q = null; }
      else if (ch === '"' || ch === "'") q = ch;
      else if (ch === "#" && (i === 0 || /\s/.test(line.charAt(i - 1)))) return line.slice(0, i);
    }
    return line;
  }
  function parseFlow(s) {
    var i = 0;
    function value() {
      while (s.charAt(i) === " ") i++;
      if (s.charAt(i) === "[") {
        i++; var out = [];
        while (true) {
          while (s.charAt(i) === " ") i++;
          if (s.charAt(i) === "]") { i++; return out; }
          out.push(value());
          while (s.charAt(i) === " ") i++;
          if (s.charAt(i) === ",") i++;
          else if (s.charAt(i) !== "]") throw new Error("unexpected " + s.charAt(i) + " in a list");
        }
      }
      var start = i;
      if (s.charAt(i) === '"' || s.charAt(i) === "'") {
        var q = s.charAt(i++);
        while (i < s.length && s.charAt(i) !== q) { if (s.charAt(i) === "\\" && q === '"') i++; i++; }
        i++;
      } else while (i < s.length && ",]".indexOf(s.charAt(i)) < 0) i++;
      return parseScalar(s.slice(start, i));
    }
    return value();
  }
  function parseYaml(text) {
    var root = {}, stack = [{ indent: -1, obj: root }];
    text.split(/\r?\n/).forEach(function (raw, n) {
      var line = stripComment(raw).replace(/\s+$/, "");
      if (!line.trim()) return;
      var indent = line.length - line.replace(/^ +/, "").length;
      var m = /^("(?:[^"\\]|\\.)*"|[A-Za-z0-9_-]+):(?:\s+(.*))?$/.exec(line.trim());
      if (!m) throw new Error("line " + (n + 1) + ": the recorder reads the files it writes (key: value lines)");
      if (m[1].charAt(0) === '"') m[1] = JSON.parse(m[1]);
      while (stack[stack.length - 1].indent >= indent) stack.pop();
      var parent = stack[stack.length - 1].obj, v = m[2];
      if (v === undefined || v === "") { parent[m[1]] = {}; stack.push({ indent: indent, obj: parent[m[1]] }); }
      else if (v.charAt(0) === "[") parent[m[1]] = parseFlow(v);
      else if (v.charAt(0) === "|" || v.charAt(0) === ">") throw new Error("line " + (n + 1) + ": block text is not supported here; write it in double quotes");
      else parent[m[1]] = parseScalar(v);
    });
    return root;
  }
  function parseCsv(text) {
    var rows = [], row = [], cell = "", q = false;
    for (var i = 0; i < text.length; i++) {
      var ch = text.charAt(i);
      if (q) { if (ch === '"') { if (text.charAt(i + 1) === '"') { cell += '"'; i++; } else q = false; } else cell += ch; }
      else if (ch === '"') q = true;
      else if (ch === ",") { row.push(cell); cell = ""; }
      else if (ch === "\n" || ch === "\r") { if (ch === "\r" && text.charAt(i + 1) === "\n") i++; row.push(cell); rows.push(row); row = []; cell = ""; }
      else cell += ch;
    }
    if (cell !== "" || row.length) { row.push(cell); rows.push(row); }
    rows = rows.filter(function (r) { return r.some(function (c) { return c.trim(); }) && r[0].trim().charAt(0) !== "#"; });
    var head = rows.shift().map(function (c) { return c.trim().toLowerCase(); }), C = cfg.csv;
    var doc = null;
    rows.forEach(function (r) {
      var c = {}; head.forEach(function (h, j) { c[h] = (r[j] || "").trim(); });
      if (!doc) doc = { assessment: c.assessment, assessment_version: c.assessment_version, pod: c.pod, date: c.date,
        session: { type: c.session_type, duration_minutes: c.duration_minutes }, observers: [c.observer], responses: {} };
      if (c.observer !== doc.observers[0]) return;
      var resp = {};
      ["level", "count", "out_of"].forEach(function (k) { if (c[k]) resp[k] = Number(c[k]); });
      if (c.check) resp.check = /^(yes|y|true|1|x)$/i.test(c.check);
      if (c.intervals) resp.intervals = c.intervals.split(C.interval_sep).map(function (p) { p = p.trim(); return p === "" || p === C.empty_interval ? [] : p.split(C.code_sep).map(function (x) { return x.trim(); }); });
      if (/^(yes|y|true|1|x)$/i.test(c.not_observed || "")) resp.not_observed = true;
      if (/^(yes|y|true|1|x)$/i.test(c.not_applicable || "")) resp.not_applicable = true;
      resp.reason = c.reason || ""; resp.evidence = c.evidence || "";
      doc.responses[c.item] = {}; doc.responses[c.item][c.observer] = resp;
    });
    if (!doc) throw new Error("no data rows");
    return doc;
  }
  function fromDoc(doc) {
    if (doc.assessment !== cfg.assessment) throw new Error("this file is for the assessment “" + doc.assessment + "”; open that assessment’s recorder");
    var observers = Array.isArray(doc.observers) ? doc.observers : [];
    var ob = String(observers[0] || "");
    var s = blankState();
    s.pod = String(doc.pod || ""); s.date = String(doc.date || ""); s.observer = ob; s.notes = String(doc.notes || "");
    var sess = doc.session || {};
    if (sess.type) s.session = String(sess.type);
    if (sess.duration_minutes !== undefined) s.duration = String(sess.duration_minutes);
    var responses = doc.responses || {};
    cfg.items.forEach(function (it) {
      var r = ((responses[it.id] || {})[ob]) || {}, x = s.items[it.id];
      x.evidence = String(r.evidence || ""); x.reason = String(r.reason || "");
      if (r.not_applicable === true) x.choice = F.not_applicable;
      else if (r.not_observed === true) x.choice = F.not_observed;
      else if (it.kind === "anchored" && r.level !== undefined) x.choice = String(r.level);
      else if (it.kind === "check" && r.check !== undefined) x.choice = r.check ? "yes" : "no";
      else if (it.kind === "count") { if (r.count !== undefined) x.count = String(r.count); if (r.out_of !== undefined) x.out_of = String(r.out_of); }
      else if (it.kind === "codes" && Array.isArray(r.intervals)) {
        x.rows = r.intervals.map(function (row) { return (Array.isArray(row) ? row : []).map(String); });
        x.reached = x.rows.length;
        s.timers[it.id] = { running: false, index: x.reached - 1, start: 0, left: 0 };
      }
    });
    return { state: s, others: observers.slice(1) };
  }
  /* Call use(file, text) with the file picked in the input `id` (its text, a leading BOM removed),
   * then clear the input, so that picking the same file again is noticed. */
  function onFilePicked(id, use) {
    el(id).addEventListener("change", function (ev) {
      var f = ev.target.files && ev.target.files[0];
      if (!f) return;
      var reader = new FileReader();
      reader.onload = function () {
        use(f, String(reader.result).replace(/^\ufeff/, ""));
        ev.target.value = "";
      };
      reader.readAsText(f);
    });
  }
  onFilePicked("load-file", function (f, text) {
    try {
      var got = fromDoc(/\.csv$/i.test(f.name) ? parseCsv(text) : parseYaml(text));
      open(got.state);
      el("load-status").textContent = "Continuing " + f.name + (got.others.length ? " (the answers of " + got.state.observer + "; the file also holds " + got.others.join(", ") + ")" : "") + ".";
    } catch (e) {
      el("load-status").textContent = "Could not read " + f.name + ": " + e.message;
    }
  });

  // ------------------------------------------------------------------ the pod's last report
  /* Optional, for the observer's eyes only: per item, the level last observed and the actions the
   * pod has in flight, read from the report JSON `podkit score` wrote (its names are those of the
   * report's JSON Schema: sessions[].items[], actions[]). Kept in memory: never saved, never sent. */
  var last = null, lastError = "";
  var NOT_A_REPORT = "this is not a podkit report: pick the " + cfg.report.file_name + " file that podkit score wrote";

  function readReport(doc) {
    if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new Error(NOT_A_REPORT);
    if (typeof doc.format === "string" && doc.format.indexOf(cfg.report.family) === 0 && doc.format !== cfg.report.format)
      throw new Error("this report is in the format " + doc.format + "; this recorder reads " + cfg.report.format + " (score again with this kit’s podkit)");
    if (doc.format !== cfg.report.format || typeof doc.pod !== "string" || !Array.isArray(doc.sessions)) throw new Error(NOT_A_REPORT);
    var a = doc.assessment && doc.assessment.id;
    if (a !== cfg.assessment) throw new Error("this report is for the assessment “" + a + "”, not “" + cfg.assessment + "”: open that assessment’s recorder");
    if (state.pod && doc.pod !== state.pod) throw new Error("this report is for the pod “" + doc.pod + "”, and this session records the pod “" + state.pod + "”");
    return { pod: doc.pod, asOf: String(doc.as_of || ""), levels: lastLevels(doc.sessions), actions: inFlight(doc.actions) };
  }
  /* The latest session that observed each item (or recorded it not applicable). */
  function lastLevels(sessions) {
    var out = {};
    sessions.slice().sort(function (x, y) { return String(x.date).localeCompare(String(y.date)) || (x.index - y.index); }).forEach(function (s) {
      (Array.isArray(s.items) ? s.items : []).forEach(function (x) {
        if (!x || !items[x.id]) return;
        if (x.not_applicable === true) out[x.id] = { date: String(s.date), na: true };
        else if (x.observed === true && typeof x.level === "number") out[x.id] = { date: String(s.date), level: x.level };
      });
    });
    return out;
  }
  /* The actions in flight (planned or in progress as of the report's date), by item. */
  function inFlight(actions) {
    var out = {};
    (Array.isArray(actions) ? actions : []).forEach(function (x) {
      if (!x || x.in_flight !== true || !items[x.item]) return;
      (out[x.item] = out[x.item] || []).push({ title: String(x.title), owner: String(x.owner), due: String(x.due), overdue: x.overdue === true });
    });
    return out;
  }
  function levelText(v) {
    var label = cfg.scale_labels[String(v)];
    return "level " + v + (label ? " (" + label + ")" : "");
  }
  function note(box, lead, text) {
    var p = document.createElement("p"), b = document.createElement("strong");
    b.textContent = lead; p.appendChild(b); p.appendChild(document.createTextNode(" " + text));
    box.appendChild(p);
  }
  function renderLast() {
    var other = last && state.pod && state.pod !== last.pod, flying = 0;
    cfg.items.forEach(function (it) {
      var box = el("last-" + it.id);
      box.textContent = "";
      box.hidden = !last || other;
      if (box.hidden) return;
      var seen = last.levels[it.id], acts = last.actions[it.id] || [];
      note(box, "Last observed:", !seen ? "not observed in the sessions of that report." : seen.na ? "not applicable on " + seen.date + "." : levelText(seen.level) + " on " + seen.date + ".");
      if (!acts.length) note(box, "Action in flight:", "none agreed.");
      acts.forEach(function (x) { flying++; note(box, "Action in flight:", x.title + " (" + x.owner + ", due " + x.due + (x.overdue ? ", overdue" : "") + ")."); });
    });
    var st = el("report-status");
    el("clear-report").hidden = !last;
    st.className = lastError || other ? "status warn" : "status";
    if (lastError) st.textContent = lastError;
    else if (!last) st.textContent = "";
    else if (other) st.textContent = "The loaded report is for the pod " + last.pod + ", not " + state.pod + ": its levels and actions are hidden.";
    else st.textContent = "Showing the last report of " + last.pod + (last.asOf ? " (as of " + last.asOf + ")" : "") + ": the level last observed for each item, and " + (flying === 1 ? "1 action" : flying + " actions") + " in flight.";
  }
  onFilePicked("load-report", function (f, text) {
    try {
      var doc;
      try { doc = JSON.parse(text); } catch (e) { throw new Error(NOT_A_REPORT + " (this file is not JSON)"); }
      last = readReport(doc);
      lastError = "";
    } catch (e) {
      last = null;  // what the page shows is always the file picked last, or nothing
      lastError = "Could not use " + f.name + ": " + e.message + ".";
    }
    renderLast();
    announce(el("report-status").textContent);
  });
  el("clear-report").addEventListener("click", function () { last = null; lastError = ""; renderLast(); announce("The last report is hidden."); });

  // ------------------------------------------------------------------ start
  window.addEventListener("beforeunload", function (ev) { if (!store && state && !state.downloaded) { ev.preventDefault(); ev.returnValue = ""; } });
  var kept = sessions();
  open(kept.length ? kept[0] : blankState());
  if (kept.length) el("load-status").textContent = "Continuing your last session (" + (kept[0].pod || "no pod yet") + ", " + kept[0].date + "). Other kept sessions are listed above.";
})();
