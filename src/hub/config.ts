import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";

/**
 * Per-agent hub settings in `qms.config.json` (agents-and-hub §1): `agents: {NAME: {launch, shutdown,
 * delivery, idle_minutes}}`, absent = defaults. The Python tool ignores keys it does not know, so these
 * live beside its own.
 */

export const LAUNCH_POLICIES = ["manual", "auto_on_task", "always_on"] as const;
export const SHUTDOWN_POLICIES = ["manual", "on_inbox_empty", "idle_timeout"] as const;
export const DELIVERY_MODES = ["headless", "interactive", "channel", "none"] as const;

export type LaunchPolicy = (typeof LAUNCH_POLICIES)[number];
export type ShutdownPolicy = (typeof SHUTDOWN_POLICIES)[number];
export type DeliveryMode = (typeof DELIVERY_MODES)[number];

/** Same rule as user names (src/store/users.ts). */
const AGENT_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
/** The human: never gets a container. */
export const HUMAN_USER = "lead";
export const DEFAULT_AGENT = "claude";

const KNOWN_KEYS = ["launch", "shutdown", "delivery", "idle_minutes", "max_deliveries_per_hour", "run_timeout_minutes"] as const;

export const AgentSettingsSchema = z.looseObject({
  launch: z.enum(LAUNCH_POLICIES).default("manual"),
  shutdown: z.enum(SHUTDOWN_POLICIES).default("manual"),
  delivery: z.enum(DELIVERY_MODES).default("headless"),
  /** `shutdown: idle_timeout`: minutes without a delivery before the hub stops the container. */
  idle_minutes: z.number().int().min(1).max(7 * 24 * 60).default(30),
  /** Loop and storm guard (§3 "Loops and storms"). */
  max_deliveries_per_hour: z.number().int().min(1).max(1000).default(20),
  /** Time limit of one headless run. */
  run_timeout_minutes: z.number().int().min(1).max(24 * 60).default(15),
});

export interface AgentSettings {
  launch: LaunchPolicy;
  shutdown: ShutdownPolicy;
  delivery: DeliveryMode;
  idle_minutes: number;
  max_deliveries_per_hour: number;
  run_timeout_minutes: number;
}

export interface HubConfig {
  /** `owner_tasks: true` (written by `init`); absent in Python-era projects. */
  owner_tasks: boolean;
  /** Only the agents the file names; use `agentSettings()` for any agent. */
  agents: Record<string, AgentSettings>;
}

export type HubConfigResult = { ok: true; config: HubConfig; warnings: string[] } | { ok: false; errors: string[] };

export const DEFAULT_AGENT_SETTINGS: Readonly<AgentSettings> = Object.freeze(toSettings(AgentSettingsSchema.parse({})));

function toSettings(parsed: z.infer<typeof AgentSettingsSchema>): AgentSettings {
  const { launch, shutdown, delivery, idle_minutes, max_deliveries_per_hour, run_timeout_minutes } = parsed;
  return { launch, shutdown, delivery, idle_minutes, max_deliveries_per_hour, run_timeout_minutes };
}

function issuesOf(error: z.ZodError, where: string): string[] {
  return error.issues.map((i) => `${[where, ...i.path.map(String)].join(".")}: ${i.message}`);
}

/** Read the hub's part of a parsed `qms.config.json` (anything else in it is left alone). */
export function parseHubConfig(raw: unknown): HubConfigResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  if (raw === undefined || raw === null) return { ok: true, config: { owner_tasks: false, agents: {} }, warnings };
  if (typeof raw !== "object" || Array.isArray(raw)) return { ok: false, errors: ["qms.config.json: expected a JSON object"] };
  const obj = raw as Record<string, unknown>;

  let ownerTasks = false;
  if (obj.owner_tasks !== undefined) {
    if (typeof obj.owner_tasks === "boolean") ownerTasks = obj.owner_tasks;
    else errors.push(`owner_tasks: expected true or false, got ${JSON.stringify(obj.owner_tasks)}`);
  }

  const agents: Record<string, AgentSettings> = {};
  if (obj.agents !== undefined) {
    if (typeof obj.agents !== "object" || obj.agents === null || Array.isArray(obj.agents)) {
      errors.push("agents: expected an object {NAME: {launch, shutdown, delivery, idle_minutes}}");
    } else {
      for (const [name, value] of Object.entries(obj.agents as Record<string, unknown>)) {
        const where = `agents.${name}`;
        if (!AGENT_NAME.test(name)) {
          errors.push(`${where}: not a valid user name`);
          continue;
        }
        if (name === HUMAN_USER) {
          errors.push(`${where}: ${HUMAN_USER} is the human and never gets a container`);
          continue;
        }
        const parsed = AgentSettingsSchema.safeParse(value ?? {});
        if (!parsed.success) {
          errors.push(...issuesOf(parsed.error, where));
          continue;
        }
        const unknown = Object.keys(parsed.data).filter((k) => !(KNOWN_KEYS as readonly string[]).includes(k));
        if (unknown.length > 0) warnings.push(`${where}: unknown setting${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")} (ignored)`);
        const settings = toSettings(parsed.data);
        if (settings.launch === "always_on" && settings.shutdown !== "manual") {
          warnings.push(`${where}: launch always_on keeps the container up, so shutdown ${settings.shutdown} never applies`);
        }
        agents[name] = settings;
      }
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config: { owner_tasks: ownerTasks, agents }, warnings };
}

/** An agent's settings, the defaults when the file does not name it. */
export function agentSettings(config: HubConfig, name: string): AgentSettings {
  return config.agents[name] ?? { ...DEFAULT_AGENT_SETTINGS };
}

export const CONFIG_FILE_NAME = "qms.config.json";

/** Read `qms.config.json` under `projectRoot`; a missing file means the defaults. */
export function loadHubConfig(projectRoot: string): HubConfigResult {
  const file = path.join(projectRoot, CONFIG_FILE_NAME);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return parseHubConfig(undefined);
    return { ok: false, errors: [`${file}: ${(e as Error).message}`] };
  }
  try {
    return parseHubConfig(JSON.parse(text));
  } catch (e) {
    return { ok: false, errors: [`${file}: not valid JSON (${(e as Error).message})`] };
  }
}

export type AgentSettingsPatch = Partial<Pick<AgentSettings, (typeof KNOWN_KEYS)[number]>>;

/**
 * `qms agents set NAME --launch auto_on_task ...`: the whole config object with one agent's settings
 * changed (other keys, other agents and unknown settings kept), or the validation errors.
 */
export function setAgentSettings(raw: Record<string, unknown>, name: string, patch: AgentSettingsPatch): { ok: true; raw: Record<string, unknown> } | { ok: false; errors: string[] } {
  const agents = raw.agents && typeof raw.agents === "object" && !Array.isArray(raw.agents) ? (raw.agents as Record<string, unknown>) : {};
  const current = agents[name] && typeof agents[name] === "object" ? (agents[name] as Record<string, unknown>) : {};
  const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  const next = { ...raw, agents: { ...agents, [name]: { ...current, ...defined } } };
  const checked = parseHubConfig(next);
  return checked.ok ? { ok: true, raw: next } : { ok: false, errors: checked.errors };
}

/** The roster (§1): `claude`, and every user with `.claude/agents/NAME.md`; never the human `lead`. */
export function discoverRoster(projectRoot: string): string[] {
  const names = new Set([DEFAULT_AGENT]);
  let files: string[] = [];
  try {
    files = fs.readdirSync(path.join(projectRoot, ".claude", "agents"));
  } catch {
    files = [];
  }
  for (const f of files) {
    if (!f.endsWith(".md")) continue;
    const name = f.slice(0, -3);
    if (AGENT_NAME.test(name) && name !== HUMAN_USER) names.add(name);
  }
  return [...names].sort();
}
