/**
 * A Store in plain arrays: for library users who want no database, and for
 * tests. It follows the same contract as the SQL backends (same order, same
 * cursor, same validation, copies in and out), so code tested against it
 * behaves the same on SQLite or PostgreSQL.
 */
import {
  canonicalTimestamp,
  compareNewestFirst,
  encodeCursor,
  normalizeLogQuery,
} from "../log-query.js";
import type { LogPage, LogQuery, LogRow, LogSummary, RequestFeedback, Store } from "../types.js";
import { queryUsageInMemory, type UsageQuery, type UsageRow } from "../usage/usage-query.js";
import { queryRoutingInMemory, type RoutingQuery, type RoutingStats } from "../routing/routing-query.js";
import { MemorySpendStore } from "../spend/memory-spend-store.js";

import { MemoryKeyStore } from "../keys/memory-key-store.js";
import type { KeyStore } from "../keys/types.js";
import { MemoryResponseStore } from "../responses/memory-response-store.js";
import type { ResponseStore } from "../responses/types.js";
import { MemoryWorkflowStore } from "../workflows/memory-workflow-store.js";
import type { WorkflowStore } from "../workflows/types.js";
import { MemoryPromptStore } from "../prompts/memory-prompt-store.js";
import type { PromptStore } from "../prompts/types.js";
import { memoryRetention } from "../retention/memory-retention.js";
import type { LogRetention } from "../retention/types.js";

export class MemoryStore implements Store {
  readonly kind = "memory";
  // Kept newest first; re-sorted lazily after inserts so a burst of inserts
  // costs one sort at the next read.
  private rows: LogRow[] = [];
  private readonly byId = new Map<string, LogRow>();
  private sorted = true;

  private readonly keyStore = new MemoryKeyStore();

  async migrate(): Promise<void> {}

  keys(): KeyStore {
    return this.keyStore;
  }

  private readonly responseStore = new MemoryResponseStore();
  responses(): ResponseStore {
    return this.responseStore;
  }

  private readonly workflowStore = new MemoryWorkflowStore();
  workflows(): WorkflowStore {
    return this.workflowStore;
  }

  private readonly promptStore = new MemoryPromptStore();
  prompts(): PromptStore {
    return this.promptStore;
  }

  async insertLogs(rows: LogRow[]): Promise<void> {
    // Copy and validate everything before storing anything: all or nothing,
    // like a transaction.
    const copies = rows.map((row) => ({
      ...structuredClone(row),
      created_at: canonicalTimestamp(row.created_at, "created_at"),
    }));
    for (const row of copies) {
      // Same as the SQL backends' ON CONFLICT DO NOTHING: retries are idempotent.
      if (this.byId.has(row.id)) continue;
      this.byId.set(row.id, row);
      this.rows.push(row);
      this.sorted = false;
    }
  }

  async queryLogs(query: LogQuery): Promise<LogPage> {
    const q = normalizeLogQuery(query);
    const data: LogSummary[] = [];
    let more = false;
    for (const row of this.ordered()) {
      if (q.after !== undefined && compareNewestFirst(row, q.after) <= 0) continue;
      if (q.since !== undefined && row.created_at < q.since) continue;
      if (q.until !== undefined && row.created_at >= q.until) continue;
      if (q.model !== undefined && row.model !== q.model) continue;
      if (q.provider !== undefined && row.provider !== q.provider) continue;
      if (q.key_id !== undefined && row.key_id !== q.key_id) continue;
      if (q.team_id !== undefined && row.team_id !== q.team_id) continue;
      if (q.status !== undefined && row.status !== q.status) continue;
      if (q.prompt !== undefined && (row.prompt ?? null) !== q.prompt) continue;
      if (data.length === q.limit) {
        more = true;
        break;
      }
      data.push(summaryOf(row));
    }
    const last = data[data.length - 1];
    return { data, next_cursor: more && last !== undefined ? encodeCursor(last) : null };
  }

  retention(): LogRetention {
    return memoryRetention(this.rows, this.byId);
  }

  private spend: MemorySpendStore | undefined;
  spendStore(): MemorySpendStore {
    return (this.spend ??= new MemorySpendStore());
  }

  async queryUsage(query: UsageQuery): Promise<UsageRow[]> {
    return queryUsageInMemory(this.rows, query);
  }

  async queryRouting(query: RoutingQuery): Promise<RoutingStats[]> {
    return queryRoutingInMemory(this.ordered(), query);
  }

  async setFeedback(id: string, feedback: RequestFeedback): Promise<boolean> {
    const row = this.byId.get(id);
    if (!row) return false;
    row.feedback_score = feedback.score;
    row.feedback_comment = feedback.comment;
    return true;
  }

  async getLog(id: string): Promise<LogRow | undefined> {
    const row = this.byId.get(id);
    return row === undefined ? undefined : structuredClone(row);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}

  private ordered(): LogRow[] {
    if (!this.sorted) {
      this.rows.sort(compareNewestFirst);
      this.sorted = true;
    }
    return this.rows;
  }
}

function summaryOf(row: LogRow): LogSummary {
  const summary: Partial<LogRow> = { ...row };
  delete summary.request_body;
  delete summary.response_body;
  delete summary.attempt_log;
  return structuredClone(summary as LogSummary);
}
