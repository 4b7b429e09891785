/**
 * scripts/audit.mjs (`npm run audit`) on saved `npm audit --json` reports:
 * no network, only the rule — high and critical advisories fail unless an
 * unexpired exception names them; an unreachable advisory service checks
 * nothing and says so (exit 2 with --strict).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const SCRIPT = new URL("../../scripts/audit.mjs", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "liaison-audit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const advisory = (severity: string, ghsa: string, name: string) => ({
  source: 1_100_000 + ghsa.length, name, dependency: name, title: `${severity} thing in ${name}`, url: `https://github.com/advisories/${ghsa}`, severity, range: "<9.9.9",
});
const report = (...vias: ReturnType<typeof advisory>[]) => ({
  auditReportVersion: 2,
  vulnerabilities: Object.fromEntries(vias.map((v) => [v.name, { name: v.name, severity: v.severity, isDirect: false, via: [v, "some-parent"], effects: [], range: v.range, nodes: [], fixAvailable: true }])),
  metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: vias.filter((v) => v.severity === "high").length, critical: vias.filter((v) => v.severity === "critical").length, total: vias.length } },
});

let n = 0;
function run(rep: unknown, exceptions: unknown[] = [], ...args: string[]): { code: number | null; out: string } {
  const i = n++;
  writeFileSync(join(dir, `r${i}.json`), JSON.stringify(rep));
  writeFileSync(join(dir, `e${i}.json`), JSON.stringify({ exceptions }));
  const r = spawnSync(process.execPath, [SCRIPT, "--report", join(dir, `r${i}.json`), "--exceptions", join(dir, `e${i}.json`), "--today", "2026-12-06", ...args], { encoding: "utf8" });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe("npm run audit", () => {
  it("passes a report with only low and moderate advisories", () => {
    const r = run(report(advisory("moderate", "GHSA-aaaa-bbbb-cccc", "mod"), advisory("low", "GHSA-dddd-eeee-ffff", "lo")));
    expect(r.code, r.out).toBe(0);
  });

  it("fails on a high or critical advisory without an exception, naming it", () => {
    const r = run(report(advisory("high", "GHSA-1111-2222-3333", "hi"), advisory("critical", "GHSA-4444-5555-6666", "crit")));
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain("FAIL high GHSA-1111-2222-3333 in hi");
    expect(r.out).toContain("FAIL critical GHSA-4444-5555-6666 in crit");
  });

  it("passes one that an unexpired exception names, and fails it once the exception has expired", () => {
    const rep = report(advisory("high", "GHSA-1111-2222-3333", "hi"));
    const exception = { advisory: "GHSA-1111-2222-3333", package: "hi", reason: "only in the dev server", expires: "2027-01-31" };
    expect(run(rep, [exception]).code).toBe(0);
    const expired = run(rep, [{ ...exception, expires: "2026-12-01" }]);
    expect(expired.code, expired.out).toBe(1);
    expect(expired.out).toContain("expired on 2026-12-01");
    // An exception for another package does not cover it.
    expect(run(rep, [{ ...exception, package: "other" }]).code).toBe(1);
  });

  it("refuses an exception without a reason or a date", () => {
    const r = run(report(), [{ advisory: "GHSA-1111-2222-3333", package: "hi", reason: "", expires: "2027-01-31" }]);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain("reason is required");
  });

  it("says that nothing was checked when the advisory service refuses: exit 0, or 2 with --strict", () => {
    const refused = { error: { code: "E405", summary: "405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk" } };
    const lenient = run(refused);
    expect(lenient.code).toBe(0);
    expect(lenient.out).toContain("NOTHING WAS CHECKED");
    expect(run(refused, [], "--strict").code).toBe(2);
  });
});
