// The test pages are built like an application would be: `vite build`, no wasm plugin, no
// special configuration for sio-client. index.html is the React app (react.test.mjs, and
// client.test.mjs's `window.sio`), api.html the plain API with the parser packages
// (interop.test.mjs, cluster.test.mjs).
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  build: {
    outDir: "dist",
    emptyOutDir: true,
    rollupOptions: { input: { index: resolve(here, "index.html"), api: resolve(here, "api.html") } },
  },
  logLevel: "warn",
});
