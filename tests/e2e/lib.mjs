// What the browser tests share: the binary, a copy of the example site, and `serve` on it.
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const repo = new URL("../..", import.meta.url).pathname;
// The test build (scripts/test has just made it): a release build would compile every
// dependency a second time, minutes of CI, for pages that are the same bytes.
export const bin = join(repo, "target/debug/salesbook");

/// A copy of the example site (content/ and salesbook.yaml) in a new temporary folder.
export function exampleSite(prefix) {
  const site = mkdtempSync(join(tmpdir(), prefix));
  cpSync(join(repo, "content"), join(site, "content"), { recursive: true });
  cpSync(join(repo, "salesbook.yaml"), join(site, "salesbook.yaml"));
  return site;
}

/// `salesbook serve --port 0` on `site`: resolves with the process, its URL and its log so far.
export function startServer(site, { env = {}, timeout = 10000 } = {}) {
  return new Promise((resolve, reject) => {
    const proc = spawn(bin, ["serve", "--root", site, "--port", "0"], {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, ...env },
    });
    let log = "";
    proc.stderr.on("data", (d) => {
      log += d;
      const m = log.match(/at (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m) resolve({ proc, url: m[1], log: () => log });
    });
    proc.on("exit", (code) => reject(new Error(`serve exited with ${code}: ${log}`)));
    setTimeout(() => reject(new Error(`serve did not start: ${log}`)), timeout);
  });
}
