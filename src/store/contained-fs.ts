import * as fs from "node:fs";
import * as path from "node:path";
import { fail } from "../core/result.js";
import { activeRecorder, replaceViaTemp } from "./fsio.js";

/**
 * File access for the parts of a project that an agent's container (or any untrusted writer) can change:
 * workspaces and inboxes under `.claude/users/`. Nothing there is followed: a symbolic link, FIFO, socket,
 * device or directory where a file is expected is refused with the file named, a path that leaves the project
 * is refused, opens never block (O_NONBLOCK), and reads are capped. Folders on the way are created when
 * missing and refused when they are a link or a file, never followed.
 */

/** Largest document, workspace copy or task file the QMS reads (10 MiB). */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK } = fs.constants;

export class ContainedArea {
  private realRoot: string | undefined;

  constructor(readonly root: string) {}

  /** Read a regular file below the root, or undefined when it (or its folder) does not exist. */
  read(file: string, maxBytes = MAX_DOCUMENT_BYTES): string | undefined {
    return this.readWithStat(file, maxBytes)?.text;
  }

  /** `read`, with the stat of the file that was read (taken from the open descriptor, not from its name). */
  readWithStat(file: string, maxBytes = MAX_DOCUMENT_BYTES): { text: string; stat: fs.Stats } | undefined {
    if (this.walkDirs(path.dirname(file), false) === "missing") return undefined;
    let fd: number;
    try {
      fd = fs.openSync(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    } catch (err) {
      const code = errCode(err);
      if (code === "ENOENT") return undefined;
      return this.refuseOpen(file, code);
    }
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile()) this.refuse(file, describeKind(st));
      this.requireInside(file, fd);
      if (st.size > maxBytes) this.refuseSize(file, st.size, maxBytes);
      return { text: readCapped(fd, maxBytes, () => this.refuseSize(file, maxBytes + 1, maxBytes)), stat: st };
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Check (creating missing folders) that `file` can be written, so a multi-file change refuses before it starts. */
  prepareWrite(file: string): void {
    this.walkDirs(path.dirname(file), true);
    if (lstatOrUndefined(file)?.isDirectory()) this.refuse(file, "a folder");
  }

  /** Write a file atomically (temp file + rename); the folders on the way are created, never followed. */
  write(file: string, content: string): void {
    const recorder = activeRecorder();
    if (recorder) {
      // planned only: the change checks its targets first, and the write itself checks again when it runs
      recorder.record({ kind: "write", file, text: content, contained: true });
      return;
    }
    this.prepareWrite(file);
    replaceViaTemp(file, content, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, (tmp, fd) => this.requireInside(tmp, fd));
  }

  /** Remove a file (a link is removed itself, not its target). False when there was nothing to remove. */
  remove(file: string): boolean {
    if (this.walkDirs(path.dirname(file), false) === "missing") return false;
    const recorder = activeRecorder();
    const st = lstatOrUndefined(file);
    if (st?.isDirectory()) this.refuse(file, "a folder");
    if (recorder) return recorder.record({ kind: "remove", file, contained: true });
    if (!st) return false;
    try {
      fs.unlinkSync(file);
      return true;
    } catch (err) {
      if (errCode(err) === "ENOENT") return false;
      throw err;
    }
  }

  /** Whether a regular file is there (a link or special file counts as absent, it is never opened). */
  hasFile(file: string): boolean {
    if (this.walkDirs(path.dirname(file), false) === "missing") return false;
    return lstatOrUndefined(file)?.isFile() === true;
  }

  /** Names in a folder with whether each is a regular file; a missing folder is empty. */
  list(dir: string): Array<{ name: string; isFile: boolean }> {
    if (this.walkDirs(dir, false) === "missing") return [];
    try {
      return fs
        .readdirSync(dir, { withFileTypes: true })
        .map((e) => ({ name: e.name, isFile: e.isFile() }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (err) {
      if (errCode(err) === "ENOENT") return [];
      throw err;
    }
  }

  /**
   * The stat of a folder below the root, every component checked as `list` does (a link or file on the way
   * is refused); undefined when it does not exist. For caches that re-read a folder only when it changed.
   */
  folderStat(dir: string): fs.Stats | undefined {
    if (this.walkDirs(dir, false) === "missing") return undefined;
    return lstatOrUndefined(dir);
  }

  /** The names in a folder just checked with `folderStat`, sorted; nothing is opened or followed. */
  namesIn(dir: string): string[] {
    try {
      return fs.readdirSync(dir).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    } catch (err) {
      const code = errCode(err);
      if (code === "ENOENT" || code === "ENOTDIR") return [];
      throw err;
    }
  }

  /** The entry's own stat (a link is described, never followed), or undefined when it is gone. */
  entryStat(file: string): fs.Stats | undefined {
    return lstatOrUndefined(file);
  }

  /** Make sure a folder exists below the root, creating what is missing, refusing links and files. */
  ensureDir(dir: string): void {
    this.walkDirs(dir, true);
  }

  /** Check every component from the root down to `dir`: no link, nothing but folders; create or report missing. */
  private walkDirs(dir: string, create: boolean): "ok" | "missing" {
    const rel = path.relative(this.root, dir);
    if (rel.startsWith("..") || path.isAbsolute(rel)) this.refuseOutside(dir);
    let current = this.root;
    for (const segment of rel === "" ? [] : rel.split(path.sep)) {
      current = path.join(current, segment);
      const st = lstatOrUndefined(current);
      if (!st) {
        if (!create) return "missing";
        try {
          fs.mkdirSync(current);
        } catch (err) {
          if (errCode(err) !== "EEXIST") throw err;
        }
        const made = lstatOrUndefined(current);
        if (made?.isDirectory()) continue;
        this.refuse(current, made ? describeKind(made) : "gone", "folder");
      }
      if (st.isSymbolicLink()) this.refuse(current, "a symbolic link", "folder");
      if (!st.isDirectory()) this.refuse(current, describeKind(st), "folder");
    }
    return "ok";
  }

  /** Linux: the opened file's real path, as the kernel sees it, is inside the project (closes check/use races). */
  private requireInside(file: string, fd: number): void {
    let real: string;
    try {
      real = fs.readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return; // no /proc (macOS): the per-component checks stand alone
    }
    this.realRoot ??= fs.realpathSync(this.root);
    if (real !== this.realRoot && !real.startsWith(this.realRoot + path.sep)) this.refuseOutside(file);
  }

  private shown(file: string): string {
    const rel = path.relative(this.root, file);
    return rel.startsWith("..") || path.isAbsolute(rel) ? file : rel.split(path.sep).join("/");
  }

  private refuse(file: string, kind: string, expected: "file" | "folder" = "file"): never {
    fail(
      "unsafe-file",
      `Refused ${this.shown(file)}: it is ${kind}, not a regular ${expected}. The QMS never follows links or opens special files in a workspace or inbox.`,
      expected === "file"
        ? `Remove ${this.shown(file)} and put a regular file there (check the document out again to get a fresh copy).`
        : `Remove ${this.shown(file)}; the QMS creates the folder itself.`,
    );
  }

  private refuseOpen(file: string, code: string | undefined): never {
    if (code === "ELOOP" || code === "EMLINK") this.refuse(file, "a symbolic link");
    if (code === "ENXIO" || code === "EOPNOTSUPP") this.refuse(file, "a socket or device");
    if (code === "EISDIR") this.refuse(file, "a folder");
    fail("unsafe-file", `Cannot open ${this.shown(file)} (${code ?? "error"}).`, `Check the file's permissions.`);
  }

  private refuseSize(file: string, size: number, max: number): never {
    fail(
      "invalid-argument",
      `${this.shown(file)} is ${size > max ? "larger than" : "at"} the limit of ${max} bytes (${Math.round(max / 1024 / 1024)} MiB) for a QMS document.`,
      `Shorten ${this.shown(file)}.`,
    );
  }

  private refuseOutside(file: string): never {
    fail("unsafe-file", `Refused ${this.shown(file)}: it lies outside the project.`, "Keep workspace and inbox folders inside the project, as the QMS creates them.");
  }
}

function readCapped(fd: number, maxBytes: number, tooLarge: () => never): string {
  const chunks: Buffer[] = [];
  let total = 0;
  const chunk = Buffer.allocUnsafe(64 * 1024);
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(fd, chunk, 0, chunk.length, null);
    } catch (err) {
      if (errCode(err) === "EAGAIN") break;
      throw err;
    }
    if (n === 0) break;
    total += n;
    if (total > maxBytes) tooLarge();
    chunks.push(Buffer.from(chunk.subarray(0, n)));
  }
  return Buffer.concat(chunks, total).toString("utf8");
}

function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch (err) {
    const code = errCode(err);
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw err;
  }
}

function describeKind(st: fs.Stats): string {
  if (st.isSymbolicLink()) return "a symbolic link";
  if (st.isDirectory()) return "a folder";
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isSocket()) return "a socket";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "a device";
  if (st.isFile()) return "a regular file";
  return "a special file";
}

function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}
