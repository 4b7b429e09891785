/**
 * Retention over the memory store's arrays. Removal is in place, so the
 * store's own array (kept sorted) and id index stay the ones it holds.
 */
import { canonicalTimestamp } from "../log-query.js";
import type { LogRow } from "../types.js";
import { batchSizeOf, type LogRetention } from "./types.js";

export function memoryRetention(rows: LogRow[], byId?: Map<string, LogRow>): LogRetention {
  return {
    async deleteOlderThan(options) {
      batchSizeOf(options, "memory"); // same validation as SQL
      if (options.signal?.aborted) return 0;
      const before = canonicalTimestamp(options.before, "before");
      let kept = 0;
      for (const row of rows) {
        if (row.created_at < before) byId?.delete(row.id);
        else rows[kept++] = row;
      }
      const deleted = rows.length - kept;
      rows.length = kept;
      return deleted;
    },

    async stripBodiesOlderThan(options) {
      batchSizeOf(options, "memory");
      if (options.signal?.aborted) return 0;
      const before = canonicalTimestamp(options.before, "before");
      const since = options.since === undefined ? undefined : canonicalTimestamp(options.since, "since");
      let stripped = 0;
      for (const row of rows) {
        if (row.created_at >= before || (since !== undefined && row.created_at < since)) continue;
        if (row.request_body === null && row.response_body === null && row.attempt_log === null) continue;
        row.request_body = null;
        row.response_body = null;
        row.attempt_log = null;
        stripped += 1;
      }
      return stripped;
    },
  };
}
