/**
 * One configured MCP server as the gateway sees it: started on demand,
 * its lists kept, its health known.
 *
 *   down ──(a request needs it)──▶ starting ──▶ up
 *   up ──(stdio: the process exits)──▶ restarting ──(backoff)──▶ up
 *   up ──(HTTP: unreachable)──▶ down
 *
 * A stdio server that exits is restarted with backoff (initial delay, doubled
 * after each start that fails or dies within STABLE_MS, up to the maximum);
 * requests that arrive meanwhile wait for it, each within its own timeout,
 * then fail with a JSON-RPC error. A stdio server that never came up is
 * tried again on demand, at most once per backoff delay. An HTTP server has
 * a circuit breaker like a model target's (`mcp:NAME`, routing.circuit_breaker):
 * while it is open, requests fail at once.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { RequestOptions } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { CircuitBreakers } from "../engine/health/index.js";
import type { Logger } from "../telemetry/logger.js";
import { connect, StartFailure, transportOf, type Connection, type McpConfig, type McpServerConfig, type TransportKind } from "./connect.js";
import { waiters, withDeadline } from "./deadline.js";
import { describeError, fromUpstream, McpCallError } from "./errors.js";
import { changedKinds, emptyLists, fetchList, LIST_KINDS, type ListKind, type UpstreamLists } from "./lists.js";

export type UpstreamStatus = "up" | "down" | "restarting";

/** A process that dies sooner than this after it came up counts as a failed start (its next restart waits longer). */
const STABLE_MS = 30_000;

export interface UpstreamDeps {
  breakers: CircuitBreakers;
  logger: Pick<Logger, "warn" | "info">;
  restart: McpConfig["restart"];
  /** The server's lists changed: after it (re)connected, or when it said so. */
  onChanged(server: string, kinds: ListKind[]): void;
}

type State = "idle" | "starting" | "up" | "restarting" | "down";

export class Upstream {
  readonly transport: TransportKind;
  readonly breakerKey: string;
  readonly #d: UpstreamDeps;
  #state: State = "idle";
  #conn: Connection | undefined;
  /** Which connection is current: a close reported by an older one is ignored. */
  #token: { lost: boolean } | undefined;
  #everUp = false;
  #upSince = 0;
  #lastError: string | null = null;
  #restarts = 0;
  /** Failed (or short-lived) starts in a row: the backoff exponent. */
  #failures = 0;
  /** down: no new start before this (epoch ms). */
  #retryAt = 0;
  #lists: UpstreamLists = emptyLists();
  #listed = false;
  #ready = waiters<Client>();
  #starting: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(readonly name: string, readonly spec: McpServerConfig, readonly timeoutMs: number, deps: UpstreamDeps) {
    this.transport = transportOf(spec);
    this.breakerKey = `mcp:${name}`;
    this.#d = deps;
  }

  get status(): UpstreamStatus {
    if (this.#state === "up") return "up";
    if (this.#state === "restarting" || (this.#state === "starting" && this.#everUp)) return "restarting";
    return "down";
  }

  get lastError(): string | null { return this.#lastError; }
  get restarts(): number { return this.#restarts; }
  /** What it offered when last asked (kept while it restarts or is down). */
  get lists(): UpstreamLists { return this.#lists; }
  /** Whether its lists have been read at least once. */
  get listed(): boolean { return this.#listed; }

  /** The connected client, starting the server or waiting for its restart as needed, within `timeoutMs`. */
  async client(timeoutMs: number): Promise<Client> {
    if (this.#closed) throw this.#unavailable("the gateway is shutting down");
    if (this.#state === "up" && this.#conn) return this.#conn.client;
    if (!this.#starting && this.#state !== "restarting") {
      if (this.transport === "http" && !this.#d.breakers.allow(this.breakerKey)) {
        const retryAt = this.#d.breakers.snapshot(this.breakerKey).retryAt;
        throw this.#unavailable(`its circuit is open${retryAt ? ` until ${new Date(retryAt).toISOString()}` : ""} after repeated failures`);
      }
      if (this.transport === "stdio" && this.#state === "down" && Date.now() < this.#retryAt) {
        throw this.#unavailable(`it could not be started; the next try is in ${Math.ceil((this.#retryAt - Date.now()) / 1000)} s`);
      }
      this.#start();
    }
    return withDeadline(this.#ready.promise, timeoutMs, () => this.#unavailable(
      this.#everUp ? `it is restarting and was not back within ${timeoutMs} ms` : `it did not start within ${timeoutMs} ms`,
    ));
  }

  /**
   * One request to the server (`run` gets the client and the SDK's request
   * options), the wait for the server included in `timeoutMs`. Failures come
   * out as McpCallErrors; a server found unreachable is marked down.
   */
  async request<T>(run: (client: Client, options: RequestOptions) => Promise<T>, timeoutMs: number, signal?: AbortSignal): Promise<T> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      const client = await this.client(timeoutMs - (Date.now() - started));
      const left = Math.max(1, timeoutMs - (Date.now() - started));
      try {
        const result = await run(client, { timeout: left, ...(signal ? { signal } : {}) });
        if (this.transport === "http") this.#d.breakers.record(this.breakerKey, true);
        return result;
      } catch (err) {
        if (signal?.aborted) throw new McpCallError("client_closed", "The request was cancelled.");
        // An HTTP server that forgot our session (it restarted) never ran the request: reconnect and send it once more.
        if (attempt === 0 && err instanceof StreamableHTTPError && err.code === 404) {
          this.#drop(client, "its session ended (the server restarted)", false);
          continue;
        }
        const { error, transport } = fromUpstream(this.name, err, timeoutMs);
        if (transport && this.transport === "http") {
          this.#d.breakers.record(this.breakerKey, false);
          // A slow answer says the server is slow, not gone: the connection stays.
          if (error.reason !== "mcp_timeout") this.#drop(client, describeError(err), true);
        }
        throw error;
      }
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#ready.reject(this.#unavailable("the gateway is shutting down"));
    const conn = this.#conn;
    this.#conn = undefined;
    this.#token = undefined;
    await conn?.close();
    await this.#starting; // an attempt under way closes what it opened once it sees #closed
  }

  #unavailable(why: string): McpCallError {
    const last = this.#lastError && !why.includes(this.#lastError) ? ` (last error: ${this.#lastError})` : "";
    return new McpCallError("mcp_server_unavailable", `MCP server '${this.name}' is unavailable: ${why}${last}.`, { data: { server: this.name, status: this.status } });
  }

  #start(): void {
    if (this.#starting || this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#state = this.#everUp && this.transport === "stdio" ? "restarting" : "starting";
    this.#starting = this.#attempt().finally(() => { this.#starting = undefined; });
  }

  async #attempt(): Promise<void> {
    const token = { lost: false };
    let conn: Connection | undefined;
    try {
      conn = await connect(this.spec, this.timeoutMs, {
        onClose: () => this.#lost(token),
        onListChanged: (kind) => { this.#refresh([kind]); },
      });
      const lists = await this.#read(conn.client, LIST_KINDS);
      if (this.#closed) return void (await conn.close());
      if (token.lost) throw new StartFailure("it exited right after it started", conn.stderrTail());
      this.#up(conn, token, lists);
    } catch (err) {
      await conn?.close();
      if (this.#closed) return;
      this.#startFailed(err);
    }
  }

  #up(conn: Connection, token: { lost: boolean }, lists: UpstreamLists): void {
    const wasUp = this.#everUp;
    this.#conn = conn;
    this.#token = token;
    this.#state = "up";
    this.#everUp = true;
    this.#upSince = Date.now();
    if (wasUp) this.#restarts++;
    if (this.transport === "http") this.#d.breakers.record(this.breakerKey, true);
    this.#d.logger.info({ mcp_server: this.name, restarts: this.#restarts }, wasUp ? "MCP server restarted" : "MCP server started");
    this.#setLists(lists);
    this.#ready.resolve(conn.client);
  }

  #startFailed(err: unknown): void {
    this.#failures++;
    this.#lastError = describeError(err);
    if (this.transport === "http") this.#d.breakers.record(this.breakerKey, false);
    const what = this.transport === "stdio" ? "could not be started" : "could not be reached";
    this.#d.logger.warn({ mcp_server: this.name, err: this.#lastError }, `MCP server ${what}`);
    if (this.#everUp && this.transport === "stdio") {
      // Restarting: whoever waits keeps waiting (each within its own timeout) for the next try.
      this.#state = "restarting";
      this.#schedule();
      return;
    }
    this.#state = "down";
    this.#retryAt = Date.now() + this.#delay();
    const failed = this.#ready;
    this.#ready = waiters();
    failed.reject(this.#unavailable(`it ${what}: ${this.#lastError}`));
  }

  /** The connection ended without our asking: a stdio server is restarted, an HTTP one is down until needed. */
  #lost(token: { lost: boolean }): void {
    token.lost = true;
    if (this.#closed || token !== this.#token) return;
    const conn = this.#conn!;
    this.#conn = undefined;
    this.#token = undefined;
    this.#ready = waiters(); // the next requests wait for the next connection
    const stderr = conn.stderrTail();
    this.#lastError = this.transport === "stdio" ? `the process exited${stderr ? `; stderr: ${stderr}` : ""}` : "the connection closed";
    if (Date.now() - this.#upSince < STABLE_MS) this.#failures++;
    else this.#failures = 0;
    if (this.transport === "http") {
      this.#state = "down";
      return;
    }
    this.#d.logger.warn({ mcp_server: this.name, err: this.#lastError }, "MCP server exited; restarting it");
    this.#state = "restarting";
    this.#schedule();
  }

  /** An HTTP connection found broken: dropped, and the server down until a request needs it again. */
  #drop(client: Client, why: string, failure: boolean): void {
    if (this.#conn?.client !== client) return;
    const conn = this.#conn;
    this.#conn = undefined;
    this.#token = undefined;
    this.#ready = waiters();
    this.#state = "down";
    if (failure) this.#lastError = why;
    void conn.close();
  }

  #delay(): number {
    const { initial_delay_ms: initial, max_delay_ms: max } = this.#d.restart;
    return Math.min(max, initial * 2 ** Math.max(0, this.#failures - 1));
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#start();
    }, this.#delay());
    this.#timer.unref();
  }

  async #read(client: Client, kinds: readonly ListKind[]): Promise<UpstreamLists> {
    const next = { ...this.#lists };
    for (const kind of kinds) Object.assign(next, await fetchList(client, kind, { timeout: this.timeoutMs }));
    return next;
  }

  /** The server said a list changed: read it again, and pass the change on if there was one. */
  #refresh(kinds: ListKind[]): void {
    const conn = this.#conn;
    if (!conn || this.#state !== "up") return;
    this.#read(conn.client, kinds).then(
      (lists) => { if (this.#conn === conn) this.#setLists(lists); },
      (err: unknown) => this.#d.logger.warn({ mcp_server: this.name, err: describeError(err) }, "MCP server's list could not be read"),
    );
  }

  #setLists(lists: UpstreamLists): void {
    const changed = this.#listed ? changedKinds(this.#lists, lists) : [...LIST_KINDS];
    this.#lists = lists;
    this.#listed = true;
    if (changed.length) this.#d.onChanged(this.name, changed);
  }
}
