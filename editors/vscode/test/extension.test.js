// Unit test of extension.js under Node's test runner, with stand-ins for the `vscode` API
// and for vscode-languageclient (a real VS Code cannot be fetched in CI): which folders get
// a server, with which command, for which files, and that a failed start is reported.
"use strict";

const test = require("node:test");
const assert = require("node:assert");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const Module = require("node:module");

function fakeVscode({ folders, serverPath }) {
  const errors = [];
  const uri = (p) => ({ fsPath: p, toString: () => "file://" + p });
  const vscode = {
    errors,
    Uri: { joinPath: (base, ...parts) => uri(path.join(base.fsPath, ...parts)) },
    RelativePattern: class {
      constructor(base, pattern) {
        this.base = base.uri.fsPath;
        this.pattern = pattern;
      }
    },
    workspace: {
      workspaceFolders: folders.map((p, index) => ({ uri: uri(p), name: path.basename(p), index })),
      fs: { stat: async (u) => fs.promises.stat(u.fsPath) },
      getConfiguration: (section) => ({
        get: (key) => (section === "salesbook" && key === "server.path" ? serverPath : undefined),
      }),
      onDidChangeWorkspaceFolders: () => ({ dispose() {} }),
      onDidChangeConfiguration: () => ({ dispose() {} }),
    },
    window: { showErrorMessage: (msg) => errors.push(msg) },
    commands: { registerCommand: () => ({ dispose() {} }) },
  };
  return vscode;
}

// Loads a fresh extension.js against the stand-ins; returns it and the clients it made.
function load(vscode, { failStart = false } = {}) {
  const clients = [];
  class LanguageClient {
    constructor(id, name, server, options) {
      Object.assign(this, { id, name, server, options, stopped: false });
      clients.push(this);
    }
    async start() {
      if (failStart) throw new Error("spawn salesbook ENOENT");
    }
    async stop() {
      this.stopped = true;
    }
  }
  const standIns = {
    vscode,
    "vscode-languageclient/node": { LanguageClient, TransportKind: { stdio: 0 } },
  };
  const original = Module._load;
  Module._load = function (request, ...rest) {
    return request in standIns ? standIns[request] : original.call(this, request, ...rest);
  };
  const file = require.resolve("../extension.js");
  delete require.cache[file];
  try {
    return { ext: require(file), clients };
  } finally {
    Module._load = original;
  }
}

function sites() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "salesbook-vscode-"));
  const site = path.join(dir, "site");
  const other = path.join(dir, "other");
  fs.mkdirSync(site);
  fs.mkdirSync(other);
  fs.writeFileSync(path.join(site, "salesbook.yaml"), "title: t\n");
  return { site, other };
}

test("a server starts for the folder with salesbook.yaml only, with the configured program", async () => {
  const { site, other } = sites();
  const vscode = fakeVscode({ folders: [other, site], serverPath: "/opt/salesbook" });
  const { ext, clients } = load(vscode);
  await ext.activate({ subscriptions: [] });
  assert.strictEqual(clients.length, 1);
  const [c] = clients;
  assert.deepStrictEqual(c.server, { command: "/opt/salesbook", args: ["lsp"], transport: 0 });
  assert.strictEqual(c.options.workspaceFolder.uri.fsPath, site);
  const selector = c.options.documentSelector;
  assert.deepStrictEqual(
    selector.map((s) => [s.language, s.pattern.base, s.pattern.pattern]),
    [
      ["markdown", site, "**/*.md"],
      [undefined, site, "salesbook.yaml"],
    ],
  );
  await ext.deactivate();
  assert.ok(c.stopped, "deactivate stops the server");
});

test("the program defaults to salesbook on PATH", async () => {
  const { site } = sites();
  const { ext, clients } = load(fakeVscode({ folders: [site], serverPath: undefined }));
  await ext.activate({ subscriptions: [] });
  assert.strictEqual(clients[0].server.command, "salesbook");
});

test("a server that cannot start is reported, naming the setting", async () => {
  const { site } = sites();
  const vscode = fakeVscode({ folders: [site], serverPath: "nowhere/salesbook" });
  const { ext } = load(vscode, { failStart: true });
  await ext.activate({ subscriptions: [] });
  assert.strictEqual(vscode.errors.length, 1);
  assert.match(vscode.errors[0], /nowhere\/salesbook lsp/);
  assert.match(vscode.errors[0], /salesbook\.server\.path/);
});

test("package.json: activation in a site, the setting's default matches extension.js", () => {
  const pkg = require("../package.json");
  assert.deepStrictEqual(pkg.activationEvents, ["workspaceContains:salesbook.yaml"]);
  assert.strictEqual(pkg.main, "./extension.js");
  const setting = pkg.contributes.configuration.properties["salesbook.server.path"];
  assert.strictEqual(setting.default, "salesbook");
  assert.ok(pkg.contributes.commands.some((c) => c.command === "salesbook.restartServer"));
});
