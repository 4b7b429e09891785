/**
 * The soak's numbers: one sample per interval, and the verdict on a run —
 * whether RSS and p99 stayed flat. Pure functions: the rule reads in one
 * place.
 */

export interface SoakSample {
  /** Seconds since the load started, at the end of the interval. */
  t_s: number;
  rss_mb: number;
  p50_ms: number;
  p99_ms: number;
  requests: number;
  /** Answers that were not a 2xx, and requests that got no answer. */
  errors: number;
  /** The gateway's CPU (all threads) over the interval, in % of one core. */
  cpu_pct: number;
}

/** The q-quantile (0–1) of `values` by nearest rank; NaN when empty. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export interface Drift {
  /** Median of the first and of the last third of the samples after the warm-up. */
  first: number;
  last: number;
  /** (last − first) / first. */
  drift: number;
  flat: boolean;
}

export interface Verdict {
  rss: Drift;
  p99: Drift;
  errors: number;
  /** Samples judged (those after the warm-up). */
  samples: number;
  flat: boolean;
}

function drift(values: number[], tolerance: number): Drift {
  const third = Math.max(1, Math.floor(values.length / 3));
  const first = quantile(values.slice(0, third), 0.5);
  const last = quantile(values.slice(-third), 0.5);
  const d = (last - first) / first;
  return { first, last, drift: d, flat: Math.abs(d) <= tolerance };
}

/**
 * Flat within `tolerance` (0.1 = 10 %): the median of the last third of the
 * samples is within that share of the median of the first third, for RSS
 * and for p99 alike, and no request failed. Medians of thirds, not single
 * samples: one minute's p99 on a shared machine moves with whatever else
 * runs there, a trend does not. Samples in the first `warmupS` seconds are
 * left out (the process loads and compiles what the load needs).
 */
export function soakVerdict(samples: SoakSample[], tolerance: number, warmupS: number): Verdict {
  const judged = samples.filter((s) => s.t_s > warmupS);
  const use = judged.length >= 3 ? judged : samples;
  const rss = drift(use.map((s) => s.rss_mb), tolerance);
  const p99 = drift(use.map((s) => s.p99_ms), tolerance);
  const errors = samples.reduce((n, s) => n + s.errors, 0);
  return { rss, p99, errors, samples: use.length, flat: rss.flat && p99.flat && errors === 0 };
}

export function toCsv(samples: SoakSample[]): string {
  const cols: (keyof SoakSample)[] = ["t_s", "rss_mb", "p50_ms", "p99_ms", "requests", "errors", "cpu_pct"];
  return [cols.join(","), ...samples.map((s) => cols.map((c) => s[c]).join(","))].join("\n") + "\n";
}
