import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { agentSettings, DEFAULT_AGENT_SETTINGS, discoverRoster, loadHubConfig, parseHubConfig, setAgentSettings } from "../src/hub/config.js";

describe("hub config (agents-and-hub §1 The roster)", () => {
  it("REQ-HUB-004 HUB-CONFIG: absent agents get launch manual, shutdown manual, delivery headless", () => {
    const r = parseHubConfig({ version: "1.0", sdlc_namespaces: [] });
    assert.ok(r.ok);
    assert.equal(r.config.owner_tasks, false);
    assert.deepEqual(agentSettings(r.config, "qa"), DEFAULT_AGENT_SETTINGS);
    assert.equal(DEFAULT_AGENT_SETTINGS.launch, "manual");
    assert.equal(DEFAULT_AGENT_SETTINGS.shutdown, "manual");
    assert.equal(DEFAULT_AGENT_SETTINGS.delivery, "headless");
    assert.equal(DEFAULT_AGENT_SETTINGS.max_deliveries_per_hour, 20);
  });

  it("REQ-HUB-004 HUB-CONFIG: settings given are read, missing ones defaulted, owner_tasks read", () => {
    const r = parseHubConfig({ owner_tasks: true, agents: { qa: { launch: "auto_on_task", shutdown: "on_inbox_empty" }, tu_ui: { shutdown: "idle_timeout", idle_minutes: 10, delivery: "interactive" } } });
    assert.ok(r.ok);
    assert.equal(r.config.owner_tasks, true);
    assert.deepEqual(agentSettings(r.config, "qa"), { ...DEFAULT_AGENT_SETTINGS, launch: "auto_on_task", shutdown: "on_inbox_empty" });
    assert.equal(agentSettings(r.config, "tu_ui").idle_minutes, 10);
    assert.equal(agentSettings(r.config, "tu_ui").delivery, "interactive");
    assert.deepEqual(r.warnings, []);
  });

  it("REQ-HUB-004 HUB-CONFIG: invalid values are refused with the path of each problem", () => {
    const r = parseHubConfig({ owner_tasks: "yes", agents: { qa: { launch: "sometimes", idle_minutes: 0 }, "bad name": {}, lead: {} } });
    assert.ok(!r.ok);
    const text = r.errors.join("\n");
    assert.match(text, /owner_tasks: expected true or false/);
    assert.match(text, /agents\.qa\.launch/);
    assert.match(text, /agents\.qa\.idle_minutes/);
    assert.match(text, /agents\.bad name: not a valid user name/);
    assert.match(text, /agents\.lead: lead is the human/);
  });

  it("REQ-HUB-004 HUB-CONFIG: unknown settings are kept but warned about; always_on with a shutdown policy is warned about", () => {
    const r = parseHubConfig({ agents: { qa: { lanch: "auto_on_task", launch: "always_on", shutdown: "idle_timeout" } } });
    assert.ok(r.ok);
    assert.match(r.warnings.join("\n"), /agents\.qa: unknown setting lanch/);
    assert.match(r.warnings.join("\n"), /always_on .* never applies/);
  });

  it("REQ-HUB-004 HUB-CONFIG: `agents set` changes one agent and keeps the rest of the file", () => {
    const raw = { version: "1.0", sdlc_namespaces: ["X"], agents: { qa: { launch: "manual", note: "kept" }, bu: { delivery: "none" } } };
    const r = setAgentSettings(raw, "qa", { launch: "auto_on_task", idle_minutes: 5 });
    assert.ok(r.ok);
    assert.deepEqual(r.raw, { version: "1.0", sdlc_namespaces: ["X"], agents: { qa: { launch: "auto_on_task", note: "kept", idle_minutes: 5 }, bu: { delivery: "none" } } });
    const bad = setAgentSettings(raw, "qa", { launch: "never" as never });
    assert.ok(!bad.ok);
  });

  it("REQ-HUB-004 HUB-CONFIG: loadHubConfig reads qms.config.json, a missing file is the defaults, bad JSON an error; roster is claude + .claude/agents/*.md without lead", (t) => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "qms-"));
    t.after(() => fs.rmSync(root, { recursive: true, force: true }));
    const missing = loadHubConfig(root);
    assert.ok(missing.ok && missing.config.owner_tasks === false);
    fs.writeFileSync(path.join(root, "qms.config.json"), JSON.stringify({ owner_tasks: true, agents: { qa: { launch: "always_on" } } }));
    const read = loadHubConfig(root);
    assert.ok(read.ok && read.config.owner_tasks && read.config.agents.qa?.launch === "always_on");
    fs.writeFileSync(path.join(root, "qms.config.json"), "{ nope");
    const bad = loadHubConfig(root);
    assert.ok(!bad.ok && /not valid JSON/.test(bad.errors[0]!));
    fs.mkdirSync(path.join(root, ".claude", "agents"), { recursive: true });
    for (const f of ["qa.md", "tu_ui.md", "lead.md", "notes.txt"]) fs.writeFileSync(path.join(root, ".claude", "agents", f), "x");
    assert.deepEqual(discoverRoster(root), ["claude", "qa", "tu_ui"]);
  });
});
