/**
 * Response ids in OpenAI's formats (chatcmpl-…, cmpl-…, call_…), made from a
 * per-server counter instead of randomness so runs are reproducible.
 */

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

function base62(n: number, width: number): string {
  let out = "";
  let rest = n;
  do {
    out = (ALPHABET[rest % 62] as string) + out;
    rest = Math.floor(rest / 62);
  } while (rest > 0);
  return out.padStart(width, "0");
}

export interface IdSource {
  /** "chatcmpl-" + 29 characters, like OpenAI's. */
  chatCompletion(): string;
  /** "cmpl-" + 29 characters. */
  textCompletion(): string;
  /** "call_" + 24 characters. */
  toolCall(): string;
}

export function createIdSource(): IdSource {
  let counter = 0;
  const next = (prefix: string, width: number): string => `${prefix}${base62(++counter, width)}`;
  return {
    chatCompletion: () => next("chatcmpl-FAKE", 25),
    textCompletion: () => next("cmpl-FAKE", 25),
    toolCall: () => next("call_FAKE", 20),
  };
}

/** Unix seconds, as `created` fields carry them. */
export function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}
