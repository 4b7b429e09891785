/**
 * The last shared window the Redis gate saw per subject (every ADMIT reply
 * carries it, admitted or refused), so that when Redis becomes unreachable
 * the instance counts on from there instead of from zero.
 *
 * Bounded: a view more than one window old adds nothing (roll() would clear
 * it), so it is dropped; beyond `maxSubjects` the least recently seen go
 * first. Views are kept in the order they were last seen, and replies arrive
 * in (nearly) clock order, so dropping old ones stops at the first fresh one.
 */
import { roll, type WindowState } from "../shared-state/sliding-window.js";

export class LastSharedCounts {
  readonly #maxSubjects: number;
  readonly #views = new Map<string, WindowState>();

  constructor(maxSubjects = 100_000) {
    this.#maxSubjects = Math.max(1, maxSubjects);
  }

  get size(): number {
    return this.#views.size;
  }

  /** Keeps `view` (in the window frame of Redis's clock, which is where `view.w` comes from); the caller gives it up. */
  remember(subjectId: string, view: WindowState): void {
    this.#views.delete(subjectId); // re-inserted last: the Map's order is "least recently seen first"
    this.#views.set(subjectId, view);
    for (const [id, v] of this.#views) {
      if (v.w >= view.w - 1 && this.#views.size <= this.#maxSubjects) break;
      this.#views.delete(id);
    }
  }

  /**
   * The subject's last view moved on to window `idx` (as roll() moves any
   * window): a copy, or undefined when none was seen or it no longer counts.
   */
  at(subjectId: string, idx: number): WindowState | undefined {
    const v = this.#views.get(subjectId);
    if (!v) return undefined;
    if (v.w < idx - 1) {
      this.#views.delete(subjectId);
      return undefined;
    }
    const s = { ...v };
    roll(s, idx);
    return s;
  }

  clear(): void {
    this.#views.clear();
  }
}
