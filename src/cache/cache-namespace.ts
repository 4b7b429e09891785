/**
 * Whose cache entries a request may read and write. Teams are the isolation
 * boundary: a team's answers may echo its prompts, which another team must
 * never see. A virtual key without a team is isolated on its own (there is
 * no team vouching that its users may share), and callers with neither (the
 * admin key, open dev mode) share one namespace.
 */
export interface NamespaceInput {
  /** `cache.shared: true`: one namespace for everyone. */
  shared: boolean;
  teamId?: string | null;
  keyId?: string | null;
}

export function cacheNamespace(input: NamespaceInput): string {
  if (input.shared) return "shared";
  if (input.teamId) return `team=${encodeURIComponent(input.teamId)}`;
  if (input.keyId) return `key=${encodeURIComponent(input.keyId)}`;
  return "global";
}
