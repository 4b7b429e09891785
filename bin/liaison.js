#!/usr/bin/env node
// The published entry point runs the compiled CLI; `npm install` builds it (the prepare script).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const main = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write("liaison: the compiled code is missing; run `npm run build` (npm install does it for you).\n");
  process.exit(1);
}
await import(main.href);
