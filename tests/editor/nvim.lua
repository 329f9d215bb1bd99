-- A real editor against `salesbook lsp`: headless Neovim opens a customer page of a copy of
-- the example site and does what a rep does (types a wrong stage, completes a competitor,
-- follows a wiki link, renames the linked page), checking what the editor shows at each
-- step. The protocol tests in tests/suite/lsp.rs check the messages; this one checks that a
-- stock client understands them (position encoding, text sync, the shape of completion,
-- definition and rename results).
--
-- Run by tests/editor/run as
--   SALESBOOK_BIN=... SALESBOOK_SITE=... nvim --headless --clean -u NONE -c 'luafile nvim.lua'
-- Written for Neovim 0.7 (Debian 12's) and later: `vim.lsp.start` and `nvim -l` came in
-- 0.8 and 0.9, so the client is started with `start_client` when `start` is missing.
-- Exits 0 when every step passes, 1 with a message naming the failed step otherwise.

local uv = vim.uv or vim.loop -- vim.loop is the name before 0.10

local TIMEOUT = 20000 -- ms for each wait: a cold debug build of the example site included

local bin = os.getenv("SALESBOOK_BIN")
local site = os.getenv("SALESBOOK_SITE")
local page = "content/customers/suzhou-xinhe.md"

local function say(msg)
  io.stdout:write("nvim-lsp: " .. msg .. "\n")
end

local function finish(code, msg)
  if msg then
    io.stderr:write("nvim-lsp: FAILED: " .. msg .. "\n")
  end
  -- Exit straight away: the server sees stdin close and stops.
  os.exit(code)
end

local function check(ok, msg)
  if not ok then
    error({ failed = msg }, 0)
  end
end

-- Set when the server process ends: every wait stops then instead of running out its time.
local server_exit = nil

local function wait_for(what, cond)
  local ok = vim.wait(TIMEOUT, function()
    return server_exit ~= nil or cond()
  end, 50)
  check(server_exit == nil, "the server exited (code " .. tostring(server_exit) .. ") while waiting for " .. what)
  check(ok, "timed out after " .. TIMEOUT .. " ms waiting for " .. what)
end

-- The 0-based line of the first line of the buffer that matches `pattern`.
local function find_line(buf, pattern)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    if line:find(pattern) then
      return i - 1, line
    end
  end
  check(false, "no line matching " .. pattern .. " in " .. vim.api.nvim_buf_get_name(buf))
end

local function diagnostics_on(buf, lnum)
  return vim.diagnostic.get(buf, { lnum = lnum })
end

local function messages(diags)
  local out = {}
  for _, d in ipairs(diags) do
    table.insert(out, d.message)
  end
  return table.concat(out, " | ")
end

local function start_server(buf)
  local attached = false
  local config = {
    name = "salesbook",
    cmd = { bin, "lsp" },
    root_dir = site,
    -- No debounce: each edit goes to the server as it is made.
    flags = { debounce_text_changes = 0 },
    on_attach = function()
      attached = true
    end,
    on_exit = function(code)
      server_exit = code
    end,
  }
  if vim.lsp.start then
    vim.lsp.start(config, { bufnr = buf })
  else
    local id = vim.lsp.start_client(config)
    check(id, "the client did not start " .. bin)
    vim.lsp.buf_attach_client(buf, id)
  end
  wait_for("the client to attach", function()
    return attached
  end)
  say("attached")
end

-- A wrong stage typed (not saved) shows a "did you mean" diagnostic on its line; fixing it
-- clears the line.
local function step_wrong_stage(buf)
  local lnum, line = find_line(buf, "^stage:")
  local before = #diagnostics_on(buf, lnum)
  check(before == 0, "the page has diagnostics on its stage line before the edit: " .. messages(diagnostics_on(buf, lnum)))
  vim.api.nvim_buf_set_lines(buf, lnum, lnum + 1, false, { "stage: oportunity" })
  wait_for('a "did you mean" diagnostic on line ' .. (lnum + 1), function()
    return messages(diagnostics_on(buf, lnum)):lower():find("did you mean", 1, true) ~= nil
  end)
  local d = diagnostics_on(buf, lnum)[1]
  -- At the value, as `check` places it: column 8 (1-based) of "stage: oportunity".
  check(d.col == #"stage: ", "the stage diagnostic is at column " .. (d.col + 1) .. ", not " .. (#"stage: " + 1))
  say("diagnostic at " .. (lnum + 1) .. ":" .. (d.col + 1) .. ": " .. messages(diagnostics_on(buf, lnum)))
  vim.api.nvim_buf_set_lines(buf, lnum, lnum + 1, false, { line })
  wait_for("the stage diagnostic to clear after the fix", function()
    return #diagnostics_on(buf, lnum) == 0
  end)
  say("diagnostic cleared")
end

-- Completion inside `competitors: [` offers the site's competitors.
local function step_complete_competitor(buf)
  local lnum = find_line(buf, "^competitors:")
  vim.api.nvim_buf_set_lines(buf, lnum, lnum + 1, false, { "competitors: [" })
  vim.api.nvim_win_set_cursor(0, { lnum + 1, #"competitors: [" })
  local params = vim.lsp.util.make_position_params(0, "utf-16")
  local replies = vim.lsp.buf_request_sync(buf, "textDocument/completion", params, TIMEOUT)
  check(replies, "no reply to textDocument/completion within " .. TIMEOUT .. " ms")
  local labels = {}
  for _, reply in pairs(replies) do
    -- The reply's error is `error` up to 0.9 and `err` from 0.10.
    local err = reply.err or reply.error
    check(not err, "completion failed: " .. vim.inspect(err))
    local result = reply.result or {}
    for _, item in ipairs(result.items or result) do
      table.insert(labels, item.label .. " " .. (item.insertText or "") .. " " .. (item.detail or ""))
    end
  end
  local all = table.concat(labels, " | ")
  check(all:find("nordtech", 1, true), "completion in `competitors: [` has no nordtech: " .. all)
  say("completion offers: " .. all)
  vim.api.nvim_buf_set_lines(buf, lnum, lnum + 1, false, { "competitors: [sakura]" })
end

-- Definition on a [[wiki link]] makes the linked page the current buffer.
local function step_follow_link(buf)
  local lnum, line = find_line(buf, "%[%[negotiation%]%]")
  local col = line:find("[[negotiation]]", 1, true) + 3 -- on the "e", 0-based
  vim.api.nvim_win_set_cursor(0, { lnum + 1, col })
  vim.lsp.buf.definition()
  local want = site .. "/content/playbooks/negotiation.md"
  wait_for("definition to open " .. want, function()
    return vim.api.nvim_get_current_buf() ~= buf
  end)
  local now = uv.fs_realpath(vim.api.nvim_buf_get_name(0))
  check(now == uv.fs_realpath(want), "definition opened " .. tostring(now) .. ", not " .. want)
  say("definition opened " .. now)
end

-- Renaming the linked page from its link, back in the first page, renames the page's file
-- and rewrites the link (unsaved, in its buffer), as one workspace edit the editor applies.
local function step_rename(first)
  local old = site .. "/content/playbooks/negotiation.md"
  local new = site .. "/content/playbooks/negotiation-talks.md"
  vim.api.nvim_set_current_buf(first)
  local lnum, line = find_line(first, "%[%[negotiation%]%]")
  vim.api.nvim_win_set_cursor(0, { lnum + 1, line:find("[[negotiation]]", 1, true) + 3 })
  vim.lsp.buf.rename("negotiation-talks")
  wait_for("the rename to move " .. old, function()
    return uv.fs_stat(new) ~= nil and uv.fs_stat(old) == nil
  end)
  wait_for("the link in the first page to follow the rename", function()
    return find_line(first, "%[%[negotiation%-talks%]%]") ~= nil
  end)
  for _, l in ipairs(vim.api.nvim_buf_get_lines(first, 0, -1, false)) do
    check(not l:find("[[negotiation]]", 1, true), "the old link is left: " .. l)
  end
  say("rename moved the file to " .. new .. " and rewrote the link")
end

local function main()
  check(bin and site, "set SALESBOOK_BIN and SALESBOOK_SITE")
  site = uv.fs_realpath(site)
  check(site, "no site folder " .. tostring(os.getenv("SALESBOOK_SITE")))
  vim.cmd("edit " .. vim.fn.fnameescape(site .. "/" .. page))
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].filetype = "markdown"
  start_server(buf)
  step_wrong_stage(buf)
  step_complete_competitor(buf)
  step_follow_link(buf)
  step_rename(buf)
end

local ok, err = xpcall(main, function(e)
  if type(e) == "table" and e.failed then
    return e.failed
  end
  return debug.traceback(tostring(e), 2)
end)
if ok then
  say("all steps passed")
  finish(0)
else
  finish(1, err)
end
