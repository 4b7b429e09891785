/**
 * The credentials the gateway itself sends upstream, kept out of what it
 * passes on: some upstreams quote the key they received in their error text
 * (real ones do for a malformed key), and that text reaches the client, the
 * logs and the request log's attempt_log.
 */

/** Shorter values are not scrubbed: replacing every "x" of an error message would hide more than it protects. */
export const MIN_SECRET_LENGTH = 8;
export const SCRUBBED = "[redacted]";

/** Config fields that hold credentials (api_key, secret_access_key, session_token, …); header values always count. */
const SECRET_FIELD = /(^|_)(api_?key|key|secret|token|password|credentials?)$|secret/i;

/**
 * The credentials in one provider's config block: fields whose names say
 * they are secret, and every configured header value (an Authorization or
 * api-key header). Values are also taken without a `Bearer ` prefix.
 */
export function configSecrets(block: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [field, value] of Object.entries(block)) {
    if (typeof value === "string" && SECRET_FIELD.test(field)) out.push(value);
    if (field === "headers" && value !== null && typeof value === "object") {
      for (const v of Object.values(value)) if (typeof v === "string") out.push(v, v.replace(/^Bearer\s+/i, ""));
    }
  }
  return out;
}

export class SecretScrubber {
  /** Longest first, so a secret that contains another is replaced whole. */
  readonly #secrets: string[];

  constructor(secrets: Iterable<string>) {
    this.#secrets = [...new Set([...secrets].filter((s) => s.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
  }

  get size(): number {
    return this.#secrets.length;
  }

  scrub(text: string): string {
    let out = text;
    for (const secret of this.#secrets) if (out.includes(secret)) out = out.split(secret).join(SCRUBBED);
    return out;
  }
}
