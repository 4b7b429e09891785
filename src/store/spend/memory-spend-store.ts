/** The spend table in a Map: for `storage.url: memory:` and tests; same contract as the SQL stores. */
import type { SpendDelta, SpendPeriod, SpendRow, SpendStore } from "./types.js";

export class MemorySpendStore implements SpendStore {
  readonly #rows = new Map<string, SpendRow>();

  async addSpend(deltas: readonly SpendDelta[], now: Date = new Date()): Promise<void> {
    // Validate everything before changing anything: all or nothing, like the SQL transaction.
    const checked = deltas.map(validDelta);
    const at = now.toISOString();
    for (const d of checked) {
      const key = `${d.subject}\u0000${d.period}\u0000${d.period_start}`;
      const row = this.#rows.get(key);
      if (row) {
        row.usd += d.usd;
        row.updated_at = at;
      } else {
        this.#rows.set(key, { ...d, updated_at: at });
      }
    }
  }

  async current(starts: Partial<Record<SpendPeriod, string>>): Promise<SpendRow[]> {
    const wanted = new Map(Object.entries(starts).map(([p, s]) => [p, canonical(s)]));
    return [...this.#rows.values()].filter((r) => wanted.get(r.period) === r.period_start).map((r) => ({ ...r }));
  }

  async forSubject(subject: string): Promise<SpendRow[]> {
    return [...this.#rows.values()]
      .filter((r) => r.subject === subject)
      .sort((a, b) => (a.period_start < b.period_start ? 1 : a.period_start > b.period_start ? -1 : a.period.localeCompare(b.period)))
      .map((r) => ({ ...r }));
  }

  async close(): Promise<void> {}
}

/** Rejects what the SQL stores would reject (or store wrongly), so the backends behave alike. */
export function validDelta(d: SpendDelta): SpendDelta {
  if (!d.subject) throw new Error("spend delta without a subject");
  if (!["daily", "weekly", "monthly", "total"].includes(d.period)) throw new Error(`unknown spend period ${JSON.stringify(d.period)}`);
  if (!Number.isFinite(d.usd)) throw new Error(`spend delta for ${d.subject} is not a finite number: ${d.usd}`);
  return { subject: d.subject, period: d.period, period_start: canonical(d.period_start), usd: d.usd };
}

/** period_start in the one form both SQL engines hand back: ISO-8601 UTC with milliseconds. */
export function canonical(iso: string | Date): string {
  const ms = iso instanceof Date ? iso.getTime() : Date.parse(iso);
  if (!Number.isFinite(ms)) throw new Error(`not a timestamp: ${String(iso)}`);
  return new Date(ms).toISOString();
}
