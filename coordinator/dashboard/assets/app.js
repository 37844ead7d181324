// The registrar's dashboard. Everything comes from the coordinator's own JSON API (/api/...), and
// every text from it is put into the page as text (textContent, text nodes): never as markup, so a
// class or a name holding "<script>" shows as written.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const SHA256_HEX = /^[0-9a-f]{64}$/;
// A photo that could not be shown is asked for again at most this often (it may arrive later).
const PHOTO_RETRY_MS = 15000;
// An event stream the server closed (an error status) is opened again after this long.
const RELISTEN_MS = 5000;
const STATION_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"];

const state = {
  summary: null,
  openClass: null,     // the class whose students are shown
  classView: null,
  fetching: false,
  again: false,        // an update came while fetching
  locked: false,       // the API answered 401: the sign-in form is shown until the token is given
  events: null,        // the open EventSource
  relisten: null,      // the timer that opens it again
  // Per student and image hash, the node that shows the photo, kept across renders: a render neither
  // reloads a photo nor asks at every update for one that has not reached the coordinator. Per
  // student too: one image bound to two students (a misassignment) shows at both. {node, failedAt}
  photos: new Map(),
  // Rows of anomalies resolved from this page, kept in place a while with their result: id -> until (ms).
  resolvedHere: new Map(),
};

const RESOLVED_ROW_MS = 6000;

// ---- small DOM helpers ----

// el("td", {class: "num"}, "text", otherNode): attributes are set as attributes, children as text
// nodes or nodes. No markup is ever parsed.
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== null && v !== undefined) node.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function svgEl(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  return node;
}

function text(id, value) {
  document.getElementById(id).textContent = value;
}

function orDash(v) {
  return v === null || v === undefined ? "–" : v;
}

function hhmm(minute) {
  const m = ((Math.round(minute) % 1440) + 1440) % 1440;
  return String(Math.floor(m / 60)).padStart(2, "0") + ":" + String(m % 60).padStart(2, "0");
}

function age(seconds) {
  if (seconds === null || seconds === undefined) return "";
  if (seconds < 60) return seconds + " s ago";
  if (seconds < 3600) return Math.floor(seconds / 60) + " min ago";
  return Math.floor(seconds / 3600) + " h " + Math.floor((seconds % 3600) / 60) + " min ago";
}

// ---- fetching ----

// A 401 from the API: the dashboard is on a network address and this browser has no session (yet,
// or no longer: the coordinator restarted).
class TokenNeeded extends Error {}

async function getJson(path) {
  const res = await fetch(path, { cache: "no-store" });
  if (res.status === 401) throw new TokenNeeded("the registrar token is needed");
  const body = await res.json();
  if (!res.ok) throw new Error(body.error || "HTTP " + res.status);
  return body;
}

// Fetches the summary (and the open class); one request at a time, the latest update wins.
async function refresh() {
  if (state.fetching) {
    state.again = true;
    return;
  }
  state.fetching = true;
  try {
    do {
      state.again = false;
      const summary = await getJson("/api/dashboard");
      let classView = null;
      if (state.openClass !== null) {
        classView = await getJson("/api/class?name=" + encodeURIComponent(state.openClass)).catch((e) => {
          if (e instanceof TokenNeeded) throw e;
          return null;
        });
      }
      state.summary = summary;
      state.classView = classView;
      render();
      // The counts may trail the record a little (the loop refreshes them at most every 100 ms or so).
      if (summary.assignment_commit_index < summary.commit_index) setTimeout(refresh, 300);
    } while (state.again);
  } catch (e) {
    if (e instanceof TokenNeeded) askForToken();
    else setConnection(false, "error: " + e.message);
  } finally {
    state.fetching = false;
  }
}

function setConnection(up, label) {
  const node = document.getElementById("connection");
  node.textContent = label;
  node.className = "conn " + (up ? "up" : "down");
  node.dataset.state = up ? "live" : state.locked ? "locked" : "down";
}

function listen() {
  clearTimeout(state.relisten);
  if (state.events) state.events.close();
  state.events = null;
  if (state.locked) return;
  const events = new EventSource("/api/events");
  state.events = events;
  events.addEventListener("open", () => setConnection(true, "live"));
  events.addEventListener("error", () => {
    setConnection(false, "reconnecting…");
    // After a network error the browser reconnects by itself; after an error status it gives up:
    // 401 (no session: refresh shows the sign-in form) or 503 (too many streams open).
    if (events.readyState === EventSource.CLOSED) {
      refresh();
      state.relisten = setTimeout(listen, RELISTEN_MS);
    }
  });
  events.addEventListener("update", (e) => {
    let update = {};
    try {
      update = JSON.parse(e.data);
    } catch (_) {
      return;
    }
    if (update.error) {
      setConnection(false, "coordinator not answering");
      return;
    }
    setConnection(true, "live");
    refresh();
  });
}

// ---- signing in ----

function askForToken() {
  if (state.locked) return;
  state.locked = true;
  listen();  // closes the stream: it opens again once signed in
  document.body.dataset.locked = "";
  setConnection(false, "registrar token needed");
  document.getElementById("sign-in").hidden = false;
  document.getElementById("sign-in-token").focus();
}

// Sends the token once; the answer's cookie then goes with every request, <img> and EventSource too.
async function signIn() {
  const input = document.getElementById("sign-in-token");
  const button = document.getElementById("sign-in-button");
  const message = document.getElementById("sign-in-message");
  const token = input.value.trim();
  message.textContent = "";
  delete message.dataset.status;
  if (!token) {
    message.textContent = "Type or paste the registrar token first.";
    return;
  }
  button.disabled = true;
  try {
    const res = await fetch("/api/session", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token }) });
    message.dataset.status = res.status;
    if (res.status === 401) {
      message.textContent = "That is not the registrar token. Copy it again from registrar.token in the " +
        "coordinator's store folder.";
      input.select();
      return;
    }
    if (!res.ok) {
      const body = await res.json().catch(() => ({}));
      message.textContent = "Not signed in: " + (body.error || "the coordinator answered " + res.status);
      return;
    }
    input.value = "";
    state.locked = false;
    delete document.body.dataset.locked;
    document.getElementById("sign-in").hidden = true;
    document.getElementById("token").placeholder = "not needed here: this browser is signed in";
    state.photos.clear();  // those that failed without the session are asked for again
    setConnection(false, "connecting…");
    refresh();
    listen();
  } catch (e) {
    message.dataset.status = "0";
    message.textContent = "The coordinator did not answer: " + e.message;
  } finally {
    button.disabled = false;
  }
}

// ---- rendering ----

function render() {
  const s = state.summary;
  if (!s) return;
  document.body.dataset.loaded = "";
  text("now", s.now.replace("T", " ").replace(/\.\d+/, ""));
  text("commit-index", s.commit_index);
  const counts = document.getElementById("counts-state");
  const behind = s.assignment_commit_index < s.commit_index;
  counts.textContent = behind ? "counts catching up…" : "";
  document.body.dataset.commitIndex = s.commit_index;
  document.body.dataset.countsCommitIndex = s.assignment_commit_index;
  renderTotals(s);
  renderStations(s);
  renderAnomalies(s);
  renderPlots(s);
  renderClasses(s);
}

function renderTotals(s) {
  const t = s.totals;
  const figure = (label, value, field) => el("div", { class: "figure", "data-total": field }, el("b", {}, value), label);
  document.getElementById("totals").replaceChildren(
    figure("expected", t.expected, "expected"),
    figure("photographed", t.photographed, "photographed"),
    figure("absent", t.absent, "absent"),
    figure("missing (class moved on)", t.missing, "missing"),
    figure("waiting", t.waiting, "waiting"),
    figure("open anomalies", s.anomalies.open, "open_anomalies"),
    figure("open blockers", s.anomalies.open_blockers, "open_blockers"));
}

function renderStations(s) {
  const cards = s.stations.map((st) => {
    const done = st.photographed + st.absent;
    const bar = el("div", { class: "bar" }, el("div"));
    bar.firstChild.style.width = (st.expected ? (100 * done) / st.expected : 0).toFixed(1) + "%";
    const delay = st.delay_minutes;
    const delayText = delay === null ? "–" : (delay > 0 ? "+" : "") + delay.toFixed(1) + " min";
    // A finished station's delay is the one it finished with: history, not an alarm.
    const late = !st.finished && delay > 5;
    const field = (name, value) => el("dd", { "data-field": name }, value);
    const current = st.current_class === null ? "no class yet"
      : st.current_class + " (" + st.class_done + "/" + st.class_expected + ")";
    return el("div", { class: "station" + (st.open_blockers > 0 ? " has-blocker" : ""), "data-station": st.station },
      el("h3", {}, "机位 " + st.station, st.finished ? el("span", { class: "done", "data-field": "finished" }, "done") : "",
        el("span", { class: st.open_blockers > 0 ? "late" : "muted" },
          st.open_anomalies + " open, " + st.open_blockers + " blockers")),
      el("div", { class: "class", "data-field": "current_class" }, current),
      el("div", { class: "muted" }, orDash(st.current_college),
        st.slot_start ? " · slot " + st.slot_start + "–" + st.slot_end : ""),
      bar,
      el("dl", {},
        el("dt", {}, "photographed"), field("photographed", st.photographed),
        el("dt", {}, "expected"), field("expected", st.expected),
        el("dt", {}, "absent"), field("absent", st.absent),
        el("dt", {}, "missing"), field("missing", st.missing),
        el("dt", {}, "waiting"), field("waiting", st.waiting),
        el("dt", {}, "pace"), field("pace", st.pace_per_minute === null ? "–" : st.pace_per_minute.toFixed(1) + " /min"),
        el("dt", {}, "delay"), el("dd", { "data-field": "delay", class: late ? "late" : "" }, delayText),
        el("dt", {}, st.finished ? "finished" : "est. end"),
        field("estimated_end", st.finished ? "done" + (st.finished_at ? " at " + st.finished_at : "") : orDash(st.estimated_end))));
  });
  document.getElementById("stations").replaceChildren(...cards);
}

function studentsText(students) {
  return students.map((p) => p.student_no + (p.name ? " " + p.name : p.masked_name ? " " + p.masked_name : "")).join(", ");
}

// Rows are kept per anomaly id, so a reason being typed survives the updates.
function renderAnomalies(s) {
  const tbody = document.querySelector("#anomalies tbody");
  const before = [...tbody.querySelectorAll("tr[data-anomaly]")];
  const existing = new Map(before.map((r) => [r.dataset.anomaly, r]));
  const rows = s.anomalies.list.map((a) => {
    let row = existing.get(a.id);
    if (!row) row = newAnomalyRow(a);
    existing.delete(a.id);
    const cells = row.children;
    cells[3].textContent = a.station || "–";
    cells[4].textContent = studentsText(a.students);
    cells[5].textContent = a.shots.join(", ");
    cells[6].textContent = a.message;
    cells[7].textContent = (a.raised_at || "") + " " + age(a.age_seconds);
    return row;
  });
  // An anomaly just resolved here keeps its row, in its place, showing the result, for a while.
  const now = Date.now();
  before.forEach((row, index) => {
    const until = state.resolvedHere.get(row.dataset.anomaly);
    if (!existing.has(row.dataset.anomaly) || until === undefined) return;
    if (until < now) {
      state.resolvedHere.delete(row.dataset.anomaly);
      return;
    }
    rows.splice(Math.min(index, rows.length), 0, row);
  });
  tbody.replaceChildren(...rows);
  text("anomaly-count", "(" + s.anomalies.open + ", " + s.anomalies.open_blockers + " blockers)");
  text("anomalies-left-out", s.anomalies.left_out > 0 ? s.anomalies.left_out + " more not shown" : "");
}

function newAnomalyRow(a) {
  const reason = el("input", { type: "text", placeholder: "reason (recorded)", maxlength: 1000, "data-role": "reason" });
  const go = el("button", { class: "primary", type: "button", "data-role": "submit" }, "resolve");
  const form = el("div", { class: "resolve-form", hidden: "" }, reason, go);
  const result = el("p", { class: "message", "data-role": "result", role: "status" });
  const open = el("button", { type: "button", "data-role": "open" }, "resolve…");
  open.addEventListener("click", () => {
    form.hidden = !form.hidden;
    if (!form.hidden) reason.focus();
  });
  go.addEventListener("click", () => resolve(a.id, reason.value, go));
  reason.addEventListener("keydown", (e) => {
    if (e.key === "Enter") resolve(a.id, reason.value, go);
  });
  return el("tr", { class: a.severity, "data-anomaly": a.id, "data-severity": a.severity, "data-kind": a.kind },
    el("td", {}, a.id),
    el("td", {}, el("span", { class: "severity " + a.severity }, a.severity)),
    el("td", {}, a.kind),
    el("td", { class: "num", "data-label": "station" }),
    el("td", { "data-label": "students" }),
    el("td", { "data-label": "shots" }),
    el("td", { class: "message-cell" }),
    el("td", { "data-label": "raised" }),
    el("td", {}, open, form, result));
}

// A resolve's result, beside the anomaly's row and above the list.
function say(id, sentence, kind, status) {
  const row = document.querySelector(`#anomalies tr[data-anomaly="${CSS.escape(id)}"]`);
  for (const node of [document.getElementById("resolve-message"), row && row.querySelector("[data-role=result]")]) {
    if (!node) continue;
    node.textContent = sentence;
    node.className = "message " + kind;
    node.dataset.status = status;
  }
}

async function resolve(id, reason, button) {
  const token = document.getElementById("token").value.trim();
  const by = document.getElementById("resolver").value.trim();
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = "Bearer " + token;
  button.disabled = true;
  try {
    const res = await fetch("/api/resolve", { method: "POST", headers, body: JSON.stringify({ id, reason, by }) });
    const body = await res.json().catch(() => ({ error: "HTTP " + res.status }));
    // A person at the page is told what to do on it, not an HTTP header.
    const why = res.status === 401
      ? "paste the registrar token (the coordinator's <store>/registrar.token) into the field at the top; nothing was changed"
      : body.error;
    say(id, res.ok ? body.message : id + " not resolved: " + why, res.ok ? "ok" : "error", res.status);
    if (res.ok) {
      state.resolvedHere.set(id, Date.now() + RESOLVED_ROW_MS);
      document.querySelector(`#anomalies tr[data-anomaly="${CSS.escape(id)}"]`)?.setAttribute("data-resolved", "");
      refresh();
      setTimeout(refresh, RESOLVED_ROW_MS + 100);
    }
  } catch (e) {
    say(id, id + " not resolved: " + e.message, "error", 0);
  } finally {
    button.disabled = false;
  }
}

function renderClasses(s) {
  const tbody = document.querySelector("#classes tbody");
  const rows = [];
  for (const c of s.classes) {
    const row = el("tr", { class: "class-row" + (c.class === state.openClass ? " open" : ""), "data-class": c.class },
      el("td", {}, c.class),
      el("td", {}, orDash(c.college)),
      el("td", { class: "num", "data-label": "station" }, c.station || "–"),
      el("td", { "data-label": "slot" }, c.slot_start ? c.slot_start + "–" + c.slot_end : "–"),
      el("td", { class: "num", "data-field": "expected", "data-label": "expected" }, c.expected),
      el("td", { class: "num", "data-field": "photographed", "data-label": "photographed" }, c.photographed),
      el("td", { class: "num", "data-field": "absent", "data-label": "absent" }, c.absent),
      el("td", { class: "num", "data-field": "missing", "data-label": "missing" }, c.missing),
      el("td", { class: "num", "data-field": "waiting", "data-label": "waiting" }, c.waiting),
      el("td", { class: "state-" + c.state, "data-field": "state" }, c.state),
      el("td", { class: "num" + (c.open_anomalies ? " trouble" : ""), "data-label": c.open_anomalies ? "anomalies" : null },
        c.open_anomalies || ""));
    row.addEventListener("click", () => {
      state.openClass = state.openClass === c.class ? null : c.class;
      state.classView = null;
      renderClasses(state.summary);
      if (state.openClass !== null) refresh();
    });
    rows.push(row);
    if (c.class === state.openClass && state.classView && state.classView.class === c.class) {
      rows.push(el("tr", { class: "students" }, el("td", { colspan: 11 }, studentTable(state.classView))));
    }
  }
  tbody.replaceChildren(...rows);
}

function studentTable(view) {
  const body = view.students.map((p, i) =>
    el("tr", { "data-student": p.student_no, "data-status": p.status },
      el("td", { class: "num" }, i + 1),
      el("td", {}, p.student_no),
      el("td", {}, orDash(p.name)),
      el("td", { class: "status-" + p.status }, p.status),
      el("td", { class: "num" }, orDash(p.station)),
      el("td", { class: "num" }, p.shot === null ? "–" : String(p.shot).padStart(4, "0")),
      el("td", { class: "image" }, photo(p), orDash(p.image_file)),
      el("td", { class: p.anomalies.length ? "trouble" : "" }, p.anomalies.join(", "))));
  return el("table", { class: "grid", "data-students-of": view.class },
    el("thead", {}, el("tr", {}, ...["序号", "student no", "name", "status", "station", "shot", "image", "anomalies"]
      .map((h) => el("th", {}, h)))),
    el("tbody", {}, ...body));
}

// The student's photo thumbnail linking to the image, or a neutral placeholder once it fails to load
// (not at the coordinator yet, or not an image a browser can show); null without a photo.
function photo(p) {
  if (typeof p.image_sha256 !== "string" || !SHA256_HEX.test(p.image_sha256)) return null;
  const key = p.student_no + "/" + p.image_sha256;
  let shown = state.photos.get(key);
  if (shown && shown.failedAt !== null && Date.now() - shown.failedAt > PHOTO_RETRY_MS) shown = null;
  if (!shown) {
    shown = newPhoto(p);
    state.photos.set(key, shown);
  }
  return shown.node;
}

function newPhoto(p) {
  const url = "/api/photo/" + p.image_sha256;
  const shot = "shot " + String(p.shot).padStart(4, "0") + (p.image_file ? " " + p.image_file : "");
  // loading before src: a lazy image is not fetched until it nears the viewport.
  const img = el("img", { class: "thumb", loading: "lazy", decoding: "async", alt: shot, src: url + "?size=thumb" });
  const link = el("a", { class: "photo", href: url, target: "_blank", rel: "noopener", title: shot,
    "data-photo": p.image_sha256 }, img);
  const shown = { node: link, failedAt: null };
  img.addEventListener("error", async () => {
    shown.failedAt = Date.now();
    const placeholder = el("span", { class: "photo thumb-missing", role: "img", "data-photo-missing": p.image_sha256,
      "aria-label": "no photo of " + shot, title: "no photo of " + shot + " to show" });
    shown.node.replaceWith(placeholder);
    shown.node = placeholder;
    // Why: the status alone (HEAD), so a photo the browser cannot show is not fetched whole again.
    const status = await fetch(url, { method: "HEAD", cache: "no-store" }).then((r) => r.status, () => 0);
    placeholder.dataset.status = status;
    if (status === 404) placeholder.title += ": it has not reached the coordinator yet";
    else if (status === 500) {
      placeholder.title += ": its file in the coordinator's store was altered, so it is not served";
      placeholder.classList.add("trouble");
    } else if (status === 200) placeholder.title += ": the browser cannot show this image";
  });
  return shown;
}

// ---- plots: inline SVG ----

const PLOT = { w: 640, h: 260, left: 44, right: 12, top: 10, bottom: 28 };

// Axes for x in minutes of the day and y from 0; returns the scale functions.
function axes(svg, x0, x1, yMax) {
  if (x1 <= x0) x1 = x0 + 60;
  if (yMax <= 0) yMax = 1;
  const sx = (x) => PLOT.left + ((x - x0) / (x1 - x0)) * (PLOT.w - PLOT.left - PLOT.right);
  const sy = (y) => PLOT.h - PLOT.bottom - (y / yMax) * (PLOT.h - PLOT.top - PLOT.bottom);
  const step = x1 - x0 > 600 ? 120 : x1 - x0 > 240 ? 60 : 30;
  for (let t = Math.ceil(x0 / step) * step; t <= x1; t += step) {
    svg.append(svgEl("line", { class: "grid-line", x1: sx(t), x2: sx(t), y1: PLOT.top, y2: PLOT.h - PLOT.bottom }));
    const label = svgEl("text", { x: sx(t), y: PLOT.h - 10, "text-anchor": "middle" });
    label.textContent = hhmm(t);
    svg.append(label);
  }
  for (let i = 0; i <= 4; i++) {
    const y = (yMax * i) / 4;
    svg.append(svgEl("line", { class: "grid-line", x1: PLOT.left, x2: PLOT.w - PLOT.right, y1: sy(y), y2: sy(y) }));
    const label = svgEl("text", { x: PLOT.left - 4, y: sy(y) + 4, "text-anchor": "end" });
    label.textContent = yMax >= 10 ? Math.round(y) : y.toFixed(1);
    svg.append(label);
  }
  svg.append(svgEl("line", { class: "axis", x1: PLOT.left, x2: PLOT.left, y1: PLOT.top, y2: PLOT.h - PLOT.bottom }));
  svg.append(svgEl("line", { class: "axis", x1: PLOT.left, x2: PLOT.w - PLOT.right, y1: PLOT.h - PLOT.bottom,
    y2: PLOT.h - PLOT.bottom }));
  return { sx, sy };
}

function polyline(svg, points, scale, colour, extraClass) {
  if (points.length === 0) return;
  const d = points.map(([x, y]) => scale.sx(x).toFixed(1) + "," + scale.sy(y).toFixed(1)).join(" ");
  svg.append(svgEl("polyline", { points: d, fill: "none", stroke: colour, "stroke-width": 2,
    class: extraClass || "" }));
}

function legend(svg, entries) {
  entries.forEach(([label, colour], i) => {
    const x = PLOT.left + 8 + i * 90;
    svg.append(svgEl("rect", { x, y: PLOT.top + 2, width: 10, height: 10, fill: colour }));
    const t = svgEl("text", { x: x + 14, y: PLOT.top + 11 });
    t.textContent = label;
    svg.append(t);
  });
}

function renderPlots(s) {
  const series = s.series;
  // The day's span, stretched to what was recorded (a late day runs past its plan).
  let x0 = s.day.first_minute, x1 = s.day.last_minute;
  const seen = (list) => list.forEach((p) => { x0 = Math.min(x0, p[0]); x1 = Math.max(x1, p[0] + 1); });
  series.stations.forEach((st) => seen(st.photographed));
  seen(series.events_per_minute);
  if (x1 - x0 > 2 * 1440) x0 = x1 - 1440;  // a record with a stray clock: show its last day

  const progress = document.getElementById("plot-progress");
  progress.replaceChildren();
  let yMax = 1;
  series.stations.forEach((st) => {
    st.photographed.forEach((p) => { yMax = Math.max(yMax, p[1]); });
    st.plan.forEach((p) => { yMax = Math.max(yMax, p[1]); });
  });
  const scale = axes(progress, x0, x1, yMax * 1.05);
  series.stations.forEach((st, i) => {
    const colour = STATION_COLOURS[i % STATION_COLOURS.length];
    polyline(progress, st.plan, scale, colour, "plan");
    polyline(progress, st.photographed.filter((p) => p[0] >= x0), scale, colour);
  });
  legend(progress, series.stations.map((st, i) => ["机位 " + st.station, STATION_COLOURS[i % STATION_COLOURS.length]]));

  const events = document.getElementById("plot-events");
  events.replaceChildren();
  const eMax = Math.max(1, ...series.events_per_minute.map((p) => p[1]));
  const es = axes(events, x0, x1, eMax * 1.05);
  const width = Math.max(1, es.sx(x0 + 1) - es.sx(x0) - 1);
  for (const [minute, n] of series.events_per_minute) {
    if (minute < x0) continue;
    events.append(svgEl("rect", { x: es.sx(minute), y: es.sy(n), width, height: es.sy(0) - es.sy(n), fill: "#4a6fa5" }));
  }

  const latency = document.getElementById("plot-latency");
  latency.replaceChildren();
  const lMax = Math.max(1, ...series.commit_ms.map((p) => p[2]));
  const ls = axes(latency, x0, x1, lMax * 1.05);
  polyline(latency, series.commit_ms.filter((p) => p[0] >= x0).map((p) => [p[0], p[1]]), ls, "#2ca02c");
  polyline(latency, series.commit_ms.filter((p) => p[0] >= x0).map((p) => [p[0], p[2]]), ls, "#d62728", "plan");
}

// ---- start ----

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("token-form").addEventListener("submit", (e) => e.preventDefault());
  document.getElementById("sign-in-form").addEventListener("submit", (e) => {
    e.preventDefault();
    signIn();
  });
  refresh();
  listen();
});
