/**
 * `npm run fuzz`: the fuzz test's generators (test/fuzz/generators.ts) at
 * scale against one real gateway process. Prints status counts per endpoint,
 * every 5xx, hang, cut-short answer and error not in the documented shape
 * grouped with samples, whether the process survived (and, if not, which
 * requests were in flight when it died), and its resident memory (RSS) and
 * heap: at start, after a warm-up, at peak during the run, and some time
 * after it.
 *
 * The memory verdict compares RSS after the run with RSS after the warm-up,
 * each read once the process has been idle for the same time (--settle-s and
 * --after-s) and then been through a full garbage collection (asked for over
 * the inspector protocol: the gateway runs with --inspect on a loopback port
 * of its own). Idle, V8 collects nothing — no allocation, no GC — so without
 * it the figures say how much garbage was left lying about, not what is
 * kept. The warm-up loads what a first request of each kind loads for good
 * (lazy modules, compiled code, the tokenizer's tables, a full cache), so
 * what is left is growth the run itself kept. Exits 1 on any 5xx, hang,
 * malformed error, crash, uncaught error in the gateway's stderr, or RSS more
 * than --rss-tolerance (10 %) above the warmed-up figure.
 *
 * The gateway runs with glibc's allocator held to two arenas and to mmap for
 * blocks over 128 kB (MALLOC_ARENA_MAX=2, GLIBC_TUNABLES=glibc.malloc.
 * mmap_threshold=131072), as docs/security.md recommends for production:
 * by default glibc keeps what the run's large bodies freed in per-thread
 * arenas, and RSS stays up with the JavaScript heap back where it was.
 * --system-malloc runs without them, to see the difference.
 *
 *   node --import tsx bench/fuzz.ts [--count 10000] [--seed N] [--concurrency 8]
 *     [--timeout-ms 10000] [--body-limit-mb 2] [--warmup 1000] [--settle-s 60]
 *     [--after-s 60] [--rss-tolerance 0.1] [--samples 2]
 *     [--only 12,345 (replay these requests)] [--skip 678] [--exclude 'dimensions=' (a regex on the
 *     request's kind)] — skip and exclude leave out known crashers, to see past them
 */
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { request, WebSocket } from "undici";
import { startCli } from "../test/helpers/cli-server.js";
import { failureReport, fuzzGatewayConfig, fuzzRequest, runFuzz, type FuzzRequest } from "../test/fuzz/generators.js";

const { values: flags } = parseArgs({
  options: {
    count: { type: "string", default: "10000" },
    seed: { type: "string", default: String(Date.now() % 1_000_000_007) },
    concurrency: { type: "string", default: "8" },
    "timeout-ms": { type: "string", default: "10000" },
    "body-limit-mb": { type: "string", default: "2" },
    warmup: { type: "string", default: "1000" },
    "settle-s": { type: "string", default: "60" },
    "after-s": { type: "string", default: "60" },
    "rss-tolerance": { type: "string", default: "0.1" },
    "system-malloc": { type: "boolean", default: false },
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

/** A full GC in the gateway, through the inspector (HeapProfiler.collectGarbage), twice: the second takes what the first's finalizers freed. */
async function collectGarbage(inspectorUrl: string): Promise<void> {
  const ws = new WebSocket(inspectorUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error(`cannot reach the gateway's inspector at ${inspectorUrl}`));
  });
  try {
    for (const id of [1, 2]) {
      const done = new Promise<void>((resolve) => {
        ws.onmessage = (e: { data: unknown }) => {
          if ((JSON.parse(String(e.data)) as { id?: number }).id === id) resolve();
        };
      });
      ws.send(JSON.stringify({ id, method: "HeapProfiler.collectGarbage" }));
      await done;
    }
  } finally {
    ws.close();
  }
  // Freed pages go back to the system a moment later (V8's sweeper, the allocator).
  await sleep(2_000);
}

/** RSS once the process is idle: the median of five reads 200 ms apart (one read can land in a GC). */
async function settledRssKb(pid: number): Promise<number | null> {
  const reads: number[] = [];
  for (let i = 0; i < 5; i++) {
    const kb = rssKb(pid);
    if (kb === null) return null;
    reads.push(kb);
    await sleep(200);
  }
  return reads.sort((a, b) => a - b)[2]!;
}

/** The V8 heap in use and the memory outside it (Buffers, the SQLite writer's rows), from the gateway's own /metrics. */
async function heapReport(url: string): Promise<string> {
  try {
    const text = await (await request(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) })).body.text();
    const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? NaN);
    const m = (bytes: number) => (Number.isNaN(bytes) ? "n/a" : `${(bytes / 1024 / 1024).toFixed(1)} MB`);
    return `heap used ${m(metric("liaison_nodejs_heap_size_used_bytes"))} of ${m(metric("liaison_nodejs_heap_size_total_bytes"))}, external ${m(metric("liaison_nodejs_external_memory_bytes"))}`;
  } catch (err) {
    return `heap unknown (${(err as Error).message})`;
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
  // The inspector on a port of its own (port 0), for collectGarbage(); it announces its URL on stderr.
  const malloc: Record<string, string> = flags["system-malloc"] ? {} : { MALLOC_ARENA_MAX: "2", GLIBC_TUNABLES: "glibc.malloc.mmap_threshold=131072" };
  const gw = await startCli(fuzzGatewayConfig(ADMIN_KEY, bodyLimitMb), { env: { ...malloc, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --inspect=127.0.0.1:0`.trim() } });
  const pid = gw.proc.pid!;
  const inspectorUrl = /Debugger listening on (ws:\/\/\S+)/.exec(gw.stderr())?.[1];
  if (inspectorUrl === undefined) throw new Error(`the gateway did not announce its inspector:\n${gw.stderr()}`);
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
    const cold = rssKb(pid);
    const warmup = Number(flags.warmup);
    const settleMs = Number(flags["settle-s"]) * 1000;
    console.log(`fuzz: gateway pid ${pid}${flags["system-malloc"] ? "" : " (MALLOC_ARENA_MAX=2, mmap over 128 kB)"}, RSS at start ${mb(cold)}, ${await heapReport(gw.url)}`);
    if (warmup > 0) {
      // Other requests than the run's (another seed), through the same generators.
      const w = await runFuzz({ url: gw.url, seed: seed + 1, count: warmup, concurrency: Number(flags.concurrency), timeoutMs: Number(flags["timeout-ms"]), ctx, alive: () => watch.death === null });
      console.log(`warm-up: ${w.sent} requests (seed ${seed + 1}), ${w.failures.length} failed; idle ${settleMs / 1000} s…`);
      await sleep(settleMs);
    }
    const idleBefore = await settledRssKb(pid);
    await collectGarbage(inspectorUrl);
    const before = await settledRssKb(pid);
    const heapBefore = await heapReport(gw.url);
    let peak = before ?? 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rssKb(pid) ?? 0)), 250);
    const total = only?.length ?? count;
    console.log(`fuzz: seed ${seed}, ${total} requests, concurrency ${flags.concurrency}, body limit ${bodyLimitMb} MB, RSS before ${mb(before)} (after the warm-up and a full GC; ${mb(idleBefore)} idle before the GC), ${heapBefore}`);
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
    console.log(result.failures.length === 0 ? "\nno 5xx, hang, cut-short answer or error outside the documented shape" : `\n${result.failures.length} failures (5xx, no answer, cut short, error not in the documented shape):\n${failureReport(result.failures, Number(flags.samples))}`);

    const afterMs = Number(flags["after-s"]) * 1000;
    if (watch.death === null && afterMs > 0) {
      console.log(`\nwaiting ${afterMs / 1000} s to see the memory settle…`);
      await sleep(afterMs);
    }
    const idleAfter = watch.death !== null ? null : await settledRssKb(pid);
    if (watch.death === null) await collectGarbage(inspectorUrl);
    const after = watch.death !== null ? null : await settledRssKb(pid);
    const heapAfter = watch.death !== null ? "" : await heapReport(gw.url);
    const health = watch.death !== null ? null : await request(`${gw.url}/health`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.statusCode, () => 0);
    const tolerance = Number(flags["rss-tolerance"]);
    const drift = before !== null && after !== null ? (after - before) / before : null;
    const rssOk = drift !== null && drift <= tolerance;
    console.log(`\nRSS: at start ${mb(cold)}, after the warm-up ${mb(before)}, peak during ${mb(peak)}, ${afterMs / 1000} s after ${mb(idleAfter)} idle, ${mb(after)} after a full GC`
      + (drift === null ? "" : ` (${drift >= 0 ? "+" : ""}${(drift * 100).toFixed(1)} % on the warmed-up figure: ${rssOk ? "within" : "NOT within"} ${(tolerance * 100).toFixed(0)} %)`));
    console.log(`heap (after a full GC): after the warm-up ${heapBefore}; after the run ${heapAfter}`);
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
    return result.failures.length > 0 || died !== null || health !== 200 || alarms.length > 0 || !rssOk ? 1 : 0;
  } finally {
    // dispose() throws when the gateway reported an unhandled rejection or uncaught exception: already counted above.
    await gw.dispose().catch((err: Error) => console.log(`\n${err.message.split("\n")[0]}`));
  }
}

process.exitCode = await main();
