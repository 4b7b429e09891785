/**
 * `${VAR}` and `${VAR:-default}` in string values. Done on the parsed YAML
 * tree, not the raw text, so a variable's value can never change the file's
 * structure. A value that is exactly one unset variable with no default
 * becomes "absent" (the key is dropped), so `admin_key: ${LIAISON_ADMIN_KEY}`
 * means "no admin key" when the variable is not set.
 */
const PATTERN = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const WHOLE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

export type Env = Record<string, string | undefined>;

export function interpolate(value: unknown, env: Env): unknown {
  if (typeof value === "string") {
    const whole = WHOLE.exec(value);
    if (whole) {
      const v = env[whole[1] as string];
      return v === undefined || v === "" ? undefined : v;
    }
    return value.replace(PATTERN, (_m, name: string, fallback: string | undefined) => {
      const v = env[name];
      return v === undefined || v === "" ? (fallback ?? "") : v;
    });
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = interpolate(v, env);
      if (r !== undefined) out[k] = r;
    }
    return out;
  }
  return value;
}
