/**
 * Azure OpenAI's own error bodies, {"error":{"code","message"}} with string
 * codes, as its API management layer returns them. Validation errors from
 * the model itself keep OpenAI's shape (see openai-errors.ts).
 */
import { jsonReply, type Reply } from "../_shared/reply.js";

export interface AzureErrorBody {
  error: { code: string; message: string };
}

function azureErrorBody(code: string, message: string): AzureErrorBody {
  return { error: { code, message } };
}

const INVALID_KEY = azureErrorBody(
  "401",
  "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.",
);

/** Azure names each operation; its 429 message quotes the name. */
const OPERATIONS: Record<string, string> = {
  "chat/completions": "ChatCompletions_Create",
  completions: "Completions_Create",
  embeddings: "Embeddings_Create",
};

export const azureErrors = {
  missingKey: (): Reply =>
    jsonReply(
      401,
      azureErrorBody(
        "401",
        "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.",
      ),
    ),

  invalidKey: (): Reply => jsonReply(401, INVALID_KEY),

  resourceNotFound: (): Reply => jsonReply(404, azureErrorBody("404", "Resource not found")),

  deploymentNotFound: (): Reply =>
    jsonReply(
      404,
      azureErrorBody(
        "DeploymentNotFound",
        "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.",
      ),
    ),

  rateLimited: (retryAfterSeconds: number, operationPath: string, apiVersion: string | undefined): Reply => {
    const seconds = Math.ceil(retryAfterSeconds);
    const operation = OPERATIONS[operationPath] ?? "ChatCompletions_Create";
    return jsonReply(
      429,
      azureErrorBody(
        "429",
        `Requests to the ${operation} Operation under Azure OpenAI API version ${apiVersion ?? "v1"} have exceeded call rate limit of your current OpenAI S0 pricing tier. Please retry after ${seconds} seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.`,
      ),
      {
        "retry-after": String(seconds),
        "retry-after-ms": String(Math.round(retryAfterSeconds * 1000)),
        "x-ratelimit-remaining-requests": "0",
        "x-ratelimit-reset-requests": `${seconds}s`,
      },
    );
  },

  statusBody: (status: number): AzureErrorBody => {
    const known: Record<number, AzureErrorBody> = {
      400: azureErrorBody("BadRequest", "The request is invalid."),
      401: INVALID_KEY,
      403: azureErrorBody("403", "Access denied. The principal does not have permission to perform this operation."),
      404: azureErrorBody("404", "Resource not found"),
      408: azureErrorBody("Timeout", "The operation was timeout."),
      500: azureErrorBody(
        "InternalServerError",
        "The server had an error processing your request. Sorry about that! You can retry your request, or contact us through an Azure support request if you keep seeing this error.",
      ),
      503: azureErrorBody("ServiceUnavailable", "The service is temporarily unable to process your request. Please try again later."),
      504: azureErrorBody("Timeout", "The operation was timeout."),
    };
    return known[status] ?? azureErrorBody(String(status), `Fake upstream error (status ${status}).`);
  },

  badRequest: (message: string): Reply => jsonReply(400, azureErrorBody("BadRequest", message)),
  internalError: (message: string): Reply => jsonReply(500, azureErrorBody("InternalServerError", message)),
};
