import * as fs from "node:fs";
import * as path from "node:path";

/** Read a `.env` file (KEY=value lines, # comments, optional quotes). */
export function readEnvFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return out;
  }
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2] ?? "";
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    out[m[1]!] = v;
  }
  return out;
}

/** Write `.env` (mode 0600: it holds the token), keeping keys we do not manage and their order. */
export function writeEnvFile(file: string, values: Record<string, string>, header: string[]): void {
  const existing = readEnvFile(file);
  const merged: Record<string, string> = { ...existing, ...values };
  const lines = [...header.map((h) => `# ${h}`)];
  for (const [k, v] of Object.entries(merged)) lines.push(`${k}=${v}`);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, `${lines.join("\n")}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
  fs.chmodSync(file, 0o600);
}

/**
 * Compose-style interpolation: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`,
 * `${VAR?message}`, `$$` for a literal `$`.
 */
export function interpolate(text: string, vars: Record<string, string | undefined>): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])((?:[^}]|\}(?!\}))*?))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (all, name, op, arg, bare) => {
    if (all === "$$") return "$";
    if (bare) return vars[bare] ?? "";
    const v = vars[name];
    switch (op) {
      case ":-":
        return v === undefined || v === "" ? interpolate(arg ?? "", vars) : v;
      case "-":
        return v === undefined ? interpolate(arg ?? "", vars) : v;
      case ":?":
        if (v === undefined || v === "") throw new Error(`${name}: ${arg || "required"}`);
        return v;
      case "?":
        if (v === undefined) throw new Error(`${name}: ${arg || "required"}`);
        return v;
      default:
        return v ?? "";
    }
  });
}

export interface ServiceSpec {
  image: string;
  containerName: string;
  buildContext: string;
  dockerfile: string;
  buildArgs: Record<string, string>;
  workingDir?: string;
  user?: string;
  init: boolean;
  tty: boolean;
  stdinOpen: boolean;
  networkMode?: string;
  environment: Record<string, string>;
  /** host:container[:mode]; named volumes already prefixed with the project name. */
  volumes: string[];
  extraHosts: string[];
  labels: Record<string, string>;
}

type Y = Record<string, unknown>;

/** Read the service `name` from compose files (later files override earlier ones, like `-f a -f b`). */
export async function loadService(files: string[], name: string, vars: Record<string, string | undefined>, projectName: string): Promise<ServiceSpec> {
  const YAML = await import("yaml");
  let svc: Y = {};
  const namedVolumes = new Set<string>();
  for (const file of files) {
    const doc = YAML.parse(interpolate(fs.readFileSync(file, "utf8"), vars)) as Y;
    const s = ((doc.services as Y | undefined)?.[name] ?? {}) as Y;
    svc = mergeService(svc, s);
    for (const v of Object.keys((doc.volumes as Y | undefined) ?? {})) namedVolumes.add(v);
  }
  const base = path.dirname(files[0]!);
  const build = (typeof svc.build === "string" ? { context: svc.build } : (svc.build ?? {})) as Y;
  const env: Record<string, string> = {};
  if (Array.isArray(svc.environment)) {
    for (const e of svc.environment as string[]) {
      const i = e.indexOf("=");
      if (i > 0) env[e.slice(0, i)] = e.slice(i + 1);
    }
  } else for (const [k, v] of Object.entries((svc.environment ?? {}) as Y)) env[k] = v === null ? "" : String(v);
  const volumes = ((svc.volumes ?? []) as string[]).map((v) => {
    const parts = String(v).split(":");
    const src = parts[0] ?? "";
    if (src.startsWith(".") || src.startsWith("/") || src.startsWith("~")) parts[0] = path.resolve(base, src);
    else if (namedVolumes.has(src)) parts[0] = `${projectName}_${src}`;
    return parts.join(":");
  });
  const context = path.resolve(base, String(build.context ?? "."));
  return {
    image: String(svc.image ?? `${projectName}-${name}`),
    containerName: String(svc.container_name ?? `${projectName}-${name}-1`),
    buildContext: context,
    dockerfile: path.resolve(context, String(build.dockerfile ?? "Dockerfile")),
    buildArgs: Object.fromEntries(Object.entries((build.args ?? {}) as Y).map(([k, v]) => [k, String(v ?? "")])),
    workingDir: svc.working_dir === undefined ? undefined : String(svc.working_dir),
    user: svc.user === undefined ? undefined : String(svc.user),
    init: svc.init === true,
    tty: svc.tty === true,
    stdinOpen: svc.stdin_open === true,
    networkMode: svc.network_mode === undefined ? undefined : String(svc.network_mode),
    environment: env,
    volumes,
    extraHosts: ((svc.extra_hosts ?? []) as string[]).map(String),
    labels: labelsOf(svc.labels),
  };
}

/** Compose `labels:` as a map or a list of `key=value`. */
function labelsOf(raw: unknown): Record<string, string> {
  if (Array.isArray(raw)) {
    const out: Record<string, string> = {};
    for (const e of raw.map(String)) {
      const i = e.indexOf("=");
      if (i > 0) out[e.slice(0, i)] = e.slice(i + 1);
    }
    return out;
  }
  if (raw && typeof raw === "object") return Object.fromEntries(Object.entries(raw as Y).map(([k, v]) => [k, v === null ? "" : String(v)]));
  return {};
}

function mergeService(a: Y, b: Y): Y {
  const out: Y = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    if (k === "volumes" && Array.isArray(prev) && Array.isArray(v)) {
      // Later mounts replace earlier ones with the same target.
      const target = (s: unknown) => String(s).split(":")[1];
      out[k] = [...(prev as unknown[]).filter((p) => !(v as unknown[]).some((q) => target(q) === target(p))), ...v];
    } else if (k === "extra_hosts" && Array.isArray(prev) && Array.isArray(v)) {
      const host = (s: unknown) => String(s).split(":")[0];
      out[k] = [...(prev as unknown[]).filter((p) => !(v as unknown[]).some((q) => host(q) === host(p))), ...v];
    } else if (prev && typeof prev === "object" && !Array.isArray(prev) && v && typeof v === "object" && !Array.isArray(v)) {
      out[k] = { ...(prev as Y), ...(v as Y) };
    } else out[k] = v;
  }
  return out;
}

/** `podman run -d ...` for a service (the plain-podman engine; one argv, every mount written out). */
export function runArgs(s: ServiceSpec): string[] {
  const a = ["run", "-d", "--name", s.containerName];
  if (s.init) a.push("--init");
  if (s.stdinOpen) a.push("-i");
  if (s.tty) a.push("-t");
  if (s.user) a.push("--user", s.user);
  if (s.workingDir) a.push("-w", s.workingDir);
  if (s.networkMode) a.push("--network", s.networkMode);
  for (const h of s.extraHosts) a.push("--add-host", h);
  for (const [k, v] of Object.entries(s.labels)) a.push("--label", `${k}=${v}`);
  for (const [k, v] of Object.entries(s.environment)) a.push("-e", `${k}=${v}`);
  for (const v of s.volumes) a.push("-v", v);
  a.push(s.image);
  return a;
}

/** `podman build ...` for a service. */
export function buildArgs(s: ServiceSpec): string[] {
  const a = ["build", "-t", s.image, "-f", s.dockerfile];
  for (const [k, v] of Object.entries(s.buildArgs)) a.push("--build-arg", `${k}=${v}`);
  a.push(s.buildContext);
  return a;
}
