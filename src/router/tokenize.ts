/**
 * Prompt text → terms for TF-IDF: lower-cased words, numbers folded to
 * their digit count (`#2` for 42: the value says little, its size a bit),
 * and the symbols of arithmetic and algebra kept as terms of their own; then
 * word pairs (bigrams) over that sequence.
 */
const TOKEN = /[a-z]+|\d+(?:[.,]\d+)*|[+\-*/^=<>√∑∫π%$×÷≤≥≠]/g;

export function words(text: string): string[] {
  const out: string[] = [];
  for (const m of text.toLowerCase().matchAll(TOKEN)) {
    const t = m[0];
    const c = t.charCodeAt(0);
    out.push(c >= 48 && c <= 57 ? `#${Math.min(t.replace(/[.,]/g, "").length, 6)}` : t);
  }
  return out;
}

/** Unigrams, then bigrams ("a b"), in order of appearance (repeats kept: they are counted). */
export function terms(text: string, ngrams: 1 | 2 = 2): string[] {
  const w = words(text);
  if (ngrams === 1) return w;
  const out = w.slice();
  for (let i = 1; i < w.length; i++) out.push(`${w[i - 1]} ${w[i]}`);
  return out;
}
