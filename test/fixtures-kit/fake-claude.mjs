#!/usr/bin/env node
// A stand-in for the `claude` CLI: records argv (with the token replaced by a hash) in $FAKE_CLAUDE_LOG and
// emulates `claude mcp add/remove --scope user` on $CLAUDE_CONFIG_DIR/.claude.json like the real one does.
// Anything else: prints what it was run with and exits with $FAKE_CLAUDE_EXIT (default 0).
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

const args = process.argv.slice(2);
if (process.env.FAKE_CLAUDE_LOG) fs.appendFileSync(process.env.FAKE_CLAUDE_LOG, `${JSON.stringify({ argv: args, cwd: process.cwd() })}\n`);
const file = path.join(process.env.CLAUDE_CONFIG_DIR || process.env.HOME || "/", ".claude.json");
const load = () => {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    if (e.code === "ENOENT") return {};
    process.stderr.write(`fake claude: ${file} is corrupt\n`);
    process.exit(1);
  }
};
const save = (d) => fs.writeFileSync(file, JSON.stringify(d, null, 2));
if (args[0] === "mcp" && args[1] === "add") {
  const rest = args.slice(2);
  const headers = {};
  const env = {};
  let transport = "stdio";
  let scope = "local";
  const pos = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === "--") {
      pos.push(...rest.slice(i + 1));
      break;
    }
    if (a === "--transport" || a === "-t") transport = rest[++i];
    else if (a === "--scope" || a === "-s") scope = rest[++i];
    else if (a === "--header" || a === "-H") {
      const h = rest[++i];
      const c = h.indexOf(":");
      headers[h.slice(0, c).trim()] = h.slice(c + 1).trim();
    } else if (a === "-e" || a === "--env") {
      const e = rest[++i];
      env[e.slice(0, e.indexOf("="))] = e.slice(e.indexOf("=") + 1);
    } else pos.push(a);
  }
  const [name, target, ...more] = pos;
  const d = load();
  let where;
  if (scope === "user") {
    d.mcpServers = d.mcpServers ?? {};
    where = d.mcpServers;
  } else {
    d.projects = d.projects ?? {};
    d.projects[process.cwd()] = d.projects[process.cwd()] ?? {};
    d.projects[process.cwd()].mcpServers = d.projects[process.cwd()].mcpServers ?? {};
    where = d.projects[process.cwd()].mcpServers;
  }
  if (where[name]) {
    process.stderr.write(`MCP server ${name} already exists in ${scope} config\n`);
    process.exit(1);
  }
  where[name] = transport === "http" ? { type: "http", url: target, headers } : { type: "stdio", command: target, args: more, env };
  save(d);
  process.stdout.write(`Added ${transport} MCP server ${name} to ${scope} config\n`);
  process.exit(0);
}
if (args[0] === "mcp" && args[1] === "remove") {
  const d = load();
  const name = args[2];
  if (!d.mcpServers?.[name]) {
    process.stderr.write(`No user-scoped MCP server found with name: ${name}\n`);
    process.exit(1);
  }
  delete d.mcpServers[name];
  save(d);
  process.stdout.write(`Removed MCP server ${name}\n`);
  process.exit(0);
}
const shown = args.map((a) => (/qms_/.test(a) ? createHash("sha256").update(a).digest("hex").slice(0, 8) : a));
process.stdout.write(`fake claude ran with: ${JSON.stringify(shown)}\n`);
process.exit(Number(process.env.FAKE_CLAUDE_EXIT ?? 0));
