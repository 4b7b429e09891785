/** RFC 4180 CSV: a header line, then one line per row; fields with commas, quotes or line breaks quoted. */

export type CsvValue = string | number | boolean | null | undefined;

function field(v: CsvValue): string {
  if (v === null || v === undefined) return "";
  const s = String(v);
  // A leading =, +, - or @ would be a formula to a spreadsheet: prefixed with a quote, as OWASP advises.
  const safe = /^[=+\-@\t\r]/.test(s) && typeof v === "string" ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(columns: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return [columns, ...rows].map((r) => r.map(field).join(",")).join("\r\n") + "\r\n";
}
