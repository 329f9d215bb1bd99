// The salesbook extension: starts `salesbook lsp` for each workspace folder that holds a
// salesbook.yaml, for that folder's markdown pages and its salesbook.yaml. All the work is
// the server's; this file only says which program to run and which files it is for.
// Plain JavaScript (no build step), and nothing here reaches the network.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

/** The running clients, by workspace folder URI. */
const clients = new Map();

function serverPath() {
  return vscode.workspace.getConfiguration("salesbook").get("server.path") || "salesbook";
}

async function startFor(folder) {
  const key = folder.uri.toString();
  if (clients.has(key)) return;
  const marker = vscode.Uri.joinPath(folder.uri, "salesbook.yaml");
  try {
    await vscode.workspace.fs.stat(marker);
  } catch {
    return; // not a salesbook site
  }
  const pattern = (glob) => new vscode.RelativePattern(folder, glob);
  const client = new LanguageClient(
    "salesbook",
    "salesbook",
    { command: serverPath(), args: ["lsp"], transport: TransportKind.stdio },
    {
      documentSelector: [
        { scheme: "file", language: "markdown", pattern: pattern("**/*.md") },
        { scheme: "file", pattern: pattern("salesbook.yaml") },
      ],
      // The server takes the site from the workspace folder it is given.
      workspaceFolder: folder,
    },
  );
  clients.set(key, client);
  try {
    await client.start();
  } catch (err) {
    clients.delete(key);
    vscode.window.showErrorMessage(
      `salesbook: could not start "${serverPath()} lsp" (${err.message || err}). ` +
        "Put salesbook on PATH or set salesbook.server.path.",
    );
  }
}

async function stopFor(key) {
  const client = clients.get(key);
  clients.delete(key);
  if (client) await client.stop().catch(() => {});
}

async function restartAll() {
  await Promise.all([...clients.keys()].map(stopFor));
  await Promise.all((vscode.workspace.workspaceFolders || []).map(startFor));
}

async function activate(context) {
  context.subscriptions.push(
    vscode.workspace.onDidChangeWorkspaceFolders(async (e) => {
      await Promise.all(e.removed.map((f) => stopFor(f.uri.toString())));
      await Promise.all(e.added.map(startFor));
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("salesbook.server.path")) restartAll();
    }),
    vscode.commands.registerCommand("salesbook.restartServer", restartAll),
  );
  await Promise.all((vscode.workspace.workspaceFolders || []).map(startFor));
}

async function deactivate() {
  await Promise.all([...clients.keys()].map(stopFor));
}

module.exports = { activate, deactivate };
