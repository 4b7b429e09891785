// Lint: typescript-eslint's recommended rules, plus the import direction of
// STYLE.md rule 10: core ← providers ← engine ← server ← cli.
import tseslint from "typescript-eslint";

const layer = (folder, forbidden) => ({
  files: [`src/${folder}/**/*.ts`],
  rules: {
    "no-restricted-imports": ["error", {
      patterns: forbidden.map((f) => ({ group: [`**/${f}/*`, `**/${f}`], message: `src/${folder} must not import from src/${f} (imports point one way: core ← providers ← engine ← server ← cli).` })),
    }],
  },
});

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  layer("core", ["config", "providers", "engine", "store", "telemetry", "server", "cli"]),
  layer("providers", ["engine", "store", "telemetry", "server", "cli"]),
  layer("store", ["providers", "engine", "server", "cli"]),
  layer("engine", ["server", "cli"]),
  layer("server", ["cli"]),
  layer("keys", ["providers", "engine", "server", "cli"]),
  layer("cost", ["providers", "engine", "store", "server", "cli"]),
  layer("cache", ["providers", "engine", "store", "telemetry", "server", "cli", "keys"]),
  layer("telemetry", ["providers", "engine", "store", "server", "cli", "keys", "cost", "cache"]),
  layer("privacy", ["config", "providers", "engine", "store", "server", "cli", "keys", "cost"]),
);
