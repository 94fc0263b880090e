// A plain Vite app: no plugin is needed for sio-client's WebAssembly (the package loads it
// with `new URL("…", import.meta.url)`, which Vite resolves and copies into the build).
import { defineConfig } from "vite";

export default defineConfig({
  // The dev server's dependency pre-bundling would move sio-client away from its .wasm file.
  optimizeDeps: { exclude: ["sio-client"] },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
  server: { host: "127.0.0.1" },
  preview: { host: "127.0.0.1" },
  logLevel: "warn",
});
