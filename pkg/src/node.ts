/**
 * sio-client for Node (the package's `"node"` export condition: Node, Vitest, Jest in ESM
 * mode, server-side rendering): the WebAssembly module is read from disk while the package is
 * imported, instead of fetched from a `file://` URL. Long-polling works on every Node with
 * `fetch` (18+); WebSocket needs a global `WebSocket` (Node 22+, or Node 20/21 with
 * `--experimental-websocket`): without one, a polling connection just does not upgrade.
 */

import { readFileSync } from "node:fs";
import { initSync } from "../wasm/sio_wasm.js";

initSync({ module: readFileSync(new URL("../wasm/sio_wasm_bg.wasm", import.meta.url)) });

export * from "./api.js";
export { default } from "./api.js";
