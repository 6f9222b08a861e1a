import * as fs from "node:fs";
import * as path from "node:path";
import { fail } from "../core/result.js";
import { copyFileAtomic, ensureDir, exists, listDir, readTextIfExists, writeFileAtomic } from "./fsio.js";

/**
 * The files `init` reads (the package's seed folder) and writes (a new project's layout), by project-relative
 * name; the init service decides what, this says where. Every write is recorded for the "Created:" list.
 */
export class InitFiles {
  readonly created: string[] = [];

  constructor(
    readonly root: string,
    readonly seedDir: string,
  ) {}

  isDirectory(): boolean {
    try {
      return fs.statSync(this.root).isDirectory();
    } catch {
      return false;
    }
  }

  exists(rel: string): boolean {
    return exists(path.join(this.root, rel));
  }

  seedExists(rel: string): boolean {
    return exists(path.join(this.seedDir, rel));
  }

  seedText(rel: string): string | undefined {
    return readTextIfExists(path.join(this.seedDir, rel));
  }

  seedNames(folder: string): string[] {
    return listDir(path.join(this.seedDir, folder));
  }

  /** Create `QMS/` exclusively: a concurrent init loses here, before it wrote anything. */
  claimQmsFolder(): void {
    try {
      fs.mkdirSync(path.join(this.root, "QMS"));
    } catch {
      fail("already-exists", `Refusing to initialize ${this.root}: 'QMS' already exists. Nothing was changed.`, "Another init may be running.");
    }
    this.created.push("QMS/");
  }

  mkdir(rel: string): void {
    ensureDir(path.join(this.root, rel));
    this.created.push(`${rel}/`);
  }

  write(rel: string, content: string): void {
    writeFileAtomic(path.join(this.root, rel), content);
    this.created.push(rel);
  }

  copySeed(seedRel: string, rel: string): void {
    copyFileAtomic(path.join(this.seedDir, seedRel), path.join(this.root, rel));
    this.created.push(rel);
  }

  /** Record something written by another part of the store (meta, audit, user folders). */
  note(rel: string): void {
    this.created.push(rel);
  }
}
