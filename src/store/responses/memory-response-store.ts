/**
 * Stored responses in a Map: the memory store's, and the reference the SQL
 * store is tested against (./response-store.test.ts runs one suite on all).
 * Documents are copied in and out, as a database would.
 */
import {
  MAX_CHAIN, type Conversation, type ItemPage, type ItemPageQuery, type ResponseStore, type StoredItem, type StoredResponse,
} from "./types.js";
import { pageOf } from "./item-page.js";

export class MemoryResponseStore implements ResponseStore {
  readonly #responses = new Map<string, StoredResponse>();

  async save(response: StoredResponse): Promise<void> {
    if (this.#responses.has(response.id)) return;
    this.#responses.set(response.id, structuredClone(response));
  }

  #find(owner: string, id: string, since: string | undefined): StoredResponse | undefined {
    const r = this.#responses.get(id);
    return r && r.owner === owner && (since === undefined || r.created_at >= since) ? r : undefined;
  }

  async get(owner: string, id: string, since?: string): Promise<StoredResponse["response"] | undefined> {
    const r = this.#find(owner, id, since);
    return r && structuredClone(r.response);
  }

  async inputItems(owner: string, id: string, query: ItemPageQuery, since?: string): Promise<ItemPage | undefined> {
    const r = this.#find(owner, id, since);
    return r && structuredClone(pageOf(r.input, query));
  }

  async conversation(owner: string, id: string, since?: string): Promise<Conversation> {
    const chain: StoredResponse[] = [];
    for (let next: string | null = id; next !== null && chain.length < MAX_CHAIN;) {
      const r = this.#find(owner, next, since);
      if (!r) return { missing: next };
      chain.push(r);
      next = r.previous_response_id;
    }
    const items = chain.reverse().flatMap((r) => [...r.input, ...r.response.output]);
    return { items: structuredClone(items) };
  }

  async items(owner: string, ids: readonly string[], since?: string): Promise<Map<string, StoredItem>> {
    const wanted = new Set(ids);
    const found = new Map<string, { at: string; item: StoredItem }>();
    for (const r of this.#responses.values()) {
      if (r.owner !== owner || (since !== undefined && r.created_at < since)) continue;
      for (const item of [...r.input, ...r.response.output]) {
        const seen = found.get(item.id);
        if (wanted.has(item.id) && (!seen || seen.at <= r.created_at)) found.set(item.id, { at: r.created_at, item });
      }
    }
    return new Map([...found].map(([id, { item }]) => [id, structuredClone(item)]));
  }

  async delete(owner: string, id: string): Promise<boolean> {
    if (!this.#find(owner, id, undefined)) return false;
    return this.#responses.delete(id);
  }

  async deleteOlderThan(before: string): Promise<number> {
    let deleted = 0;
    for (const [id, r] of this.#responses) {
      if (r.created_at < before && this.#responses.delete(id)) deleted++;
    }
    return deleted;
  }
}
