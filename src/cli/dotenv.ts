/**
 * `./.env` read when the CLI starts, so `liaison serve` (and every command
 * that reads the config or LIAISON_URL / LIAISON_ADMIN_KEY) sees the same
 * variables as `${VAR}` in liaison.yaml and zero-config do.
 *
 * Node's own parser (process.loadEnvFile, Node >= 20.12), which like
 * `node --env-file` leaves variables already in the environment alone —
 * even empty ones — so `OPENAI_API_KEY=… liaison serve` wins over the file.
 */

/** Loads `path` into process.env; false when there is no such file. Any other failure throws, naming the file. */
export function loadDotEnv(path = ".env"): boolean {
  try {
    process.loadEnvFile(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw new Error(`${path}: cannot read the environment file: ${(err as Error).message}`);
  }
}
