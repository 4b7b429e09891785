/**
 * How the gateway serves the dashboard's build (src/server/routes/ui.ts),
 * on a fastify app with a build of files made here: hashed assets cached
 * for a year, index.html revalidated, page paths answered with index.html,
 * nothing outside the build reachable, and a clear 503 before the first build.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUiRoutes } from "../../src/server/routes/ui.js";

let dir: string;
let app: FastifyInstance;
const INDEX = '<!doctype html><script type="module" src="/ui/assets/index-abc123.js"></script>';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "liaison-ui-build-"));
  app = Fastify();
  registerUiRoutes(app, { dir: join(dir, "ui") });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (url: string) => app.inject({ method: "GET", url });

describe("the dashboard's files", () => {
  it("answers 503 with the command that builds it while there is no build, then serves the build once it appears", async () => {
    const missing = await get("/ui");
    expect(missing.statusCode).toBe(503);
    expect(missing.body).toContain("npm run build");
    mkdirSync(join(dir, "ui", "assets"), { recursive: true });
    writeFileSync(join(dir, "ui", "index.html"), INDEX);
    writeFileSync(join(dir, "ui", "assets", "index-abc123.js"), "console.log(1)");
    writeFileSync(join(dir, "secret.txt"), "not part of the build");
    const page = await get("/ui");
    expect(page.statusCode).toBe(200);
    expect(page.body).toBe(INDEX);
  });

  it("caches hashed assets for a year and revalidates the page", async () => {
    const js = await get("/ui/assets/index-abc123.js");
    expect(js.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    const page = await get("/ui/");
    expect(page.headers["cache-control"]).toBe("no-cache");
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(page.headers["x-frame-options"]).toBe("DENY");
  });

  it("answers the page for the dashboard's own paths, 404 for a missing asset, and nothing outside the build", async () => {
    for (const path of ["/ui/logs", "/ui/logs/req_123?x=1", "/ui/keys/"]) expect((await get(path)).body).toBe(INDEX);
    expect((await get("/ui/assets/index-old999.js")).statusCode).toBe(404);
    for (const path of ["/ui/../secret.txt", "/ui/%2e%2e/secret.txt", "/ui/..%2fsecret.txt", "/ui/assets/../../secret.txt"]) {
      const res = await get(path);
      expect(res.body).not.toContain("not part of the build");
    }
  });
});
