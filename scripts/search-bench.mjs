// Search in headless Chromium on a built site (called by `scripts/bench search`):
//     node scripts/search-bench.mjs OUT_DIR QUERY...
// For each query, on a fresh page (after one page load to warm the browser) opened from file:// as `search/index.html?q=…`: the bytes
// of the index files it loaded (their sizes on disk: compressed size not assumed) and the
// time from the start of the query to the results on screen, loading included; the pages read
// for snippets of matches further down (bytes on disk, after the results). Then the
// same queries typed one after another into the open page. Prints one JSON object.
import { chromium } from "../tests/e2e/node_modules/playwright-core/index.mjs";
import { statSync } from "node:fs";
import { join } from "node:path";

const [out, ...queries] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
const page = await browser.newPage();
// Every file the page asks for (file:// loads leave no resource timing entries).
let requested = [];
page.on("request", (r) => requested.push(decodeURIComponent(new URL(r.url()).pathname)));
const base = `file://${out}/`;
const ready = (q) =>
  page.waitForFunction((q) => document.querySelector("#search-app").dataset.query === q, q, {
    timeout: 30000,
    polling: 5,
  });
const result = { first: [], typed: [] };
// The browser's very first page pays for starting up and loading the CJK fonts (about
// 250 ms here), whatever the page: the home page takes that before the queries are timed.
await page.goto(`${base}index.html`);
for (const q of queries) {
  requested = [];
  await page.goto(`${base}search/index.html?q=${encodeURIComponent(q)}`);
  await ready(q);
  // Results matched further down their page than the index's excerpt read the page for a
  // snippet once they near the screen (within 200 px of it): their bytes count too.
  await page.waitForFunction(
    () =>
      Array.from(document.querySelectorAll(".result[data-snippet=later]")).every(
        (li) => li.getBoundingClientRect().top > innerHeight + 200,
      ),
    null,
    { timeout: 30000, polling: 5 },
  );
  const r = await page.evaluate(() => ({
    ms: Number(document.querySelector("#search-app").dataset.ms),
    results: document.querySelector(".search-status").textContent,
    top: document.querySelector(".result .result-title")?.textContent ?? null,
  }));
  const index = requested.filter((f) => f.includes("/search/") && f.endsWith(".js"));
  const bytes = index.reduce((n, f) => n + statSync(f).size, 0);
  const script = statSync(join(out, "search.js")).size;
  const read = requested.filter((f) => f.endsWith(".html") && !f.includes("/search/"));
  const pageBytes = read.reduce((n, f) => n + statSync(f).size, 0);
  result.first.push({
    q,
    ms: r.ms,
    top: r.top,
    results: r.results,
    files: index.length,
    index_bytes: bytes,
    with_search_js: bytes + script,
    pages_read: read.length,
    page_bytes: pageBytes,
    all_bytes: bytes + script + pageBytes,
  });
}
await page.goto(`${base}search/index.html`);
await page.waitForFunction(() => document.querySelector("#search-app").dataset.ready, null, { timeout: 30000 });
for (const q of queries) {
  await page.locator("#search-q").fill(q);
  await ready(q);
  result.typed.push({ q, ms: Number(await page.evaluate(() => document.querySelector("#search-app").dataset.ms)) });
}
await browser.close();
console.log(JSON.stringify(result));
