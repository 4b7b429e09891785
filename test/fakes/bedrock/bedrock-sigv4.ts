/**
 * Checks an AWS Signature Version 4 the way AWS does: parse the
 * Authorization header, rebuild the canonical request from what arrived
 * (method, raw path, query, the signed headers, a hash of the body bytes),
 * derive the signing key from the secret the fake knows, and compare.
 * Written from the SigV4 specification with node:crypto on purpose, not with
 * the signer the gateway uses, so a shared mistake cannot pass unnoticed.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { FakeRequest } from "../_shared/fake-request.js";

export interface SigV4Identity {
  accessKeyId: string;
  secretAccessKey: string;
  /** When set, signed requests must carry it in x-amz-security-token. */
  sessionToken?: string;
  region: string;
  service: string;
}

export type SigV4Verdict =
  | { ok: true }
  | { ok: false; reason: "malformed" | "unknown_key" | "bad_signature" | "expired"; message: string };

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;
const FIVE_MINUTES_MS = 5 * 60 * 1000;

const sha256Hex = (data: string | Buffer): string => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string): Buffer => createHmac("sha256", key).update(data).digest();

/** RFC 3986 encoding of one path segment (unreserved characters kept). */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function headerValue(request: FakeRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v.join(",") : v;
}

/** yyyymmddThhmmssZ → epoch ms. */
function amzDateMs(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m === null ? NaN : Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

export function canonicalRequest(request: FakeRequest, rawPath: string, rawQuery: string, signedHeaders: string[], payloadHash: string): string {
  // Services other than S3 encode each path segment once more: the client
  // sent `%3A`, the canonical path holds `%253A`.
  const path = rawPath.split("/").map(encodeSegment).join("/") || "/";
  const query = rawQuery === "" ? "" : rawQuery.split("&").map((kv) => kv.split("=").map((p) => encodeSegment(decodeURIComponent(p))).join("=")).sort().join("&");
  const headers = signedHeaders.map((name) => `${name}:${(headerValue(request, name) ?? "").trim().replace(/\s+/g, " ")}\n`).join("");
  return [request.method, path, query, headers, signedHeaders.join(";"), payloadHash].join("\n");
}

export function verifySigV4(request: FakeRequest, rawUrl: string, identity: SigV4Identity, now = Date.now()): SigV4Verdict {
  const auth = headerValue(request, "authorization") ?? "";
  const m = AUTH.exec(auth);
  if (m === null) return { ok: false, reason: "malformed", message: "Authorization header is not a well-formed AWS4-HMAC-SHA256 signature." };
  const [, keyId, date, region, service, signedList, signature] = m as unknown as [string, string, string, string, string, string, string];
  if (keyId !== identity.accessKeyId) return { ok: false, reason: "unknown_key", message: "unknown access key id" };
  const amzDate = headerValue(request, "x-amz-date") ?? "";
  const signedHeaders = signedList.split(";");
  if (!signedHeaders.includes("host") || !signedHeaders.includes("x-amz-date")) {
    return { ok: false, reason: "malformed", message: "host and x-amz-date must be signed." };
  }
  if (!amzDate.startsWith(date)) return { ok: false, reason: "malformed", message: "Date in Credential scope does not match x-amz-date." };
  if (region !== identity.region || service !== identity.service) {
    return { ok: false, reason: "malformed", message: `Credential should be scoped to a valid region ('${identity.region}') and service ('${identity.service}'), not '${region}'/'${service}'.` };
  }
  const at = amzDateMs(amzDate);
  if (!(Math.abs(now - at) <= FIVE_MINUTES_MS)) {
    return { ok: false, reason: "expired", message: `Signature expired: ${amzDate} is now earlier than the allowed window.` };
  }
  if (identity.sessionToken !== undefined && (headerValue(request, "x-amz-security-token") !== identity.sessionToken || !signedHeaders.includes("x-amz-security-token"))) {
    return { ok: false, reason: "unknown_key", message: "security token missing or invalid" };
  }
  const bodyHash = sha256Hex(Buffer.from(request.rawBody, "utf8"));
  const declared = headerValue(request, "x-amz-content-sha256");
  if (declared !== undefined && declared !== bodyHash) return { ok: false, reason: "bad_signature", message: "x-amz-content-sha256 does not match the body." };

  const q = rawUrl.indexOf("?");
  const rawPath = q === -1 ? rawUrl : rawUrl.slice(0, q);
  const rawQuery = q === -1 ? "" : rawUrl.slice(q + 1);
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256Hex(canonicalRequest(request, rawPath, rawQuery, signedHeaders, bodyHash))].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${identity.secretAccessKey}`, date), region), service), "aws4_request");
  const expected = createHmac("sha256", key).update(stringToSign).digest();
  const given = Buffer.from(signature, "hex");
  return timingSafeEqual(expected, given) ? { ok: true } : { ok: false, reason: "bad_signature", message: "signature mismatch" };
}
