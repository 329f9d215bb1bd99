// End-to-end test of `salesbook serve` in headless Chromium: a customer page follows a save,
// the funnel page updates, a broken save shows the overlay and the fix clears it, and ten
// open tabs all reload. Run by scripts/e2e (which builds the binary and installs
// playwright-core); exits non-zero on the first failed expectation.
import { chromium } from "playwright-core";
import { readFileSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import assert from "node:assert/strict";
import { exampleSite, startServer } from "./lib.mjs";

const site = exampleSite("salesbook-e2e-");
const customer = join(site, "content/customers/huadong.md");
const original = readFileSync(customer, "utf8");

const step = (name) => console.log(`e2e: ${name}`);
let server;
// A hung browser must fail the test, not the CI run's time budget.
setTimeout(() => {
  console.error("e2e: gave up after 180 s; the server said:");
  if (server) console.error(server.log());
  process.exit(1);
}, 180000).unref();
server = await startServer(site, { env: { SALESBOOK_TIMINGS: "1" } });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
let failed = false;
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  const funnel = await context.newPage();
  await page.goto(server.url + "customers/huadong/");
  await funnel.goto(server.url + "funnel/");
  const stageBadge = () => page.locator(".factbox .badge").first().textContent();
  assert.equal(await stageBadge(), "商机");
  const quoteCount = async () => (await funnel.locator("#stage-quote").textContent()).match(/(\d+)\s*·/)[1];
  assert.equal(await quoteCount(), "2");

  step("change the stage in the file: the page reloads with the new stage, the funnel updates");
  const t0 = Date.now();
  const reloaded = page.waitForEvent("load");
  const funnelReloaded = funnel.waitForEvent("load");
  writeFileSync(customer, original.replace("stage: opportunity", "stage: quote"));
  await reloaded;
  console.log(`e2e: save → page reloaded in ${Date.now() - t0} ms`);
  assert.equal(await stageBadge(), "报价");
  await funnelReloaded;
  assert.equal(await quoteCount(), "3");

  step("break the YAML: the overlay shows the diagnostics");
  writeFileSync(customer, original.replace("stage: opportunity", "stage: [quote"));
  const overlay = page.locator("#__salesbook_overlay");
  await overlay.waitFor({ state: "visible", timeout: 5000 });
  const text = await overlay.textContent();
  assert.match(text, /content\/customers\/huadong\.md:\d+:\d+/);
  assert.match(text, /invalid YAML/);
  assert.match(text, /\^/);
  await funnel.locator("#__salesbook_overlay").waitFor({ state: "visible", timeout: 5000 });
  assert.equal(await stageBadge(), "报价", "the last good page stays");

  step("fix it: the overlay goes away by itself");
  writeFileSync(customer, original);
  await overlay.waitFor({ state: "detached", timeout: 5000 });
  await page.waitForFunction(() => document.querySelector(".factbox .badge")?.textContent === "商机", null, { timeout: 10000, polling: 50 });

  step("ten tabs: a change every page shows reloads them all");
  const paths = ["", "funnel/", "tiers/", "customers/", "competitors/", "scripts/", "playbooks/",
                 "customers/suzhou-xinhe/", "competitors/nordtech/", "playbooks/servo-spin/"];
  const tabs = [];
  for (const p of paths) {
    const t = await context.newPage();
    t.on("crash", () => console.error(`tab ${p} crashed`));
    t.on("close", () => console.error(`tab ${p} closed`));
    await t.goto(server.url + p);
    tabs.push(t);
  }
  // Every tab's reload socket is open before the save.
  await Promise.all(tabs.map((t) => t.waitForFunction(() => window.__salesbook && window.__salesbook.connected, null, { timeout: 30000, polling: 50 })));
  const config = join(site, "salesbook.yaml");
  writeFileSync(config, readFileSync(config, "utf8").replace("title: 华东大区销售作战手册", "title: 华东大区销售手册 v2"));
  // Each tab shows the new title only after it reloaded. Asked from here, tab by tab, with
  // short per-call timeouts: a page in the middle of its reload just answers next round.
  const done = new Set();
  const deadline = Date.now() + 30000;
  while (done.size < tabs.length && Date.now() < deadline) {
    for (const [i, t] of tabs.entries()) {
      if (done.has(i)) continue;
      const brand = await t.locator(".brand").textContent({ timeout: 1000 }).catch(() => "");
      if (brand.includes("v2")) done.add(i);
    }
    if (done.size < tabs.length) await new Promise((r) => setTimeout(r, 100));
  }
  const missing = paths.filter((_, i) => !done.has(i));
  if (missing.length) {
    // What each tab that did not reload knows, to tell a lost message from a lost reload.
    for (const [i, t] of tabs.entries()) {
      if (done.has(i)) continue;
      const asked = t.evaluate(() => ({
        generation: window.__salesbook_generation,
        connected: window.__salesbook && window.__salesbook.connected,
        received: window.__salesbook && window.__salesbook.received,
        brand: document.querySelector(".brand")?.textContent,
      })).catch((e) => String(e));
      // A tab stuck in a navigation does not answer at all.
      const state = await Promise.race([asked, new Promise((r) => setTimeout(() => r(`no answer; at ${t.url()}`), 3000))]);
      console.error(`tab ${paths[i]}: ${JSON.stringify(state)}`);
    }
  }
  assert.deepEqual(missing, [], `tabs that did not reload: ${missing.join(", ")}`);
  step("all ten tabs reloaded; page loads were never stalled by the reload sockets");
  const t1 = Date.now();
  await tabs[0].goto(server.url + "customers/");
  assert.ok(Date.now() - t1 < 3000);
} catch (e) {
  failed = true;
  console.error(e);
  console.error(server.log());
} finally {
  await Promise.race([browser.close(), new Promise((r) => setTimeout(r, 10000))]);
  server.proc.kill();
  rmSync(site, { recursive: true, force: true });
}
if (failed) process.exit(1);
console.log("e2e: 1 passed, 0 failed");
