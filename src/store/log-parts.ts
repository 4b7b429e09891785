/**
 * The batches a LogWriter has taken off its queue and not yet written,
 * oldest first (the first is written next), and the policy for one the
 * store refuses. A refusal while the store does not answer ping is the
 * store's trouble: the part waits and is retried, without limit. A refusal
 * while it answers may be a row's: a part refused SPLIT_AFTER times (or a
 * part of one, refused again) is split in two, down to single rows. A row
 * refused alone right after a successful write is bad: dropped. Otherwise
 * it lets the next rows go first where the store allows (their success
 * convicts it), and is dropped after poisonMs of refusals.
 */
import type { SpoolSegment } from "./log-spool.js";

/** Refusals of a whole batch (the store answering) before it is split: rides out deadlocks, lock waits, a dropped connection. */
const SPLIT_AFTER = 3;

/** A batch being written, or a part of a refused one. */
export interface Part {
  rows: unknown[]; // as the store's sink encoded them
  from: (SpoolSegment | undefined)[] | undefined; // rows read back from the spool: their segment
  attempts: number;
  refusals: number; // while the store answered ping
  split: boolean; // from a refused part: refused again, split at once
  aloneSince?: number;
  gone?: boolean; // spooled by close() while its write was in flight
}

/** `wait`: back off, then write the first part again; `split`: the part is now two, write the first at once; `drop`: a bad row. */
export type RefusalVerdict = "wait" | "split" | "drop";

export class LogParts {
  readonly #poisonMs: number;
  /** A store without a sink takes rows in any order: a refused row can let later ones go first. */
  readonly #reorderable: boolean;
  #list: Part[] = [];
  #rows = 0;
  /** The last write that tells about the store succeeded: a row refused right after is bad. */
  #lastOk = false;
  #lastTimedDrop = 0;

  constructor(poisonMs: number, reorderable: boolean) {
    this.#poisonMs = poisonMs;
    this.#reorderable = reorderable;
  }

  /** Rows in all parts. */
  get rows(): number {
    return this.#rows;
  }

  get first(): Part | undefined {
    return this.#list[0];
  }

  /** A copy, oldest first: safe to remove parts while going through it. */
  all(): Part[] {
    return [...this.#list];
  }

  /** A new last part. */
  add(rows: unknown[], from: (SpoolSegment | undefined)[] | undefined): Part {
    const part: Part = { rows, from, attempts: 0, refusals: 0, split: false };
    this.#list.push(part);
    this.#rows += rows.length;
    return part;
  }

  remove(part: Part): void {
    const i = this.#list.indexOf(part);
    if (i < 0) return;
    this.#list.splice(i, 1);
    this.#rows -= part.rows.length;
  }

  /** The store took `part`, so it takes rows: a row it refuses next is bad. */
  written(part: Part): void {
    this.remove(part);
    this.#lastOk = true;
  }

  /**
   * What to do with `part`, refused again (its attempts already counted).
   * `takeNext` adds the next batch from the queue as a new last part, for a
   * refused row to let go first; it returns undefined when there is none.
   */
  judge(part: Part, storeAnswers: boolean, takeNext: () => Part | undefined): RefusalVerdict {
    const lastOk = this.#lastOk;
    // Whatever the verdict, the next one needs a success of its own: should the store have started refusing everything, one row is lost, not a run.
    this.#lastOk = false;
    if (!storeAnswers) {
      part.aloneSince = undefined;
      return "wait";
    }
    const isolated = part.split || ++part.refusals >= SPLIT_AFTER;
    if (!isolated) return "wait";
    if (part.rows.length > 1) {
      const mid = Math.ceil(part.rows.length / 2);
      const half = (a: number, b: number): Part => ({ rows: part.rows.slice(a, b), from: part.from?.slice(a, b), attempts: 0, refusals: 0, split: true });
      this.#list.splice(this.#list.indexOf(part), 1, half(0, mid), half(mid, part.rows.length));
      return "split";
    }
    const now = Date.now();
    part.aloneSince ??= now;
    // At most one row per poisonMs goes for time alone: a store refusing everything loses no more.
    const timeUp = now - Math.max(part.aloneSince, this.#lastTimedDrop) >= this.#poisonMs;
    if (!lastOk && timeUp) this.#lastTimedDrop = now;
    if (lastOk || timeUp) return "drop";
    const i = this.#list.indexOf(part);
    if (this.#reorderable && (i < this.#list.length - 1 || takeNext() !== undefined)) {
      this.#list[i] = this.#list[i + 1]!;
      this.#list[i + 1] = part;
    }
    return "wait";
  }
}
