#!/usr/bin/env -S node --max-semi-space-size=4
// The flag caps V8's young generation (default 16 MB per semi-space on 64-bit
// machines): under load the gateway otherwise grows ~80 MB of RSS holding
// short-lived garbage, for no throughput gain (measured: docs/benchmarks.md).
// The published entry point runs the compiled CLI; `npm install` builds it (the prepare script).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const main = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write("liaison: the compiled code is missing; run `npm run build` (npm install does it for you).\n");
  process.exit(1);
}
await import(main.href);
