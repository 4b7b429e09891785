import type { ItemPage, ItemPageQuery, StoredItem } from "./types.js";

/**
 * One page of a response's input items (GET /v1/responses/{id}/input_items):
 * in order or reversed, starting after the item `after` names (an unknown
 * `after` gives an empty page, as a cursor past the end does).
 */
export function pageOf(items: readonly StoredItem[], query: ItemPageQuery): ItemPage {
  const ordered = query.order === "asc" ? items : [...items].reverse();
  let start = 0;
  if (query.after !== undefined) {
    const at = ordered.findIndex((i) => i.id === query.after);
    start = at === -1 ? ordered.length : at + 1;
  }
  const data = ordered.slice(start, start + query.limit);
  return { data, has_more: start + query.limit < ordered.length };
}
