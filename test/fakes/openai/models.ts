/**
 * GET /models and GET /models/{id} (ListModelsResponse, Model).
 */
import type { ModelObject } from "./openai-wire-types.js";

/** A fixed creation time keeps bodies stable; the value is gpt-4's release day. */
const CREATED = 1686935002;

export function modelObject(id: string, ownedBy = "system"): ModelObject {
  return { id, object: "model", created: CREATED, owned_by: ownedBy };
}

export function modelList(ids: Iterable<string>, ownedBy = "system"): { object: "list"; data: ModelObject[] } {
  return { object: "list", data: Array.from(ids, (id) => modelObject(id, ownedBy)) };
}
