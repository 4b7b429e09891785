// The dashboard's build: `npm run build` (and so `npm install`) writes it to
// dist/ui, which the gateway serves at /ui (src/server/routes/ui.ts).
// `npx vite --config ui/vite.config.ts` serves it with hot reload, sending
// the API calls to a gateway on 127.0.0.1:4000 (LIAISON_URL to change it).
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const gateway = process.env.LIAISON_URL ?? "http://127.0.0.1:4000";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/ui/",
  plugins: [react()],
  // Nothing is fetched at run time: every module is bundled, no CDN.
  build: {
    outDir: fileURLToPath(new URL("../dist/ui", import.meta.url)),
    emptyOutDir: true,
    assetsDir: "assets",
    chunkSizeWarningLimit: 1000,
  },
  server: { proxy: { "/admin": gateway, "/v1": gateway } },
});
