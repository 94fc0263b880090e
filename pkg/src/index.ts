/**
 * sio-client: a Socket.IO v4 client for browsers, shaped like socket.io-client, running the
 * Rust `sio-core` state machine compiled to WebAssembly.
 *
 * ```ts
 * import { io } from "sio-client";
 * const socket = io("https://example.com", { auth: { token } });
 * socket.on("news", (msg) => console.log(msg));
 * const reply = await socket.timeout(5000).emitWithAck("hello", 1, new Uint8Array([2]));
 * socket.join("room-1"); // re-joined by itself after every reconnect
 * ```
 *
 * The WebAssembly module loads by itself on the first `io()` (calls made meanwhile are
 * queued); `await ready()` waits for it explicitly, or loads it from another URL.
 *
 * Differences from socket.io-client (deliberate, documented in pkg/README.md): `Blob`
 * arguments are refused (pass `await blob.arrayBuffer()`); `retries` needs `ackTimeout`;
 * `emitWithAck` also rejects when the connection is lost or closed without a timeout set;
 * `join`/`leave` implement the rooms convention of the server fixtures (`"join"`/`"leave"`
 * events with an ack).
 */

import init from "../wasm/sio_wasm.js";
import { CoreClient } from "./core.js";
import { callAll, Emitter, report, type Listener } from "./emitter.js";

export { Emitter, type Listener } from "./emitter.js";
export { CoreClient, type Handler } from "./core.js";

/** The `auth` option: an object sent with every CONNECT, or a function called before each. */
export type AuthOption =
  | Record<string, unknown>
  | ((cb: (data?: Record<string, unknown>) => void) => void);

/** Options of `io()` and `new Manager()` (socket.io-client's names and defaults). */
export interface ManagerOptions {
  /** Engine.IO path on the server (default `"/socket.io/"`). */
  path?: string;
  /** Extra query parameters for every request. */
  query?: Record<string, string | number | boolean> | string;
  /** Extra HTTP headers (applied to long-polling requests only: browsers cannot set them on WebSocket). */
  extraHeaders?: Record<string, string>;
  /** `["polling", "websocket"]` (default: poll, then upgrade), `["websocket"]`, or `["polling"]`. */
  transports?: ("polling" | "websocket")[];
  /** Whether polling may upgrade to WebSocket (default true). */
  upgrade?: boolean;
  /** Reconnect automatically (default true). */
  reconnection?: boolean;
  /** Attempts before giving up (default and 0: forever). */
  reconnectionAttempts?: number;
  /** First reconnection delay in ms (default 1000). */
  reconnectionDelay?: number;
  /** Maximum reconnection delay in ms (default 5000). */
  reconnectionDelayMax?: number;
  /** Jitter, 0 to 1 (default 0.5). */
  randomizationFactor?: number;
  /** Connection timeout per attempt in ms (default 20000), or `false`. */
  timeout?: number | false;
  /** Default ack timeout in ms: ack callbacks become error-first `(err, ...args)`. */
  ackTimeout?: number;
  /** Re-send an unacknowledged emit this many times (needs `ackTimeout`). */
  retries?: number;
  /** Send cookies with cross-site long-polling requests (default false). */
  withCredentials?: boolean;
  /** Connect sockets on creation (default true). */
  autoConnect?: boolean;
  /** Always create a new connection instead of sharing one per server. */
  forceNew?: boolean;
  /** Share connections per server (default true); `false` is `forceNew`. */
  multiplex?: boolean;
}

/** Options of one namespace socket. */
export interface SocketOptions {
  /** Sent with every CONNECT; a function is called before each (re)connect. */
  auth?: AuthOption;
}

/** Why an emit with a timeout or `emitWithAck` failed. */
export type AckErrorKind = "timeout" | "disconnected" | "closed" | "not_sent";

/** A `connect_error`: the server's message, and its `data` when it sent some. */
export interface ConnectError extends Error {
  data?: unknown;
}

const RESERVED = new Set([
  "connect",
  "connect_error",
  "disconnect",
  "disconnecting",
  "newListener",
  "removeListener",
]);

const WITH_ERROR = Symbol("withError");

let loading: Promise<void> | undefined;
let loaded = false;

/**
 * Loads the WebAssembly module (once). Optional: `io()` starts loading it by itself. Pass
 * `wasm` (a URL, `Response`, bytes or `WebAssembly.Module`) to load it from elsewhere than
 * next to this file.
 */
export function ready(wasm?: string | URL | Response | BufferSource | WebAssembly.Module): Promise<void> {
  if (!loading) {
    const input = wasm === undefined ? undefined : { module_or_path: wasm };
    loading = init(input).then(
      () => {
        loaded = true;
      },
      (error: unknown) => {
        loading = undefined;
        throw error;
      },
    );
  }
  return loading;
}

type Core = CoreClient;

/** One connection to a server, shared by its namespace sockets (socket.io-client `Manager`). */
export class Manager extends Emitter {
  /** The server URL. */
  readonly uri: string;
  /** The options this manager was created with. */
  readonly opts: ManagerOptions & SocketOptions;
  /** The sockets by namespace. */
  readonly nsps: Record<string, Socket> = {};
  private _core?: Core;
  private _pending: ((core: Core) => void)[] = [];

  /** A connection to `uri`; it opens when a socket connects. */
  constructor(uri: string, opts: ManagerOptions & SocketOptions = {}) {
    super();
    this.uri = uri;
    this.opts = opts;
    if (loaded) this._create(true);
    else ready().then(
      () => this._create(false),
      (error: unknown) => this._failed(error),
    );
  }

  private _create(sync: boolean): void {
    try {
      this._core = new CoreClient(this.uri, this.opts, (kind: string, ns: string | undefined, a: unknown, b: unknown, c: unknown) =>
        this._onEvent(kind, ns, a, b, c),
      );
    } catch (error) {
      if (sync) throw error;
      this._failed(error);
      return;
    }
    const pending = this._pending.splice(0);
    for (const fn of pending) {
      try {
        fn(this._core);
      } catch (e) {
        report(e);
      }
    }
  }

  private _failed(error: unknown): void {
    this._pending.length = 0;
    const err = error instanceof Error ? error : new Error(String(error));
    this.emitReserved("error", err);
    for (const socket of Object.values(this.nsps)) socket._onEvent("connect_error", err);
  }

  /** Runs `fn` with the core now, or once the WebAssembly module is loaded. @internal */
  _with(fn: (core: Core) => void): void {
    if (this._core) fn(this._core);
    else this._pending.push(fn);
  }

  /** The core, once loaded. @internal */
  get _coreOrUndefined(): Core | undefined {
    return this._core;
  }

  /** The socket of namespace `nsp` (cached; reconnected if `autoConnect` and inactive). */
  socket(nsp: string, opts: SocketOptions = {}): Socket {
    let socket = this.nsps[nsp];
    if (!socket) {
      socket = new Socket(this, nsp, opts);
      this.nsps[nsp] = socket;
    } else if (this.opts.autoConnect !== false && !socket.active) {
      socket.connect();
    }
    return socket;
  }

  /** Closes the connection and every socket, without reconnecting. */
  disconnect(): this {
    this._with((core) => core.close());
    return this;
  }

  /** Alias of {@link disconnect}. */
  close(): this {
    return this.disconnect();
  }

  /** Reconnects at once if a reconnection is waiting for its delay (restarts the backoff). */
  reconnectNow(): this {
    this._with((core) => core.reconnectNow());
    return this;
  }

  /** `"polling"` or `"websocket"` while connected. */
  get transport(): string | undefined {
    return this._core?.transport() ?? undefined;
  }

  /** Whether a reconnection loop is running. */
  get reconnecting(): boolean {
    return this._core?.reconnecting() ?? false;
  }

  private _onEvent(kind: string, ns: string | undefined, a: unknown, b: unknown, c: unknown): void {
    if (ns === undefined) {
      switch (kind) {
        case "open":
        case "ping":
        case "upgrade":
        case "reconnect_failed":
          this.emitReserved(kind);
          return;
        default:
          this.emitReserved(kind, a);
          return;
      }
    }
    this.nsps[ns]?._onEvent(kind, a, b, c);
  }

  /** Turns outgoing-event reports on when a socket has `onAnyOutgoing` listeners. @internal */
  _updateOutgoing(): void {
    const on = Object.values(this.nsps).some((s) => s.listenersAnyOutgoing().length > 0);
    this._with((core) => core.setReportOutgoing(on));
  }
}

interface AckEntry {
  fn: Listener;
  withError: boolean;
}

/** One namespace on a connection (socket.io-client `Socket`). */
export class Socket extends Emitter {
  /** The manager (connection) of this socket. */
  readonly io: Manager;
  /** The namespace. */
  readonly nsp: string;
  private _auth: AuthOption | undefined;
  private _flags: { volatile?: boolean; timeout?: number } = {};
  private _acks = new Map<number, AckEntry>();
  private _any: Listener[] = [];
  private _anyOut: Listener[] = [];
  private _wantActive = false;

  /** Use `io()` or `manager.socket()`. */
  constructor(io: Manager, nsp: string, opts: SocketOptions = {}) {
    super();
    this.io = io;
    this.nsp = nsp;
    this._auth = opts.auth ?? io.opts.auth;
    io._with((core) =>
      core.setAuth(nsp, (cb: (data?: unknown) => void) => {
        const auth = this._auth;
        if (typeof auth === "function") auth(cb);
        else cb(auth);
      }),
    );
    if (io.opts.autoConnect !== false) this.connect();
  }

  /** The auth object or function; read again on every (re)connect. */
  get auth(): AuthOption | undefined {
    return this._auth;
  }

  set auth(value: AuthOption | undefined) {
    this._auth = value;
  }

  /** Whether the namespace is connected. */
  get connected(): boolean {
    return this.io._coreOrUndefined?.connected(this.nsp) ?? false;
  }

  /** Whether the namespace is not connected. */
  get disconnected(): boolean {
    return !this.connected;
  }

  /** Whether the socket wants a connection and reconnects by itself. */
  get active(): boolean {
    const core = this.io._coreOrUndefined;
    return core ? core.active(this.nsp) : this._wantActive;
  }

  /** The namespace socket id while connected. */
  get id(): string | undefined {
    return this.io._coreOrUndefined?.id(this.nsp) ?? undefined;
  }

  /** Whether the last connection restored the previous session (connection state recovery). */
  get recovered(): boolean {
    return this.io._coreOrUndefined?.recovered(this.nsp) ?? false;
  }

  /** The rooms joined with {@link join} (re-joined after reconnects). */
  get rooms(): string[] {
    return (this.io._coreOrUndefined?.rooms(this.nsp) as string[] | undefined) ?? [];
  }

  /** Connects (a no-op when connected or connecting). */
  connect(): this {
    this._wantActive = true;
    this.io._with((core) => core.connect(this.nsp));
    return this;
  }

  /** Alias of {@link connect}. */
  open(): this {
    return this.connect();
  }

  /** Disconnects; no automatic reconnection follows. */
  disconnect(): this {
    this._wantActive = false;
    this.io._with((core) => core.disconnect(this.nsp));
    return this;
  }

  /** Alias of {@link disconnect}. */
  close(): this {
    return this.disconnect();
  }

  /** `emit("message", ...args)`. */
  send(...args: unknown[]): this {
    return this.emit("message", ...args);
  }

  /**
   * Emits `event` with `args`; a last function argument receives the server's ack (error-first
   * `(err, ...args)` with {@link timeout} or `ackTimeout`). Throws for a reserved name or
   * arguments that cannot be sent (`Blob`, cycles, `BigInt`).
   */
  emit(event: string, ...args: unknown[]): this {
    const name = String(event);
    if (RESERVED.has(name)) throw new Error(`"${name}" is a reserved event name`);
    let ack: Listener | undefined;
    if (args.length > 0 && typeof args[args.length - 1] === "function") ack = args.pop() as Listener;
    const { timeout, volatile = false } = this._flags;
    this._flags = {};
    const withError =
      timeout !== undefined ||
      this.io.opts.ackTimeout !== undefined ||
      (ack as { [WITH_ERROR]?: boolean } | undefined)?.[WITH_ERROR] === true;
    this.io._with((core) => {
      const handle = core.emit(this.nsp, name, args, ack !== undefined, timeout, volatile);
      if (ack && handle !== undefined) this._acks.set(handle, { fn: ack, withError });
    });
    return this;
  }

  /**
   * Emits and resolves with the ack's first argument; rejects on timeout ({@link timeout} or
   * `ackTimeout`) and when the connection is lost or closed before the ack.
   */
  emitWithAck(event: string, ...args: unknown[]): Promise<any> {
    return new Promise((resolve, reject) => {
      const fn = (err: unknown, ...reply: unknown[]) => (err ? reject(err) : resolve(reply[0]));
      (fn as { [WITH_ERROR]?: boolean })[WITH_ERROR] = true;
      try {
        this.emit(event, ...args, fn);
      } catch (e) {
        reject(e);
      }
    });
  }

  /** Sets an ack timeout in ms for the next emit: its callback becomes `(err, ...args)`. */
  timeout(ms: number): this {
    this._flags.timeout = ms;
    return this;
  }

  /** The next emit is dropped instead of buffered when it cannot be sent at once. */
  get volatile(): this {
    this._flags.volatile = true;
    return this;
  }

  /** Accepted for compatibility; compression is the transport's business. */
  compress(_compress: boolean): this {
    return this;
  }

  /** Joins `room` (rooms convention: emits `"join"`); re-joined after every reconnect. */
  join(room: string): this {
    this.io._with((core) => core.join(this.nsp, room));
    return this;
  }

  /** Leaves `room` (emits `"leave"`). */
  leave(room: string): this {
    this.io._with((core) => core.leave(this.nsp, room));
    return this;
  }

  /** Adds a listener for every incoming event: `(event, ...args)`. */
  onAny(fn: Listener): this {
    this._any.push(fn);
    return this;
  }

  /** Like {@link onAny}, called before the others. */
  prependAny(fn: Listener): this {
    this._any.unshift(fn);
    return this;
  }

  /** Removes `fn`, or every catch-all listener. */
  offAny(fn?: Listener): this {
    this._any = fn ? this._any.filter((f) => f !== fn) : [];
    return this;
  }

  /** The catch-all listeners. */
  listenersAny(): Listener[] {
    return this._any.slice();
  }

  /** Adds a listener for every outgoing event (not acks): `(event, ...args)`. */
  onAnyOutgoing(fn: Listener): this {
    this._anyOut.push(fn);
    this.io._updateOutgoing();
    return this;
  }

  /** Like {@link onAnyOutgoing}, called before the others. */
  prependAnyOutgoing(fn: Listener): this {
    this._anyOut.unshift(fn);
    this.io._updateOutgoing();
    return this;
  }

  /** Removes `fn`, or every outgoing catch-all listener. */
  offAnyOutgoing(fn?: Listener): this {
    this._anyOut = fn ? this._anyOut.filter((f) => f !== fn) : [];
    this.io._updateOutgoing();
    return this;
  }

  /** The outgoing catch-all listeners. */
  listenersAnyOutgoing(): Listener[] {
    return this._anyOut.slice();
  }

  /** An event from the manager for this namespace. @internal */
  _onEvent(kind: string, a?: unknown, b?: unknown, c?: unknown): void {
    switch (kind) {
      case "connect":
        this.emitReserved("connect");
        return;
      case "connect_error":
        this.emitReserved("connect_error", a);
        return;
      case "disconnect":
        this.emitReserved("disconnect", a);
        return;
      case "event": {
        const args = (b as unknown[]).slice();
        if (typeof c === "number") {
          let sent = false;
          args.push((...reply: unknown[]) => {
            if (sent) return;
            sent = true;
            this.io._with((core) => core.ack(this.nsp, c, reply));
          });
        }
        callAll(this._any, this, [a, ...args]);
        this.emitReserved(a as string, ...args);
        return;
      }
      case "ack": {
        const entry = this._acks.get(a as number);
        if (!entry) return;
        this._acks.delete(a as number);
        callAll([entry.fn], this, entry.withError ? [null, ...(b as unknown[])] : (b as unknown[]));
        return;
      }
      case "ack_error": {
        const entry = this._acks.get(a as number);
        if (!entry) return;
        this._acks.delete(a as number);
        if (entry.withError) callAll([entry.fn], this, [b]);
        return;
      }
      case "outgoing":
        callAll(this._anyOut, this, [a, ...(b as unknown[])]);
        return;
    }
  }
}

const cache: Record<string, Manager> = {};

/**
 * A socket for the namespace in `uri` (default: the page's origin), on a connection shared
 * per server and path unless `forceNew` / `multiplex: false` — socket.io-client's `io()`.
 */
export function io(uri?: string | (ManagerOptions & SocketOptions), opts?: ManagerOptions & SocketOptions): Socket {
  if (typeof uri === "object") {
    opts = uri;
    uri = undefined;
  }
  const options: ManagerOptions & SocketOptions = { ...(opts ?? {}) };
  const page = typeof location !== "undefined" ? location : undefined;
  const parsed = new URL(uri ?? (page ? `${page.protocol}//${page.host}` : ""), page?.href);
  const secure = parsed.protocol === "https:" || parsed.protocol === "wss:";
  const port = parsed.port || (secure ? "443" : "80");
  const id = `${parsed.protocol}//${parsed.hostname}:${port}${options.path || "/socket.io"}`;
  const nsp = decodeURIComponent(parsed.pathname) || "/";
  const source = `${parsed.protocol}//${parsed.host}${parsed.search}`;
  const sameNamespace = cache[id] !== undefined && nsp in cache[id].nsps;
  const fresh = options.forceNew || options.multiplex === false || sameNamespace;
  let manager: Manager;
  if (fresh) manager = new Manager(source, options);
  else manager = cache[id] ??= new Manager(source, options);
  return manager.socket(nsp, options);
}

export { io as connect };
export default io;
