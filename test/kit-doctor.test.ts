import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { makeHarnessProject, tempDir } from "./helpers.js";
import { freePort, KIT, runQmsAsync, type Stub, startStub } from "./fixtures-kit/kit-helpers.js";

const TOKEN = "qms_doctorTOKENdoctorTOKENdoctorTOKENdoctor";

describe("qms doctor: walks the chain, stops at the first broken link, prints its fix", () => {
  let stub: Stub;
  before(async () => {
    stub = await startStub({ STUB_TOKEN: TOKEN });
  });
  after(async () => {
    await stub.stop();
  });

  /** A container-like setup on the host: project dir, Claude config, env as the container has it. */
  function container(opts: { register?: boolean; trust?: boolean; settings?: boolean; url?: string; token?: string; env?: Record<string, string> } = {}) {
    const root = tempDir("qms-kit-doc-");
    const proj = path.join(root, "workspace");
    const cfg = path.join(root, "claude-config");
    fs.mkdirSync(path.join(proj, ".claude"), { recursive: true });
    fs.mkdirSync(cfg, { recursive: true });
    fs.copyFileSync(path.join(KIT, ".mcp.json"), path.join(proj, ".mcp.json"));
    if (opts.settings !== false) fs.copyFileSync(path.join(KIT, "claude-settings.json"), path.join(proj, ".claude", "settings.local.json"));
    const url = opts.url ?? stub.url;
    const token = opts.token ?? TOKEN;
    const cj: Record<string, unknown> = {};
    if (opts.register !== false) cj.mcpServers = { qms: { type: "http", url, headers: { "X-API-Key": token, Authorization: `Bearer ${token}` } } };
    if (opts.trust !== false) cj.projects = { [proj]: { hasTrustDialogAccepted: true } };
    fs.writeFileSync(path.join(cfg, ".claude.json"), JSON.stringify(cj));
    const env = { PATH: process.env.PATH, HOME: root, CLAUDE_CONFIG_DIR: cfg, QMS_MCP_URL: url, QMS_TOKEN: token, ...opts.env };
    return { proj, cfg, env };
  }

  const doctorIn = (c: ReturnType<typeof container>) => runQmsAsync(["doctor", "--from-container"], c.env, c.proj);

  it("all links good: exit 0, with a real initialize + tools/list", async () => {
    const r = await doctorIn(container());
    assert.equal(r.code, 0, r.out);
    for (const c of ["server health", "host-gateway", "token", "Claude Code config", "MCP handshake"]) assert.match(r.stdout, new RegExp(`✔ ${c}`));
    assert.match(r.stdout, /initialize \+ tools\/list: 2 tools/);
    assert.match(r.stdout, /All links of the chain work/);
  });

  it("server down", async () => {
    const dead = await freePort();
    const r = await doctorIn(container({ url: `http://127.0.0.1:${dead}/mcp` }));
    assert.equal(r.code, 1);
    assert.match(r.stdout, /✘ server health \[server-down\]: The QMS MCP server is not answering at http:\/\/127\.0\.0\.1:\d+\/healthz \(ECONNREFUSED/);
    assert.match(r.stdout, /Fix: On the host, start it: `qms session up`/);
    assert.match(r.stdout, /Stopped at the first broken link/);
    assert.doesNotMatch(r.stdout, /✔ token|✘ token/, "nothing after the first broken link");
  });

  it("bound to 127.0.0.1 while the caller is a container (host check of the listening socket)", async () => {
    const root = makeHarnessProject();
    fs.cpSync(KIT, path.join(root, "docker"), { recursive: true, filter: (s) => !/[\\/]\.env$/.test(s) });
    fs.writeFileSync(path.join(root, "docker", ".env"), `QMS_TOKEN=${TOKEN}\nQMS_MCP_URL=http://host.docker.internal:${stub.port}/mcp\n`);
    const r = await runQmsAsync(["doctor"], { PATH: process.env.PATH }, root);
    assert.equal(r.code, 1, r.out);
    assert.match(r.stdout, /✔ server health/);
    assert.match(r.stdout, new RegExp(`✘ bind address \\[bound-loopback\\]: The server listens on 127\\.0\\.0\\.1 port ${stub.port} only, but the agent container reaches the host through host-gateway`));
    assert.match(r.stdout, /Fix: Restart it bound to all interfaces with token auth/);
    // Issue 13: a token inside the project tree (which every container mounts) is flagged.
    assert.match(r.stdout, /! warning \[token-in-project\]: docker\/\.env holds an MCP token inside the project/);
    // With host networking that is fine, and the rest of the chain is checked from the host.
    const r2 = await runQmsAsync(["doctor", "--container-network", "host"], { PATH: process.env.PATH }, root);
    assert.equal(r2.code, 0, r2.out);
    assert.match(r2.stdout, /✔ kit settings: docker\/claude-settings\.json enables 'qms'/);
    // The container learns the launcher's loopback bind from QMS_SERVER_HOST (its run files stay outside the mount).
    const c = container({ url: "http://qms-host.invalid:9/mcp", env: { QMS_SERVER_HOST: "127.0.0.1" } });
    const r3 = await doctorIn(c);
    assert.match(r3.stdout, /\[no-host-gateway\]/, "name resolution is checked before the bind address");
  });

  it("no host-gateway (the name does not resolve in the container; compose file without the mapping)", async () => {
    const r = await doctorIn(container({ url: "http://qms-host.invalid:8000/mcp" }));
    assert.equal(r.code, 1);
    assert.match(r.stdout, /✘ server health \[no-host-gateway\]: qms-host\.invalid does not resolve inside this container \((ENOTFOUND|EAI_AGAIN)\)/);
    assert.match(r.stdout, /Fix: Give the container a host entry: compose `extra_hosts: \["host\.docker\.internal:host-gateway"\]`/);
    // On the host: a compose file that lost its extra_hosts entry.
    const root = makeHarnessProject();
    fs.cpSync(KIT, path.join(root, "docker"), { recursive: true, filter: (s) => !/[\\/]\.env$/.test(s) });
    const compose = path.join(root, "docker", "docker-compose.yml");
    fs.writeFileSync(compose, fs.readFileSync(compose, "utf8").replace(/ {4}extra_hosts:\n.*\n/, ""));
    fs.writeFileSync(path.join(root, "docker", ".env"), `QMS_TOKEN=${TOKEN}\nQMS_MCP_URL=http://host.docker.internal:${stub.port}/mcp\n`);
    const r2 = await runQmsAsync(["doctor", "--container-network", "host"], { PATH: process.env.PATH }, root);
    assert.equal(r2.code, 1, r2.out);
    assert.match(r2.stdout, /✘ host-gateway \[no-host-gateway\]: .*docker-compose\.yml has no extra_hosts entry for host\.docker\.internal/);
  });

  it("wrong token (the 401 is explained) and missing token", async () => {
    const r = await doctorIn(container({ token: "qms_wrongwrongwrongwrong" }));
    assert.equal(r.code, 1);
    assert.match(r.stdout, /✘ token \[token-rejected\]: The server rejected the token \(HTTP 401: Missing or invalid token: set QMS_TOKEN/);
    assert.match(r.stdout, /Fix: On the host: `qms session up` \(replaces an invalid docker\/\.env token\)/);
    const c = container();
    c.env.QMS_TOKEN = "";
    const r2 = await doctorIn(c);
    assert.match(r2.stdout, /✘ token \[token-missing\]: QMS_TOKEN is not set in this container/);
  });

  it("server not enabled in settings", async () => {
    const r = await doctorIn(container({ settings: false }));
    assert.equal(r.code, 1);
    assert.match(r.stdout, /✘ Claude Code config \[not-enabled\]: The project server 'qms' is not enabled in settings: no \.claude\/settings\.local\.json/);
    assert.match(r.stdout, /Fix: Mount docker\/claude-settings\.json as .*settings\.local\.json/);
    const c = container();
    fs.writeFileSync(path.join(c.proj, ".claude", "settings.local.json"), JSON.stringify({ enabledMcpjsonServers: ["git"] }));
    assert.match((await doctorIn(c)).stdout, /\[not-enabled\]: .*does not list "qms" in enabledMcpjsonServers/);
    // Host side: the kit's own settings file.
    const root = makeHarnessProject();
    fs.cpSync(KIT, path.join(root, "docker"), { recursive: true, filter: (s) => !/[\\/]\.env$/.test(s) });
    fs.writeFileSync(path.join(root, "docker", "claude-settings.json"), "{}");
    fs.writeFileSync(path.join(root, "docker", ".env"), `QMS_TOKEN=${TOKEN}\nQMS_MCP_URL=http://host.docker.internal:${stub.port}/mcp\n`);
    const r3 = await runQmsAsync(["doctor", "--container-network", "host"], { PATH: process.env.PATH }, root);
    assert.match(r3.stdout, /✘ kit settings \[not-enabled\]/);
  });

  it("project not trusted", async () => {
    const r = await doctorIn(container({ trust: false }));
    assert.equal(r.code, 1);
    assert.match(r.stdout, /✘ Claude Code config \[not-trusted\]: The project .* is not trusted in .*\.claude\.json \(hasTrustDialogAccepted\)/);
    assert.match(r.stdout, /Fix: Run `qms container-entrypoint` \(it marks the project trusted\)/);
  });

  it("not registered, and a registration carrying an old token", async () => {
    assert.match((await doctorIn(container({ register: false }))).stdout, /\[not-registered\]: No user-scope 'qms' server/);
    const c = container();
    fs.writeFileSync(
      path.join(c.cfg, ".claude.json"),
      JSON.stringify({ mcpServers: { qms: { type: "http", url: stub.url, headers: { Authorization: "Bearer qms_old" } } }, projects: { [c.proj]: { hasTrustDialogAccepted: true } } }),
    );
    assert.match((await doctorIn(c)).stdout, /\[registration-stale\]/);
  });

  it("port held by another program", async () => {
    const other = http.createServer((_q, res) => {
      res.writeHead(404, { "content-type": "text/html" });
      res.end("<h1>hello</h1>");
    });
    await new Promise<void>((r) => other.listen(0, "127.0.0.1", () => r()));
    const port = (other.address() as { port: number }).port;
    const r = await doctorIn(container({ url: `http://127.0.0.1:${port}/mcp` }));
    other.close();
    assert.match(r.stdout, /✘ server health \[port-foreign\]: Something else answers on 127\.0\.0\.1:\d+: GET \/healthz gave HTTP 404/);
  });
});
