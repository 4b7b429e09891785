#!/usr/bin/env node
/**
 * `npm run audit`: `npm audit` held to "no high or critical advisory", except
 * the ones written down, each with its reason, in audit-exceptions.json.
 *
 *   node scripts/audit.mjs                 # production and development dependencies
 *   node scripts/audit.mjs --omit-dev      # what `npm ci --omit=dev` installs (the container)
 *   node scripts/audit.mjs --report FILE   # judge a saved `npm audit --json` instead of asking the registry
 *   node scripts/audit.mjs --strict        # also fail (exit 2) when the advisory service cannot be asked
 *
 * Exit codes: 0 clean (every high/critical advisory excepted); 1 an advisory
 * of high or critical severity without a valid exception (or an exception
 * past its `expires` date); 2 with --strict, when npm could not get the
 * advisories (the registry refused or could not be reached). Without
 * --strict that case prints, loudly, that nothing was checked, and exits 0:
 * some registries and mirrors do not serve the advisory endpoint, and a CI
 * that can never pass teaches people to ignore it.
 *
 * audit-exceptions.json:
 *   { "exceptions": [ { "advisory": "GHSA-xxxx-xxxx-xxxx" (or the numeric id npm shows),
 *                       "package": "name", "reason": "why it does not apply or cannot be fixed yet",
 *                       "expires": "YYYY-MM-DD" } ] }
 * An exception must say why and must expire: it is looked at again then.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SEVERE = new Set(["high", "critical"]);

const { values: flags } = parseArgs({
  options: {
    "omit-dev": { type: "boolean", default: false },
    report: { type: "string" },
    exceptions: { type: "string", default: join(ROOT, "audit-exceptions.json") },
    strict: { type: "boolean", default: false },
    today: { type: "string" },
  },
});

/** The `npm audit --json` report: from a file, or from npm (whose exit code says "found some", not "failed"). */
function readReport() {
  if (flags.report) return JSON.parse(readFileSync(flags.report, "utf8"));
  const args = ["audit", "--json", ...(flags["omit-dev"] ? ["--omit=dev"] : [])];
  const run = spawnSync("npm", args, { cwd: ROOT, encoding: "utf8", maxBuffer: 64 << 20 });
  try {
    return JSON.parse(run.stdout);
  } catch {
    return { error: { code: `exit ${run.status}`, summary: (run.stderr || run.stdout || "no output").trim().split("\n").slice(-3).join(" ") } };
  }
}

/** Advisory id of one `via` entry: the GHSA id from its URL, else npm's numeric source id. */
function advisoryId(via) {
  const ghsa = /GHSA-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}/i.exec(via.url ?? "");
  return ghsa ? ghsa[0] : String(via.source);
}

/** Every high or critical advisory in the report: [{id, package, severity, title, url, range}]. */
export function severeAdvisories(report) {
  const found = new Map();
  for (const vuln of Object.values(report.vulnerabilities ?? {})) {
    for (const via of vuln.via ?? []) {
      // A string names another vulnerable package; the advisory itself is listed under that one.
      if (typeof via !== "object" || !SEVERE.has(via.severity)) continue;
      const id = advisoryId(via);
      found.set(`${id} ${via.name}`, { id, package: via.name, severity: via.severity, title: via.title, url: via.url, range: via.range });
    }
  }
  return [...found.values()];
}

function loadExceptions(path) {
  if (!existsSync(path)) return [];
  const parsed = JSON.parse(readFileSync(path, "utf8"));
  const list = parsed.exceptions ?? [];
  for (const [i, e] of list.entries()) {
    for (const field of ["advisory", "package", "reason", "expires"]) {
      if (typeof e[field] !== "string" || e[field].trim() === "") throw new Error(`${path}: exceptions[${i}].${field} is required (a non-empty string)`);
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(e.expires)) throw new Error(`${path}: exceptions[${i}].expires must be a date, YYYY-MM-DD`);
  }
  return list;
}

function main() {
  const today = flags.today ?? new Date().toISOString().slice(0, 10);
  const exceptions = loadExceptions(flags.exceptions);
  const report = readReport();
  const scope = flags["omit-dev"] ? "production dependencies" : "all dependencies";
  if (report.error) {
    // npm puts the HTTP failure in `message` and leaves error.summary empty (e.g. "405 Method Not Allowed - POST …/advisories/bulk").
    const why = [report.error.code, report.message, report.error.summary, report.error.detail].filter((x) => typeof x === "string" && x !== "").join(": ") || JSON.stringify(report.error);
    console.log(`audit: NOTHING WAS CHECKED — npm could not get the advisories (${why}).`);
    if (flags.strict) return 2;
    console.log("audit: exiting 0 without --strict; run it where the registry serves the advisory endpoint.");
    return 0;
  }
  const severe = severeAdvisories(report);
  const counts = report.metadata?.vulnerabilities ?? {};
  console.log(`audit (${scope}): ${Object.entries(counts).filter(([k]) => k !== "total").map(([k, n]) => `${n} ${k}`).join(", ") || "no vulnerabilities"}`);
  let failed = 0;
  const used = new Set();
  for (const a of severe) {
    const exception = exceptions.find((e) => e.advisory.toLowerCase() === a.id.toLowerCase() && e.package === a.package);
    if (exception && exception.expires >= today) {
      used.add(exception);
      console.log(`  excepted ${a.severity} ${a.id} in ${a.package} (${a.title}) until ${exception.expires}: ${exception.reason}`);
      continue;
    }
    failed++;
    const why = exception ? `its exception expired on ${exception.expires}` : "no exception in audit-exceptions.json";
    console.log(`  FAIL ${a.severity} ${a.id} in ${a.package} ${a.range ?? ""}: ${a.title} ${a.url ?? ""} (${why})`);
  }
  for (const e of exceptions) if (!used.has(e)) console.log(`  note: the exception for ${e.advisory} in ${e.package} matched nothing in this report (fixed? remove it)`);
  console.log(failed === 0 ? "audit: no high or critical advisory without an exception" : `audit: ${failed} high or critical advisories without a valid exception`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = main();
