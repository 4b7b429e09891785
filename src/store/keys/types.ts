/**
 * Storage of teams and virtual keys. One interface, three backends (memory,
 * SQLite, PostgreSQL), one contract suite (test/keys/key-store.test.ts).
 * Records carry the hash of a key, never its secret.
 */

export const ROLES = ["admin", "manager", "member", "viewer"] as const;
export type Role = (typeof ROLES)[number];

export const BUDGET_PERIODS = ["daily", "weekly", "monthly", "total"] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

/** The limit fields keys and teams share (DESIGN.md §2); null = no limit of that kind. */
export interface LimitFields {
  /** Allowed model names or globs (`gpt-4o*`); null = every model. */
  models: string[] | null;
  /** MCP tools it may list and call, as globs over `SERVER__tool` names (`github__*`); null = every tool, [] = none. */
  mcp_tools: string[] | null;
  rpm: number | null;
  tpm: number | null;
  max_parallel: number | null;
  budget_usd: number | null;
  budget_period: BudgetPeriod | null;
  metadata: Record<string, unknown> | null;
}

export interface TeamRecord extends LimitFields {
  id: string;
  name: string;
  created_at: string; // ISO-8601 UTC, millisecond precision, like every timestamp here
  updated_at: string;
}

export interface ApiKeyRecord extends LimitFields {
  id: string;
  name: string;
  team_id: string | null;
  role: Role;
  /** `lsk_XXXXXXXX`: shown in lists so a key can be recognised without its secret. */
  key_prefix: string;
  /** sha256 hex of the whole key. */
  key_hash: string;
  expires_at: string | null;
  created_at: string;
  updated_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

/** Fields an update may change; `updated_at` is always set by the caller. */
export type TeamPatch = Partial<Omit<TeamRecord, "id" | "created_at" | "updated_at">> & { updated_at: string };
export type KeyPatch = Partial<Omit<ApiKeyRecord, "id" | "key_prefix" | "key_hash" | "created_at" | "updated_at" | "revoked_at" | "last_used_at">> & {
  updated_at: string;
};

export interface KeyListQuery {
  team_id?: string;
}

/** A unique column already holds the value (a team name, a key hash). */
export class DuplicateError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
    this.name = "DuplicateError";
  }
}

export interface KeyStore {
  /** Throws DuplicateError("name") when the name is taken. */
  createTeam(team: TeamRecord): Promise<TeamRecord>;
  getTeam(id: string): Promise<TeamRecord | undefined>;
  /** Oldest first. */
  listTeams(): Promise<TeamRecord[]>;
  /** undefined when no such team; throws DuplicateError("name") on a taken name. */
  updateTeam(id: string, patch: TeamPatch): Promise<TeamRecord | undefined>;

  /** Throws DuplicateError("key_hash") if the hash exists (a secret generated twice: astronomically unlikely). */
  createKey(key: ApiKeyRecord): Promise<ApiKeyRecord>;
  getKey(id: string): Promise<ApiKeyRecord | undefined>;
  /** The auth lookup: one indexed read. Revoked and expired keys are returned too; the caller decides. */
  findKeyByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  /** Oldest first; revoked keys included (their revoked_at says so). */
  listKeys(query?: KeyListQuery): Promise<ApiKeyRecord[]>;
  updateKey(id: string, patch: KeyPatch): Promise<ApiKeyRecord | undefined>;
  /** Sets revoked_at once (a second revoke keeps the first time); undefined when no such key. */
  revokeKey(id: string, at: string): Promise<ApiKeyRecord | undefined>;
  /** Batched last_used_at updates; a time older than the stored one is ignored. */
  touchKeys(touches: ReadonlyArray<{ id: string; at: string }>): Promise<void>;
}
