/**
 * The authenticated caller of a request, set by the auth hook and read by
 * every route's permission check and by limits and budgets.
 */
import type { ApiKeyRecord, TeamRecord } from "../store/keys/types.js";

export type Principal =
  /** The config's admin key; `open` when no admin key is configured (dev mode: everyone is admin). */
  | { kind: "admin"; open?: boolean }
  /** A virtual key, with its team when it has one (limits and budgets apply to both). */
  | { kind: "key"; key: ApiKeyRecord; team?: TeamRecord };

export const ADMIN_PRINCIPAL: Principal = Object.freeze({ kind: "admin" });
export const OPEN_PRINCIPAL: Principal = Object.freeze({ kind: "admin", open: true });
