export { DETECTORS, KINDS, MIN_SECRET_ENTROPY, detectCard, detectEmail, detectIban, detectIp, detectNationalId, detectPhone, detectSecret, looksRandom } from "./detectors.js";
export type { Detector, Kind, Span } from "./detectors.js";
export { Redactor, mergeSpans } from "./redactor.js";
export type { CustomPattern, RedactionResult, RedactorOptions } from "./redactor.js";
export { IBAN_LENGTHS, cardIinValid, cardValid, dniValid, ibanValid, ipv4Valid, ipv6Valid, luhnValid, ninoValid, shannonEntropy, ssnValid } from "./validators.js";
