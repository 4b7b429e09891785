/**
 * Hand-made features of a prompt: its size, its numbers and arithmetic, its
 * negations, the shape of a multiple-choice question. A prompt full of
 * quantities and steps (GSM8K) needs a stronger model in ways word counts
 * alone do not show. Each value is roughly on a log scale; training
 * standardises them (mean 0, sd 1) before they join the TF-IDF columns.
 */
const NUMBER = /\d+(?:[.,]\d+)*/g;
const MATH = /[+\-*/^=<>√∑∫π×÷≤≥≠]|\\frac|\\sqrt|\bsqrt\b|\blog\b|\bsin\b|\bcos\b/g;
const NEGATION = /\b(?:not|no|never|none|neither|nor|except|false|incorrect|least|cannot)\b|n't\b/g;
const QUANTITY = /\b(?:how many|how much|total|each|per|percent|times|twice|half|remaining|left|average|ratio|rate|every|more than|less than|fewer)\b/g;
const DECIMAL = /\d+\.\d+|\d+\s*\/\s*\d+|%/g;
const LONG_WORD = /\b[a-z]{10,}\b/g;
const CAPITALISED = /(?<=\s)[A-Z][a-z]+/g;
const CODE = /[{}();[\]]|=>|::/g;
const SENTENCE = /[.!?](?:\s|$)/g;
const FRACTION_WORD = /\b(?:half|third|quarter|fifth|twice|double|triple|thrice)\b|\d\/\d/g;
const TIME_UNIT = /\b(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)\b/g;
const MONEY_WORD = /\b(?:dollars?|cents?|price|cost|costs|pay|pays|paid|profit|earn|earns|sells?|sold|buy|buys|bought)\b/g;
const SEQUENCE_WORD = /\b(?:then|after|before|until|remaining|rest|first|second|third|next|finally|later|again)\b/g;

export const PROMPT_FEATURES = [
  "chars", "words", "sentences", "numbers", "distinct_numbers", "digit_share", "math_symbols", "decimals",
  "currency", "negations", "quantity_words", "questions", "options", "option_chars", "numeric_options",
  "long_words", "capitalised", "code_chars", "fraction_words", "time_units", "money_words", "sequence_words",
] as const;

const count = (text: string, re: RegExp): number => {
  re.lastIndex = 0;
  let n = 0;
  while (re.exec(text) !== null) n++;
  return n;
};

/** The raw feature values of one prompt, in PROMPT_FEATURES order. */
export function promptFeatures(text: string): number[] {
  const lower = text.toLowerCase();
  const chars = text.length;
  const words = lower.split(/\s+/).filter(Boolean).length;
  const numbers = text.match(NUMBER) ?? [];
  let digits = 0;
  for (let i = 0; i < chars; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
  }
  const options = optionBodies(text);
  const numericOptions = options.filter((o) => /^[\s$\d.,/%-]+$/.test(o)).length;
  const lw = Math.log1p;
  return [
    lw(chars),
    lw(words),
    lw(count(text, SENTENCE)),
    lw(numbers.length),
    lw(new Set(numbers).size),
    chars ? digits / chars : 0,
    lw(count(text, MATH)),
    lw(count(text, DECIMAL)),
    lw(count(text, /\$/g)),
    lw(count(lower, NEGATION)),
    lw(count(lower, QUANTITY)),
    lw(count(text, /\?/g)),
    options.length,
    options.length ? lw(options.reduce((s, o) => s + o.length, 0) / options.length) : 0,
    options.length ? numericOptions / options.length : 0,
    words ? count(lower, LONG_WORD) / words : 0,
    words ? count(text, CAPITALISED) / words : 0,
    lw(count(text, CODE)),
    lw(count(lower, FRACTION_WORD)),
    lw(count(lower, TIME_UNIT)),
    lw(count(lower, MONEY_WORD)),
    lw(count(lower, SEQUENCE_WORD)),
  ];
}

/** The answer options of a multiple-choice prompt ("A. …" lines), without their letters. */
function optionBodies(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*[A-J][.)]\s(.*)$/.exec(line);
    if (m) out.push(m[1]!.trim());
  }
  return out;
}

/** Mean and standard deviation per feature, from the training rows: what standardising needs. */
export interface Standardiser {
  mean: number[];
  sd: number[];
}

export function fitStandardiser(rows: readonly number[][]): Standardiser {
  const k = rows[0]?.length ?? 0;
  const mean = new Array<number>(k).fill(0);
  const sd = new Array<number>(k).fill(0);
  for (const r of rows) for (let j = 0; j < k; j++) mean[j]! += r[j]! / rows.length;
  for (const r of rows) for (let j = 0; j < k; j++) sd[j]! += (r[j]! - mean[j]!) ** 2 / rows.length;
  // A constant feature gets sd 1: it standardises to 0 and carries no weight.
  return { mean, sd: sd.map((v) => (v > 1e-12 ? Math.sqrt(v) : 1)) };
}

export function standardise(values: readonly number[], s: Standardiser): number[] {
  return values.map((v, j) => (v - s.mean[j]!) / s.sd[j]!);
}
