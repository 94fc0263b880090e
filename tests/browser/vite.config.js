// The test page is built like an application would be: `vite build`, no wasm plugin, no
// special configuration for sio-client.
import { defineConfig } from "vite";

export default defineConfig({
  build: { outDir: "dist", emptyOutDir: true },
  logLevel: "warn",
});
