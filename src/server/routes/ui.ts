/**
 * GET /ui: the admin dashboard (ui/, docs/dashboard.md), built by `npm
 * install` into dist/ui and served from there. Vite names every asset
 * after a hash of its content, so assets are cached for a year and never
 * revalidated; index.html names the current ones, so it is revalidated on
 * every load. Any other path under /ui is a page of the dashboard's own
 * router and gets index.html. Only files found in the build are served:
 * the path in the URL is looked up, never joined onto the filesystem.
 * No key is needed: the page holds no data; it asks the admin API with the
 * key its user signs in with.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply } from "fastify";

/** Where `vite build --config ui/vite.config.ts` writes: <package>/dist/ui, the same three levels up from src/server/routes and dist/server/routes. */
export const UI_DIR = fileURLToPath(new URL("../../../dist/ui/", import.meta.url));

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

const IMMUTABLE = "public, max-age=31536000, immutable";
// The page talks to this origin only and is never framed.
const SECURITY = {
  "content-security-policy": "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

interface Asset { body: Buffer; type: string }

/** Every file of the build, by its URL path under /ui/ ("index.html", "assets/index-3f2a.js"). */
function readBuild(dir: string): Map<string, Asset> | undefined {
  const files = new Map<string, Asset>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(dir, path).split(sep).join("/"), { body: readFileSync(path), type: TYPES[extname(name)] ?? "application/octet-stream" });
    }
  };
  try {
    walk(dir);
  } catch {
    return undefined;
  }
  return files.has("index.html") ? files : undefined;
}

export function registerUiRoutes(app: FastifyInstance, options: { dir?: string } = {}): void {
  const dir = options.dir ?? UI_DIR;
  // Read once; a gateway started before the build finds it at the next request.
  let build = readBuild(dir);

  const send = (reply: FastifyReply, path: string): FastifyReply => {
    build ??= readBuild(dir);
    if (!build) {
      return reply.code(503).type("text/plain; charset=utf-8").header("cache-control", "no-store")
        .send(`The dashboard is not built: run \`npm run build\` (npm install does it) so that ${dir} holds it, then reload.\n`);
    }
    const asset = build.get(path);
    reply.headers(SECURITY);
    if (asset && path !== "index.html") return reply.type(asset.type).header("cache-control", path.startsWith("assets/") ? IMMUTABLE : "no-cache").send(asset.body);
    // A hashed asset that is not in this build (an old page after an upgrade) is a 404, not the page.
    if (path.startsWith("assets/")) return reply.code(404).type("text/plain; charset=utf-8").header("cache-control", "no-store").send("Not found.\n");
    const index = build.get("index.html")!;
    return reply.type(index.type).header("cache-control", "no-cache").send(index.body);
  };

  app.get("/ui", (_req, reply) => send(reply, "index.html"));
  app.get("/ui/*", (req, reply) => send(reply, (req.params as { "*": string })["*"]));
}
