import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";
import { ensureAgentToken } from "../src/session/agent-token.js";
import { SessionError } from "../src/session/progress.js";
import { TokenStore } from "../src/store/tokens.js";
import { makeHarnessProject, tempDir } from "./helpers.js";
import { fakeBin, isolatedPath, KIT, readJsonLines, runQms, runQmsAsync, startStub } from "./fixtures-kit/kit-helpers.js";

const made: string[] = [];
const temp = (prefix: string): string => {
  const dir = tempDir(prefix);
  made.push(dir);
  return dir;
};
const project = (): string => {
  const root = makeHarnessProject();
  made.push(root);
  return root;
};
after(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

describe("agent token (session up's token step, in process through the token service)", () => {
  const setup = () => {
    const root = project();
    const env = { QMS_TOKEN_STORE: path.join(temp("qms-kit-tokens-"), "tokens.json") };
    const notes: string[] = [];
    const ensure = (current?: string, currentUser?: string) =>
      ensureAgentToken({ root, agent: "claude", env, envFile: "/state/agents/claude.env", current, currentUser }, (l) => notes.push(l));
    return { root, store: new TokenStore(env.QMS_TOKEN_STORE), notes, ensure };
  };

  it("mints a token labelled <agent>-container the project's store accepts, and keeps it while the store holds it", () => {
    const s = setup();
    const first = s.ensure();
    assert.match(first.value, /^qms_[A-Za-z0-9_-]{40,}$/);
    assert.equal(first.detail, "minted a new token for 'claude' (label claude-container)");
    assert.equal(s.store.verify(s.root, first.value)?.user, "claude");
    const again = s.ensure(first.value, "claude");
    assert.equal(again.value, first.value);
    assert.equal(again.detail, "docker/.env token is valid for 'claude' (label claude-container)");
    assert.deepEqual(s.notes, []);
  });

  it("replaces a revoked token, and a token of another user, keeping one claude-container token in the store", () => {
    const s = setup();
    const first = s.ensure();
    s.store.revoke(s.root, "claude-container");
    const second = s.ensure(first.value);
    assert.notEqual(second.value, first.value);
    assert.match(s.notes[0] ?? "", /the token in \/state\/agents\/claude\.env is not in the token store/);
    const qa = s.store.create(s.root, "qa", "qa-laptop", new Date()).token;
    const third = s.ensure(qa);
    assert.match(s.notes[1] ?? "", /belongs to 'qa', not 'claude'/);
    assert.equal(s.store.verify(s.root, second.value), undefined, "the older claude-container token is revoked");
    assert.deepEqual(
      s.store.list(s.root).map((e) => e.label).sort(),
      ["claude-container", "qa-laptop"],
    );
    assert.equal(s.store.verify(s.root, third.value)?.label, "claude-container");
  });

  it("an agent that is no user of the project: a SessionError with the service's reason", () => {
    const root = project();
    const env = { QMS_TOKEN_STORE: path.join(temp("qms-kit-tokens-"), "tokens.json") };
    assert.throws(
      () => ensureAgentToken({ root, agent: "nobody", env, envFile: "x.env" }, () => {}),
      (err: unknown) => err instanceof SessionError && /^Could not create a token for 'nobody': Unknown user 'nobody'/.test(err.message),
    );
  });
});

describe("session verbs find the project through the one resolver (flag, QMS_PROJECT_ROOT, walking up)", () => {
  const kitProject = (): { root: string; env: NodeJS.ProcessEnv } => {
    const root = project();
    fs.cpSync(KIT, path.join(root, "docker"), { recursive: true, filter: (src) => !/[\\/]\.env$|[\\/]prepared[\\/].+/.test(src) });
    const state = temp("qms-kit-state-");
    fs.writeFileSync(path.join(state, "script.json"), JSON.stringify({ engines: [] }));
    const bin = fakeBin();
    made.push(bin);
    return { root, env: { PATH: isolatedPath(bin), HOME: temp("qms-kit-home-"), FAKE_STATE: state, QMS_STATE_DIR: temp("qms-kit-projstate-") } };
  };

  it("--project-root inside a project means that project; a folder outside any project is refused (exit 2)", () => {
    const k = kitProject();
    const elsewhere = temp("qms-kit-noproj-");
    const r = runQms(["session", "down", "--project-root", path.join(k.root, "QMS", "SOP")], k.env, elsewhere);
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /server: not started by qms session \(nothing to stop\)/);
    const bad = runQms(["session", "down", "--project-root", elsewhere], k.env, k.root);
    assert.equal(bad.code, 2, bad.out);
    assert.match(bad.stderr, /--project-root .* is not \(inside\) a QMS project/);
  });

  it("a QMS_PROJECT_ROOT without a project is named in a warning and the working directory's project is used", () => {
    const k = kitProject();
    const empty = temp("qms-kit-noproj-");
    const r = runQms(["session", "down"], { ...k.env, QMS_PROJECT_ROOT: empty }, path.join(k.root, "QMS"));
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, new RegExp(`warning: QMS_PROJECT_ROOT=${empty} holds no QMS project; ignoring it`));
  });
});

describe("doctor's handshake is a real MCP SDK client session", () => {
  /** A Claude Code config and project as the container has them, for `url`. */
  const container = (url: string, token: string) => {
    const root = temp("qms-kit-doc-");
    const proj = path.join(root, "workspace");
    const cfg = path.join(root, "claude-config");
    fs.mkdirSync(path.join(proj, ".claude"), { recursive: true });
    fs.mkdirSync(cfg, { recursive: true });
    fs.copyFileSync(path.join(KIT, "claude-settings.json"), path.join(proj, ".claude", "settings.local.json"));
    const cj = { mcpServers: { qms: { type: "http", url, headers: { Authorization: `Bearer ${token}` } } }, projects: { [proj]: { hasTrustDialogAccepted: true } } };
    fs.writeFileSync(path.join(cfg, ".claude.json"), JSON.stringify(cj));
    return { proj, env: { PATH: process.env.PATH, HOME: root, CLAUDE_CONFIG_DIR: cfg, QMS_MCP_URL: url, QMS_TOKEN: token } };
  };

  it("offers the SDK's latest protocol version, sends the negotiated one afterwards and reports it", async () => {
    const token = "qms_sdkTOKENsdkTOKENsdkTOKENsdkTOKENsdkTOKEN";
    const log = path.join(temp("qms-kit-stublog-"), "requests.jsonl");
    const stub = await startStub({ STUB_TOKEN: token, STUB_LOG: log });
    try {
      const c = container(stub.url, token);
      const r = await runQmsAsync(["doctor", "--from-container"], c.env, c.proj);
      assert.equal(r.code, 0, r.out);
      assert.match(r.stdout, new RegExp(`✔ MCP handshake: initialize \\+ tools/list: 2 tools \\(protocol ${LATEST_PROTOCOL_VERSION}\\)`));
      const list = readJsonLines(log).filter((m) => m.method === "tools/list");
      assert.equal(list.length, 1, JSON.stringify(readJsonLines(log)));
      assert.equal(list[0]?.pv, LATEST_PROTOCOL_VERSION);
      assert.equal(list[0]?.auth, `Bearer ${token}`);
    } finally {
      await stub.stop();
    }
  });

  it("a tools/list the server fails: [handshake-failed] with the HTTP status and the server's words", async () => {
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d) => {
        body += d;
      });
      req.on("end", () => {
        if (req.url === "/healthz") return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ name: "qms", version: "t" }));
        if (req.method !== "POST") return void res.writeHead(405).end();
        const msg = JSON.parse(body) as { id?: number; method: string; params?: { protocolVersion?: string } };
        if (msg.id === undefined) return void res.writeHead(202).end();
        if (msg.method === "tools/list") return void res.writeHead(500, { "content-type": "text/plain" }).end("tool table exploded");
        const result = { protocolVersion: msg.params?.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: "qms", version: "t" } };
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: msg.id, result }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    try {
      const port = (server.address() as { port: number }).port;
      const c = container(`http://127.0.0.1:${port}/mcp`, "qms_anyTOKENanyTOKENanyTOKEN");
      const r = await runQmsAsync(["doctor", "--from-container"], c.env, c.proj);
      assert.equal(r.code, 1, r.out);
      assert.match(r.stdout, /✔ token: accepted \(HTTP 200\)/);
      assert.match(r.stdout, /✘ MCP handshake \[handshake-failed\]: tools\/list failed \(HTTP 500\): tool table exploded/);
    } finally {
      server.close();
    }
  });
});
