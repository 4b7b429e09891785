/**
 * Stored responses (`POST /v1/responses` with `store`, read back by
 * `GET /v1/responses/{id}`, continued by `previous_response_id`). The store
 * keeps documents it does not interpret: the Response object, and the items
 * around it (this request's input, then its output), each with an id.
 *
 * Every read and delete names an `owner`: a response is only ever seen by
 * the owner that stored it (server/routes/responses.ts decides who that
 * is). `since` (ISO-8601) hides responses stored before it, so retention
 * holds between the sweeps that delete them.
 */

/** An item of a conversation: an input item as the client sent it, or an output item. */
export interface StoredItem {
  id: string;
  type: string;
  [field: string]: unknown;
}

export interface StoredResponse {
  id: string;
  owner: string;
  /** ISO-8601 UTC. */
  created_at: string;
  previous_response_id: string | null;
  /** The Response object as answered (its `output` holds the output items). */
  response: { output: StoredItem[]; [field: string]: unknown };
  /** This request's input items, references resolved. */
  input: StoredItem[];
}

export interface ItemPageQuery {
  /** 1 to 100. */
  limit: number;
  order: "asc" | "desc";
  /** An item id: the page starts after it. */
  after?: string;
}

export interface ItemPage {
  data: StoredItem[];
  has_more: boolean;
}

/** A conversation up to a response: the items, or the id of the first response of the chain that is gone. */
export type Conversation = { items: StoredItem[] } | { missing: string };

/** How far back `previous_response_id` chains are followed: a guard against a cycle, never reached in practice. */
export const MAX_CHAIN = 10_000;

export interface ResponseStore {
  /** Stores a response and its items (one transaction); a second save of the same id is ignored. */
  save(response: StoredResponse): Promise<void>;
  get(owner: string, id: string, since?: string): Promise<StoredResponse["response"] | undefined>;
  /** Its input items, a page at a time; undefined when the response is not the owner's (or is gone). */
  inputItems(owner: string, id: string, query: ItemPageQuery, since?: string): Promise<ItemPage | undefined>;
  /**
   * Each response of the chain ending at `id` (following previous_response_id),
   * oldest first: its input items, then its output items.
   */
  conversation(owner: string, id: string, since?: string): Promise<Conversation>;
  /** Items by id among the owner's responses (the latest stored, when an id repeats). */
  items(owner: string, ids: readonly string[], since?: string): Promise<Map<string, StoredItem>>;
  /** Whether there was such a response to delete. */
  delete(owner: string, id: string): Promise<boolean>;
  /** Deletes responses stored before `before` (retention); returns how many. */
  deleteOlderThan(before: string): Promise<number>;
}
