/**
 * How a Bedrock request proves who sends it: SigV4 over the exact bytes sent
 * (AWS credentials), or a Bedrock API key as a Bearer token. Credentials come
 * from the config block first, then from the standard AWS environment
 * variables, read once when the adapter is created.
 *
 * SigV4 is done by @smithy/signature-v4, the signer the AWS SDKs use: the
 * canonical request (double-encoded path, sorted signed headers, payload
 * hash) is easy to get subtly wrong by hand.
 */
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import type { BedrockConfig } from "./config.js";

/** The signing name of the Bedrock runtime API. */
export const SIGNING_SERVICE = "bedrock";

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export type BedrockCredentials =
  | { kind: "sigv4"; credentials: AwsCredentials; source: "config" | "environment" }
  | { kind: "bearer"; token: string; source: "config" | "environment" };

export type Env = Record<string, string | undefined>;

const present = (v: string | undefined): v is string => v !== undefined && v !== "";

/**
 * Picks the credentials: config `api_key`, then config key pair, then
 * AWS_BEARER_TOKEN_BEDROCK (the variable the AWS SDKs read for Bedrock API
 * keys), then AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN).
 * Throws a message that names every way to fix it when there are none.
 */
export function resolveCredentials(name: string, config: BedrockConfig, env: Env): BedrockCredentials {
  if (present(config.api_key)) return { kind: "bearer", token: config.api_key, source: "config" };
  if (present(config.access_key_id) && present(config.secret_access_key)) {
    return {
      kind: "sigv4",
      source: "config",
      credentials: {
        accessKeyId: config.access_key_id,
        secretAccessKey: config.secret_access_key,
        ...(present(config.session_token) ? { sessionToken: config.session_token } : {}),
      },
    };
  }
  if (present(env.AWS_BEARER_TOKEN_BEDROCK)) return { kind: "bearer", token: env.AWS_BEARER_TOKEN_BEDROCK, source: "environment" };
  if (present(env.AWS_ACCESS_KEY_ID) && present(env.AWS_SECRET_ACCESS_KEY)) {
    return {
      kind: "sigv4",
      source: "environment",
      credentials: {
        accessKeyId: env.AWS_ACCESS_KEY_ID,
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
        ...(present(env.AWS_SESSION_TOKEN) ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
      },
    };
  }
  throw new Error(
    `Provider '${name}' (type bedrock) has no credentials: set access_key_id and secret_access_key ` +
      "(e.g. ${AWS_ACCESS_KEY_ID} / ${AWS_SECRET_ACCESS_KEY}, plus session_token for temporary credentials), " +
      "or api_key (a Bedrock API key), or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_BEARER_TOKEN_BEDROCK).",
  );
}

/** `bedrock-runtime.us-west-2.amazonaws.com` (and VPC endpoint names) → `us-west-2`. */
export function regionFromHost(host: string): string | undefined {
  return /(?:^|\.)bedrock-runtime(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\./.exec(host)?.[1];
}

export interface RequestToSign {
  url: URL;
  headers: Record<string, string>;
  body: string;
}

/** Adds authentication headers to a request about to be sent (the body is final). */
export interface RequestAuth {
  headers(request: RequestToSign): Promise<Record<string, string>>;
}

export function bearerAuth(token: string): RequestAuth {
  const authorization = `Bearer ${token}`;
  return { headers: (request) => Promise.resolve({ ...request.headers, authorization }) };
}

export function sigv4Auth(credentials: AwsCredentials, region: string): RequestAuth {
  const signer = new SignatureV4({ service: SIGNING_SERVICE, region, credentials, sha256: Sha256, applyChecksum: true });
  return {
    async headers({ url, headers, body }) {
      // `host` is signed and sent explicitly so both sides agree on it
      // byte for byte (URL.host leaves out a default port, as HTTP does).
      const signed = await signer.sign({
        method: "POST",
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: url.pathname,
        query: {},
        headers: { ...headers, host: url.host },
        body,
      });
      return signed.headers;
    },
  };
}
