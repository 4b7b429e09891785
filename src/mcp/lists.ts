/**
 * What one upstream MCP server offers — tools, prompts, resources and
 * resource templates — read whole (every page) after it connects and again
 * when it says a list changed. Only what its capabilities declare is asked for.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { RequestOptions } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { Prompt, Resource, ResourceTemplate, Tool } from "@modelcontextprotocol/sdk/types.js";

export type ListKind = "tools" | "prompts" | "resources";
export const LIST_KINDS: readonly ListKind[] = ["tools", "prompts", "resources"];

export interface UpstreamLists {
  tools: Tool[];
  prompts: Prompt[];
  resources: Resource[];
  templates: ResourceTemplate[];
}

export function emptyLists(): UpstreamLists {
  return { tools: [], prompts: [], resources: [], templates: [] };
}

/** A server that pages forever is cut off here. */
const MAX_PAGES = 100;

async function allPages<T>(page: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor?: string | undefined }>): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const { items, nextCursor } = await page(cursor);
    out.push(...items);
    if (!nextCursor) break;
    cursor = nextCursor;
  }
  return out;
}

const params = (cursor: string | undefined) => (cursor === undefined ? undefined : { cursor });

/** One kind of list, fresh from the server (resources come with their templates). */
export async function fetchList(client: Client, kind: ListKind, options: RequestOptions): Promise<Partial<UpstreamLists>> {
  const caps = client.getServerCapabilities() ?? {};
  switch (kind) {
    case "tools":
      if (!caps.tools) return { tools: [] };
      return { tools: await allPages(async (c) => { const r = await client.listTools(params(c), options); return { items: r.tools, nextCursor: r.nextCursor }; }) };
    case "prompts":
      if (!caps.prompts) return { prompts: [] };
      return { prompts: await allPages(async (c) => { const r = await client.listPrompts(params(c), options); return { items: r.prompts, nextCursor: r.nextCursor }; }) };
    case "resources":
      if (!caps.resources) return { resources: [], templates: [] };
      return {
        resources: await allPages(async (c) => { const r = await client.listResources(params(c), options); return { items: r.resources, nextCursor: r.nextCursor }; }),
        templates: await allPages(async (c) => { const r = await client.listResourceTemplates(params(c), options); return { items: r.resourceTemplates, nextCursor: r.nextCursor }; }),
      };
  }
}

/** Which kinds differ between two readings (a list changed only when its content did). */
export function changedKinds(before: UpstreamLists, after: UpstreamLists): ListKind[] {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const out: ListKind[] = [];
  if (!same(before.tools, after.tools)) out.push("tools");
  if (!same(before.prompts, after.prompts)) out.push("prompts");
  if (!same(before.resources, after.resources) || !same(before.templates, after.templates)) out.push("resources");
  return out;
}
