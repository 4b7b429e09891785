/**
 * `npm run fuzz`: the fuzz test's generators (test/fuzz/generators.ts) at
 * scale against one real gateway process. Prints status counts per endpoint,
 * every 5xx, hang and cut-short answer grouped with samples, whether the
 * process survived (and, if not, which requests were in flight when it died),
 * and its resident memory before, at peak during, and some time after the run.
 * Exits 1 on any 5xx, hang, crash or uncaught error in the gateway's stderr.
 *
 *   node --import tsx bench/fuzz.ts [--count 10000] [--seed N] [--concurrency 8]
 *     [--timeout-ms 10000] [--body-limit-mb 2] [--after-s 60] [--samples 2]
 *     [--only 12,345 (replay these requests)] [--skip 678] [--exclude 'dimensions=' (a regex on the
 *     request's kind)] — skip and exclude leave out known crashers, to see past them
 */
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { request } from "undici";
import { startCli } from "../test/helpers/cli-server.js";
import { failureReport, fuzzGatewayConfig, fuzzRequest, runFuzz, type FuzzRequest } from "../test/fuzz/generators.js";

const { values: flags } = parseArgs({
  options: {
    count: { type: "string", default: "10000" },
    seed: { type: "string", default: String(Date.now() % 1_000_000_007) },
    concurrency: { type: "string", default: "8" },
    "timeout-ms": { type: "string", default: "10000" },
    "body-limit-mb": { type: "string", default: "2" },
    "after-s": { type: "string", default: "60" },
    only: { type: "string" },
    skip: { type: "string" },
    exclude: { type: "string" },
    samples: { type: "string", default: "2" },
  },
});
const seed = Number(flags.seed);
const count = Number(flags.count);
const bodyLimitMb = Number(flags["body-limit-mb"]);
const skip = new Set(flags.skip?.split(",").map(Number));
const exclude = flags.exclude === undefined ? null : new RegExp(flags.exclude);
const ALARMS = /unhandled|uncaught|RangeError|Maximum call stack/i;
const ADMIN_KEY = "fuzz-admin-key";

const mb = (kb: number | null) => (kb === null ? "n/a" : `${(kb / 1024).toFixed(1)} MB`);

/** The process's resident set (VmRSS in /proc/<pid>/status), in kB; null once it is gone. */
function rssKb(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Statuses per endpoint and overall, one line each. */
function statusReport(statuses: Map<string, Map<string, number>>): string {
  const overall = new Map<string, number>();
  const line = (row: Map<string, number>) => [...row].sort().map(([s, n]) => `${s}: ${n}`).join(", ");
  const lines = [...statuses].sort().map(([endpoint, row]) => {
    for (const [s, n] of row) overall.set(s, (overall.get(s) ?? 0) + n);
    return `  ${endpoint.padEnd(22)} ${line(row)}`;
  });
  return [...lines, `  ${"overall".padEnd(22)} ${line(overall)}`].join("\n");
}

async function main(): Promise<number> {
  const gw = await startCli(fuzzGatewayConfig(ADMIN_KEY, bodyLimitMb));
  const pid = gw.proc.pid!;
  const inFlight = new Map<number, FuzzRequest>();
  // Requests the client gave up on since the last answer: the server may still be working on them (and die of it).
  const abandoned: FuzzRequest[] = [];
  let sent = 0;
  // Set by the exit handler: what the process was (or may have been) working on when it died.
  const watch: { death: { how: string; afterSent: number; suspects: FuzzRequest[] } | null } = { death: null };
  gw.proc.once("exit", (code, signal) => {
    watch.death = { how: `exit code ${code}, signal ${signal}`, afterSent: sent, suspects: [...abandoned, ...inFlight.values()].sort((a, b) => a.index - b.index) };
  });
  try {
    const created = await request(`${gw.url}/admin/keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "fuzz member", role: "member" }),
    });
    if (created.statusCode !== 201) throw new Error(`could not create the member key: ${created.statusCode} ${await created.body.text()}`);
    const { key } = (await created.body.json()) as { key: string };

    const ctx = { adminKey: ADMIN_KEY, memberKey: key, bodyLimitBytes: bodyLimitMb * 1024 * 1024 };
    let only = flags.only?.split(",").map(Number);
    if (skip.size > 0 || exclude !== null) {
      only = (only ?? Array.from({ length: count }, (_, i) => i)).filter((i) => !skip.has(i) && !exclude?.test(fuzzRequest(seed, i, ctx).kind));
    }
    const before = rssKb(pid);
    let peak = before ?? 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rssKb(pid) ?? 0)), 250);
    const total = only?.length ?? count;
    console.log(`fuzz: seed ${seed}, ${total} requests, concurrency ${flags.concurrency}, body limit ${bodyLimitMb} MB, gateway pid ${pid}, RSS before ${mb(before)}`);
    const started = Date.now();
    let failed = 0, done = 0;
    const result = await runFuzz({
      url: gw.url, seed, count, only, concurrency: Number(flags.concurrency), timeoutMs: Number(flags["timeout-ms"]),
      ctx,
      alive: () => watch.death === null,
      onSend: (req) => {
        inFlight.set(req.index, req);
        sent++;
      },
      onOutcome: (o) => {
        inFlight.delete(o.req.index);
        if (o.status !== null) abandoned.length = 0;
        else if (o.problem?.includes("none within")) abandoned.push(o.req);
        if (o.problem) failed++;
        if (++done % 1000 === 0) console.log(`  ${done} answered in ${((Date.now() - started) / 1000).toFixed(1)} s, ${failed} failed, RSS ${mb(rssKb(pid))}`);
      },
    });
    const seconds = (Date.now() - started) / 1000;
    clearInterval(sampler);

    console.log(`\n${result.sent} requests in ${seconds.toFixed(1)} s (${(result.sent / seconds).toFixed(0)}/s)\n\nstatus counts:\n${statusReport(result.statuses)}`);
    console.log(result.failures.length === 0 ? "\nno 5xx, hang or cut-short answer" : `\n${result.failures.length} failures (5xx, no answer, cut short):\n${failureReport(result.failures, Number(flags.samples))}`);

    const afterMs = Number(flags["after-s"]) * 1000;
    if (watch.death === null && afterMs > 0) {
      console.log(`\nwaiting ${afterMs / 1000} s to see the memory settle…`);
      await sleep(afterMs);
    }
    const health = watch.death !== null ? null : await request(`${gw.url}/health`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.statusCode, () => 0);
    console.log(`\nRSS: before ${mb(before)}, peak during ${mb(peak)}, ${afterMs / 1000} s after ${mb(rssKb(pid))}`);
    const died = watch.death;
    if (died !== null) {
      console.log(`\nTHE GATEWAY DIED (${died.how}) after ${died.afterSent} requests had been sent. Suspects, earliest first (`
        + "the requests abandoned after the timeout since the gateway last answered, and those in flight):");
      for (const r of died.suspects.slice(0, 12)) console.log(`  #${r.index} ${r.endpoint} [${r.kind.slice(0, 160)}]`);
    } else {
      console.log(`\nthe gateway survived; GET /health → ${health || "no answer"}`);
    }
    const alarms = gw.stderr().split("\n").filter((l) => ALARMS.test(l));
    if (alarms.length > 0) console.log(`\n${alarms.length} alarming stderr lines, e.g.:\n${alarms.slice(0, 5).map((l) => `  ${l.slice(0, 400)}`).join("\n")}`);
    if (died !== null) console.log(`\nthe gateway's last stderr:\n${gw.stderr().slice(-3_000)}`);
    return result.failures.length > 0 || died !== null || health !== 200 || alarms.length > 0 ? 1 : 0;
  } finally {
    // dispose() throws when the gateway reported an unhandled rejection or uncaught exception: already counted above.
    await gw.dispose().catch((err: Error) => console.log(`\n${err.message.split("\n")[0]}`));
  }
}

process.exitCode = await main();
