/**
 * Checksum and range rules the detectors use to tell real identifiers from
 * look-alikes. Pure functions on already-extracted strings, so they can be
 * unit-tested without any regex in the way.
 */

/** Luhn (mod-10) check over a string of digits. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** IBAN lengths for the countries we recognise (ISO 13616 registry). */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AT: 20, BE: 16, BG: 22, CH: 21, CY: 28, CZ: 24, DE: 22, DK: 18, EE: 20,
  ES: 24, FI: 18, FR: 27, GB: 22, GI: 23, GR: 27, HR: 21, HU: 28, IE: 22, IS: 26,
  IT: 27, LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MT: 31, NL: 18, NO: 15, PL: 28,
  PT: 25, RO: 24, SE: 24, SI: 19, SK: 24, SM: 27, TR: 26, AE: 23, SA: 24, IL: 23,
  BR: 29, UA: 29,
};

/**
 * ISO 7064 mod-97-10 check of an IBAN (spaces ignored, case-insensitive):
 * country length must match and the rearranged number mod 97 must be 1.
 */
export function ibanValid(iban: string): boolean {
  const s = iban.replace(/ /g, "").toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(s)) return false;
  const expected = IBAN_LENGTHS[s.slice(0, 2)];
  if (expected === undefined || s.length !== expected) return false;
  const rearranged = s.slice(4) + s.slice(0, 4);
  // Piecewise remainder: letters become two digits (A=10 … Z=35).
  let rem = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    rem = value >= 10 ? (rem * 100 + value) % 97 : (rem * 10 + value) % 97;
  }
  return rem === 1;
}

/**
 * US Social Security Number rules (SSA): area not 000, 666 or 900–999;
 * group not 00; serial not 0000. Input is the nine digits.
 */
export function ssnValid(digits: string): boolean {
  if (!/^\d{9}$/.test(digits)) return false;
  const area = Number(digits.slice(0, 3));
  const group = Number(digits.slice(3, 5));
  const serial = Number(digits.slice(5));
  if (area === 0 || area === 666 || area >= 900) return false;
  return group !== 0 && serial !== 0;
}

/**
 * UK National Insurance number: two prefix letters (D, F, I, Q, U, V never
 * used; O not second; BG, GB, KN, NK, NT, TN, ZZ not allocated), six digits,
 * suffix A–D. Spaces ignored.
 */
export function ninoValid(nino: string): boolean {
  const s = nino.replace(/ /g, "").toUpperCase();
  if (!/^[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]$/.test(s)) return false;
  return !["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"].includes(s.slice(0, 2));
}

const DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE";

/**
 * Spanish DNI (8 digits + check letter) and NIE (X/Y/Z + 7 digits + check
 * letter, X/Y/Z counting as 0/1/2): the letter is DNI_LETTERS[n mod 23].
 * A dash before the letter is allowed.
 */
export function dniValid(id: string): boolean {
  const s = id.replace(/-/g, "").toUpperCase();
  const m = /^([XYZ]\d{7}|\d{8})([A-Z])$/.exec(s);
  if (!m || m[1] === undefined) return false;
  const body = m[1].replace(/^[XYZ]/, (c) => String("XYZ".indexOf(c)));
  return DNI_LETTERS[Number(body) % 23] === m[2];
}

/** Shannon entropy of a string, in bits per character. */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** A dotted quad with every octet 0–255 and no leading zeros. */
export function ipv4Valid(s: string): boolean {
  const parts = s.split(".");
  if (parts.length !== 4) return false;
  return parts.every((p) => /^(?:0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

/** An IPv6 address in full, compressed (`::`) or IPv4-suffixed form. */
export function ipv6Valid(s: string): boolean {
  if (s.length > 45 || !s.includes(":")) return false;
  let groups = s;
  let tailGroups = 0;
  const lastColon = s.lastIndexOf(":");
  const tail = s.slice(lastColon + 1);
  if (tail.includes(".")) {
    if (!ipv4Valid(tail)) return false;
    groups = s.slice(0, lastColon + 1) + "0";
    tailGroups = 1; // the dotted quad takes two groups; "0" stands for one
  }
  const halves = groups.split("::");
  if (halves.length > 2) return false;
  const hex = /^[0-9A-Fa-f]{1,4}$/;
  const parse = (h: string): string[] | null => {
    if (h === "") return [];
    const g = h.split(":");
    return g.every((x) => hex.test(x)) ? g : null;
  };
  const left = parse(halves[0] ?? "");
  const right = halves.length === 2 ? parse(halves[1] ?? "") : [];
  if (!left || !right) return false;
  const count = left.length + right.length + tailGroups;
  return halves.length === 2 ? count <= 7 : count === 8;
}

/**
 * Known issuer prefixes (IIN) with their lengths: Visa, Mastercard, Amex,
 * Discover, JCB, Diners, UnionPay, Maestro.
 */
export function cardIinValid(digits: string): boolean {
  const n = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  if (digits[0] === "4") return n === 13 || n === 16 || n === 19; // Visa
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n === 16; // Mastercard
  if (p2 === 34 || p2 === 37) return n === 15; // Amex
  if (p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649)) return n >= 16 && n <= 19; // Discover
  if (p4 >= 3528 && p4 <= 3589) return n >= 16 && n <= 19; // JCB
  if ((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38) return n >= 14 && n <= 19; // Diners
  if (p2 === 62) return n >= 16 && n <= 19; // UnionPay
  if (p2 === 50 || (p2 >= 56 && p2 <= 58) || p2 === 67) return n >= 12 && n <= 19; // Maestro
  return false;
}

/** Luhn-valid digits with a known issuer prefix and length. */
export function cardValid(digits: string): boolean {
  return /^\d{12,19}$/.test(digits) && cardIinValid(digits) && luhnValid(digits);
}
