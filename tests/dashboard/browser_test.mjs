// The registrar's dashboard in Debian's headless Chromium (acceptance point 1), driven with
// playwright-core from npm, during a simulated day with injected faults played by capture-sim
// through real station agents and a real coordinator:
//   - the page's counts (every class, the totals, the open anomalies, one class's students) equal
//     the coordinator's exports (capturectl export --connect);
//   - one language at a time: a fresh browser shows the page in Chinese (headings, anomaly kind names
//     with their codes, severities, states, the anomalies' message_zh from /api/dashboard); the
//     switch shows it in English without a reload; a reload keeps the choice; switching back works;
//     the loading placeholder is in one language;
//   - a blocker injected afterwards (an image with no code read at a restarted agent) is on the
//     page within 2 s of the agent journaling it;
//   - resolving it from the page without the token fails (401) and changes nothing; with the
//     token it closes;
//   - a class named <script>alert(1)</script> shows as text and nothing runs;
//   - a camera image filed by hand in the coordinator's image store shows upright through
//     /api/photo, and so does its EXIF preview (?size=thumb);
//   - after the day, a photographed student's thumbnail in the class view loads (naturalWidth > 0),
//     and one whose image is not at the coordinator shows the placeholder;
//   - it saves a screenshot in Chinese (--out) and one in English beside it (FILE-en.png);
//   - the same store served on a network address (--http 0.0.0.0:0, reached through 127.0.0.1): the
//     API refuses to read without the token (401); at desktop and at phone width the page shows the
//     token form (fitting the width), says so for a wrong token and sets no cookie; after the token
//     the class view shows the roster's names, a thumbnail loads (the HttpOnly session cookie goes
//     with <img>), the event stream is live, and an anomaly resolves with the session alone;
//     screenshots of the form and of the class view at both widths beside --out (FILE-*.png).
// node browser_test.mjs --bin-dir BUILD/bin --data-dir tests/data --out FILE.png
// Exits 0 when all holds, 1 naming what failed, 77 (skipped) when /usr/bin/chromium or
// node_modules/playwright-core is absent (npm ci in this folder installs it).
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

const SKIP = 77;
const CHROMIUM = "/usr/bin/chromium";
const HERE = path.dirname(fileURLToPath(import.meta.url));
const XSS_CLASS = "<script>alert(1)</script>";
const SEED = "3";

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const binDir = arg("--bin-dir", path.join(HERE, "../../build/bin"));
const dataDir = arg("--data-dir", path.join(HERE, "../data"));
const outFile = arg("--out", path.join(os.tmpdir(), "dashboard.png"));
// A further screenshot beside --out: FILE-name.png.
const shotFile = (name) => outFile.replace(/(\.png)?$/, `-${name}.png`);

if (!fs.existsSync(CHROMIUM)) {
  console.log(`SKIP: ${CHROMIUM} is absent (tools/install-deps.sh installs Debian's chromium)`);
  process.exit(SKIP);
}
let chromium;
try {
  ({ chromium } = await import("playwright-core"));
} catch (e) {
  console.log(`SKIP: playwright-core is not installed: run "npm ci" in ${HERE} (${e.message})`);
  process.exit(SKIP);
}

class Failure extends Error {}
function check(condition, message) {
  if (!condition) throw new Failure(message);
}

// A child whose stdout we read line by line.
class Child {
  constructor(program, args, logFile) {
    this.name = path.basename(program);
    this.lines = [];
    this.waiters = [];
    this.proc = spawn(program, args, { stdio: ["pipe", "pipe", fs.openSync(logFile, "a")] });
    this.exited = new Promise((resolve) => this.proc.on("exit", (code, signal) => resolve({ code, signal })));
    readline.createInterface({ input: this.proc.stdout }).on("line", (line) => {
      this.lines.push(line);
      this.waiters = this.waiters.filter((w) => !w(line));
    });
  }
  // The first line (seen already or to come) that `matches`, within `ms`.
  waitForLine(matches, ms, what) {
    const seen = this.lines.find(matches);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Failure(`${this.name}: no ${what} within ${ms} ms`)), ms);
      this.waiters.push((line) => {
        if (!matches(line)) return false;
        clearTimeout(timer);
        resolve(line);
        return true;
      });
    });
  }
  write(line) {
    this.proc.stdin.write(line + "\n");
  }
  async stop() {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill("SIGTERM");
    return this.exited;
  }
}

// Polls `condition` every 50 ms until it holds; false once `ms` have passed.
async function until(condition, ms) {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

function field(line, key) {
  const m = line.match(new RegExp(`(?:^| )${key}=("(?:[^"\\\\]|\\\\.)*"|\\S+)`));
  return m ? m[1].replace(/^"|"$/g, "") : null;
}

// Runs a program to its end; its stdout.
function run(program, args, logFile) {
  return new Promise((resolve, reject) => {
    const proc = spawn(program, args, { stdio: ["ignore", "pipe", fs.openSync(logFile, "a")] });
    let out = "";
    // Decoded as one stream: a character split across two reads must not turn into two bad ones.
    proc.stdout.setEncoding("utf8");
    proc.stdout.on("data", (d) => (out += d));
    // "close", not "exit": the last of stdout may still be on its way when the process has exited.
    proc.on("close", (code) => (code === 0 ? resolve(out) : reject(new Failure(`${path.basename(program)} ${args.join(" ")} exited ${code}`))));
  });
}

// RFC 4180 rows of a CSV text.
function parseCsv(text) {
  const rows = [];
  let row = [], cell = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(cell); cell = ""; }
    else if (c === "\n") { row.push(cell); rows.push(row); row = []; cell = ""; }
    else if (c !== "\r") cell += c;
  }
  if (cell !== "" || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

// How a person reads the page in each language: the words the test expects to see.
const WORDS = {
  zh: { lang: "zh-CN", headings: ["总计", "机位", "未解决的异常", "班级"],
    severity: { BLOCKER: "阻断", WARNING: "警告", INFO: "提示" },
    state: { waiting: "未开始", in_progress: "进行中", incomplete: "未拍完", needs_review: "待复核", done: "已完成" },
    status: { photographed: "已拍", absent: "缺席", missing: "未拍", waiting: "等候" },
    // As the console names them (common/language.cc).
    kinds: { SHOT_WITHOUT_CODE: "无码照片", CODE_WITHOUT_SHOT: "读码未拍", DUPLICATE_STUDENT: "学生重复拍摄",
      MISSING_STUDENT: "学生未拍", UNKNOWN_CODE: "名单外的码", CODE_UNREADABLE: "码读不出", STALE_CODE: "码已过时",
      OUT_OF_ORDER: "未按学号顺序", SHOT_NUMBER_GAP: "照片编号跳号", NO_VALID_PHOTO: "无有效照片",
      DUPLICATE_SHOT: "照片编号重复", CLASS_INTERLEAVED: "班级穿插" },
    live: "实时", loading: "正在载入当天的记录…" },
  en: { lang: "en", headings: ["Totals", "Stations", "Open anomalies", "Classes"],
    severity: { BLOCKER: "BLOCKER", WARNING: "WARNING", INFO: "INFO" },
    state: { waiting: "waiting", in_progress: "in progress", incomplete: "incomplete", needs_review: "needs review",
      done: "done" },
    status: { photographed: "photographed", absent: "absent", missing: "missing", waiting: "waiting" },
    kinds: { SHOT_WITHOUT_CODE: "Shot with no code read", CODE_WITHOUT_SHOT: "Code read, no shot",
      DUPLICATE_STUDENT: "Student photographed twice", MISSING_STUDENT: "Student not photographed",
      UNKNOWN_CODE: "Code on no roster", CODE_UNREADABLE: "Unreadable code", STALE_CODE: "Code read long before the shot",
      OUT_OF_ORDER: "Out of student-number order", SHOT_NUMBER_GAP: "Shot numbers skipped", NO_VALID_PHOTO: "No valid photo",
      DUPLICATE_SHOT: "Shot number used twice", CLASS_INTERLEAVED: "Classes interleaved" },
    live: "live", loading: "Loading the day's record…" },
};
const CJK = /[\u3400-\u9fff\uff00-\uffef]/;

// What the page shows, read as a person reads it: its language, headings, the pressed switch, the
// fixed words (data-i18n), each anomaly row, each class's state and the open class's statuses.
function reading(page) {
  return page.evaluate(() => ({
    lang: document.documentElement.lang,
    pressed: [...document.querySelectorAll("#lang button[aria-pressed=true]")].map((b) => b.dataset.lang),
    headings: [...document.querySelectorAll("main > section.day h2")]
      .map((h) => (h.matches("[data-i18n]") ? h : h.querySelector("[data-i18n]")).textContent),
    fixed: [...document.querySelectorAll("[data-i18n]")].map((n) => n.textContent).filter((w) => w.trim()),
    connection: document.getElementById("connection").textContent,
    anomalies: [...document.querySelectorAll("#anomalies tr[data-anomaly]")].map((r) => ({
      id: r.dataset.anomaly, kind: r.dataset.kind, severity: r.dataset.severity,
      severityShown: r.querySelector(".severity").textContent, name: r.querySelector(".kind-name").textContent,
      code: r.querySelector(".kind-code").textContent, message: r.querySelector(".message-cell").textContent })),
    states: [...document.querySelectorAll("#classes [data-field=state]")].map((c) => [c.dataset.state, c.textContent]),
    statuses: [...document.querySelectorAll("table[data-students-of] tr[data-student]")]
      .map((r) => [r.dataset.status, r.children[3].textContent]),
  }));
}

// Checks that `page` reads in `lang` alone; `dashboard` is /api/dashboard's answer, whose anomaly
// messages the page shows (message_zh in Chinese where the coordinator sends one). Returns how many
// shown rows had a message_zh.
async function checkReadsIn(page, lang, dashboard, what) {
  const words = WORDS[lang];
  const seen = await reading(page);
  const where = `${what} (${lang})`;
  check(seen.lang === words.lang, `${where}: <html lang="${seen.lang}">, not ${words.lang}`);
  check(JSON.stringify(seen.pressed) === JSON.stringify([lang]), `${where}: the switch shows ${seen.pressed} pressed`);
  check(JSON.stringify(seen.headings) === JSON.stringify(words.headings), `${where}: the headings are ${seen.headings}`);
  const other = seen.fixed.filter((w) => CJK.test(w) !== (lang === "zh"));
  check(other.length === 0, `${where}: words in the other language: ${JSON.stringify(other.slice(0, 5))}`);
  check(seen.connection === words.live, `${where}: the connection says "${seen.connection}"`);
  const byId = new Map(dashboard.anomalies.list.map((a) => [a.id, a]));
  let known = 0, withZh = 0;
  for (const row of seen.anomalies) {
    const sent = byId.get(row.id);
    check(row.code === row.kind, `${where}: ${row.id} does not show its kind's code ${row.kind}: "${row.code}"`);
    check(row.severityShown === words.severity[row.severity], `${where}: ${row.id}'s severity reads "${row.severityShown}"`);
    check(row.name !== row.kind && CJK.test(row.name) === (lang === "zh"),
      `${where}: ${row.id}'s kind ${row.kind} is named "${row.name}"`);
    if (words.kinds[row.kind]) {
      check(row.name === words.kinds[row.kind], `${where}: ${row.kind} is named "${row.name}", not "${words.kinds[row.kind]}"`);
      known++;
    }
    if (!sent) continue;  // raised after `dashboard` was read
    if (sent.message_zh) withZh++;
    const expected = lang === "zh" ? sent.message_zh || sent.message : sent.message;
    check(row.message === expected, `${where}: ${row.id}'s message is "${row.message}", not "${expected}"`);
  }
  check(known > 0, `${where}: none of the kinds the test knows by name is shown`);
  check(seen.states.length > 0 && seen.states.every(([state, shown]) => shown === words.state[state]),
    `${where}: class states read ${JSON.stringify(seen.states.filter(([state, shown]) => shown !== words.state[state]))}`);
  check(seen.statuses.every(([status, shown]) => shown === words.status[status]),
    `${where}: student statuses read ${JSON.stringify(seen.statuses.filter(([status, shown]) => shown !== words.status[status]))}`);
  return withZh;
}

// Clicks the language switch; the page changes without a reload.
async function switchTo(page, lang) {
  await page.evaluate(() => { window.notReloaded = true; });
  await page.click(`#lang button[data-lang=${lang}]`);
  await page.waitForFunction((lang) => document.documentElement.lang === (lang === "zh" ? "zh-CN" : "en"), lang,
    { timeout: 2000 });
  check(await page.evaluate(() => window.notReloaded === true), `switching to ${lang} reloaded the page`);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "capture-dashboard-"));
const log = (name) => path.join(work, name + ".log");
const children = [];
let browser;

async function main() {
  // The schedule of tests/data with one class renamed to markup.
  const schedule = fs.readFileSync(path.join(dataDir, "three-stations.csv"), "utf8").replace("英语2102", XSS_CLASS);
  check(schedule.includes(XSS_CLASS), "the schedule has no class to rename");
  fs.writeFileSync(path.join(work, "schedule.csv"), schedule);
  await run(path.join(binDir, "capture-sim"), ["kit", path.join(work, "kit"), "--schedule", path.join(work, "schedule.csv"),
    "--seed", SEED], log("kit"));

  const coordinatorArgs = (http) => [
    "--store", path.join(work, "store"), "--schedule", path.join(work, "schedule.csv"),
    "--roster", path.join(work, "kit/roster.csv"), "--station-keys", path.join(work, "kit/station-keys.csv"),
    "--sim-time", "--silent-after-seconds", "3600",
    "--events", "tcp://127.0.0.1:*", "--control", "tcp://127.0.0.1:*", "--http", http];
  const coordinator = new Child(path.join(binDir, "coordinator"), coordinatorArgs("127.0.0.1:0"), log("coordinator"));
  children.push(coordinator);
  const ready = await coordinator.waitForLine((l) => l.startsWith("ready "), 30000, "ready line");
  const [events, control, url] = ["events", "control", "http"].map((k) => field(ready, k));
  check(url && url.startsWith("http://127.0.0.1:"), "the ready line names no dashboard: " + ready);
  const token = fs.readFileSync(path.join(work, "store/registrar.token"), "utf8").trim();
  check(/^[0-9a-f]{64}$/.test(token), "no registrar token in the store");
  const api = async (p) => (await fetch(url + p)).json();
  // As the registrar: the store holds the registrar's key and the coordinator's public key.
  const capturectl = (...args) => run(path.join(binDir, "capturectl"), [...args, "--keys", path.join(work, "store")],
    log("capturectl"));

  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const problems = [];
  page.on("dialog", (d) => { problems.push("a dialog opened: " + d.message()); d.dismiss(); });
  page.on("pageerror", (e) => problems.push("page error: " + e.message));
  await page.goto(url + "/");
  await page.waitForSelector("#connection[data-state=live]", { timeout: 10000 });

  // ---- the day, with the page open ----
  const sim = new Child(path.join(binDir, "capture-sim"), [
    "--schedule", path.join(work, "schedule.csv"), "--work", path.join(work, "day"), "--seed", SEED, "--faults", "12",
    "--bin-dir", binDir, "--events", events, "--control", control, "--keys", path.join(work, "kit"),
    "--coordinator-store", path.join(work, "store")], log("sim"));
  children.push(sim);
  const ended = await sim.exited;
  check(ended.code === 0, `capture-sim failed (${JSON.stringify(ended)}): see ${log("sim")}`);
  const lastSimTime = sim.lines.map((l) => field(l, "sim_time")).filter(Boolean).sort().pop();
  check(lastSimTime, "capture-sim printed no sim_time");
  // The page followed the day without a reload.
  const live = await page.evaluate(() => Number(document.body.dataset.commitIndex || 0));
  check(live > 0, "the page never showed the day's commits");

  // ---- the page's counts against the exports, at one commit index ----
  let compared = false;
  for (let attempt = 0; attempt < 20 && !compared; attempt++) {
    const k = (await api("/api/status")).commit_index;
    await page.waitForFunction((k) => document.body.dataset.commitIndex === String(k) &&
      document.body.dataset.countsCommitIndex === String(k), k, { timeout: 5000 });
    const assignment = parseCsv(await capturectl("export", "assignment", "--connect", control)).slice(1);
    const openExported = (await capturectl("export", "anomalies", "--open", "--connect", control))
      .split("\n").filter(Boolean).map((l) => JSON.parse(l).id);
    if ((await api("/api/status")).commit_index !== k) continue;  // the record moved: again

    const shown = await page.evaluate(() => {
      const num = (row, f) => Number(row.querySelector(`[data-field=${f}]`).textContent);
      const classes = {};
      for (const row of document.querySelectorAll("#classes tr[data-class]")) {
        classes[row.dataset.class] = { expected: num(row, "expected"), photographed: num(row, "photographed"),
          absent: num(row, "absent"), missing: num(row, "missing") + num(row, "waiting") };
      }
      const totals = {};
      for (const f of document.querySelectorAll("[data-total]")) totals[f.dataset.total] = Number(f.querySelector("b").textContent);
      const anomalies = [...document.querySelectorAll("#anomalies tr[data-anomaly]")].map((r) => r.dataset.anomaly);
      return { classes, totals, anomalies };
    });
    const expected = {};
    for (const [, , klass, status] of assignment) {
      const c = (expected[klass] ??= { expected: 0, photographed: 0, absent: 0, missing: 0 });
      c.expected++;
      c[status]++;
    }
    const pageClasses = Object.keys(shown.classes).sort(), exportClasses = Object.keys(expected).sort();
    check(JSON.stringify(pageClasses) === JSON.stringify(exportClasses),
      `the page's classes are not the export's: only on the page ${JSON.stringify(pageClasses.filter((c) => !(c in expected)))}, ` +
      `only in the export ${JSON.stringify(exportClasses.filter((c) => !(c in shown.classes)))}`);
    for (const [klass, counts] of Object.entries(expected)) {
      check(JSON.stringify(shown.classes[klass]) === JSON.stringify(counts),
        `class ${klass}: page ${JSON.stringify(shown.classes[klass])}, export ${JSON.stringify(counts)}`);
    }
    const sum = (f) => Object.values(expected).reduce((n, c) => n + c[f], 0);
    check(shown.totals.expected === assignment.length, "total expected differs from the export");
    check(shown.totals.photographed === sum("photographed") && shown.totals.absent === sum("absent") &&
      shown.totals.missing + shown.totals.waiting === sum("missing"), "the totals differ from the export");
    check(shown.totals.open_anomalies === openExported.length,
      `page: ${shown.totals.open_anomalies} open anomalies, export: ${openExported.length}`);
    check(JSON.stringify([...shown.anomalies].sort()) === JSON.stringify([...openExported].sort()),
      "the page's open anomalies are not the export's");
    check(openExported.length > 0, "the injected faults left no open anomaly");

    // One class's students, opened on the page: the markup-named one.
    await page.click(`#classes tr[data-class="${XSS_CLASS.replace(/"/g, '\\"')}"]`);
    const table = page.locator("table[data-students-of]");
    await table.waitFor({ timeout: 5000 });
    const students = await table.evaluate((t) => [...t.querySelectorAll("tr[data-student]")].map((r) =>
      [r.dataset.student, r.dataset.status, r.children[5].textContent]));
    const rows = assignment.filter((r) => r[2] === XSS_CLASS)
      .map((r) => [r[0], r[3], r[5] === "" ? "–" : r[5].padStart(4, "0")]);
    check(JSON.stringify(students) === JSON.stringify(rows), "the class's students differ from the export");
    compared = true;
  }
  check(compared, "the record never held still long enough to compare");

  // ---- before its first answer the page says it is loading, in one language, not an empty day of zeros ----
  for (const lang of ["zh", "en"]) {
    // A browser of its own: Chinese when nothing was chosen, English when this browser chose it.
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    if (lang === "en") await context.addInitScript(() => localStorage.setItem("capture-dashboard-lang", "en"));
    const slow = await context.newPage();
    await slow.route("**/api/dashboard*", (route) => setTimeout(() => route.continue().catch(() => {}), 1500));
    await slow.goto(url + "/");
    const shownBefore = () => slow.evaluate(() => ({
      loading: getComputedStyle(document.getElementById("loading")).display !== "none",
      text: document.getElementById("loading").textContent,
      sections: [...document.querySelectorAll("main > section.day")].filter((s) => getComputedStyle(s).display !== "none").length,
    }));
    const early = await shownBefore();
    check(early.loading && early.text === WORDS[lang].loading && early.sections === 0,
      `before the first answer the page (${lang}) shows ${JSON.stringify(early)}`);
    await slow.waitForFunction(() => document.body.dataset.loaded !== undefined, null, { timeout: 10000 });
    const afterwards = await shownBefore();
    check(!afterwards.loading && afterwards.sections > 0, `after the first answer (${lang}): ${JSON.stringify(afterwards)}`);
    await context.close();
  }

  // ---- one language at a time: Chinese in a fresh browser, English at the switch, remembered ----
  const day = await api("/api/dashboard");
  const withZh = await checkReadsIn(page, "zh", day, "a fresh browser");
  const zhCards = await page.evaluate(() => [...document.querySelectorAll(".station[data-station]")].map((c) => [
    c.querySelector("[data-field=finished]")?.textContent, c.querySelector("[data-field=estimated_end]").textContent,
    c.querySelector("[data-field=delay]").textContent, c.querySelector("[data-field=pace]").textContent]));
  for (const [done, end, delay, pace] of zhCards) {
    check(done === "已完成" && /^已于 (\d{4}-\d{2}-\d{2} )?\d{2}:\d{2} 完成$/.test(end) &&
      /^(–|[+-]?\d+\.\d 分钟)$/.test(delay) && /^(–|\d+\.\d 人\/分钟)$/.test(pace),
      `a station card in Chinese reads ${JSON.stringify([done, end, delay, pace])}`);
  }
  await switchTo(page, "en");
  await checkReadsIn(page, "en", day, "after the switch");
  await page.reload();
  await page.waitForSelector("#connection[data-state=live]", { timeout: 10000 });
  await page.waitForSelector("#anomalies tr[data-anomaly]", { timeout: 10000 });
  // The class open again, as before the reload: its students' statuses are read too.
  await page.click(`#classes tr[data-class="${XSS_CLASS.replace(/"/g, '\\"')}"]`);
  await page.locator("table[data-students-of] tr[data-student]").first().waitFor({ timeout: 5000 });
  await checkReadsIn(page, "en", day, "after a reload");
  console.log(`language: Chinese in a fresh browser (${withZh} of the anomalies shown with message_zh), ` +
    `English at the switch and after a reload`);

  // ---- the station cards once the day is closed: each station says it is done, and when ----
  const cards = await page.evaluate(() => [...document.querySelectorAll(".station[data-station]")].map((c) => ({
    station: c.dataset.station,
    done: c.querySelector("[data-field=finished]")?.textContent ?? "",
    end: c.querySelector("[data-field=estimated_end]").textContent,
    delay: c.querySelector("[data-field=delay]").textContent,
    late: c.querySelector("[data-field=delay]").classList.contains("late"),
    pace: c.querySelector("[data-field=pace]").textContent,
  })));
  check(cards.length > 0, "no station cards");
  for (const card of cards) {
    check(card.done === "done", `station ${card.station}'s card does not say it is done: ${JSON.stringify(card)}`);
    check(/^done at (\d{4}-\d{2}-\d{2} )?\d{2}:\d{2}$/.test(card.end), `station ${card.station}: "${card.end}"`);
    check(!card.late, `station ${card.station} is done but its delay ${card.delay} is shown as late`);
    check(/^(–|[+-]?\d+\.\d min)$/.test(card.delay), `station ${card.station}: delay "${card.delay}"`);
    check(/^(–|\d+\.\d \/min)$/.test(card.pace), `station ${card.station}: pace "${card.pace}"`);
  }

  // Markup in data stays text.
  const xss = await page.evaluate((name) => ({
    cell: document.querySelector("#classes tr.class-row td").parentElement &&
      [...document.querySelectorAll("#classes tr[data-class] td:first-child")].some((td) => td.textContent === name),
    scripts: document.querySelectorAll("script").length,
  }), XSS_CLASS);
  check(xss.cell, "the class named " + XSS_CLASS + " is not shown as text");
  check(xss.scripts === 1, "a script element was injected");

  // ---- a blocker injected now: a shot with no code read, at station 1's restarted agent ----
  const station = path.join(work, "day/station-1");
  const agent = new Child(path.join(binDir, "station-agent"), [
    "--station", "1", "--camera-dir", path.join(station, "camera"), "--journal", path.join(station, "journal"),
    "--site-key", path.join(work, "day/site.key"), "--events", events, "--control", control, "--sim-time",
    "--identity", path.join(work, "kit/station-1.key"), "--coordinator-key", path.join(work, "store/coordinator.pub")],
    log("agent"));
  children.push(agent);
  await agent.waitForLine((l) => l.startsWith("ready station=1"), 30000, "ready line");
  const later = new Date(Date.parse(lastSimTime) + 60000);
  const local = new Date(later.getTime() + 8 * 3600000).toISOString().replace(/\.\d+Z$/, "+08:00");
  agent.write("!time " + local);
  agent.write("!no-such-mark");  // its alert tells the !time before it has been taken
  await agent.waitForLine((l) => l.startsWith("alert station=1"), 10000, "alert for the unknown mark");
  const taken = new Set();
  const walk = (dir) => fs.readdirSync(dir, { withFileTypes: true }).forEach((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : taken.add(Number((e.name.match(/(\d{4,5})\./) || [])[1])));
  walk(path.join(station, "camera"));
  let number = 1000;
  while (taken.has(number)) number++;
  const file = `IMG_${number}.JPG`;
  const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xfe, 0x00, 0x0c]), Buffer.from("injected"),
    Buffer.from([0x00, 0x00, 0xff, 0xd9])]);
  fs.writeFileSync(path.join(work, file), jpeg);
  fs.renameSync(path.join(work, file), path.join(station, "camera", file));
  await agent.waitForLine((l) => l.includes("kind=SHOT_TAKEN") && l.includes("file=" + file), 10000, "event of " + file);
  const journaled = Date.now();
  const blocker = page.locator("#anomalies tr[data-severity=BLOCKER]", { hasText: file });
  await blocker.first().waitFor({ timeout: 2000 }).catch(() => {
    throw new Failure(`the blocker of ${file} was not on the page within 2 s`);
  });
  const id = await blocker.first().getAttribute("data-anomaly");
  console.log(`blocker ${id} for ${file} on the page ${Date.now() - journaled} ms after the agent journaled it`);

  await page.locator(`tr[data-anomaly="${id}"] button[data-role=open]`).click();
  await page.fill(`tr[data-anomaly="${id}"] input[data-role=reason]`, "checked the image: a test shot");
  await page.fill("#resolver", "browser test");
  await page.click(`#classes tr[data-class="${XSS_CLASS.replace(/"/g, '\\"')}"]`);  // folded again for the picture
  await page.locator("table[data-students-of]").waitFor({ state: "detached", timeout: 5000 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: shotFile("en"), fullPage: true });
  // Switching back: Chinese again, the reason being typed kept; the README's picture.
  await switchTo(page, "zh");
  await checkReadsIn(page, "zh", await api("/api/dashboard"), "switched back");
  const injected = page.locator(`tr[data-anomaly="${id}"]`);
  check(await injected.locator(".kind-name").textContent() === "无码照片" &&
    await injected.locator(".kind-code").textContent() === "SHOT_WITHOUT_CODE",
    `the blocker ${id} is not shown as 无码照片 with its code`);
  check(await injected.locator("input[data-role=reason]").inputValue() === "checked the image: a test shot",
    "the reason being typed was lost at the switch");
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: outFile, fullPage: true });
  await switchTo(page, "en");

  // ---- without the token: refused, nothing changes ----
  const before = await api("/api/status");
  const resolves = (s) => (s.counters.find((c) => c.name === 'observations{kind="REGISTRAR_RESOLVE"}') || { value: 0 }).value;
  await page.fill("#token", "");
  await page.locator(`tr[data-anomaly="${id}"] button[data-role=submit]`).click();
  await page.waitForSelector("#resolve-message[data-status='401']", { timeout: 5000 });
  const message = await page.textContent("#resolve-message");
  check(message.includes("registrar token"), "the refusal does not say why: " + message);
  const beside = await page.textContent(`tr[data-anomaly="${id}"] [data-role=result]`);
  check(beside.includes("paste the registrar token") && beside.includes("into the field at the top") &&
    !beside.includes("Authorization"), `the refusal beside ${id} is not what a person at the page can do: "${beside}"`);
  // The same refusal, in Chinese once the switch is pressed: the page writes its sentence again.
  await switchTo(page, "zh");
  const besideZh = await page.textContent(`tr[data-anomaly="${id}"] [data-role=result]`);
  check(besideZh.includes("登记员令牌") && besideZh.includes("页面顶部") && !/[a-z]{3,}/i.test(besideZh.replace("<store>/registrar.token", "")) &&
    !besideZh.includes("paste"), `the refusal beside ${id} in Chinese reads "${besideZh}"`);
  await switchTo(page, "en");
  await page.fill("#token", token.slice(0, -1) + (token.endsWith("0") ? "1" : "0"));
  await page.locator(`tr[data-anomaly="${id}"] button[data-role=submit]`).click();
  await page.waitForFunction(() => document.querySelector("#resolve-message").dataset.status === "401" &&
    document.querySelector("#resolve-message").textContent.length > 0, null, { timeout: 5000 });
  const after = await api("/api/status");
  check(resolves(after) === resolves(before) && resolves(after) === 0, "a refused resolve reached the record");
  check((await capturectl("export", "anomalies", "--open", "--connect", control)).includes(`"id":"${id}"`),
    id + " is no longer open after refused requests");
  check(await page.locator(`tr[data-anomaly="${id}"]`).count() === 1, "the page dropped the anomaly");

  // ---- with the token: it closes ----
  await page.fill("#token", token);
  await page.locator(`tr[data-anomaly="${id}"] button[data-role=submit]`).click();
  await page.waitForSelector("#resolve-message[data-status='200']", { timeout: 5000 });
  // The result shows beside the row, which stays in its place a few seconds, then goes.
  await page.waitForSelector(`tr[data-anomaly="${id}"][data-resolved] [data-role=result][data-status='200']`,
    { timeout: 5000 }).catch(() => { throw new Failure(`no result beside ${id}'s row after resolving it`); });
  check((await page.textContent(`tr[data-anomaly="${id}"] [data-role=result]`)).includes(id + " is resolved"),
    `the result beside ${id} does not say it is resolved`);
  await page.locator(`tr[data-anomaly="${id}"]`).waitFor({ state: "detached", timeout: 10000 });
  const exported = (await capturectl("export", "anomalies", "--connect", control)).split("\n").filter(Boolean)
    .map((l) => JSON.parse(l)).find((a) => a.id === id);
  check(exported && exported.open === false, id + " is still open in the export after the resolve");
  check(resolves(await api("/api/status")) === 1, "the resolve was not recorded once");

  // ---- photos (last: they need the coordinator's image store behind /api/photo) ----
  // A camera image filed by hand as the image store files one: shown upright, its preview too.
  const store = path.join(work, "store");
  const imagePath = (hex) => path.join(store, "images", hex.slice(0, 2), hex + ".jpg");
  const camera = fs.readFileSync(path.join(HERE, "data/photo-with-preview.jpg"));
  const cameraHash = crypto.createHash("sha256").update(camera).digest("hex");
  fs.mkdirSync(path.dirname(imagePath(cameraHash)), { recursive: true });
  fs.writeFileSync(imagePath(cameraHash) + ".tmp", camera);
  fs.renameSync(imagePath(cameraHash) + ".tmp", imagePath(cameraHash));  // whole or not at all
  const sizes = await page.evaluate((hex) => Promise.all(["", "?size=thumb"].map((query) => new Promise((resolve) => {
    const img = new Image();
    img.onload = () => resolve([img.naturalWidth, img.naturalHeight]);
    img.onerror = () => resolve(null);
    img.src = "/api/photo/" + hex + query;
  }))), cameraHash);
  if (JSON.stringify(sizes) !== "[[48,64],[24,32]]") {
    const answer = await fetch(`${url}/api/photo/${cameraHash}`);
    throw new Failure(`the camera image and its preview (48×64 and 24×32 upright) show as ${JSON.stringify(sizes)}; ` +
      `/api/photo answers ${answer.status} ${answer.headers.get("content-type")}`);
  }

  // The day's photos in the class view: they need the images shipped from the agents too.
  const photographed = parseCsv(await capturectl("export", "assignment", "--connect", control)).slice(1)
    .filter((r) => r[2] === XSS_CLASS && r[3] === "photographed" && /^[0-9a-f]{64}$/.test(r[7]));
  check(photographed.length >= 2, "fewer than two students of the class were photographed");
  for (const [student, , , , , , , hex] of photographed) {
    const status = async () => (await fetch(`${url}/api/photo/${hex}`, { method: "HEAD" })).status;
    check(await until(async () => (await status()) === 200, 30000),
      `the photo of student ${student} (${hex}) did not reach the coordinator within 30 s: ` +
      `/api/photo answers ${await status()}`);
  }
  const [shown, hidden] = photographed.map((r) => ({ student: r[0], shot: r[5].padStart(4, "0"), hex: r[7] }));
  fs.renameSync(imagePath(hidden.hex), imagePath(hidden.hex) + ".away");  // as if it had not arrived yet
  // A page of its own (a fresh browser context): the first may hold both photos in its cache already.
  const viewer = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  viewer.on("pageerror", (e) => problems.push("page error: " + e.message));
  await viewer.goto(url + "/");
  await viewer.click(`#classes tr[data-class="${XSS_CLASS.replace(/"/g, '\\"')}"]`);
  await viewer.locator("table[data-students-of]").waitFor({ timeout: 5000 });
  // An update may render the rows again between finding a row and scrolling to it: find it again.
  for (const who of [shown, hidden]) {
    check(await until(async () => viewer.locator(`tr[data-student="${who.student}"]`)
      .scrollIntoViewIfNeeded({ timeout: 2000 }).then(() => true, () => false), 10000),
    `student ${who.student}'s row could not be scrolled to`);
  }
  // The thumbnail, or the placeholder that replaced it when it failed to load.
  const cell = viewer.locator(`tr[data-student="${shown.student}"] .photo`);
  await cell.waitFor({ timeout: 5000 }).catch(() => {
    throw new Failure(`no thumbnail for student ${shown.student}, photographed in shot ${shown.shot}`);
  });
  const loaded = await cell.evaluate((node) => new Promise((resolve) => {
    const img = node.querySelector("img.thumb");
    if (!img) return resolve({ width: 0, placeholder: node.title });
    const done = () => resolve({ width: img.naturalWidth, alt: img.alt, href: node.getAttribute("href") });
    if (img.complete) done();
    else {
      img.addEventListener("load", done);
      img.addEventListener("error", done);
    }
  }));
  check(loaded.width > 0, `the thumbnail of student ${shown.student} did not load (naturalWidth 0), though ` +
    `/api/photo/${shown.hex} answers 200: the browser could not decode it, or the page did not ask for it ` +
    `(${JSON.stringify(loaded)})`);
  check(loaded.alt.includes("照片 " + shown.shot), "the thumbnail's alt text (Chinese: a fresh browser) does not name " +
    "the shot: " + loaded.alt);
  check(loaded.href === "/api/photo/" + shown.hex, "the thumbnail does not link to the image: " + loaded.href);
  await viewer.locator(`tr[data-student="${hidden.student}"] [data-photo-missing="${hidden.hex}"][data-status="404"]`)
    .waitFor({ timeout: 5000 }).catch(() => {
      throw new Failure(`no placeholder for student ${hidden.student}, whose photo is not at the coordinator`);
    });
  fs.renameSync(imagePath(hidden.hex) + ".away", imagePath(hidden.hex));
  await viewer.close();
  console.log(`thumbnail of student ${shown.student} shown (${loaded.width} px wide); ${hidden.student}: placeholder`);

  // ---- the same store on a network address: the token once, then names and photos ----
  await agent.stop();
  const stopped = await coordinator.stop();
  check(stopped.code === 0, `the coordinator did not stop cleanly: ${JSON.stringify(stopped)}`);
  const networked = new Child(path.join(binDir, "coordinator"), coordinatorArgs("0.0.0.0:0"), log("coordinator-network"));
  children.push(networked);
  const readyAgain = await networked.waitForLine((l) => l.startsWith("ready "), 30000, "ready line");
  const bound = field(readyAgain, "http");
  check(bound && bound.startsWith("http://0.0.0.0:"), "the ready line names no dashboard on 0.0.0.0: " + readyAgain);
  const netUrl = "http://127.0.0.1:" + new URL(bound).port;
  const netControl = field(readyAgain, "control");
  const classPath = "/api/class?name=" + encodeURIComponent(XSS_CLASS);
  const refusedRead = await fetch(netUrl + classPath);
  const refusal = await refusedRead.json().catch(() => ({}));
  check(refusedRead.status === 401 && String(refusal.error).includes("registrar.token"),
    `the class view without the token answers ${refusedRead.status} ${JSON.stringify(refusal)}`);
  check((await fetch(`${netUrl}/api/photo/${shown.hex}`)).status === 401, "a photo is served without the token");
  const names = parseCsv(fs.readFileSync(path.join(work, "kit/roster.csv"), "utf8")).slice(1)
    .filter((r) => r[3] === XSS_CLASS).map((r) => r[4]).sort();
  check(names.length > 0, "the roster has no student in " + XSS_CLASS);
  const wrongToken = token.slice(0, -1) + (token.endsWith("0") ? "1" : "0");

  // Opens the page in a browser of its own (no cookie yet, so in Chinese) with a viewport of width ×
  // height, switches to `lang` after the form's screenshot, signs in as the registrar would, and opens
  // the class; screenshots of the form and of the class view.
  async function signIn(width, height, name, options, lang) {
    const context = await browser.newContext({ viewport: { width, height }, ...options });
    const netPage = await context.newPage();
    netPage.on("dialog", (d) => { problems.push("a dialog opened: " + d.message()); d.dismiss(); });
    netPage.on("pageerror", (e) => problems.push(`page error (${name}): ${e.message}`));
    await netPage.goto(netUrl + "/");
    await netPage.locator("#sign-in").waitFor({ state: "visible", timeout: 5000 }).catch(() => {
      throw new Failure(`${name}: the page on a network address shows no token form`);
    });
    await netPage.waitForSelector("#connection[data-state=locked]", { timeout: 5000 });
    check(await netPage.locator("#classes tr[data-class]").count() === 0, `${name}: classes shown without the token`);
    const outside = await netPage.evaluate((width) => {
      const parts = ["#sign-in", "#sign-in-token", "#sign-in-button", "#sign-in-message"].filter((sel) => {
        const r = document.querySelector(sel).getBoundingClientRect();
        return r.left < 0 || r.right > width;
      });
      return document.documentElement.scrollWidth > width ? [...parts, "the page itself"] : parts;
    }, width);
    check(outside.length === 0, `${name}: wider than the screen (${width} px): ${outside.join(", ")}`);
    await netPage.screenshot({ path: shotFile(`sign-in-${name}`), fullPage: true });
    if (lang === "en") await switchTo(netPage, "en");

    await netPage.fill("#sign-in-token", wrongToken);
    await netPage.click("#sign-in-button");
    await netPage.waitForSelector("#sign-in-message[data-status='401']", { timeout: 5000 });
    const said = await netPage.textContent("#sign-in-message");
    check(said.startsWith(lang === "en" ? "That is not the registrar token" : "这不是登记员令牌"),
      `${name}: a wrong token is answered with "${said}"`);
    check((await context.cookies()).length === 0, `${name}: a wrong token got a cookie`);

    await netPage.fill("#sign-in-token", token);
    await netPage.press("#sign-in-token", "Enter");
    await netPage.locator("#sign-in").waitFor({ state: "hidden", timeout: 5000 }).catch(async () => {
      const said = await netPage.textContent("#sign-in-message");
      throw new Failure(`${name}: the token form stayed after the token: ${said}`);
    });
    await netPage.waitForSelector("#connection[data-state=live]", { timeout: 10000 }).catch(() => {
      throw new Failure(`${name}: the event stream did not come back after signing in`);
    });
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === "capture_session");
    check(session && session.httpOnly && session.sameSite === "Strict" && session.expires === -1 &&
      session.path === "/" && !session.value.includes(token),
      `${name}: not an HttpOnly, SameSite=Strict session cookie apart from the token: ${JSON.stringify(cookies)}`);

    await netPage.waitForSelector("#classes tr[data-class]", { timeout: 5000 });
    const pageWidth = await netPage.evaluate(() => document.documentElement.scrollWidth);
    check(pageWidth <= width, `${name}: the signed-in page is ${pageWidth} px wide on a ${width} px screen`);
    await netPage.click(`#classes tr[data-class="${XSS_CLASS.replace(/"/g, '\\"')}"]`);
    const table = netPage.locator("table[data-students-of]");
    await table.waitFor({ timeout: 5000 });
    const shownNames = await table.evaluate((t) => [...t.querySelectorAll("tr[data-student]")]
      .map((r) => r.children[2].textContent).sort());
    check(JSON.stringify(shownNames) === JSON.stringify(names), `${name}: the class view's names are not the roster's`);
    // In one evaluation: an update may render the rows again meanwhile (the photo's node stays).
    const thumbnailWidth = () => netPage.evaluate((student) => {
      const img = document.querySelector(`tr[data-student="${student}"] img.thumb`);
      if (!img) return 0;
      img.scrollIntoView({ block: "center" });  // it loads lazily
      return img.complete ? img.naturalWidth : 0;
    }, shown.student);
    check(await until(async () => (await thumbnailWidth()) > 0, 10000),
      `${name}: the thumbnail of student ${shown.student} did not load with the session cookie`);
    // A phone: nothing is wider than the screen, the header scrolls away, and each anomaly is a
    // card of its own, its message as wide as the card.
    const phoneLayout = () => netPage.evaluate((width) => {
      const wide = [...document.querySelectorAll("body *")].filter((e) => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && (r.right > width + 1 || r.left < -1);
      }).slice(0, 5).map((e) => `${e.tagName.toLowerCase()}.${e.className} (${Math.round(e.getBoundingClientRect().right)} px)`);
      const rows = document.querySelectorAll("#anomalies tr[data-anomaly]").length;
      return { wide, rows, height: document.querySelector("#anomalies").offsetHeight,
        header: getComputedStyle(document.querySelector("header")).position };
    }, width);
    const checkPhoneLayout = async (lang) => {
      const layout = await phoneLayout();
      check(layout.wide.length === 0, `${name} (${lang}): wider than the ${width} px screen: ${layout.wide.join(", ")}`);
      check(layout.header !== "sticky", `${name}: the header stays on top of a phone's screen`);
      check(layout.rows > 0 && layout.height / layout.rows < 320,
        `${name} (${lang}): ${layout.rows} anomalies take ${layout.height} px (over 320 px each)`);
    };
    if (width < 700) {
      await checkPhoneLayout(lang);
      await netPage.evaluate(() => window.scrollTo(0, 0));
      await netPage.screenshot({ path: shotFile("phone") });
      await netPage.evaluate(() => document.querySelector("#anomalies").scrollIntoView());
      await netPage.screenshot({ path: shotFile("phone-anomalies") });
    }
    // The class view with its names: the open class's row at the top, below the sticky header.
    await netPage.evaluate(() => {
      const row = document.querySelector("#classes tr.class-row.open");
      for (const section of document.querySelectorAll("main > section")) section.scrollLeft = 0;
      const header = document.querySelector("header").offsetHeight;
      window.scrollTo(0, row.getBoundingClientRect().top + window.scrollY - header);
    });
    await netPage.screenshot({ path: shotFile(`signed-in-${name}`) });
    if (width < 700) {
      // The other language's words are longer or shorter: they fit too.
      await switchTo(netPage, lang === "zh" ? "en" : "zh");
      await checkPhoneLayout(lang === "zh" ? "en" : "zh");
    }
    return { context, netPage };
  }

  const desktop = await signIn(1400, 1000, "desktop", {}, "en");
  const phone = await signIn(390, 844, "phone", { deviceScaleFactor: 2, isMobile: true, hasTouch: true }, "zh");
  await phone.context.close();

  // Resolving with the session alone: the header's token field left empty.
  const openRow = desktop.netPage.locator("#anomalies tr[data-anomaly]").first();
  await openRow.waitFor({ timeout: 5000 }).catch(() => {
    throw new Failure("no open anomaly on the page to resolve on the network address");
  });
  const anomaly = await openRow.getAttribute("data-anomaly");
  const target = desktop.netPage.locator(`tr[data-anomaly="${anomaly}"]`);
  await target.locator("button[data-role=open]").click();
  await target.locator("input[data-role=reason]").fill("checked: resolved with the session cookie");
  await desktop.netPage.fill("#token", "");
  await target.locator("button[data-role=submit]").click();
  await desktop.netPage.waitForSelector("#resolve-message[data-status='200']", { timeout: 5000 }).catch(async () => {
    const said = await desktop.netPage.textContent("#resolve-message");
    throw new Failure(`resolving ${anomaly} with the session cookie: ${said}`);
  });
  check(!(await capturectl("export", "anomalies", "--open", "--connect", netControl)).includes(`"id":"${anomaly}"`),
    anomaly + " is still open after the resolve with the session cookie");
  await desktop.context.close();
  for (const name of ["sign-in-desktop", "signed-in-desktop", "sign-in-phone", "signed-in-phone"]) {
    check(fs.statSync(shotFile(name)).size > 10000, "the screenshot " + shotFile(name) + " is (almost) empty");
  }
  console.log(`network address: token form, names and thumbnail shown after the token at 1400 and 390 px; ` +
    `${anomaly} resolved with the session; screenshots ${shotFile("*")}`);

  check(problems.length === 0, problems.join("; "));
  console.log(`ok: counts equal the exports, blocker ${id} shown and resolved; screenshot ${outFile}`);
}

let code = 0;
try {
  await main();
} catch (e) {
  console.error("FAILED: " + (e instanceof Failure ? e.message : e.stack));
  console.error("logs in " + work);
  code = 1;
} finally {
  if (browser) await browser.close().catch(() => {});
  for (const c of children.reverse()) {
    const exit = await c.stop();
    if (c.name === "coordinator" && code === 0 && exit.code !== 0) {
      console.error(`FAILED: the coordinator did not stop cleanly: ${JSON.stringify(exit)}`);
      code = 1;
    }
  }
  if (code === 0) fs.rmSync(work, { recursive: true, force: true });
}
process.exit(code);
