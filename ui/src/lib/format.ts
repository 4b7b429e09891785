/** How numbers, money, times and ids read on every page. Pure: unit-tested in test/browser/ui-lib.test.ts. */

const int = new Intl.NumberFormat("en-US");

export function formatInt(n: number | null | undefined): string {
  return n === null || n === undefined ? "—" : int.format(Math.round(n));
}

/** Dollars: cents for large sums, four significant digits for the small ones a single request costs. */
export function formatUsd(n: number | null | undefined): string {
  if (n === null || n === undefined) return "—";
  if (n === 0) return "$0.00";
  const abs = Math.abs(n);
  if (abs >= 1) return `${n < 0 ? "-" : ""}$${abs.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  return `${n < 0 ? "-" : ""}$${Number(abs.toPrecision(4)).toString()}`;
}

export function formatMs(n: number | null | undefined): string {
  if (n === null || n === undefined) return "—";
  if (n >= 10_000) return `${(n / 1000).toFixed(1)} s`;
  return `${Math.round(n)} ms`;
}

/** A share 0–1 as a percentage; "—" when there is nothing to divide. */
export function formatPct(share: number | null | undefined, digits = 1): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return "—";
  return `${(share * 100).toFixed(digits)}%`;
}

/** The ratio, or null when the denominator is 0. */
export function ratio(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

/** An ISO time as the reader's local date and time, to the second. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (v: number): string => String(v).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * An id shortened for a table cell: its kind and its last characters
 * (`req_…4f9a2c1e`). Ids begin with their time, so the end is what tells
 * neighbours apart. The full id goes in a title.
 */
export function shortId(id: string, keep = 8): string {
  const kind = /^[a-z]+_/.exec(id)?.[0] ?? "";
  return id.length <= kind.length + keep + 1 ? id : `${kind}…${id.slice(-keep)}`;
}

/** A time in a table: the time of day for today's, the date and time (no year) for older ones. */
export function formatShortTime(iso: string | null | undefined, now = Date.now()): string {
  const full = formatTime(iso);
  if (full === "—" || full.length < 19) return full;
  return full.slice(0, 10) === formatTime(new Date(now).toISOString()).slice(0, 10) ? full.slice(11) : full.slice(5, 16);
}

/** "12 s ago", "3 min ago", … for last-used columns. */
export function formatAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "never";
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}
