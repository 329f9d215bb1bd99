// Unit tests of search.js's query splitting and ranking, in Node without a browser: the
// script runs in a VM context whose `document` loads the index files of a small site built
// here. Run by scripts/e2e; exits non-zero on the first failed expectation.
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import vm from "node:vm";
import assert from "node:assert/strict";
import { bin } from "./lib.mjs";

const site = mkdtempSync(join(tmpdir(), "salesbook-search-unit-"));
const files = {
  "content/customers/huadong.md":
    "---\ntitle: 华东精密机械有限公司\naliases: [Huadong Precision]\nstage: quote\nowner: 张伟\nvalue: 900000\n---\n客户要求報價在月底前提交。ABB 也在跟进。\n",
  "content/customers/small.md": "---\ntitle: 小客户\nstage: lead\nvalue: 1000\n---\n我们的报价偏高，华东地区的竞争激烈。\n",
  "content/customers/big.md": "---\ntitle: 大客户\nstage: lead\nvalue: 5000000\nindustry: 精密制造\n---\n大客户也要报价。\n",
  "content/playbooks/guide.md": "---\ntitle: 报价指南\nkind: guide\n---\n报价的十个步骤。ABB Robotics 的打法。\n",
  "content/playbooks/long.md": "---\ntitle: 长指南\nkind: guide\n---\n精密行业的打法：先报价。\n",
  "salesbook.yaml": "today: 2026-11-23\n",
};
for (const [path, text] of Object.entries(files)) {
  mkdirSync(dirname(join(site, path)), { recursive: true });
  writeFileSync(join(site, path), text);
}
const out = join(site, "public");
execFileSync(bin, ["build", "--root", site], { stdio: ["ignore", "ignore", "inherit"] });

// A document that runs each index script as it is added, as a browser would.
const context = vm.createContext({ TextEncoder, URLSearchParams, console });
context.window = context;
context.parent = context; // a page of its own, not in a frame
context.location = { protocol: "file:", hash: "", search: "" };
context.document = {
  currentScript: { getAttribute: () => "" },
  readyState: "complete",
  getElementById: () => null,
  querySelector: () => null,
  createElement: () => ({}),
  head: {
    appendChild(el) {
      setTimeout(() => {
        vm.runInContext(readFileSync(join(out, el.src), "utf8"), context);
        el.onload();
      });
    },
  },
};
vm.runInContext(readFileSync(join(out, "search.js"), "utf8"), context);
const api = context.sbSearch;
const titles = async (q) => {
  const r = await api.find(q);
  return Promise.all(r.pages.map(async (p) => {
    const k = Math.floor(p / 32);
    return (await pageOf(k))[p - k * 32][0];
  }));
};
const fragments = {};
const pageOf = (k) => (fragments[k] ??= new Promise((res) => {
  const text = readFileSync(join(out, `search/f/${k}.js`), "utf8");
  res(JSON.parse(text.slice(text.indexOf(",") + 1, text.lastIndexOf(")"))));
}));

let failed = false;
const test = async (name, fn) => {
  try {
    await fn();
    console.log(`search unit: ${name}`);
  } catch (e) {
    failed = true;
    console.error(`search unit: ${name} FAILED`);
    console.error(e);
  }
};

await test("a query splits into CJK runs and words, folded", async () => {
  // (Through JSON: arrays made in the VM context have that context's prototypes.)
  const parts = JSON.parse(JSON.stringify(await api.parse("ＡＢＢ 報價x華東"))).map((p) => [p.cjk, p.text]);
  assert.deepEqual(parts, [[false, "abb"], [true, "报价"], [false, "x"], [true, "华东"]]);
});
await test("Chinese: title first, then fields, then body", async () => {
  assert.deepEqual(await titles("精密"), ["华东精密机械有限公司", "大客户", "长指南"]);
});
await test("Chinese from inside a word, and traditional", async () => {
  assert.deepEqual(await titles("东精密"), ["华东精密机械有限公司"]);
  assert.deepEqual(await titles("華東精密"), ["华东精密机械有限公司"]);
});
await test("equal places: customers first, largest deal first, then guides", async () => {
  assert.deepEqual(await titles("报价"), ["报价指南", "大客户", "华东精密机械有限公司", "小客户", "长指南"]);
});
await test("English: by prefix, any case, title (alias) before body", async () => {
  assert.deepEqual(await titles("PREC"), ["华东精密机械有限公司"]);
  assert.deepEqual(await titles("ab"), ["华东精密机械有限公司", "报价指南"]);
  assert.deepEqual(await titles("robot"), ["报价指南"]);
});
await test("mixed queries intersect", async () => {
  assert.deepEqual(await titles("ABB 报价"), ["报价指南", "华东精密机械有限公司"]);
  assert.deepEqual(await titles("华东 报价"), ["华东精密机械有限公司", "小客户"]);
});
await test("one character searches titles only", async () => {
  assert.deepEqual(await titles("华"), ["华东精密机械有限公司"]);
  assert.deepEqual(await titles("偏"), []);
});
rmSync(site, { recursive: true, force: true });
if (failed) process.exit(1);
console.log("search unit: all passed");
