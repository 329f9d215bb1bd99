-- The Neovim set-up snippets of docs/lsp.md, run as written there: snippet number
-- SALESBOOK_SNIPPET of the "### Neovim" section is loaded as a user's init.lua would load
-- it, then a page of the site must get the server (and its "did you mean" diagnostic),
-- salesbook.yaml too, and a markdown file outside any site must not.
--
-- Run by tests/editor/run, with `salesbook` on PATH (as the snippets expect), as
--   SALESBOOK_SNIPPET=n SALESBOOK_SITE=... SALESBOOK_OUTSIDE=... nvim --headless --clean -u NONE -c 'luafile snippets.lua'
-- A snippet for a newer Neovim than the one running (its heading paragraph says
-- "Neovim 0.11 or later", "Neovim 0.8 to 0.10"...) is skipped. Exits 0 or 1, as nvim.lua.

local TIMEOUT = 20000

local n = tonumber(os.getenv("SALESBOOK_SNIPPET") or "")
local site = os.getenv("SALESBOOK_SITE")
local outside = os.getenv("SALESBOOK_OUTSIDE")
local name = "docs/lsp.md Neovim snippet " .. tostring(n)

local function say(msg)
  io.stdout:write("nvim-snippet: " .. name .. ": " .. msg .. "\n")
end

local function fail(msg)
  io.stderr:write("nvim-snippet: FAILED: " .. name .. ": " .. msg .. "\n")
  os.exit(1)
end

-- The snippet's code and the Neovim version its paragraph asks for ("0.8").
local function snippet()
  local file = io.open("docs/lsp.md")
  if not file then
    fail("cannot read docs/lsp.md")
  end
  local doc = file:read("*a")
  file:close()
  local section = doc:match("\n### Neovim\n(.-)\n### ")
  if not section then
    fail('docs/lsp.md has no "### Neovim" section')
  end
  local pos, i = 1, 0
  while true do
    local s, e, code = section:find("```lua\n(.-)```", pos)
    if not s then
      fail("docs/lsp.md's Neovim section has no snippet " .. n)
    end
    i = i + 1
    if i == n then
      local before = section:sub(pos, s - 1)
      local version
      for v in before:gmatch("Neovim (%d+%.%d+)") do
        version = v
      end
      return code, version
    end
    pos = e + 1
  end
end

local function clients_of(buf)
  if vim.lsp.get_clients then
    return #vim.lsp.get_clients({ bufnr = buf, name = "salesbook" })
  end
  return vim.tbl_count(vim.lsp.buf_get_clients(buf))
end

local function wait_for(what, cond)
  if not vim.wait(TIMEOUT, cond, 50) then
    fail("timed out after " .. TIMEOUT .. " ms waiting for " .. what)
  end
end

local function open(path)
  vim.cmd("edit " .. vim.fn.fnameescape(path))
  return vim.api.nvim_get_current_buf()
end

local function main()
  if not (n and site and outside) then
    fail("set SALESBOOK_SNIPPET, SALESBOOK_SITE and SALESBOOK_OUTSIDE")
  end
  local code, version = snippet()
  if not version then
    fail('no "Neovim X.Y" before the snippet to say which version it is for')
  end
  if vim.fn.has("nvim-" .. version) == 0 then
    say("skipped: for Neovim " .. version .. " and later")
    os.exit(0)
  end
  local chunk, err = (loadstring or load)(code, name)
  if not chunk then
    fail("does not parse: " .. err)
  end
  chunk()
  vim.cmd("filetype on")

  local page = open(site .. "/content/customers/suzhou-xinhe.md")
  wait_for("the server on a customer page", function()
    return clients_of(page) > 0
  end)
  local lnum = vim.fn.search("^stage:") - 1
  vim.api.nvim_buf_set_lines(page, lnum, lnum + 1, false, { "stage: oportunity" })
  wait_for('a "did you mean" diagnostic on the typed stage', function()
    for _, d in ipairs(vim.diagnostic.get(page, { lnum = lnum })) do
      if d.message:find("did you mean", 1, true) then
        return true
      end
    end
    return false
  end)

  local config = open(site .. "/salesbook.yaml")
  wait_for("the server on salesbook.yaml", function()
    return clients_of(config) > 0
  end)

  local other = open(outside)
  vim.wait(1000, function()
    return clients_of(other) > 0
  end, 50)
  if clients_of(other) > 0 then
    fail("the server started for " .. outside .. ", outside any site")
  end
  say("passed (Neovim " .. version .. " and later)")
  os.exit(0)
end

local ok, err = pcall(main)
if not ok then
  fail(tostring(err))
end
