/**
 * The Prompts page's pure parts: the `{{variable}}` placeholders a version
 * uses (the same rule as the gateway's src/prompts/template.ts), the
 * versions and labels a completion may name, and an evaluation's verdict
 * in words. Unit-tested in test/browser/ui-lib.test.ts.
 */

/** `{{ name }}`: letters, digits, `_ . -` (not starting with a digit), blanks inside the braces allowed. */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]{0,127})\s*\}\}/g;

/** Every variable of a version's messages, in order of first use. */
export function variablesOf(messages: readonly { content: string }[]): string[] {
  const seen = new Set<string>();
  for (const m of messages) for (const match of m.content.matchAll(PLACEHOLDER)) seen.add(match[1]!);
  return [...seen];
}

/** A choice of what to run: a label (the version it points at now) or a version by number. */
export interface VersionChoice {
  /** The select's value: `label:production`, `version:3`. */
  value: string;
  text: string;
}

/** Labels first (production first of them), then every version, newest first. */
export function versionChoices(versions: readonly number[], labels: Readonly<Record<string, number>>): VersionChoice[] {
  const named = Object.entries(labels).sort(([a], [b]) => (a === "production" ? -1 : b === "production" ? 1 : a < b ? -1 : a > b ? 1 : 0));
  return [
    ...named.map(([label, v]) => ({ value: `label:${label}`, text: `${label} (version ${v})` })),
    ...[...versions].sort((a, b) => b - a).map((v) => ({ value: `version:${v}`, text: `Version ${v}` })),
  ];
}

/** The completion body's part that picks the version: `{label}` or `{version}`. */
export function pickOf(value: string): { label: string } | { version: number } | Record<string, never> {
  if (value.startsWith("label:")) return { label: value.slice(6) };
  if (value.startsWith("version:")) return { version: Number(value.slice(8)) };
  return {};
}

/** The version a completion uses by default: the production label's, else the latest (DESIGN.md §7). */
export function defaultChoice(versions: readonly number[], labels: Readonly<Record<string, number>>): string {
  if (labels.production !== undefined) return "label:production";
  return versions.length > 0 ? `version:${Math.max(...versions)}` : "";
}

/** The labels pointing at a version, for a version's heading. */
export function labelsOf(version: number, labels: Readonly<Record<string, number>>): string[] {
  return Object.entries(labels).filter(([, v]) => v === version).map(([l]) => l).sort();
}

export interface Verdict {
  winner: number;
  significant: boolean;
  versions: number;
}

/** What an evaluation found, in a sentence. */
export function verdictText(v: Verdict): string {
  if (v.versions < 2) return `One version evaluated (version ${v.winner}): nothing to compare it with.`;
  return v.significant
    ? `Version ${v.winner} wins: better than every other version beyond noise.`
    : `Version ${v.winner} scored highest, but not beyond noise: more rows, or a larger difference, would tell.`;
}
