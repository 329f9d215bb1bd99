// End-to-end test of search in headless Chromium, on the example site: built to disk and
// opened from file://, and served by `salesbook serve`. Queries in Chinese (from inside a
// word, traditional, full-width), English (by prefix) and mixed find the expected page first;
// a facet narrows the results and goes into the URL; `/search/?q=` opens with its results; a
// match deep in a page gets its snippet from the page; the header box shows results as you
// type and opens one with the keyboard. From file://, a page's text goes only to a frame
// parent that asks with the site's page token. Run by scripts/e2e; exits non-zero on the first
// failed expectation.
import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import { bin, exampleSite, repo, startServer } from "./lib.mjs";

const out = mkdtempSync(join(tmpdir(), "salesbook-search-"));
execFileSync(bin, ["build", "--root", repo, "--out", out], { stdio: ["ignore", "ignore", "inherit"] });
// serve gets a copy of the example site (it watches the folder).
const site = exampleSite("salesbook-search-site-");

const step = (name) => console.log(`e2e search: ${name}`);
setTimeout(() => {
  console.error("e2e search: gave up after 120 s");
  process.exit(1);
}, 120000).unref();

// query → the title of the first result, and a page that must be among the results.
const QUERIES = [
  ["精密", "华东精密机械有限公司"],
  ["东精密", "华东精密机械有限公司"], // three characters from inside a word
  ["鸿电", "精鸿电气"],
  ["華東精密", "华东精密机械有限公司"], // traditional
  ["nordt", "诺德泰克 NordTech"], // an English word by its beginning, any case
  ["NordTech 报价", "杭州远博物流自动化有限公司"], // mixed: both on the page, in its fields
  ["ＳＰＩＮ", "伺服改造 SPIN 提问清单"], // full-width
  ["拜访", "陌生拜访话术"], // in two titles: title hits first
  ["huadong prec", "华东精密机械有限公司"], // an alias
];

async function searchPage(page, base, q, facets = "") {
  await page.goto(`${base}search/index.html?q=${encodeURIComponent(q)}${facets}`);
  await page.waitForFunction(
    (q) => {
      const app = document.querySelector("#search-app");
      return app.dataset.error || app.dataset.query === q;
    },
    q,
    { timeout: 10000, polling: 20 },
  );
  return page.evaluate(() => {
    const app = document.querySelector("#search-app");
    return {
      error: app.dataset.error,
      ms: Number(app.dataset.ms),
      status: document.querySelector(".search-status").textContent,
      count: Number((document.querySelector(".search-status").textContent.match(/\d+/) || ["0"])[0]),
      titles: Array.from(document.querySelectorAll(".result .result-title")).map((a) => a.textContent),
      marks: Array.from(document.querySelectorAll(".result mark")).map((m) => m.textContent),
    };
  });
}

// Typed into the search page, one after the other: each answer's time counts from the input
// to the results on screen, loading the index files the query needs included.
async function typed(page, q) {
  await page.locator("#search-q").fill(q);
  await page.waitForFunction((q) => document.querySelector("#search-app").dataset.query === q, q, { timeout: 10000, polling: 10 });
  return page.evaluate(() => {
    const app = document.querySelector("#search-app");
    return {
      ms: Number(app.dataset.ms),
      titles: Array.from(document.querySelectorAll(".result .result-title")).map((a) => a.textContent),
      marks: Array.from(document.querySelectorAll(".result mark")).map((m) => m.textContent),
      url: location.href,
    };
  });
}

// The search page, fresh, with its script ready for a query.
async function openSearch(page, base) {
  await page.goto(`${base}search/index.html`);
  await page.waitForFunction(() => document.querySelector("#search-app").dataset.ready, null, { timeout: 10000 });
}

async function checkQueries(page, base, where) {
  await openSearch(page, base);
  for (const [q, first] of QUERIES) {
    const r = await typed(page, q);
    assert.ok(r.url.endsWith(`?q=${encodeURIComponent(q).replace(/%20/g, "+")}`), `${where} ${q}: the URL follows: ${r.url}`);
    assert.equal(r.titles[0], first, `${where} ${q}: first result, of ${JSON.stringify(r.titles)}`);
    assert.ok(r.marks.length > 0, `${where} ${q}: the match is highlighted`);
    let ms = r.ms;
    if (ms >= 50) {
      // Once more on a fresh page, loading included: a machine busy with something else for
      // a moment is not a slow search; slow twice is.
      await openSearch(page, base);
      const again = await typed(page, q);
      console.log(`e2e search: ${where} ${q} took ${ms} ms, then ${again.ms} ms on a fresh page`);
      ms = Math.min(ms, again.ms);
    }
    assert.ok(ms < 50, `${where} ${q}: answered in ${r.ms} ms, and again in ${ms} ms`);
  }
  // Opened with ?q=, as a shared link.
  for (const [q, first] of QUERIES.slice(0, 3)) {
    const r = await searchPage(page, base, q);
    assert.ok(!r.error, `${where} ${q}: the index did not load`);
    assert.equal(r.titles[0], first, `${where} ?q=${q}`);
  }
  // A query found nowhere says so.
  const none = await searchPage(page, base, "没有这种词语");
  assert.equal(none.titles.length, 0);
  assert.match(none.status, /没有找到/);
  // A match further down a page than the index's excerpt: the snippet comes from the page
  // itself a moment later, the match marked (fetched when served, a hidden frame from file://).
  await searchPage(page, base, "精密");
  const later = page.locator(".result", { hasText: "无锡联达汽车零部件有限公司" });
  await later.locator(".snippet mark").waitFor({ timeout: 10000 });
  assert.equal(await later.getAttribute("data-snippet"), "page", `${where}: snippet read from the page`);
  assert.match(await later.locator(".snippet").textContent(), /参考 华东精密 的改造案例/, `${where}: the sentence around the match`);
  assert.equal(await page.locator("iframe").count(), 0, `${where}: no frame left behind`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
let server;
let failed = false;
try {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));

  step("from file://: each query finds its page first, in under 50 ms");
  const disk = `file://${out}/`;
  await checkQueries(page, disk, "file://");

  step("from file://, another local page framing a page gets no text (wrong or no token), ours does");
  // evil.html beside the output frames a customer page with every request it could guess,
  // and with the real token (which only a page of the site can read) as the control.
  const token = readFileSync(join(out, ".salesbook-token"), "utf8").trim();
  const evil = join(out, "..", `evil-${Date.now()}.html`);
  const ask = async (hash) => {
    writeFileSync(evil, `<!DOCTYPE html><script>window.got = null;
      addEventListener("message", (e) => { window.got = JSON.stringify(e.data); });</script>
      <iframe src="file://${out}/customers/huadong/index.html${hash}"></iframe>`);
    await page.goto(`file://${evil}`);
    await page.waitForTimeout(1500);
    return page.evaluate(() => window.got);
  };
  try {
    for (const hash of ["#sb-text", "#sb-text=", "#sb-text=00000000000000000000000000000000", "#sb-text=undefined"]) {
      assert.equal(await ask(hash), null, `a local page framing with ${hash} got the text`);
    }
    assert.match((await ask(`#sb-text=${token}`)) || "", /华东/, "the control: the token is what opens it");
  } finally {
    rmSync(evil, { force: true });
  }

  step("a facet narrows the results and goes into the URL; the URL brings it back");
  let r = await searchPage(page, disk, "有限公司");
  const all = r.count;
  assert.ok(all >= 13, `every customer: ${r.status}`);
  assert.equal(r.titles.length, 10, "ten at a time");
  await page.locator(".search-results .more button").click();
  await page.waitForFunction((n) => document.querySelectorAll(".result").length === n, all, { timeout: 5000 });
  await page.locator('.facet[data-facet="stage"] button', { hasText: "报价" }).click();
  await page.waitForFunction(() => location.search.includes("stage=quote"), null, { timeout: 5000 });
  const quoted = await page.locator(".result").count();
  assert.ok(quoted > 0 && quoted < all, `${quoted} of ${all}`);
  assert.match(await page.locator(".search-status").textContent(), new RegExp(`找到 ${quoted} 个`));
  const stages = await page.locator(".result .badge[class*=stage-]").allTextContents();
  assert.ok(stages.length === quoted && stages.every((s) => s === "报价"), JSON.stringify(stages));
  r = await searchPage(page, disk, "有限公司", "&stage=quote");
  assert.equal(r.titles.length, quoted, "the shared link shows the same results");
  await page.locator('.facet[data-facet="owner"] button').nth(1).click();
  const owned = await page.locator(".result").count();
  assert.ok(owned > 0 && owned <= quoted);

  step("one character searches titles");
  r = await searchPage(page, disk, "鸿");
  assert.deepEqual(r.titles, ["精鸿电气"]);
  assert.match(r.status, /标题/);

  step("the header box: results as you type, arrow down and Enter opens the first");
  await page.goto(`${disk}customers/huadong/index.html`);
  await page.locator(".search-box input").fill("樱田");
  const first = page.locator(".search-drop li a").first();
  await first.waitFor({ timeout: 5000 });
  assert.equal(await first.textContent(), "樱田精机");
  await page.locator(".search-box input").press("ArrowDown");
  await Promise.all([page.waitForURL(/competitors\/sakura\/index\.html$/), page.locator(".search-box input").press("Enter")]);
  step("Enter without a choice opens the search page with the query");
  await page.locator(".search-box input").fill("伺服");
  await page.locator(".search-drop li a").first().waitFor({ timeout: 5000 });
  await Promise.all([page.waitForURL(/search\/index\.html\?q=/), page.locator(".search-box input").press("Enter")]);
  await page.waitForFunction(() => document.querySelector("#search-app").dataset.query === "伺服", null, { timeout: 5000 });
  assert.ok((await page.locator(".result").count()) > 0);

  step("a missing index is reported, not a blank page");
  rmSync(join(out, "search/meta.js"));
  r = await searchPage(page, disk, "精密");
  assert.ok(r.error, "reported as an error");
  assert.match(r.status, /无法加载/);

  step("served by salesbook serve: the same queries, the same first results");
  server = await startServer(site, { timeout: 20000 });
  await checkQueries(page, server.url, "serve");
  assert.deepEqual(errors, [], "no script errors");
} catch (e) {
  failed = true;
  console.error(e);
  if (server) console.error(server.log());
} finally {
  await Promise.race([browser.close(), new Promise((r) => setTimeout(r, 10000))]);
  if (server) server.proc.kill();
  rmSync(out, { recursive: true, force: true });
  rmSync(site, { recursive: true, force: true });
}
if (failed) process.exit(1);
console.log("e2e search: 1 passed, 0 failed");
