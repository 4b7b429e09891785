/**
 * The configured MCP servers behind /mcp, as one: the union of their tools,
 * prompts and resources under the gateway's names (`SERVER__name`; resource
 * URIs stay as the servers wrote them), the server behind each name, and
 * their health for GET /admin/mcp. Servers start when first needed.
 */
import type { Prompt, Resource, ResourceTemplate, Tool } from "@modelcontextprotocol/sdk/types.js";
import { UriTemplate } from "@modelcontextprotocol/sdk/shared/uriTemplate.js";
import type { CircuitBreakers, CircuitState } from "../engine/health/index.js";
import type { Logger } from "../telemetry/logger.js";
import type { McpConfig, TransportKind } from "./connect.js";
import type { ListKind } from "./lists.js";
import { qualify, splitName } from "./tool-names.js";
import { Upstream, type UpstreamStatus } from "./upstream.js";

export interface McpHubDeps {
  breakers: CircuitBreakers;
  logger: Pick<Logger, "warn" | "info">;
}

/** One server as GET /admin/mcp shows it. */
export interface McpServerStatus {
  name: string;
  transport: TransportKind;
  status: UpstreamStatus;
  /** Its tools' gateway names (`SERVER__tool`), as last listed. */
  tools: string[];
  last_error: string | null;
  /** Restarts after the process exited (stdio). */
  restarts: number;
  /** The breaker of an HTTP server (`mcp:NAME`). */
  circuit?: CircuitState;
}

/** How long GET /admin/mcp waits for a server it starts or pings. */
const STATUS_WAIT_MS = 5_000;

export class McpHub {
  readonly #upstreams = new Map<string, Upstream>();
  readonly #listeners = new Set<(kinds: ListKind[]) => void>();
  readonly #breakers: CircuitBreakers;

  constructor(config: McpConfig, deps: McpHubDeps) {
    this.#breakers = deps.breakers;
    for (const [name, spec] of Object.entries(config.servers)) {
      this.#upstreams.set(name, new Upstream(name, spec, spec.timeout_ms ?? config.timeout_ms, {
        breakers: deps.breakers,
        logger: deps.logger,
        restart: config.restart,
        onChanged: (_server, kinds) => { for (const listener of this.#listeners) listener(kinds); },
      }));
    }
  }

  /** Called with the kinds of list that changed on any server; returns the unsubscribe. */
  onChange(listener: (kinds: ListKind[]) => void): () => void {
    this.#listeners.add(listener);
    return () => { this.#listeners.delete(listener); };
  }

  /** Starts the servers never listed yet and waits for them, each within its own timeout (the rest answer from what they last listed). */
  async ready(): Promise<void> {
    await Promise.all([...this.#upstreams.values()].filter((u) => !u.listed).map((u) => u.client(u.timeoutMs).then(() => {}, () => {})));
  }

  upstream(server: string): Upstream | undefined {
    return this.#upstreams.get(server);
  }

  /** The server and its own name behind a gateway name; undefined for a server not configured, or a name its list lacks. */
  resolve(fullName: string, kind: "tools" | "prompts"): { upstream: Upstream; name: string } | undefined {
    const parts = splitName(fullName);
    const upstream = parts && this.#upstreams.get(parts.server);
    if (!parts || !upstream) return undefined;
    // A server never listed (it did not start yet) is given the benefit of the doubt: the request starts it, and it answers.
    const list: { name: string }[] = upstream.lists[kind];
    if (upstream.listed && !list.some((item) => item.name === parts.name)) return undefined;
    return { upstream, name: parts.name };
  }

  tools(): Tool[] {
    return this.#each((u) => u.lists.tools.map((t) => ({ ...t, name: qualify(u.name, t.name) })));
  }

  prompts(): Prompt[] {
    return this.#each((u) => u.lists.prompts.map((p) => ({ ...p, name: qualify(u.name, p.name) })));
  }

  resources(): Resource[] {
    return this.#each((u) => u.lists.resources.map((r) => ({ ...r, name: qualify(u.name, r.name) })));
  }

  resourceTemplates(): ResourceTemplate[] {
    return this.#each((u) => u.lists.templates.map((t) => ({ ...t, name: qualify(u.name, t.name) })));
  }

  /** The server a resource URI belongs to (a listed resource first, then a template that matches), with the resource's gateway name. */
  resourceOwner(uri: string): { upstream: Upstream; name: string } | undefined {
    for (const u of this.#upstreams.values()) {
      const r = u.lists.resources.find((res) => res.uri === uri);
      if (r) return { upstream: u, name: qualify(u.name, r.name) };
    }
    for (const u of this.#upstreams.values()) {
      const t = u.lists.templates.find((tpl) => matches(tpl.uriTemplate, uri));
      if (t) return { upstream: u, name: qualify(u.name, t.name) };
    }
    return undefined;
  }

  /** Every server with its tools and health: servers not started yet are started, HTTP servers that look up are pinged. */
  async status(): Promise<McpServerStatus[]> {
    await Promise.all([...this.#upstreams.values()].map(async (u) => {
      const wait = Math.min(u.timeoutMs, STATUS_WAIT_MS);
      if (u.status === "up" && u.transport === "http") await u.request((c, o) => c.ping(o), wait).catch(() => {});
      else if (u.status === "down") await u.client(wait).catch(() => {});
    }));
    return [...this.#upstreams.values()].map((u) => ({
      name: u.name,
      transport: u.transport,
      status: u.status,
      tools: u.lists.tools.map((t) => qualify(u.name, t.name)),
      last_error: u.lastError,
      restarts: u.restarts,
      ...(u.transport === "http" ? { circuit: this.#breakers.snapshot(u.breakerKey).state } : {}),
    }));
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    await Promise.allSettled([...this.#upstreams.values()].map((u) => u.close()));
  }

  #each<T>(items: (u: Upstream) => T[]): T[] {
    return [...this.#upstreams.values()].flatMap(items);
  }
}

function matches(template: string, uri: string): boolean {
  try {
    return new UriTemplate(template).match(uri) !== null;
  } catch {
    return false; // a template the SDK cannot parse matches nothing
  }
}
