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
  lang: "zh",          // the page's language: "zh" or "en"
  connection: { up: false, key: "connecting", detail: undefined },
};

const RESOLVED_ROW_MS = 6000;

// ---- the page's words, one language at a time ----

// One dictionary per language: a string, or a function of the values it names. Numbers, ids, codes
// and times are shown as they are in both. The choice is kept in this browser (localStorage).
const TEXT = {
  zh: {
    "title": "图像采集 · 登记员看板",
    "h1": "图像采集",
    "h1.sub": "登记员看板",
    "record-time": "记录时间",
    "commit": "记录项",
    "token": "登记员令牌",
    "token.placeholder": "取自 registrar.token，解决异常时需要",
    "token.signed-in": "此处无需填写：本浏览器已登录",
    "resolver": "姓名",
    "resolver.placeholder": "登记员",
    "loading": "正在载入当天的记录…",
    "sign-in.before": "本看板可从网络访问，因此班级和学生姓名只向登记员显示。令牌是协调器存储目录中的文件 ",
    "sign-in.after": "。只需输入一次：在关闭浏览器或协调器重启之前，本浏览器会一直保持登录。",
    "sign-in.placeholder": "登记员令牌（64 位十六进制数字）",
    "sign-in.button": "打开看板",
    "sign-in.empty": "请先输入或粘贴登记员令牌。",
    "sign-in.wrong": "这不是登记员令牌。请从协调器存储目录中的 registrar.token 重新复制。",
    "sign-in.failed": (why) => "未能登录：" + why,
    "sign-in.status": (status) => "协调器返回了 " + status,
    "sign-in.no-answer": (why) => "协调器没有应答：" + why,
    "totals": "总计",
    "stations": "机位",
    "anomalies": "未解决的异常",
    "classes": "班级",
    "classes.hint": "（点击班级查看学生）",
    "plot.progress": "各机位已拍人数与计划（虚线）",
    "plot.events": "每分钟存储的事件数",
    "plot.latency": "每分钟的提交延迟，毫秒（平均；虚线为最大）",
    "col.id": "编号", "col.severity": "级别", "col.kind": "类型", "col.station": "机位", "col.students": "学生",
    "col.shots": "照片", "col.message": "说明", "col.raised": "发现于", "col.class": "班级", "col.college": "学院",
    "col.slot": "时段", "col.state": "状态", "col.no": "序号", "col.student-no": "学号", "col.name": "姓名",
    "col.status": "状态", "col.shot": "照片号", "col.image": "图像", "col.anomalies": "异常",
    "expected": "应拍", "photographed": "已拍", "absent": "缺席", "missing": "未拍", "waiting": "等候",
    "missing.total": "未拍（班级已离开）", "open-anomalies": "未解决的异常", "open-blockers": "未解决的阻断",
    "connecting": "正在连接…", "live": "实时", "reconnecting": "正在重新连接…",
    "not-answering": "协调器没有应答", "token-needed": "需要登记员令牌", "error": (why) => "出错：" + why,
    "catching-up": "计数正在追上记录…",
    "station": (n) => "机位 " + n,
    "station.open": (open, blockers) => "异常 " + open + " 条，阻断 " + blockers + " 条",
    "station.no-class": "尚无班级",
    "station.slot": (a, b) => " · 时段 " + a + "–" + b,
    "station.done": "已完成",
    "station.done-at": (when) => "已于 " + when + " 完成",
    "pace": "速度", "pace.value": (v) => v + " 人/分钟",
    "delay": "延误", "minutes": (v) => v + " 分钟",
    "est-end": "预计结束", "finished": "完成",
    "anomaly-count": (open, blockers) => "（" + open + " 条，阻断 " + blockers + " 条）",
    "left-out": (n) => "另有 " + n + " 条未显示",
    "ago.s": (s) => s + " 秒前", "ago.min": (m) => m + " 分钟前", "ago.h": (h, m) => h + " 小时 " + m + " 分钟前",
    "reason.placeholder": "理由（会被记录）",
    "resolve": "解决", "resolve.open": "解决…",
    "resolve.no-reason": (id) => id + " 未解决：请先写下理由（它会被记录）",
    "resolve.ok": (id, k) => id + " 已解决（记录项 " + k + "）",
    "resolve.token": (id) => id + " 未解决：请把登记员令牌（协调器的 <store>/registrar.token）粘贴到页面顶部的令牌输入框；没有做任何更改",
    "resolve.not-open": (id) => id + " 未解决：它已不是未解决的异常（可能已有人解决）",
    "resolve.failed": (id, why) => id + " 未解决：" + why,
    "shot": (n) => "照片 " + n,
    "photo.none": (shot) => shot + " 无法显示",
    "photo.404": "：它尚未传到协调器",
    "photo.500": "：它在协调器存储中的文件被改动过，因此不予提供",
    "photo.200": "：浏览器无法显示这张图像",
    "severity.BLOCKER": "阻断", "severity.WARNING": "警告", "severity.INFO": "提示",
    "state.waiting": "未开始", "state.in_progress": "进行中", "state.incomplete": "未拍完",
    "state.needs_review": "待复核", "state.done": "已完成",
    // The console's names too (common/language.cc): one name per kind in the room.
    "kind.SHOT_WITHOUT_CODE": "无码照片",
    "kind.CODE_WITHOUT_SHOT": "读码未拍",
    "kind.DUPLICATE_STUDENT": "学生重复拍摄",
    "kind.DUPLICATE_SHOT": "照片编号重复",
    "kind.SHOT_NUMBER_GAP": "照片编号跳号",
    "kind.SHOT_NUMBER_REWIND": "照片编号倒退",
    "kind.OUT_OF_ORDER": "未按学号顺序",
    "kind.CLASS_INTERLEAVED": "班级穿插",
    "kind.WRONG_STATION": "机位不对",
    "kind.OFF_SCHEDULE": "偏离时间表",
    "kind.UNKNOWN_CODE": "名单外的码",
    "kind.CODE_UNREADABLE": "码读不出",
    "kind.CLOCK_SKEW": "时钟偏差",
    "kind.MISSING_STUDENT": "学生未拍",
    "kind.STATION_SILENT": "机位无响应",
    "kind.STALE_CODE": "码已过时",
    "kind.NO_VALID_PHOTO": "无有效照片",
    "kind.STATION_REPLACED": "机位已更换",
    "kind.ABSENT_AFTER_PHOTO": "已拍照又标缺席",
    "kind.ABSENT_SUPERSEDED": "缺席后又拍照",
    "kind.UNKNOWN_STUDENT": "名单外的学号",
    "kind.UNKNOWN_ANOMALY": "没有这个异常",
    "kind.CHAIN_CONFLICT": "记录链冲突",
    "kind.SHOT_UNKNOWN_CODE": "名单外人员的照片",
    "kind.STALL_UNORDERED": "阻滞期间的照片",
  },
  en: {
    "title": "Capture day · registrar",
    "h1": "Capture day",
    "h1.sub": "the registrar's dashboard",
    "record-time": "record time",
    "commit": "commit",
    "token": "Registrar token",
    "token.placeholder": "from the store's registrar.token: needed to resolve",
    "token.signed-in": "not needed here: this browser is signed in",
    "resolver": "name",
    "resolver.placeholder": "registrar",
    "loading": "Loading the day's record…",
    "sign-in.before": "This dashboard is reachable from the network, so it shows the classes and the students' " +
      "names to the registrar only. The token is the file ",
    "sign-in.after": " in the coordinator's store folder. It is asked for once: this browser stays signed in " +
      "until it closes or the coordinator restarts.",
    "sign-in.placeholder": "registrar token (64 hex digits)",
    "sign-in.button": "Open the dashboard",
    "sign-in.empty": "Type or paste the registrar token first.",
    "sign-in.wrong": "That is not the registrar token. Copy it again from registrar.token in the coordinator's " +
      "store folder.",
    "sign-in.failed": (why) => "Not signed in: " + why,
    "sign-in.status": (status) => "the coordinator answered " + status,
    "sign-in.no-answer": (why) => "The coordinator did not answer: " + why,
    "totals": "Totals",
    "stations": "Stations",
    "anomalies": "Open anomalies",
    "classes": "Classes",
    "classes.hint": "(click a class for its students)",
    "plot.progress": "Students photographed per station against the plan (dashed)",
    "plot.events": "Events stored per minute",
    "plot.latency": "Commit latency per minute, ms (mean, max dashed)",
    "col.id": "id", "col.severity": "severity", "col.kind": "kind", "col.station": "station", "col.students": "students",
    "col.shots": "shots", "col.message": "message", "col.raised": "raised", "col.class": "class", "col.college": "college",
    "col.slot": "slot", "col.state": "state", "col.no": "#", "col.student-no": "student no", "col.name": "name",
    "col.status": "status", "col.shot": "shot", "col.image": "image", "col.anomalies": "anomalies",
    "expected": "expected", "photographed": "photographed", "absent": "absent", "missing": "missing", "waiting": "waiting",
    "missing.total": "missing (class moved on)", "open-anomalies": "open anomalies", "open-blockers": "open blockers",
    "connecting": "connecting…", "live": "live", "reconnecting": "reconnecting…",
    "not-answering": "coordinator not answering", "token-needed": "registrar token needed", "error": (why) => "error: " + why,
    "catching-up": "counts catching up…",
    "station": (n) => "Station " + n,
    "station.open": (open, blockers) => open + " open, " + blockers + " blockers",
    "station.no-class": "no class yet",
    "station.slot": (a, b) => " · slot " + a + "–" + b,
    "station.done": "done",
    "station.done-at": (when) => "done at " + when,
    "pace": "pace", "pace.value": (v) => v + " /min",
    "delay": "delay", "minutes": (v) => v + " min",
    "est-end": "est. end", "finished": "finished",
    "anomaly-count": (open, blockers) => "(" + open + ", " + blockers + " blockers)",
    "left-out": (n) => n + " more not shown",
    "ago.s": (s) => s + " s ago", "ago.min": (m) => m + " min ago", "ago.h": (h, m) => h + " h " + m + " min ago",
    "reason.placeholder": "reason (recorded)",
    "resolve": "resolve", "resolve.open": "resolve…",
    "resolve.no-reason": (id) => id + " not resolved: write the reason first (it is recorded)",
    "resolve.ok": null,  // the coordinator's own sentence
    "resolve.token": (id) => id + " not resolved: paste the registrar token (the coordinator's <store>/registrar.token) " +
      "into the field at the top; nothing was changed",
    "resolve.not-open": null,
    "resolve.failed": (id, why) => id + " not resolved: " + why,
    "shot": (n) => "shot " + n,
    "photo.none": (shot) => "no photo of " + shot + " to show",
    "photo.404": ": it has not reached the coordinator yet",
    "photo.500": ": its file in the coordinator's store was altered, so it is not served",
    "photo.200": ": the browser cannot show this image",
    "severity.BLOCKER": "BLOCKER", "severity.WARNING": "WARNING", "severity.INFO": "INFO",
    "state.waiting": "waiting", "state.in_progress": "in progress", "state.incomplete": "incomplete",
    "state.needs_review": "needs review", "state.done": "done",
    "kind.SHOT_WITHOUT_CODE": "Shot with no code read",
    "kind.CODE_WITHOUT_SHOT": "Code read, no shot",
    "kind.DUPLICATE_STUDENT": "Student photographed twice",
    "kind.DUPLICATE_SHOT": "Shot number used twice",
    "kind.SHOT_NUMBER_GAP": "Shot numbers skipped",
    "kind.SHOT_NUMBER_REWIND": "Shot numbers went back",
    "kind.OUT_OF_ORDER": "Out of student-number order",
    "kind.CLASS_INTERLEAVED": "Classes interleaved",
    "kind.WRONG_STATION": "Wrong station",
    "kind.OFF_SCHEDULE": "Off schedule",
    "kind.UNKNOWN_CODE": "Code on no roster",
    "kind.CODE_UNREADABLE": "Unreadable code",
    "kind.CLOCK_SKEW": "Clock off",
    "kind.MISSING_STUDENT": "Student not photographed",
    "kind.STATION_SILENT": "Station silent",
    "kind.STALE_CODE": "Code read long before the shot",
    "kind.NO_VALID_PHOTO": "No valid photo",
    "kind.STATION_REPLACED": "Station replaced",
    "kind.ABSENT_AFTER_PHOTO": "Marked absent after a photo",
    "kind.ABSENT_SUPERSEDED": "Photographed after marked absent",
    "kind.UNKNOWN_STUDENT": "Student on no roster",
    "kind.UNKNOWN_ANOMALY": "No such anomaly",
    "kind.CHAIN_CONFLICT": "Station record conflict",
    "kind.SHOT_UNKNOWN_CODE": "Shot of a code on no roster",
    "kind.STALL_UNORDERED": "Shot during a stall, order unknown",
  },
};
const LANG_KEY = "capture-dashboard-lang";

// The text of `key` in the page's language, given the values it names.
function t(key, ...args) {
  const words = TEXT[state.lang][key];
  return typeof words === "function" ? words(...args) : words;
}

// An anomaly kind's name in the page's language; its code where the page knows no name for it.
function kindName(kind) {
  return TEXT[state.lang]["kind." + kind] || kind;
}

function anomalyMessage(a) {
  return state.lang === "zh" ? a.message_zh || a.message : a.message;
}

// What this browser chose before, else Chinese.
function storedLanguage() {
  try {
    return localStorage.getItem(LANG_KEY) === "en" ? "en" : "zh";
  } catch (_) {
    return "zh";  // storage refused (a private window's policy): the default
  }
}

// Sentences the page wrote (a sign-in's or a resolve's result) are kept as functions, so a switch of
// language writes them again.
const spoken = new WeakMap();
function speak(node, words) {
  spoken.set(node, words);
  node.dataset.spoken = "";
  node.textContent = words();
}

// Shows the page in `lang` ("zh" or "en") without a reload, and remembers it in this browser.
function setLanguage(lang) {
  state.lang = lang;
  try {
    localStorage.setItem(LANG_KEY, lang);
  } catch (_) { /* not remembered, still shown */ }
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.title = t("title");
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
    node.placeholder = t(node.dataset.i18nPlaceholder);
  }
  for (const node of document.querySelectorAll("[data-i18n-label]")) {
    node.setAttribute("aria-label", t(node.dataset.i18nLabel));
  }
  for (const button of document.querySelectorAll("#lang button")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === lang));
  }
  for (const node of document.querySelectorAll("[data-spoken]")) node.textContent = spoken.get(node)();
  document.getElementById("connection").textContent = t(state.connection.key, state.connection.detail);
  state.photos.clear();  // their alt texts and titles are written again
  render();
}

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
  if (seconds < 60) return t("ago.s", seconds);
  if (seconds < 3600) return t("ago.min", Math.floor(seconds / 60));
  return t("ago.h", Math.floor(seconds / 3600), Math.floor((seconds % 3600) / 60));
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
    else setConnection(false, "error", e.message);
  } finally {
    state.fetching = false;
  }
}

// The connection's state: `key` names its words, `detail` what they name (an error's message).
function setConnection(up, key, detail) {
  state.connection = { up, key, detail };
  const node = document.getElementById("connection");
  node.textContent = t(key, detail);
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
    setConnection(false, "reconnecting");
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
      setConnection(false, "not-answering");
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
  setConnection(false, "token-needed");
  document.getElementById("sign-in").hidden = false;
  document.getElementById("sign-in-token").focus();
}

// Sends the token once; the answer's cookie then goes with every request, <img> and EventSource too.
async function signIn() {
  const input = document.getElementById("sign-in-token");
  const button = document.getElementById("sign-in-button");
  const message = document.getElementById("sign-in-message");
  const token = input.value.trim();
  speak(message, () => "");
  delete message.dataset.status;
  if (!token) {
    speak(message, () => t("sign-in.empty"));
    return;
  }
  button.disabled = true;
  try {
    const res = await fetch("/api/session", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token }) });
    message.dataset.status = res.status;
    if (res.status === 401) {
      speak(message, () => t("sign-in.wrong"));
      input.select();
      return;
    }
    if (!res.ok) {
      const body = await res.json().catch(() => ({}));
      speak(message, () => t("sign-in.failed", body.error || t("sign-in.status", res.status)));
      return;
    }
    input.value = "";
    state.locked = false;
    delete document.body.dataset.locked;
    document.getElementById("sign-in").hidden = true;
    const field = document.getElementById("token");
    field.dataset.i18nPlaceholder = "token.signed-in";
    field.placeholder = t("token.signed-in");
    state.photos.clear();  // those that failed without the session are asked for again
    setConnection(false, "connecting");
    refresh();
    listen();
  } catch (e) {
    message.dataset.status = "0";
    speak(message, () => t("sign-in.no-answer", e.message));
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
  counts.textContent = behind ? t("catching-up") : "";
  document.body.dataset.commitIndex = s.commit_index;
  document.body.dataset.countsCommitIndex = s.assignment_commit_index;
  renderTotals(s);
  renderStations(s);
  renderAnomalies(s);
  renderPlots(s);
  renderClasses(s);
}

function renderTotals(s) {
  const totals = s.totals;
  const figure = (label, value, field) => el("div", { class: "figure", "data-total": field }, el("b", {}, value), label);
  document.getElementById("totals").replaceChildren(
    figure(t("expected"), totals.expected, "expected"),
    figure(t("photographed"), totals.photographed, "photographed"),
    figure(t("absent"), totals.absent, "absent"),
    figure(t("missing.total"), totals.missing, "missing"),
    figure(t("waiting"), totals.waiting, "waiting"),
    figure(t("open-anomalies"), s.anomalies.open, "open_anomalies"),
    figure(t("open-blockers"), s.anomalies.open_blockers, "open_blockers"));
}

function renderStations(s) {
  const cards = s.stations.map((st) => {
    const done = st.photographed + st.absent;
    const bar = el("div", { class: "bar" }, el("div"));
    bar.firstChild.style.width = (st.expected ? (100 * done) / st.expected : 0).toFixed(1) + "%";
    const delay = st.delay_minutes;
    const delayText = delay === null ? "–" : t("minutes", (delay > 0 ? "+" : "") + delay.toFixed(1));
    // A finished station's delay is the one it finished with: history, not an alarm.
    const late = !st.finished && delay > 5;
    const field = (name, value) => el("dd", { "data-field": name }, value);
    const current = st.current_class === null ? t("station.no-class")
      : st.current_class + " (" + st.class_done + "/" + st.class_expected + ")";
    return el("div", { class: "station" + (st.open_blockers > 0 ? " has-blocker" : ""), "data-station": st.station },
      el("h3", {}, t("station", st.station),
        st.finished ? el("span", { class: "done", "data-field": "finished" }, t("station.done")) : "",
        el("span", { class: st.open_blockers > 0 ? "late" : "muted" }, t("station.open", st.open_anomalies, st.open_blockers))),
      el("div", { class: "class", "data-field": "current_class" }, current),
      el("div", { class: "muted" }, orDash(st.current_college),
        st.slot_start ? t("station.slot", st.slot_start, st.slot_end) : ""),
      bar,
      el("dl", {},
        el("dt", {}, t("photographed")), field("photographed", st.photographed),
        el("dt", {}, t("expected")), field("expected", st.expected),
        el("dt", {}, t("absent")), field("absent", st.absent),
        el("dt", {}, t("missing")), field("missing", st.missing),
        el("dt", {}, t("waiting")), field("waiting", st.waiting),
        el("dt", {}, t("pace")), field("pace", st.pace_per_minute === null ? "–" : t("pace.value", st.pace_per_minute.toFixed(1))),
        el("dt", {}, t("delay")), el("dd", { "data-field": "delay", class: late ? "late" : "" }, delayText),
        el("dt", {}, st.finished ? t("finished") : t("est-end")),
        field("estimated_end", !st.finished ? orDash(st.estimated_end)
          : st.finished_at ? t("station.done-at", st.finished_at) : t("station.done"))));
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
    cells[1].firstChild.textContent = t("severity." + a.severity) || a.severity;
    cells[2].firstChild.textContent = kindName(a.kind);
    cells[3].textContent = a.station || "–";
    cells[4].textContent = studentsText(a.students);
    cells[5].textContent = a.shots.join(", ");
    cells[6].textContent = anomalyMessage(a);
    cells[7].textContent = (a.raised_at || "") + " " + age(a.age_seconds);
    labelAnomalyRow(row);
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
  text("anomaly-count", t("anomaly-count", s.anomalies.open, s.anomalies.open_blockers));
  text("anomalies-left-out", s.anomalies.left_out > 0 ? t("left-out", s.anomalies.left_out) : "");
}

function newAnomalyRow(a) {
  const reason = el("input", { type: "text", maxlength: 1000, "data-role": "reason" });
  const go = el("button", { class: "primary", type: "button", "data-role": "submit" });
  const form = el("div", { class: "resolve-form", hidden: "" }, reason, go);
  const result = el("p", { class: "message", "data-role": "result", role: "status" });
  const open = el("button", { type: "button", "data-role": "open" });
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
    el("td", {}, el("span", { class: "severity " + a.severity, title: a.severity })),
    // The kind's name, and its code as exports and the console print it.
    el("td", {}, el("span", { class: "kind-name" }), " ", el("code", { class: "kind-code" }, a.kind)),
    el("td", { class: "num", "data-caption-key": "col.station" }),
    el("td", { "data-caption-key": "col.students" }),
    el("td", { "data-caption-key": "col.shots" }),
    el("td", { class: "message-cell" }),
    el("td", { "data-caption-key": "col.raised" }),
    el("td", {}, open, form, result));
}

// The words of a kept anomaly row that are not the anomaly's: they follow the page's language.
function labelAnomalyRow(row) {
  row.querySelector("[data-role=reason]").placeholder = t("reason.placeholder");
  row.querySelector("[data-role=submit]").textContent = t("resolve");
  row.querySelector("[data-role=open]").textContent = t("resolve.open");
  for (const cell of row.querySelectorAll("td[data-caption-key]")) cell.dataset.caption = t(cell.dataset.captionKey);
}

// A resolve's result, beside the anomaly's row and above the list.
// `words` gives the sentence in the page's language; `detail`, when given, is the coordinator's own
// (English) answer, shown on hovering.
function say(id, words, kind, status, detail) {
  const row = document.querySelector(`#anomalies tr[data-anomaly="${CSS.escape(id)}"]`);
  for (const node of [document.getElementById("resolve-message"), row && row.querySelector("[data-role=result]")]) {
    if (!node) continue;
    speak(node, words);
    node.className = "message " + kind;
    node.dataset.status = status;
    if (detail) node.title = detail;
    else node.removeAttribute("title");
  }
}

async function resolve(id, reason, button) {
  const token = document.getElementById("token").value.trim();
  const by = document.getElementById("resolver").value.trim();
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = "Bearer " + token;
  if (!reason.trim()) {
    say(id, () => t("resolve.no-reason", id), "error", "");
    return;
  }
  button.disabled = true;
  try {
    const res = await fetch("/api/resolve", { method: "POST", headers, body: JSON.stringify({ id, reason, by }) });
    const body = await res.json().catch(() => ({ error: "HTTP " + res.status }));
    // A person at the page is told what to do on it, not an HTTP header. The coordinator's own
    // sentences are English: where the page has its own words for them, it says those.
    const own = (key, sentence) => () => (TEXT[state.lang][key] === null ? sentence : t(key, id, body.commit_index));
    if (res.ok) say(id, own("resolve.ok", body.message), "ok", res.status, body.message);
    else if (res.status === 401) say(id, () => t("resolve.token", id), "error", res.status);
    else if (res.status === 409) say(id, own("resolve.not-open", body.error), "error", res.status, body.error);
    else say(id, () => t("resolve.failed", id, body.error), "error", res.status);
    if (res.ok) {
      state.resolvedHere.set(id, Date.now() + RESOLVED_ROW_MS);
      document.querySelector(`#anomalies tr[data-anomaly="${CSS.escape(id)}"]`)?.setAttribute("data-resolved", "");
      refresh();
      setTimeout(refresh, RESOLVED_ROW_MS + 100);
    }
  } catch (e) {
    say(id, () => t("resolve.failed", id, e.message), "error", 0);
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
      el("td", { class: "num", "data-caption": t("col.station") }, c.station || "–"),
      el("td", { "data-caption": t("col.slot") }, c.slot_start ? c.slot_start + "–" + c.slot_end : "–"),
      el("td", { class: "num", "data-field": "expected", "data-caption": t("expected") }, c.expected),
      el("td", { class: "num", "data-field": "photographed", "data-caption": t("photographed") }, c.photographed),
      el("td", { class: "num", "data-field": "absent", "data-caption": t("absent") }, c.absent),
      el("td", { class: "num", "data-field": "missing", "data-caption": t("missing") }, c.missing),
      el("td", { class: "num", "data-field": "waiting", "data-caption": t("waiting") }, c.waiting),
      el("td", { class: "state-" + c.state, "data-field": "state", "data-state": c.state }, t("state." + c.state) || c.state),
      el("td", { class: "num" + (c.open_anomalies ? " trouble" : ""), "data-caption": c.open_anomalies ? t("col.anomalies") : null },
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
      el("td", { class: "status-" + p.status, "data-status": p.status }, t(p.status) || p.status),
      el("td", { class: "num" }, orDash(p.station)),
      el("td", { class: "num" }, p.shot === null ? "–" : String(p.shot).padStart(4, "0")),
      el("td", { class: "image" }, photo(p), orDash(p.image_file)),
      el("td", { class: p.anomalies.length ? "trouble" : "" }, p.anomalies.join(", "))));
  return el("table", { class: "grid", "data-students-of": view.class },
    el("thead", {}, el("tr", {}, ...["col.no", "col.student-no", "col.name", "col.status", "col.station", "col.shot",
      "col.image", "col.anomalies"].map((h) => el("th", {}, t(h))))),
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
  const shot = t("shot", String(p.shot).padStart(4, "0")) + (p.image_file ? " " + p.image_file : "");
  // loading before src: a lazy image is not fetched until it nears the viewport.
  const img = el("img", { class: "thumb", loading: "lazy", decoding: "async", alt: shot, src: url + "?size=thumb" });
  const link = el("a", { class: "photo", href: url, target: "_blank", rel: "noopener", title: shot,
    "data-photo": p.image_sha256 }, img);
  const shown = { node: link, failedAt: null };
  img.addEventListener("error", async () => {
    shown.failedAt = Date.now();
    const placeholder = el("span", { class: "photo thumb-missing", role: "img", "data-photo-missing": p.image_sha256,
      "aria-label": t("photo.none", shot), title: t("photo.none", shot) });
    shown.node.replaceWith(placeholder);
    shown.node = placeholder;
    // Why: the status alone (HEAD), so a photo the browser cannot show is not fetched whole again.
    const status = await fetch(url, { method: "HEAD", cache: "no-store" }).then((r) => r.status, () => 0);
    placeholder.dataset.status = status;
    if (status === 404) placeholder.title += t("photo.404");
    else if (status === 500) {
      placeholder.title += t("photo.500");
      placeholder.classList.add("trouble");
    } else if (status === 200) placeholder.title += t("photo.200");
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
  for (let m = Math.ceil(x0 / step) * step; m <= x1; m += step) {
    svg.append(svgEl("line", { class: "grid-line", x1: sx(m), x2: sx(m), y1: PLOT.top, y2: PLOT.h - PLOT.bottom }));
    const label = svgEl("text", { x: sx(m), y: PLOT.h - 10, "text-anchor": "middle" });
    label.textContent = hhmm(m);
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
    const caption = svgEl("text", { x: x + 14, y: PLOT.top + 11 });
    caption.textContent = label;
    svg.append(caption);
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
  legend(progress, series.stations.map((st, i) => [t("station", st.station), STATION_COLOURS[i % STATION_COLOURS.length]]));

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
  for (const button of document.querySelectorAll("#lang button")) {
    button.addEventListener("click", () => setLanguage(button.dataset.lang));
  }
  setLanguage(storedLanguage());
  document.getElementById("token-form").addEventListener("submit", (e) => e.preventDefault());
  document.getElementById("sign-in-form").addEventListener("submit", (e) => {
    e.preventDefault();
    signIn();
  });
  refresh();
  listen();
});
