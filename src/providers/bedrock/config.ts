/**
 * The `bedrock` provider block. Bedrock authenticates either with AWS
 * credentials (requests signed with SigV4) or with a Bedrock API key (sent as
 * a Bearer token); the adapter also falls back to the standard AWS_*
 * environment variables, so this schema only checks what is wrong on its own
 * (half a key pair, no way to know the region).
 */
import { z } from "zod";
import { timeoutsSchema } from "../_shared/timeouts-schema.js";

export const bedrockConfigSchema = z
  .strictObject({
    type: z.literal("bedrock"),
    /** AWS region (e.g. us-east-1): picks the endpoint and scopes the SigV4 signature. */
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "must be an AWS region such as us-east-1").optional(),
    /** Defaults to https://bedrock-runtime.{region}.amazonaws.com (set it for VPC endpoints or proxies). */
    base_url: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
    access_key_id: z.string().min(1).optional(),
    secret_access_key: z.string().min(1).optional(),
    /** For temporary credentials (STS, SSO, instance roles). */
    session_token: z.string().min(1).optional(),
    /** A Bedrock API key: sent as `Authorization: Bearer`, no signing. */
    api_key: z.string().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    timeouts: timeoutsSchema.optional(),
    models: z.array(z.string().min(1)).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.region === undefined && c.base_url === undefined) {
      ctx.addIssue({ code: "custom", path: ["region"], message: "region is required (or base_url, for a custom endpoint)" });
    }
    if ((c.access_key_id === undefined) !== (c.secret_access_key === undefined)) {
      const missing = c.access_key_id === undefined ? "access_key_id" : "secret_access_key";
      ctx.addIssue({ code: "custom", path: [missing], message: "access_key_id and secret_access_key go together: set both or neither" });
    }
    if (c.session_token !== undefined && c.access_key_id === undefined) {
      ctx.addIssue({ code: "custom", path: ["session_token"], message: "session_token needs access_key_id and secret_access_key" });
    }
  });

export type BedrockConfig = z.infer<typeof bedrockConfigSchema>;
