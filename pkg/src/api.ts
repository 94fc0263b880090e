/**
 * The API of sio-client: `io()`, `Manager` and `Socket` are exported by the Rust crate
 * sio-wasm (client-wasm/) with wasm-bindgen, on sio-client's Rust API and its browser driver;
 * ./types.ts declares them like socket.io-client's. This module only gives them their types and
 * lets `new Manager()` return the manager's one JavaScript object (the one `socket.io` is).
 * The entry points (index.ts for browsers and bundlers, node.ts for Node) load the WebAssembly
 * module first.
 */

import * as wasm from "../wasm/sio_wasm.js";
import type * as T from "./types.js";

export type {
  AllButLast,
  AuthOption,
  ConnectError,
  DecorateAcknowledgements,
  DefaultEventsMap,
  DisconnectDescription,
  DisconnectReason,
  EventNames,
  EventParams,
  EventsMap,
  ExtendedError,
  FirstArg,
  Last,
  ManagerOptions,
  ManagerReservedEvents,
  ParserModule,
  ParserOption,
  ReservedOrUserEventNames,
  ReservedOrUserListener,
  SocketOptions,
  SocketReservedEvents,
} from "./types.js";

// socket.io-client's aliases (on the prototypes, not as more exports of the WebAssembly module)
for (const proto of [wasm.Socket.prototype, wasm.Manager.prototype] as unknown as Record<string, unknown>[]) {
  proto.addEventListener = proto.on;
  proto.removeListener = proto.removeEventListener = proto.removeAllListeners = proto.off;
  proto.close = proto.disconnect;
}
(wasm.Socket.prototype as unknown as Record<string, unknown>).open = wasm.Socket.prototype.connect;

/** A socket for the namespace in `uri` (socket.io-client's `io()`). */
export const io = wasm.io as unknown as typeof T.io;

/** One namespace on a connection (socket.io-client `Socket`). */
export const Socket = wasm.Socket as unknown as typeof T.Socket;
/** One namespace on a connection (socket.io-client `Socket`). */
export type Socket<
  ListenEvents extends T.EventsMap = T.DefaultEventsMap,
  EmitEvents extends T.EventsMap = ListenEvents,
> = T.Socket<ListenEvents, EmitEvents>;
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace Socket {
  /** Why a socket disconnected. */
  type DisconnectReason = T.DisconnectReason;
}

// `new Manager(uri, opts)` returns what this function returns: the manager's own object.
function createManager(uri?: unknown, opts?: unknown): unknown {
  return wasm.Manager.__create(uri, opts);
}
createManager.prototype = wasm.Manager.prototype;

/** One connection to a server, shared by its namespace sockets (socket.io-client `Manager`). */
export const Manager = createManager as unknown as typeof T.Manager;
/** One connection to a server, shared by its namespace sockets (socket.io-client `Manager`). */
export type Manager<
  ListenEvents extends T.EventsMap = T.DefaultEventsMap,
  EmitEvents extends T.EventsMap = ListenEvents,
> = T.Manager<ListenEvents, EmitEvents>;

/**
 * Resolves at once: the WebAssembly module is loaded while this package is imported. (Kept for
 * code written against earlier versions, which loaded it on the first `io()`.)
 */
export function ready(): Promise<void> {
  return Promise.resolve();
}

export { io as connect };
export default io;
