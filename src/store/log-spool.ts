/**
 * Request-log rows waiting on disk: the overflow of the LogWriter's memory
 * queue while the store is down or slow, and at close what could not be
 * written. One row per line, as its LogRow JSON: what the store inserts,
 * independent of a store's own encoding, readable by the next process.
 *
 * offer() only pushes onto an array; lines are appended in batches off the
 * request path to segment files of up to 1 MB, read back oldest first, and
 * a segment is deleted only once every row read from it has left memory
 * (written or dropped). A crash mid-replay therefore loses nothing: the
 * next process replays the segment again and the stores ignore the ids
 * they already have.
 *
 * Several processes may share the directory. Each writes only files named
 * after itself (host, pid, a random id) and takes over another's files only
 * once that process is gone, by renaming them to its own name: a rename
 * succeeds for one process only, so no file is replayed by two.
 */
import { randomBytes } from "node:crypto";
import { readdirSync, renameSync, statSync } from "node:fs";
import { mkdir, open, readFile, unlink, type FileHandle } from "node:fs/promises";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import type { DropReason } from "./log-writer-options.js";
import type { LogRow } from "./types.js";

export interface LogSpoolOptions {
  dir: string;
  /** Bound on the bytes waiting (in transit to disk, and on disk not yet written to the store). */
  maxBytes: number;
  /**
   * Rows lost: offered ones whose append failed (`offered`: the caller
   * counted them), or, in a file taken over, lines cut short by a crash.
   */
  onLost?(rows: number, offered: boolean, err: unknown): void;
}

/** Rows read back from one segment; hand the segment to release() as they leave memory. */
export interface SpoolTake {
  rows: LogRow[];
  /** Lines that were not a row (a file taken over, damaged). */
  bad: number;
  from: SpoolSegment;
}

const NAME = /^rows_([A-Za-z0-9.-]+)_(\d+)_([0-9a-f]+)_(\d+)\.ndjson$/;
const HOST = hostname().replace(/[^A-Za-z0-9.-]/g, "-") || "host";
/** Ids of the spools open in this process: their files are not orphans, whatever the pid says. */
const OPEN_IDS = new Set<string>();
/** After a failed append (disk full, permission), offers are refused this long before the disk is tried again. */
const RETRY_AFTER_MS = 5_000;

export class SpoolSegment {
  /** Rows taken and not yet released. */
  out = 0;
  /** Lines appended (ours; unknown for a file taken over). */
  lines = 0;
  sealed: boolean;
  writer: FileHandle | undefined;
  /** Lines read and not yet taken; undefined until the file is read. */
  ahead: string[] | undefined;
  deleted = false;

  constructor(readonly path: string, readonly foreign: boolean, public size: number) {
    this.sealed = foreign;
  }
}

export class LogSpool {
  readonly dir: string;
  readonly #maxBytes: number;
  readonly #segmentBytes: number;
  readonly #transitMax: number;
  readonly #onLost: LogSpoolOptions["onLost"];
  readonly #id = randomBytes(4).toString("hex");
  #seq = 0;
  /** Oldest first; the last one takes appends unless sealed. */
  #segments: SpoolSegment[] = [];
  #bytes = 0;
  #transit: string[] = [];
  #transitBytes = 0;
  #appending: Promise<void> | undefined;
  #failedUntil = 0;
  #closed = false;

  constructor(options: LogSpoolOptions) {
    this.dir = resolve(options.dir);
    this.#maxBytes = Math.max(0, options.maxBytes);
    // A segment is read back whole: small enough for memory, large enough to keep files few.
    this.#segmentBytes = Math.min(1 << 20, Math.max(64 << 10, Math.floor(this.#maxBytes / 8)));
    // Rows waiting for the disk are in memory: bound them even if the disk is slow.
    this.#transitMax = Math.min(this.#maxBytes, 16 << 20);
    this.#onLost = options.onLost;
    OPEN_IDS.add(this.#id);
    this.#adoptOrphans();
  }

  /** Bytes waiting: offered, and not yet taken back out in full. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Synchronous and cheap; says why when the row cannot be spooled (the caller drops it). */
  offer(row: LogRow): Extract<DropReason, "queue_full" | "spool_failed" | "write_failed"> | undefined {
    if (this.#closed || Date.now() < this.#failedUntil) return "spool_failed";
    let line: string;
    try {
      line = JSON.stringify(row);
    } catch {
      return "write_failed"; // not JSON (a BigInt): no store could take it either
    }
    const n = Buffer.byteLength(line) + 1;
    if (this.#bytes + n > this.#maxBytes || this.#transitBytes + n > this.#transitMax) return "queue_full";
    this.#transit.push(line);
    this.#transitBytes += n;
    this.#bytes += n;
    this.#appending ??= this.#appendAll();
    return undefined;
  }

  /** Up to `max` of the oldest rows (all from one segment), or undefined when none are waiting. */
  async take(max: number): Promise<SpoolTake | undefined> {
    while (!this.#closed) {
      const seg = this.#segments[0];
      if (seg === undefined || (seg.ahead === undefined && !seg.sealed && this.#appending !== undefined)) {
        if (this.#appending === undefined) return undefined;
        await this.#appending;
        continue;
      }
      if (seg.ahead === undefined) {
        // New rows go to a new file, so this one can go once its rows are written.
        seg.sealed = true;
        await seg.writer?.close().catch(() => undefined);
        seg.writer = undefined;
        await this.#read(seg);
        continue;
      }
      if (seg.ahead.length === 0) {
        this.#segments.shift();
        this.#bytes -= seg.size;
        this.#deleteIfDone(seg);
        continue;
      }
      const lines = seg.ahead.splice(0, max);
      seg.out += lines.length;
      const rows: LogRow[] = [];
      for (const line of lines) {
        try {
          rows.push(JSON.parse(line) as LogRow);
        } catch {
          // Counted below as bad lines.
        }
      }
      return { rows, bad: lines.length - rows.length, from: seg };
    }
    return undefined;
  }

  /** `n` rows taken from `seg` have left memory: once all have, its file goes. */
  release(seg: SpoolSegment, n: number): void {
    seg.out -= n;
    this.#deleteIfDone(seg);
  }

  /** Writes what is in transit and closes the files: they stay for the next process (or spool on this directory) to replay. */
  async close(): Promise<void> {
    if (this.#closed) return;
    while (this.#appending !== undefined) await this.#appending;
    this.#closed = true;
    OPEN_IDS.delete(this.#id);
    for (const seg of this.#segments) {
      // A crash of the process keeps what was written anyway; fsync also covers the host's.
      await seg.writer?.sync().catch(() => undefined);
      await seg.writer?.close().catch(() => undefined);
      seg.writer = undefined;
    }
  }

  #path(seq: number): string {
    return join(this.dir, `rows_${HOST}_${process.pid}_${this.#id}_${String(seq).padStart(8, "0")}.ndjson`);
  }

  /** Takes over, oldest first, the files of spools whose process is gone. Synchronous: runs once, at start. */
  #adoptOrphans(): void {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return; // no directory yet: nothing was ever spooled here
    }
    const found: { name: string; mtime: number; seq: number }[] = [];
    for (const name of names) {
      const m = NAME.exec(name);
      if (!m || !ownerGone(m[1]!, Number(m[2]), m[3]!)) continue;
      try {
        found.push({ name, mtime: statSync(join(this.dir, name)).mtimeMs, seq: Number(m[4]) });
      } catch {
        // Taken by another process meanwhile.
      }
    }
    found.sort((a, b) => a.mtime - b.mtime || a.seq - b.seq);
    for (const f of found) {
      const path = this.#path(this.#seq++);
      try {
        renameSync(join(this.dir, f.name), path);
        const seg = new SpoolSegment(path, true, statSync(path).size);
        this.#segments.push(seg);
        this.#bytes += seg.size;
      } catch {
        // Another process renamed it first: it is theirs.
      }
    }
  }

  async #appendAll(): Promise<void> {
    // Off the caller's stack: offer() must stay cheap.
    await new Promise((r) => setImmediate(r));
    while (this.#transit.length > 0) {
      const lines = this.#transit;
      const bytes = this.#transitBytes;
      this.#transit = [];
      this.#transitBytes = 0;
      try {
        await this.#append(Buffer.from(lines.join("\n") + "\n"), lines.length);
      } catch (err) {
        this.#bytes -= bytes;
        this.#failedUntil = Date.now() + RETRY_AFTER_MS;
        this.#report(lines.length, true, err);
      }
    }
    this.#appending = undefined;
  }

  async #append(buf: Buffer, lines: number): Promise<void> {
    let seg = this.#segments.at(-1);
    if (seg === undefined || seg.sealed || seg.size >= this.#segmentBytes) {
      if (seg !== undefined && !seg.sealed) {
        seg.sealed = true;
        await seg.writer?.close().catch(() => undefined);
        seg.writer = undefined;
      }
      // Rows can hold request and response bodies: for this user's eyes only.
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const path = this.#path(this.#seq++);
      const writer = await open(path, "wx", 0o600);
      seg = new SpoolSegment(path, false, 0);
      seg.writer = writer;
      this.#segments.push(seg);
    }
    const writer = seg.writer!;
    let done = 0;
    try {
      while (done < buf.length) done += (await writer.write(buf, done, buf.length - done, seg.size + done)).bytesWritten;
    } catch (err) {
      // Leave no part of the lines behind: they are reported lost, so they must not come back.
      await writer.truncate(seg.size).catch(() => undefined);
      throw err;
    }
    seg.size += buf.length;
    seg.lines += lines;
  }

  async #read(seg: SpoolSegment): Promise<void> {
    let text: string;
    try {
      text = await readFile(seg.path, "utf8");
    } catch (err) {
      if (this.#closed) return; // replayed next time
      seg.ahead = [];
      this.#report(seg.foreign ? 0 : seg.lines, !seg.foreign, err);
      return;
    }
    const lines = text.split("\n");
    // Only a file taken over can end without a newline: its process died mid-append.
    const cut = lines.pop();
    if (cut) this.#report(1, false, new Error(`${seg.path} ends in a cut line`));
    seg.ahead = lines.filter((line) => line !== "");
  }

  #report(rows: number, offered: boolean, err: unknown): void {
    try {
      this.#onLost?.(rows, offered, err);
    } catch {
      // An observer's failure must not stop the spool.
    }
  }

  #deleteIfDone(seg: SpoolSegment): void {
    if (seg.ahead === undefined || seg.ahead.length > 0 || seg.out > 0 || seg.deleted || this.#segments[0] === seg) return;
    seg.deleted = true;
    // A file left behind (unlink failed) is replayed again; the store ignores known ids.
    unlink(seg.path).catch(() => undefined);
  }
}

/** Whether the spool that wrote a file is gone, so its rows are ours to replay. */
function ownerGone(host: string, pid: number, id: string): boolean {
  // Another host's (or container's) pids mean nothing here: leave its files alone.
  if (host !== HOST) return false;
  // Our own pid: a spool of this process, or of an earlier process that had the same pid (a restarted container).
  if (pid === process.pid) return !OPEN_IDS.has(id);
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}
