/**
 * A deterministic embedding with a notion of meaning, for tests and demos of
 * the semantic cache with no model and no network (`mock/embed-lexical`).
 *
 * It is lexical, not semantic: a hashed bag of content-word stems (stop words
 * dropped, generic words down-weighted, a small synonym fold) plus character
 * trigrams for spelling variants. Paraphrases that reuse the same content
 * words land close; questions that share most words but differ in the one
 * that matters ("capital of France" / "capital of Spain") land far apart,
 * because that one word carries most of the weight. Paraphrases with no
 * words in common ("boiling point" / "at what temperature does it boil")
 * stay far apart too: a real embedding model does better there, and worse
 * or better elsewhere — its precision must be measured on its own.
 */
import { createHash } from "node:crypto";

export const LEXICAL_EMBEDDING_MODEL = "embed-lexical";
export const LEXICAL_DIMENSIONS = 512;

// Function words and question scaffolding: they say how something is asked, not what.
const STOP = new Set(`a an the and or but if of to in on at by for from with about into onto over under as than then so
is are was were be been being am do does did done doing have has had having will would shall should can could may might must
i me my mine we us our you your yours he him his she her it its they them their this that these those there here
what which who whom whose when where why how whats hows wheres whos
some any all each every many much more most very just too also really quite
up down out off again once own same such only
go going get got let lets please tell say know think want like need way`.split(/\s+/));

// Common words that rarely decide what a question is about.
const GENERIC = new Set(["best", "good", "great", "make", "use", "thing", "help", "give", "find", "work", "learn", "new", "right", "easy", "simple", "possible", "cause", "mean", "time", "long", "people", "explain", "describe"]);

// A tiny fold of everyday synonyms and spelling variants onto one word. A
// Map, not an object literal: a word such as "constructor" must not find
// Object.prototype's members (a 500 the fuzzer found).
const SYNONYMS = new Map<string, string>(Object.entries({
  big: "large", huge: "large", tiny: "small", little: "small",
  buy: "purchase", begin: "start", commence: "start",
  automobile: "car", vehicle: "car", tyre: "tire", tyres: "tire",
  fix: "repair", mend: "repair", replace: "change", modify: "change", alter: "change",
  quick: "fast", quickly: "fast", rapid: "fast", speed: "fast",
  film: "movie", films: "movie", photo: "picture", image: "picture",
  tall: "height", high: "height",
  forgot: "forget", forgotten: "forget",
  price: "cost", costs: "cost", priced: "cost",
  wrote: "write", written: "write", writes: "write", author: "write",
  recommend: "suggest", recommendation: "suggest",
  delete: "remove", erase: "remove",
  flu: "influenza", kid: "child", kids: "child", children: "child",
  colour: "color", timezone: "time zone",
  safely: "safe", kilometres: "kilometers", kilometre: "kilometer",
}));

function stem(word: string): string {
  let w = word;
  if (w.length <= 3 || /^\d/.test(w)) return w;
  if (w.endsWith("ies") && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith("sses")) w = w.slice(0, -2);
  else if (w.endsWith("s") && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.endsWith("ing") && w.length > 5) w = w.slice(0, -3);
  else if (w.endsWith("ed") && w.length > 4) w = w.slice(0, -2);
  else if (w.endsWith("ly") && w.length > 5) w = w.slice(0, -2);
  if (/([b-df-hj-np-tv-z])\1$/.test(w) && !w.endsWith("ll") && !w.endsWith("ss")) w = w.slice(0, -1); // runn → run
  if (w.endsWith("e") && w.length > 3) w = w.slice(0, -1); // make/making → mak
  return w;
}

function words(text: string): string[] {
  const plain = text.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
    .replace(/n['’]t\b/g, " not").replace(/['’](s|ll|re|ve|d|m)\b/g, "");
  const out: string[] = [];
  for (const raw of plain.match(/[\p{L}\p{N}]+/gu) ?? []) {
    for (const w of (SYNONYMS.get(raw) ?? raw).split(" ")) if (!STOP.has(w)) out.push(w);
  }
  return out;
}

/** Weighted features: each content stem, and its character trigrams at a tenth of the weight. */
function features(text: string): Map<string, number> {
  const f = new Map<string, number>();
  const add = (k: string, w: number) => f.set(k, (f.get(k) ?? 0) + w);
  for (const word of words(text)) {
    const s = stem(SYNONYMS.get(word) ?? word);
    const weight = GENERIC.has(word) || GENERIC.has(s) ? 0.3 : 1;
    add(`w:${s}`, weight);
    const padded = `^${s}$`;
    for (let i = 0; i + 3 <= padded.length; i++) add(`t:${padded.slice(i, i + 3)}`, weight * 0.1);
  }
  return f;
}

/** Feature hashing (with a sign bit, so collisions cancel out on average instead of adding up). */
export function lexicalVector(text: string, dims: number): number[] {
  const out = new Array<number>(dims).fill(0);
  const f = features(text);
  if (f.size === 0) f.set("w:<empty>", 1);
  for (const [feature, weight] of f) {
    const h = createHash("sha256").update(feature).digest();
    out[h.readUInt32LE(0) % dims]! += (h[4]! & 1 ? 1 : -1) * weight;
  }
  const norm = Math.hypot(...out) || 1;
  return out.map((v) => v / norm);
}
