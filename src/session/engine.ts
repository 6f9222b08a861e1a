import { spawnSync } from "node:child_process";

/** How containers are driven: a compose implementation, or plain `podman` (the launcher then builds the argv). */
export interface Engine {
  kind: "docker compose" | "docker-compose" | "podman compose" | "podman-compose" | "podman";
  /** argv prefix for compose commands; undefined for plain podman. */
  compose?: string[];
  /** The container CLI for image/inspect/logs/exec/volume. */
  cli: "docker" | "podman";
}

const ENGINES: Record<Engine["kind"], Engine> = {
  "docker compose": { kind: "docker compose", compose: ["docker", "compose"], cli: "docker" },
  "docker-compose": { kind: "docker-compose", compose: ["docker-compose"], cli: "docker" },
  "podman compose": { kind: "podman compose", compose: ["podman", "compose"], cli: "podman" },
  "podman-compose": { kind: "podman-compose", compose: ["podman-compose"], cli: "podman" },
  podman: { kind: "podman", cli: "podman" },
};

export type Runner = (cmd: string, args: string[]) => { status: number | null; stdout: string; stderr: string };

const defaultRunner: Runner = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 15000, stdio: ["ignore", "pipe", "pipe"] });
  return { status: r.error ? null : r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
};

/**
 * Pick the engine: `QMS_CONTAINER_ENGINE` (one of the kinds above) wins; else the first that works of
 * `docker compose` (v2), `docker-compose` (v1), `podman compose`, `podman-compose`, plain `podman`.
 */
export function detectEngine(env: NodeJS.ProcessEnv = process.env, run: Runner = defaultRunner): Engine {
  const forced = env.QMS_CONTAINER_ENGINE?.trim().replace(/\s+/g, " ");
  if (forced) {
    const e = ENGINES[forced as Engine["kind"]];
    if (!e) throw new Error(`QMS_CONTAINER_ENGINE='${forced}' is not one of: ${Object.keys(ENGINES).join(", ")}`);
    return e;
  }
  const ok = (cmd: string, args: string[]): boolean => run(cmd, args).status === 0;
  if (ok("docker", ["compose", "version"])) return ENGINES["docker compose"];
  if (ok("docker-compose", ["version"])) return ENGINES["docker-compose"];
  if (ok("podman", ["compose", "version"])) return ENGINES["podman compose"];
  if (ok("podman-compose", ["version"])) return ENGINES["podman-compose"];
  if (ok("podman", ["version"])) return ENGINES.podman;
  throw new Error(
    "No container engine found: tried `docker compose`, `docker-compose`, `podman compose`, `podman-compose` and `podman`. Install Docker (with Compose) or podman, or set QMS_CONTAINER_ENGINE.",
  );
}

/** `detectEngine`, with "none found" as a reason instead of an exception (for verbs that go on without one). */
export function findEngine(env: NodeJS.ProcessEnv = process.env): { engine: Engine } | { reason: string } {
  try {
    return { engine: detectEngine(env) };
  } catch (err) {
    return { reason: (err as Error).message };
  }
}
