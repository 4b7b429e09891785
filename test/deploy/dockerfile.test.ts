/**
 * The Dockerfile, checked without a Docker daemon or an image registry
 * (neither is reachable here; docs/deploy.md says what was run where):
 * its stages reference each other correctly, every file it copies from the
 * build context exists and is not excluded by .dockerignore, what it copies
 * out of the build stage is what that stage makes, and the final stage is
 * production-only, non-root, health-checked, with the port and a volume.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { describe, expect, it } from "vitest";

const ROOT = new URL("../../", import.meta.url).pathname;
const read = (path: string) => readFileSync(`${ROOT}${path}`, "utf8");

interface Instruction { op: string; args: string; line: number }
interface Stage { name: string; from: string; body: Instruction[] }

/** Instructions (continuation lines joined, comments dropped), grouped by stage. */
function parseDockerfile(text: string): { args: Instruction[]; stages: Stage[] } {
  const instructions: Instruction[] = [];
  let pending = "";
  let start = 0;
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!pending && (line === "" || line.startsWith("#"))) return;
    if (pending && line.startsWith("#")) return;
    if (!pending) start = i + 1;
    pending += `${line.replace(/\\$/, "").trim()} `;
    if (line.endsWith("\\")) return;
    const [op, ...rest] = pending.trim().split(/\s+/);
    instructions.push({ op: op!.toUpperCase(), args: rest.join(" "), line: start });
    pending = "";
  });
  const args: Instruction[] = [];
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.op === "FROM") {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args)!;
      stages.push({ name: m[2] ?? String(stages.length), from: m[1]!, body: [] });
    } else if (stages.length === 0) {
      args.push(ins);
    } else {
      stages.at(-1)!.body.push(ins);
    }
  }
  return { args, stages };
}

/** COPY's sources and destination, its --from when given (JSON or plain form). */
function copyOf(ins: Instruction): { from?: string; sources: string[]; dest: string } {
  let rest = ins.args;
  let from: string | undefined;
  for (let flag = /^--(\w+)=(\S+)\s+/.exec(rest); flag; flag = /^--(\w+)=(\S+)\s+/.exec(rest)) {
    if (flag[1] === "from") from = flag[2];
    rest = rest.slice(flag[0].length);
  }
  const parts = rest.startsWith("[") ? (JSON.parse(rest) as string[]) : rest.split(/\s+/);
  return { ...(from ? { from } : {}), sources: parts.slice(0, -1), dest: parts.at(-1)! };
}

/** .dockerignore as Docker reads it, for the pattern forms it uses: names, `dir`, `*.ext`, `**\/x`, `.env.*`. */
function ignoredBy(patterns: string[], path: string): boolean {
  const toRegex = (p: string) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*\*\//g, "\u0000").replace(/\*/g, "[^/]*").replace(/\u0000/g, "(?:.*/)?")}(?:/.*)?$`);
  let ignored = false;
  for (const p of patterns) {
    const negate = p.startsWith("!");
    if (toRegex(negate ? p.slice(1) : p).test(path)) ignored = !negate;
  }
  return ignored;
}

const dockerfile = parseDockerfile(read("Dockerfile"));
const ignore = read(".dockerignore").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
const [build, runtime] = dockerfile.stages;
const runs = (stage: Stage) => stage.body.filter((i) => i.op === "RUN").map((i) => i.args).join("\n");

describe("stages", () => {
  it("two, build then runtime, on the same base image given as an argument", () => {
    expect(dockerfile.stages.map((s) => s.name)).toEqual(["build", "runtime"]);
    expect(dockerfile.args.map((a) => a.args)).toEqual(["NODE_IMAGE=node:20-bookworm-slim"]);
    for (const s of dockerfile.stages) expect(s.from).toBe("${NODE_IMAGE}");
    // The Node major matches the engines field the package declares.
    expect(JSON.parse(read("package.json")).engines.node).toMatch(/^>=20\./);
  });

  it("every COPY --from names an earlier stage, and copies what that stage makes", () => {
    const names = new Set<string>();
    for (const stage of dockerfile.stages) {
      for (const ins of stage.body.filter((i) => i.op === "COPY")) {
        const copy = copyOf(ins);
        if (copy.from !== undefined) expect(names.has(copy.from), `line ${ins.line}: --from=${copy.from}`).toBe(true);
      }
      names.add(stage.name);
    }
    const fromBuild = runtime!.body.filter((i) => i.op === "COPY").map(copyOf).filter((c) => c.from === "build").flatMap((c) => c.sources);
    expect(fromBuild).toEqual(["/app/node_modules/better-sqlite3/build", "/app/dist"]);
    // The build stage works in /app, builds with `npm run build` into dist/ (tsc's outDir, vite's dist/ui) …
    expect(build!.body.find((i) => i.op === "WORKDIR")?.args).toBe("/app");
    expect(runs(build!)).toContain("npm run build");
    expect(JSON.parse(read("tsconfig.build.json")).compilerOptions.outDir).toBe("dist");
    expect(read("ui/vite.config.ts")).toContain('new URL("../dist/ui", import.meta.url)');
    // … and rebuilds better-sqlite3, whose addon lives in build/ (as it does here after npm ci).
    expect(runs(build!)).toContain("npm rebuild better-sqlite3");
    expect(existsSync(`${ROOT}node_modules/better-sqlite3/build/Release/better_sqlite3.node`)).toBe(true);
  });

  it("every file copied from the build context exists and is not excluded by .dockerignore", () => {
    const sources = dockerfile.stages.flatMap((s) => s.body.filter((i) => i.op === "COPY").map(copyOf).filter((c) => c.from === undefined).flatMap((c) => c.sources));
    expect(sources.sort()).toEqual(["bin", "package-lock.json", "package-lock.json", "package.json", "package.json", "src", "tsconfig.build.json", "tsconfig.json", "ui"]);
    for (const source of sources) {
      expect(existsSync(`${ROOT}${source}`), source).toBe(true);
      expect(ignoredBy(ignore, source), `${source} is excluded by .dockerignore`).toBe(false);
    }
    // What the build needs inside those folders is not excluded either; tests and local state are.
    for (const path of ["src/cli/main.ts", "src/cost/catalogue.json", "ui/src", "bin/liaison.js"]) expect(ignoredBy(ignore, path), path).toBe(false);
    for (const path of ["node_modules", "ui/node_modules/x", "dist/cli/main.js", ".env", "liaison.db", "src/providers/registry.test.ts", "test/e2e", ".git"]) expect(ignoredBy(ignore, path), path).toBe(true);
  });

  it("only better-sqlite3 needs an install script among the production dependencies (so --ignore-scripts plus its build/ is enough)", () => {
    const lock = JSON.parse(read("package-lock.json")) as { packages: Record<string, { hasInstallScript?: boolean; dev?: boolean }> };
    const scripted = Object.entries(lock.packages).filter(([, p]) => p.hasInstallScript && !p.dev).map(([path]) => path);
    expect(scripted).toEqual(["node_modules/better-sqlite3"]);
  });
});

describe("the runtime stage", () => {
  const ops = (op: string) => runtime!.body.filter((i) => i.op === op).map((i) => i.args);

  it("installs production dependencies only, with npm ci --omit=dev", () => {
    expect(runs(runtime!)).toMatch(/npm ci --omit=dev --ignore-scripts/);
    expect(runs(runtime!)).not.toMatch(/npm run build|npm install(?!\S)/);
  });

  it("runs as a non-root user", () => {
    const user = ops("USER").at(-1);
    expect(user).toBe("node");
    expect(runtime!.body.findIndex((i) => i.op === "USER")).toBeGreaterThan(runtime!.body.findIndex((i) => i.op === "RUN" && i.args.includes("chown node:node /data")));
  });

  it("exposes the port, keeps its state in a volume and works there", () => {
    expect(ops("EXPOSE")).toEqual(["4000"]);
    expect(ops("VOLUME")).toEqual(['["/data"]']);
    expect(ops("WORKDIR").at(-1)).toBe("/data");
  });

  it("checks /health with Node's own fetch (valid JavaScript), on the port it serves", () => {
    const check = ops("HEALTHCHECK")[0]!;
    expect(check).toMatch(/--interval=\d+s --timeout=\d+s --start-period=\d+s --retries=\d+ CMD \[/);
    const argv = JSON.parse(check.slice(check.indexOf("["))) as string[];
    expect(argv.slice(0, 2)).toEqual(["node", "-e"]);
    expect(argv[2]).toContain("http://127.0.0.1:4000/health");
    expect(() => new Function(argv[2]!)).not.toThrow();
  });

  it("starts the CLI's serve on every interface, the CLI being executable", () => {
    expect(JSON.parse(ops("ENTRYPOINT")[0]!)).toEqual(["/app/bin/liaison.js"]);
    expect(JSON.parse(ops("CMD")[0]!)).toEqual(["serve", "--host", "0.0.0.0", "--port", "4000"]);
    expect(statSync(`${ROOT}bin/liaison.js`).mode & 0o111).not.toBe(0);
    expect(read("bin/liaison.js").split("\n")[0]).toMatch(/^#!\/usr\/bin\/env -S node /);
  });
});
