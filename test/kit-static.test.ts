import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT, tempDir } from "./helpers.js";
import { KIT, TOOLS_BIN, requireTool, which } from "./fixtures-kit/kit-helpers.js";

const SHELL_FILES = ["claude-session.sh", "docker/entrypoint.sh", "docker/prepare-offline.sh", "scripts/test-tools/kit.sh", "scripts/test-container.sh"];

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, cwd = REPO_ROOT) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", timeout: 60000 });
  return { code: r.status ?? -1, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

describe("container kit: static checks (shellcheck, docker-compose config, dclint, dockerfile-utils)", () => {
  it("shellcheck passes on every shell file of the kit", () => {
    const sc = which("shellcheck") ?? "/usr/bin/shellcheck";
    requireTool(sc, "shellcheck");
    for (const f of SHELL_FILES) assert.ok(fs.existsSync(path.join(REPO_ROOT, f)), `${f} exists`);
    const r = run(sc, ["-x", ...SHELL_FILES]);
    assert.equal(r.code, 0, r.out);
    // And it does catch problems (the check can fail).
    const bad = path.join(tempDir("qms-sc-"), "bad.sh");
    fs.writeFileSync(bad, '#!/bin/sh\nx=$1\nrm -rf $x/*\n');
    assert.notEqual(run(sc, [bad]).code, 0);
  });

  it("docker-compose config -q accepts the compose file alone and with the test override", () => {
    const dc = which("docker-compose") ?? "/usr/bin/docker-compose";
    requireTool(dc, "docker-compose (v1)");
    const env = { PATH: process.env.PATH, HOME: process.env.HOME };
    const r = run(dc, ["-f", "docker-compose.yml", "config", "-q"], env, KIT);
    assert.equal(r.code, 0, r.out);
    const merged = run(dc, ["-f", "docker-compose.yml", "-f", "compose.test.yml", "config"], { ...env, QMS_HOST_GATEWAY: "127.0.0.1" }, KIT);
    assert.equal(merged.code, 0, merged.out);
    assert.match(merged.out, /network_mode: host/);
    assert.match(merged.out, /host\.docker\.internal: 127\.0\.0\.1/);
    assert.doesNotMatch(merged.out, /host-gateway/, "the override replaces the host-gateway mapping");
    const shipped = run(dc, ["-f", "docker-compose.yml", "config"], env, KIT);
    assert.match(shipped.out, /host\.docker\.internal: ?host-gateway/);
    assert.match(shipped.out, /read_only: true|:ro/);
    assert.doesNotMatch(shipped.out, /network_mode/, "the shipped file keeps Docker's default network");
  });

  it("dclint: no errors in the compose files", () => {
    const bin = path.join(TOOLS_BIN, "dclint");
    requireTool(bin, "dclint");
    for (const f of ["docker-compose.yml", "compose.test.yml"]) {
      const r = run(bin, [path.join(KIT, f)]);
      assert.equal(r.code, 0, r.out);
      assert.doesNotMatch(r.out, /\berror\b/);
    }
  });

  it("dockerfile-utils lint: the Dockerfile is clean", () => {
    const bin = path.join(TOOLS_BIN, "dockerfile-utils");
    requireTool(bin, "dockerfile-utils");
    const r = run(bin, ["lint", path.join(KIT, "Dockerfile")]);
    assert.equal(r.code, 0, r.out);
    assert.equal(r.out.trim(), "");
  });

  it("kit files say what the spec says", () => {
    // biome-ignore-start lint/suspicious/noTemplateCurlyInString: Claude Code's own ${VAR} syntax
    const mcp = JSON.parse(fs.readFileSync(path.join(KIT, ".mcp.json"), "utf8"));
    assert.deepEqual(mcp.mcpServers.qms, {
      type: "http",
      url: "${QMS_MCP_URL:-http://host.docker.internal:8000/mcp}",
      headers: { "X-API-Key": "${QMS_TOKEN}", Authorization: "Bearer ${QMS_TOKEN}" },
    });
    const proxy = JSON.parse(fs.readFileSync(path.join(KIT, ".mcp.proxy.json"), "utf8"));
    assert.equal(proxy.mcpServers.qms.command, "qms");
    assert.deepEqual(proxy.mcpServers.qms.args, ["proxy", "${QMS_MCP_URL:-http://host.docker.internal:8000/mcp}"]);
    // biome-ignore-end lint/suspicious/noTemplateCurlyInString: end
    const settings = JSON.parse(fs.readFileSync(path.join(KIT, "claude-settings.json"), "utf8"));
    assert.deepEqual(settings.enabledMcpjsonServers, ["qms"]);
    assert.ok(settings.permissions.allow.includes("mcp__qms__*"));
    assert.ok(settings.permissions.deny.includes("Edit(QMS/**)") && settings.permissions.deny.includes("Write(QMS/**)"));
    const df = fs.readFileSync(path.join(KIT, "Dockerfile"), "utf8");
    assert.match(df, /^FROM \$\{NODE_IMAGE\}$/m);
    assert.match(df, /^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    assert.match(df, /^ARG CLAUDE_CODE_VERSION=\d+\.\d+\.\d+$/m, "Claude Code pinned");
    assert.match(df, /^USER 1000:1000$/m, "non-root");
    assert.match(df, /^ENTRYPOINT \["\/usr\/local\/bin\/qms-entrypoint"\]$/m);
    const compose = fs.readFileSync(path.join(KIT, "docker-compose.yml"), "utf8");
    for (const needle of ["init: true", "stdin_open: true", "tty: true", "claude-config:/claude-config", "CLAUDE_CONFIG_DIR: /claude-config", 'MCP_TIMEOUT: "60000"']) {
      assert.ok(compose.includes(needle), needle);
    }
    assert.ok(fs.statSync(path.join(KIT, "entrypoint.sh")).mode & 0o111, "entrypoint.sh is executable");
    assert.ok(fs.statSync(path.join(REPO_ROOT, "claude-session.sh")).mode & 0o111, "claude-session.sh is executable");
    assert.match(fs.readFileSync(path.join(REPO_ROOT, ".gitignore"), "utf8") + fs.readFileSync(path.join(KIT, ".gitignore"), "utf8"), /^(docker\/)?\.env$/m);
  });
});
