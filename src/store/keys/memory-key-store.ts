/**
 * Teams and keys in Maps: for library users without a database, and tests.
 * Records are copied in and out, like rows of a real database, so a caller
 * mutating what it got back cannot change what is stored.
 */
import {
  DuplicateError,
  type ApiKeyRecord,
  type KeyListQuery,
  type KeyPatch,
  type KeyStore,
  type TeamPatch,
  type TeamRecord,
} from "./types.js";

function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export class MemoryKeyStore implements KeyStore {
  private readonly teams = new Map<string, TeamRecord>();
  private readonly keys = new Map<string, ApiKeyRecord>();
  private readonly byHash = new Map<string, string>();

  async createTeam(team: TeamRecord): Promise<TeamRecord> {
    if (this.teams.has(team.id)) throw new DuplicateError("id", `A team with id '${team.id}' exists.`);
    this.assertNameFree(team.name, undefined);
    this.teams.set(team.id, structuredClone(team));
    return structuredClone(team);
  }

  async getTeam(id: string): Promise<TeamRecord | undefined> {
    const team = this.teams.get(id);
    return team && structuredClone(team);
  }

  async listTeams(): Promise<TeamRecord[]> {
    return [...this.teams.values()].sort(oldestFirst).map((t) => structuredClone(t));
  }

  async updateTeam(id: string, patch: TeamPatch): Promise<TeamRecord | undefined> {
    const team = this.teams.get(id);
    if (!team) return undefined;
    if (patch.name !== undefined) this.assertNameFree(patch.name, id);
    const next = { ...team, ...structuredClone(definedOnly(patch)) };
    this.teams.set(id, next);
    return structuredClone(next);
  }

  async createKey(key: ApiKeyRecord): Promise<ApiKeyRecord> {
    if (this.keys.has(key.id)) throw new DuplicateError("id", `A key with id '${key.id}' exists.`);
    if (this.byHash.has(key.key_hash)) throw new DuplicateError("key_hash", "A key with this hash exists.");
    this.keys.set(key.id, structuredClone(key));
    this.byHash.set(key.key_hash, key.id);
    return structuredClone(key);
  }

  async getKey(id: string): Promise<ApiKeyRecord | undefined> {
    const key = this.keys.get(id);
    return key && structuredClone(key);
  }

  async findKeyByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const id = this.byHash.get(hash);
    return id === undefined ? undefined : this.getKey(id);
  }

  async listKeys(query: KeyListQuery = {}): Promise<ApiKeyRecord[]> {
    return [...this.keys.values()]
      .filter((k) => query.team_id === undefined || k.team_id === query.team_id)
      .sort(oldestFirst)
      .map((k) => structuredClone(k));
  }

  async updateKey(id: string, patch: KeyPatch): Promise<ApiKeyRecord | undefined> {
    const key = this.keys.get(id);
    if (!key) return undefined;
    const next = { ...key, ...structuredClone(definedOnly(patch)) };
    this.keys.set(id, next);
    return structuredClone(next);
  }

  async revokeKey(id: string, at: string): Promise<ApiKeyRecord | undefined> {
    const key = this.keys.get(id);
    if (!key) return undefined;
    key.revoked_at ??= at;
    return structuredClone(key);
  }

  async touchKeys(touches: ReadonlyArray<{ id: string; at: string }>): Promise<void> {
    for (const { id, at } of touches) {
      const key = this.keys.get(id);
      if (key && (key.last_used_at === null || key.last_used_at < at)) key.last_used_at = at;
    }
  }

  private assertNameFree(name: string, except: string | undefined): void {
    for (const team of this.teams.values()) {
      if (team.name === name && team.id !== except) throw new DuplicateError("name", `A team named '${name}' exists.`);
    }
  }
}

function oldestFirst(a: { created_at: string; id: string }, b: { created_at: string; id: string }): number {
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
