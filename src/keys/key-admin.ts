/**
 * Key and team operations behind the admin API and the library: builds
 * records, mints secrets, maps store outcomes to the error catalog, and
 * invalidates the key cache on every change. Authorization is the caller's
 * (the routes ask roles.can() first); this layer trusts its input.
 */
import { GatewayError } from "../core/errors.js";
import { newId } from "../core/ids.js";
import { DuplicateError, type ApiKeyRecord, type KeyPatch, type KeyStore, type TeamPatch, type TeamRecord } from "../store/keys/types.js";
import type { CreateKeyInput, CreateTeamInput, UpdateKeyInput, UpdateTeamInput } from "./admin-input.js";
import type { KeyCache } from "./key-cache.js";
import { generateKey } from "./secrets.js";

/** A key as the admin API shows it: everything but the hash. */
export type PublicKey = Omit<ApiKeyRecord, "key_hash">;

export function publicKey(record: ApiKeyRecord): PublicKey {
  const { key_hash: _hash, ...rest } = record;
  return rest;
}

export interface KeyAdminDeps {
  store: KeyStore;
  /** Invalidated on every change; omit when nothing caches lookups. */
  cache?: Pick<KeyCache, "invalidateKey" | "invalidateTeam">;
  now?: () => number;
}

export function keyNotFound(id: string): GatewayError {
  return new GatewayError("route_not_found", `No key with id '${id}'.`, { clientCode: "key_not_found" });
}

export function teamNotFound(id: string): GatewayError {
  return new GatewayError("route_not_found", `No team with id '${id}'.`, { clientCode: "team_not_found" });
}

function nameTaken(name: string): GatewayError {
  return new GatewayError("invalid_request", `A team named '${name}' already exists.`, {
    status: 409, clientCode: "team_name_taken", param: "name", retryable: false,
  });
}

export class KeyAdmin {
  readonly #store: KeyStore;
  readonly #cache: KeyAdminDeps["cache"];
  readonly #now: () => number;

  constructor(deps: KeyAdminDeps) {
    this.#store = deps.store;
    this.#cache = deps.cache;
    this.#now = deps.now ?? Date.now;
  }

  #iso(): string {
    return new Date(this.#now()).toISOString();
  }

  /** Mints a key; the returned `key` is the only time the secret exists outside the caller's hands. */
  async createKey(input: CreateKeyInput): Promise<{ key: string; record: ApiKeyRecord }> {
    const team_id = input.team_id ?? null;
    if (team_id !== null && (await this.#store.getTeam(team_id)) === undefined) {
      throw new GatewayError("invalid_request", `No team with id '${team_id}'.`, { param: "team_id" });
    }
    this.#checkExpiry(input.expires_at);
    const now = this.#iso();
    const secret = generateKey();
    const record: ApiKeyRecord = {
      id: newId("key"),
      name: input.name,
      team_id,
      role: input.role ?? "member",
      key_prefix: secret.prefix,
      key_hash: secret.hash,
      ...limits(input),
      expires_at: input.expires_at ?? null,
      created_at: now,
      updated_at: now,
      revoked_at: null,
      last_used_at: null,
    };
    return { key: secret.key, record: await this.#store.createKey(record) };
  }

  async getKey(id: string): Promise<ApiKeyRecord> {
    const key = await this.#store.getKey(id);
    if (key === undefined) throw keyNotFound(id);
    return key;
  }

  listKeys(team_id?: string): Promise<ApiKeyRecord[]> {
    return this.#store.listKeys(team_id === undefined ? {} : { team_id });
  }

  async updateKey(id: string, input: UpdateKeyInput): Promise<ApiKeyRecord> {
    if (input.team_id != null && (await this.#store.getTeam(input.team_id)) === undefined) {
      throw new GatewayError("invalid_request", `No team with id '${input.team_id}'.`, { param: "team_id" });
    }
    this.#checkExpiry(input.expires_at);
    const patch: KeyPatch = { ...stripUndefined(input), updated_at: this.#iso() };
    const updated = await this.#store.updateKey(id, patch);
    if (updated === undefined) throw keyNotFound(id);
    this.#cache?.invalidateKey(updated.key_hash);
    return updated;
  }

  /** Revokes at once on this instance (and, with Redis, on every other); idempotent. */
  async revokeKey(id: string): Promise<ApiKeyRecord> {
    const revoked = await this.#store.revokeKey(id, this.#iso());
    if (revoked === undefined) throw keyNotFound(id);
    this.#cache?.invalidateKey(revoked.key_hash);
    return revoked;
  }

  async createTeam(input: CreateTeamInput): Promise<TeamRecord> {
    const now = this.#iso();
    const team: TeamRecord = { id: newId("team"), name: input.name, ...limits(input), created_at: now, updated_at: now };
    try {
      return await this.#store.createTeam(team);
    } catch (err) {
      if (err instanceof DuplicateError && err.field === "name") throw nameTaken(input.name);
      throw err;
    }
  }

  async getTeam(id: string): Promise<TeamRecord> {
    const team = await this.#store.getTeam(id);
    if (team === undefined) throw teamNotFound(id);
    return team;
  }

  listTeams(): Promise<TeamRecord[]> {
    return this.#store.listTeams();
  }

  async updateTeam(id: string, input: UpdateTeamInput): Promise<TeamRecord> {
    const patch: TeamPatch = { ...stripUndefined(input), updated_at: this.#iso() };
    let updated: TeamRecord | undefined;
    try {
      updated = await this.#store.updateTeam(id, patch);
    } catch (err) {
      if (err instanceof DuplicateError && err.field === "name") throw nameTaken(input.name ?? "");
      throw err;
    }
    if (updated === undefined) throw teamNotFound(id);
    // Cached keys carry their team's limits.
    this.#cache?.invalidateTeam(id);
    return updated;
  }

  #checkExpiry(expires_at: string | null | undefined): void {
    if (expires_at != null && Date.parse(expires_at) <= this.#now()) {
      throw new GatewayError("invalid_request", "expires_at must be in the future.", { param: "expires_at" });
    }
  }
}

function limits(input: CreateKeyInput | CreateTeamInput) {
  const budget_usd = input.budget_usd ?? null;
  return {
    models: input.models ?? null,
    mcp_tools: input.mcp_tools ?? null,
    rpm: input.rpm ?? null,
    tpm: input.tpm ?? null,
    max_parallel: input.max_parallel ?? null,
    budget_usd,
    // A budget without a period is a lifetime budget.
    budget_period: input.budget_period ?? (budget_usd === null ? null : "total"),
    metadata: input.metadata ?? null,
  };
}

function stripUndefined<T extends object>(input: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
