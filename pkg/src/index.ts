/**
 * sio-client: a Socket.IO v4 client for browsers, shaped like socket.io-client, written in
 * Rust (sio-core's protocol state machine, sio-client's API and its web-sys driver) and
 * compiled to WebAssembly.
 *
 * ```ts
 * import { io } from "sio-client";
 * const socket = io("https://example.com", { auth: { token } });
 * socket.on("news", (msg) => console.log(msg));
 * const reply = await socket.timeout(5000).emitWithAck("hello", 1, new Uint8Array([2]));
 * socket.join("room-1"); // re-joined by itself after every reconnect
 * ```
 *
 * This entry point (browsers and bundlers) loads the WebAssembly module while it is imported
 * (top-level await), from next to this file (`new URL("…", import.meta.url)`, which Vite,
 * webpack 5 and Rollup resolve), so every call works at once. Node uses `./node.js`, which
 * reads it from disk.
 */

import init from "../wasm/sio_wasm.js";

await init();

export * from "./api.js";
export { default } from "./api.js";
