/**
 * Prometheus metrics (prom-client), one registry per gateway so several
 * gateways in one process (tests, library users) do not collide.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * Per-label-set children, cached in one nested map per label: prom-client
 * hashes the label object on every inc() otherwise, and a joined string key
 * would still be one allocation per lookup; at thousands of requests a second
 * both show up in profiles. Past `max` label sets, children are made but not kept.
 */
export class LabelCache<T> {
  readonly #root = new Map<string, unknown>();
  #size = 0;
  constructor(private readonly make: (...values: string[]) => T, private readonly max = 10_000) {}
  get(a: string, b?: string, c?: string, d?: string): T {
    const depth = d !== undefined ? 4 : c !== undefined ? 3 : b !== undefined ? 2 : 1;
    let map = this.#root;
    for (let i = 0; i < depth - 1; i++) {
      const key = i === 0 ? a : i === 1 ? b! : c!;
      let next = map.get(key) as Map<string, unknown> | undefined;
      if (!next) {
        next = new Map();
        map.set(key, next);
      }
      map = next;
    }
    const last = depth === 1 ? a : depth === 2 ? b! : depth === 3 ? c! : d!;
    let child = map.get(last) as T | undefined;
    if (child === undefined) {
      child = depth === 1 ? this.make(a) : depth === 2 ? this.make(a, b!) : depth === 3 ? this.make(a, b!, c!) : this.make(a, b!, c!, d!);
      if (this.#size < this.max) {
        map.set(last, child);
        this.#size++;
      }
    }
    return child;
  }
}

/**
 * Hot counters add up in plain numbers and hand their sums to prom-client when
 * it is scraped (the counter's collect hook): a prom-client child's inc()
 * hashes and checks its label object on every call, which showed up at
 * thousands of requests a second. Past `max` label sets a child increments
 * prom-client directly, so the pending list stays bounded.
 */
class DeferredCounters {
  readonly #pending: { labels: Record<string, string>; sum: number }[] = [];
  #counter: Counter<string> | undefined;
  constructor(private readonly max = 10_000) {}

  /** The counter's collect hook: moves every pending sum into prom-client. */
  readonly flush = (): void => {
    const counter = this.#counter;
    if (!counter) return;
    for (const p of this.#pending) {
      if (p.sum === 0) continue;
      counter.inc(p.labels, p.sum);
      p.sum = 0;
    }
  };

  bind<T extends Counter<string>>(counter: T): T {
    this.#counter = counter;
    return counter;
  }

  child(labels: Record<string, string>): { inc(n?: number): void } {
    const counter = this.#counter!;
    if (this.#pending.length >= this.max) return { inc: (n = 1) => counter.inc(labels, n) };
    const entry = { labels, sum: 0 };
    this.#pending.push(entry);
    return { inc: (n = 1) => { entry.sum += n; } };
  }
}

export class Metrics {
  readonly registry = new Registry();
  readonly requests: Counter<"endpoint" | "model" | "provider" | "status">;
  readonly duration: Histogram<"endpoint">;
  readonly ttft: Histogram<"endpoint">;
  readonly upstreamErrors: Counter<"provider" | "code">;
  readonly inFlight: Gauge;
  readonly logQueueDepth: Gauge;
  readonly logRowsWritten: Counter;
  readonly logRowsDropped: Counter<"reason">;
  readonly logWriteErrors: Counter;
  readonly logSpoolBytes: Gauge;
  /** Errors caught where nothing else would catch them (bookkeeping after an answer, logging, metrics, tracing), by where. */
  readonly internalErrors: Counter<"site">;

  /** Where gauges read their value at scrape time (set by the engine). */
  readonly sources = {
    inFlight: (): number => 0,
    logQueueDepth: (): number => 0,
    logSpoolBytes: (): number => 0,
    circuits: (): { key: string; state: "closed" | "open" | "half_open" }[] => [],
    degraded: (): Record<string, boolean> => ({}),
  };
  readonly sharedStateDegraded: Gauge<"component">;
  readonly attempts: Counter<"provider" | "outcome">;
  readonly attemptChild: LabelCache<{ inc(n?: number): void }>;
  readonly requestChild: LabelCache<{ inc(n?: number): void }>;
  readonly durationChild: LabelCache<{ observe(v: number): void }>;
  readonly ttftChild: LabelCache<{ observe(v: number): void }>;
  readonly retries: Counter<"kind">;
  readonly circuitState: Gauge<"target">;
  readonly tokens: Counter<"direction" | "provider" | "model">;
  readonly cost: Counter<"provider" | "model">;
  readonly cacheLookups: Counter<"endpoint" | "result">;
  readonly cacheSaved: Counter<"provider" | "model">;
  readonly cacheErrors: Counter<"site">;
  /** MCP tool calls (src/mcp) by server, tool and outcome (ok, tool_error, or why the call failed). */
  readonly mcpCalls: Counter<"server" | "tool" | "outcome">;
  readonly mcpDuration: Histogram<"server">;
  /** The learned router's score per routed request, by model and the target it chose (strategy learned / cascade). */
  readonly routeScore: Histogram<"model" | "target">;
  /** Per provider+model children of tokens (prompt, completion) and cost, cached like requestChild. */
  readonly usageChild: LabelCache<{ prompt: { inc(n: number): void }; completion: { inc(n: number): void }; cost: { inc(n: number): void } }>;

  constructor(options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    const sources = this.sources;
    const requestSums = new DeferredCounters();
    const attemptSums = new DeferredCounters();
    const tokenSums = new DeferredCounters(4_000);
    const costSums = new DeferredCounters(2_000);
    this.requests = requestSums.bind(new Counter({
      name: "liaison_requests_total",
      help: "Requests handled, by endpoint, model, provider and HTTP status.",
      labelNames: ["endpoint", "model", "provider", "status"],
      registers,
      collect: requestSums.flush,
    }));
    this.duration = new Histogram({
      name: "liaison_request_duration_seconds",
      help: "Time from request received to response finished.",
      labelNames: ["endpoint"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    });
    this.ttft = new Histogram({
      name: "liaison_time_to_first_token_seconds",
      help: "Streams: time from request received to the first chunk sent.",
      labelNames: ["endpoint"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.upstreamErrors = new Counter({
      name: "liaison_upstream_errors_total",
      help: "Failed upstream calls, by provider and error code.",
      labelNames: ["provider", "code"],
      registers,
    });
    this.inFlight = new Gauge({
      name: "liaison_requests_in_flight", help: "Requests being handled now.", registers,
      collect() { this.set(sources.inFlight()); },
    });
    this.logQueueDepth = new Gauge({
      name: "liaison_log_queue_depth", help: "Request-log rows waiting to be written.", registers,
      collect() { this.set(sources.logQueueDepth()); },
    });
    this.logRowsWritten = new Counter({ name: "liaison_log_rows_written_total", help: "Request-log rows written to the store.", registers });
    this.logRowsDropped = new Counter({
      name: "liaison_log_rows_dropped_total",
      help: "Request-log rows that could not be stored, by reason: queue_full (memory and spool full), write_failed (a row the store refuses on its own), spool_failed (the spool could not write or read them), closed (arrived after shutdown began).",
      labelNames: ["reason"],
      registers,
    });
    this.attempts = attemptSums.bind(new Counter({
      name: "liaison_upstream_attempts_total",
      help: "Upstream attempts by provider and outcome (ok, error, skipped: circuit open or upstream limit reached).",
      labelNames: ["provider", "outcome"],
      registers,
      collect: attemptSums.flush,
    }));
    this.retries = new Counter({
      name: "liaison_retries_total",
      help: "Moves to another attempt: retry, fallback, context_window_fallback, content_policy_fallback.",
      labelNames: ["kind"],
      registers,
    });
    const STATE = { closed: 0, half_open: 1, open: 2 } as const;
    this.circuitState = new Gauge({
      name: "liaison_circuit_state",
      help: "Circuit breaker state per configured target: 0 closed, 1 half-open, 2 open.",
      labelNames: ["target"],
      registers,
      collect() {
        for (const c of sources.circuits()) this.set({ target: c.key }, STATE[c.state]);
      },
    });
    this.sharedStateDegraded = new Gauge({
      name: "liaison_shared_state_degraded",
      help: "1 while a shared component (limits, budgets) runs on this instance's own counts because Redis is unreachable.",
      labelNames: ["component"],
      registers,
      collect() {
        for (const [component, degraded] of Object.entries(sources.degraded())) this.set({ component }, degraded ? 1 : 0);
      },
    });
    this.tokens = tokenSums.bind(new Counter({
      name: "liaison_tokens_total",
      help: "Tokens billed by upstreams, by direction (prompt, completion), provider and upstream model. Cache hits add none.",
      labelNames: ["direction", "provider", "model"],
      registers,
      collect: tokenSums.flush,
    }));
    this.cost = costSums.bind(new Counter({
      name: "liaison_cost_usd_total",
      help: "Cost of upstream calls in USD (price catalogue), by provider and upstream model.",
      labelNames: ["provider", "model"],
      registers,
      collect: costSums.flush,
    }));
    this.cacheLookups = new Counter({
      name: "liaison_cache_requests_total",
      help: "Response-cache outcomes: hit, semantic_hit, miss, bypass.",
      labelNames: ["endpoint", "result"],
      registers,
    });
    this.cacheSaved = new Counter({
      name: "liaison_cache_saved_usd_total",
      help: "What cache hits would have cost upstream, in USD, by the provider and model that made the cached answer.",
      labelNames: ["provider", "model"],
      registers,
    });
    this.cacheErrors = new Counter({
      name: "liaison_cache_errors_total",
      help: "Response-cache failures (Redis, PostgreSQL, embeddings) that turned a lookup or write into a miss, by where they happened.",
      labelNames: ["site"],
      registers,
    });
    this.usageChild = new LabelCache((provider, model) => ({
      prompt: tokenSums.child({ direction: "prompt", provider: provider!, model: model! }),
      completion: tokenSums.child({ direction: "completion", provider: provider!, model: model! }),
      cost: costSums.child({ provider: provider!, model: model! }),
    }), 2_000);
    this.logWriteErrors = new Counter({ name: "liaison_log_write_errors_total", help: "Failed attempts to write a batch of log rows.", registers });
    this.logSpoolBytes = new Gauge({
      name: "liaison_log_spool_bytes", help: "Request-log rows waiting on disk (the spool) while the store cannot take them, in bytes.", registers,
      collect() { this.set(sources.logSpoolBytes()); },
    });
    this.internalErrors = new Counter({
      name: "liaison_internal_errors_total",
      help: "Unexpected errors caught off the request path (bookkeeping, logging, metrics, tracing), by where they happened.",
      labelNames: ["site"],
      registers,
    });
    this.mcpCalls = new Counter({
      name: "liaison_mcp_calls_total",
      help: "MCP tools/call requests on /mcp, by MCP server, tool (SERVER__tool) and outcome: ok, tool_error (the tool's own error result), or the error code (tool_not_allowed, rate_limit_exceeded, mcp_server_unavailable, mcp_timeout, ...). Calls to unknown tools have empty server and tool.",
      labelNames: ["server", "tool", "outcome"],
      registers,
    });
    this.routeScore = new Histogram({
      name: "liaison_route_score",
      help: "The learned router's score for each routed prompt (0–1, higher = needs a stronger model), by model and the target chosen.",
      labelNames: ["model", "target"],
      buckets: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
      registers,
    });
    this.mcpDuration = new Histogram({
      name: "liaison_mcp_call_duration_seconds",
      help: "MCP tools/call latency on /mcp, from the call received to its answer (waiting for a server to start included), by MCP server.",
      labelNames: ["server"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    });
    const duration = this.duration;
    this.requestChild = new LabelCache((endpoint, model, provider, status) => requestSums.child({ endpoint: endpoint!, model: model!, provider: provider!, status: status! }));
    this.durationChild = new LabelCache((endpoint) => duration.labels(endpoint!));
    const ttft = this.ttft;
    this.ttftChild = new LabelCache((endpoint) => ttft.labels(endpoint!));
    this.attemptChild = new LabelCache((provider, outcome) => attemptSums.child({ provider: provider!, outcome: outcome! }));
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: "liaison_" });
  }
}
