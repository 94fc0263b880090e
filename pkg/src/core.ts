/**
 * The connection driver: one `Core` (the Rust state machine compiled to WebAssembly, which
 * does no I/O) plus the browser's network and clock — WebSocket (binary frames as
 * `ArrayBuffer`), `fetch` long-polling, one `setTimeout` — and the conversion of event
 * arguments to and from JSON text with binary placeholders. `index.ts` builds the
 * socket.io-client API on it.
 *
 * Re-entrancy: browser callbacks only queue an input and schedule a run on the microtask
 * queue. A run feeds the queued inputs to the core, performs every transport command it
 * yields, arms the timer, and only then — with nothing of the core in use — hands the events
 * to the handler one by one. Commands (`emit`, `join`, …) apply at once and run the same
 * loop; called from inside the handler, their events are queued behind the ones being
 * delivered, so the order is always the core's.
 */

import { Core } from "../wasm/sio_wasm.js";

/**
 * Receives every event as `(kind, ns, a, b, c)`:
 *
 * | kind | ns | a | b | c |
 * |---|---|---|---|---|
 * | `open`, `ping`, `upgrade`, `reconnect_failed` | – | | | |
 * | `close` | – | reason | | |
 * | `error`, `reconnect_error` | – | `Error` | | |
 * | `reconnect_attempt`, `reconnect` | – | attempt | | |
 * | `connect` | ns | id | recovered | |
 * | `connect_error` | ns | `Error` (with `.data`) | | |
 * | `disconnect` | ns | reason | | |
 * | `event` | ns | name | args (`Array`) | ack id or `undefined` |
 * | `ack` | ns | handle | args (`Array`) | |
 * | `ack_error` | ns | handle | `Error` | `"timeout"`, `"disconnected"`, `"closed"`, `"not_sent"` |
 * | `joined` | ns | room | | |
 * | `outgoing` | ns | name | args (`Array`) | |
 */
export type Handler = (kind: string, ns: string | undefined, a?: unknown, b?: unknown, c?: unknown) => void;

/** Deeper nesting of arguments is refused (it also stops cycles); the core's JSON limit. */
const MAX_DEPTH = 128;

type Input = () => void;
type Out = any[]; // eslint-disable-line @typescript-eslint/no-explicit-any

/** `reportError`, or `console.error` where it does not exist. */
function reportError(error: unknown): void {
  try {
    (globalThis as unknown as { reportError(e: unknown): void }).reportError(error);
  } catch {
    console.error(error);
  }
}

function messageOf(e: unknown, otherwise: string): string {
  return e instanceof Error ? e.message : typeof e === "string" ? e : otherwise;
}

function get(object: unknown, key: string): unknown {
  if (typeof object !== "object" || object === null) return undefined;
  try {
    return (object as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

const absent = (value: unknown): value is undefined | null => value === undefined || value === null;

/** Option `key` of type `type` (a `TypeError` for another type), `undefined` when absent. */
function option<T>(options: unknown, key: string, type: string): T | undefined {
  const value = get(options, key);
  if (absent(value)) return undefined;
  if (typeof value !== type) throw new TypeError(`option \`${key}\` must be a ${type}`);
  return value as T;
}

/** `{ key: value }` as a flat `[key, value, …]` list of strings, or a `"a=1&b=2"` text as is. */
function pairs(options: unknown, key: string): string | string[] | null {
  const value = get(options, key);
  if (absent(value)) return null;
  if (typeof value === "string") return value;
  if (!(value instanceof Object)) throw new TypeError(`option \`${key}\` must be an object`);
  const flat: string[] = [];
  for (const [k, v] of Object.entries(value)) if (v !== undefined) flat.push(k, String(v));
  return flat;
}

/** Copies `value` with its `ArrayBuffer`s and views replaced by placeholders (see `toPayload`). */
function deconstruct(value: unknown, attachments: Uint8Array[], depth: number): unknown {
  if (typeof value !== "object" || value === null) return undefined;
  if (depth > MAX_DEPTH) throw new TypeError(`arguments are nested deeper than ${MAX_DEPTH} levels, or cyclic`);
  const bytes =
    value instanceof ArrayBuffer
      ? new Uint8Array(value)
      : ArrayBuffer.isView(value)
        ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
        : undefined;
  if (bytes) return { _placeholder: true, num: attachments.push(bytes) - 1 };
  if (typeof Blob !== "undefined" && value instanceof Blob) {
    throw new TypeError("Blob arguments are not supported: pass `await blob.arrayBuffer()` instead");
  }
  let copy: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const replaced = deconstruct(value[i], attachments, depth + 1);
      if (replaced !== undefined) (copy ??= value.slice())[i] = replaced;
    }
    return copy;
  }
  if (typeof get(value, "toJSON") === "function") return undefined;
  for (const key of Object.keys(value)) {
    const replaced = deconstruct(get(value, key), attachments, depth + 1);
    if (replaced !== undefined) (copy ??= Object.assign({}, value))[key] = replaced;
  }
  return copy;
}

/**
 * An argument list as JSON text (`JSON.stringify`) and attachments: `ArrayBuffer`s and views
 * anywhere become `{"_placeholder":true,"num":N}` (N depth-first, socket.io-parser's order),
 * without modifying the caller's objects (only the containers on the way to a binary value are
 * copied); objects with a `toJSON` method are left to `JSON.stringify`. A `TypeError` for
 * `Blob`s (convert them with `await blob.arrayBuffer()`), nesting deeper than 128 levels or
 * cycles, and what `JSON.stringify` refuses.
 */
export function toPayload(args: unknown[]): [string, Uint8Array[]] {
  const attachments: Uint8Array[] = [];
  const value = deconstruct(args, attachments, 0) ?? args;
  try {
    return [JSON.stringify(value), attachments];
  } catch (e) {
    throw new TypeError(`arguments cannot be serialised: ${messageOf(e, "unknown JavaScript error")}`);
  }
}

/** Replaces placeholders in a freshly parsed value, in place. */
function reconstruct(value: unknown, buffers: ArrayBuffer[], depth: number): unknown {
  if (typeof value !== "object" || value === null || depth > MAX_DEPTH) return value;
  const object = value as Record<string, unknown>;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = reconstruct(value[i], buffers, depth + 1);
  } else if (object._placeholder === true) {
    const num = object.num;
    if (typeof num === "number" && num >= 0 && num % 1 === 0 && num < buffers.length) return buffers[num];
  } else {
    for (const key of Object.keys(object)) object[key] = reconstruct(object[key], buffers, depth + 1);
  }
  return value;
}

/** A parsed argument list with its attachments (placeholders become `ArrayBuffer`s). */
function fromPayload(value: unknown, attachments: Uint8Array[]): unknown[] {
  if (attachments.length > 0) {
    value = reconstruct(
      value,
      attachments.map((a) => a.buffer as ArrayBuffer),
      0,
    );
  }
  return Array.isArray(value) ? value : [value];
}

/**
 * One Socket.IO connection (socket.io-client's `Manager`) with per-namespace commands;
 * events go to the handler (see {@link Handler}), which is never called while the core is in
 * use, so it may call any method. An exception it throws is reported (`reportError`) and does
 * not stop the connection.
 */
export class CoreClient {
  private _core: Core;
  private _handler: Handler;
  private _credentials: boolean;
  private _inputs: Input[] = [];
  private _events: Out[] = [];
  private _dispatching = false;
  private _wake = false;
  private _timer: ReturnType<typeof setTimeout> | undefined;
  private _auth = new Map<string, unknown>();
  private _sockets = new Map<number, WebSocket>();
  private _requests: [number, number, AbortController][] = [];

  /**
   * A connection to the server at `url` (an absolute `http(s)://` or `ws(s)://` URL; its path
   * is ignored: pass the namespace to each call) with socket.io-client `options`. Nothing
   * happens until a namespace connects. Throws a `TypeError` for a bad URL or option.
   */
  constructor(url: string, options: unknown, handler: Handler) {
    const list = get(options, "transports");
    if (!absent(list) && !Array.isArray(list)) throw new TypeError("option `transports` must be an array");
    const transports = absent(list) ? null : Array.from(list as unknown[], String);
    const noTimeout = get(options, "timeout") === false;
    const timeout = noTimeout ? undefined : option<number>(options, "timeout", "number");
    const seed = option<number>(options, "seed", "number");
    const strings = [option<string>(options, "path", "string") ?? null, pairs(options, "query"), pairs(options, "extraHeaders"), transports];
    // bit 0/1: upgrade set/value, 2/3: reconnection set/value, 4: `timeout: false`, 8-14: numbers set
    let flags = noTimeout ? 16 : 0;
    ["upgrade", "reconnection"].forEach((key, i) => {
      const value = option<boolean>(options, key, "boolean");
      if (value !== undefined) flags |= (value ? 3 : 1) << (2 * i);
    });
    const numbers = ["reconnectionAttempts", "reconnectionDelay", "reconnectionDelayMax", "randomizationFactor", "timeout", "ackTimeout", "retries"].map(
      (key, i) => {
        const value = key === "timeout" ? timeout : option<number>(options, key, "number");
        if (value !== undefined) flags |= 256 << i;
        return value ?? 0;
      },
    );
    this._credentials = option<boolean>(options, "withCredentials", "boolean") ?? false;
    try {
      this._core = new Core(
        url,
        JSON.stringify(strings),
        flags,
        ...(numbers as [number, number, number, number, number, number, number]),
        seed !== undefined && seed >= 0 && seed < Infinity ? seed : Math.random() * 9007199254740992,
      );
    } catch (e) {
      throw typeof e === "string" ? new TypeError(e) : e;
    }
    this._handler = handler;
  }

  /** Connects namespace `ns` (opening the connection if needed); no-op if already active. */
  connect(ns: string): void {
    this._cmd(0, ns);
  }

  /** Disconnects namespace `ns` (the connection closes when no namespace is left). */
  disconnect(ns: string): void {
    this._cmd(1, ns);
  }

  /** Closes the connection and every namespace, without reconnecting. */
  close(): void {
    this._cmd(2);
  }

  /**
   * Sets the `auth` of namespace `ns`: an object sent with every CONNECT, a function
   * `(cb) => cb(data)` called before every CONNECT, or `undefined` for none.
   */
  setAuth(ns: string, auth: unknown): void {
    this._auth.delete(ns);
    if (!absent(auth)) this._auth.set(ns, auth);
  }

  /**
   * Emits `event` with `args` on `ns`. With `ack`, returns the handle that the `ack` /
   * `ack_error` events will carry. `timeoutMs` overrides `ackTimeout`; a `volatile` emit is
   * dropped rather than buffered. Throws for a reserved event name or arguments that cannot be
   * serialised (nothing is sent then).
   */
  emit(ns: string, event: string, args: unknown[], ack: boolean, timeoutMs?: number, volatile = false): number | undefined {
    const [json, attachments] = toPayload(args);
    const timeout = absent(timeoutMs) ? undefined : Number(timeoutMs);
    if (timeout !== undefined && !(timeout >= 0 && timeout < Infinity)) {
      throw new TypeError("the ack timeout must be a non-negative number");
    }
    for (const a of attachments) this._core.attach(a);
    try {
      return this._command((core) => core.emit(performance.now(), ns, event, json, ack, timeout, volatile));
    } catch (e) {
      throw typeof e === "string" ? new Error(e) : e;
    }
  }

  /**
   * Answers the server's ack request `id` (from an `event`) with `args`. Returns false if it
   * was already answered or is unknown (an ack is sent at most once).
   */
  ack(ns: string, id: number, args: unknown[]): boolean {
    const [json, attachments] = toPayload(args);
    if (!(id >= 0 && id % 1 === 0)) return false;
    for (const a of attachments) this._core.attach(a);
    return this._command((core) => core.ack(performance.now(), ns, id, json));
  }

  /** Joins `room` on `ns` (re-joined after every reconnect that is not recovered). */
  join(ns: string, room: string): void {
    this._cmd(3, ns, room);
  }

  /** Leaves `room` on `ns`. */
  leave(ns: string, room: string): void {
    this._cmd(4, ns, room);
  }

  /** Reconnects at once if a reconnection is pending, restarting the backoff. */
  reconnectNow(): void {
    this._cmd(5);
  }

  /** Turns `outgoing` events on or off (for `onAnyOutgoing`). */
  setReportOutgoing(on: boolean): void {
    this._cmd(6, "", on ? "" : undefined);
  }

  /** Whether `ns` is connected. */
  connected(ns: string): boolean {
    return this._query(0, ns);
  }

  /** Whether `ns` wants to be connected and reconnects by itself. */
  active(ns: string): boolean {
    return this._query(1, ns);
  }

  /** The socket id of `ns` while connected. */
  id(ns: string): string | undefined {
    return this._query(2, ns) ?? undefined;
  }

  /** Whether the last connection of `ns` was recovered (connection state recovery). */
  recovered(ns: string): boolean {
    return this._query(3, ns);
  }

  /** The rooms `ns` is in (or will re-join). */
  rooms(ns: string): string[] {
    return this._query(4, ns);
  }

  /** Whether a reconnection loop is running. */
  reconnecting(): boolean {
    return this._query(5, "");
  }

  /** `"polling"` or `"websocket"` while a transport is open. */
  transport(): string | undefined {
    return this._query(6, "") ?? undefined;
  }

  // ----- the run loop -----------------------------------------------------------------------

  /** Queues a browser input and schedules a run (never synchronously). */
  private _push(input: Input): void {
    this._inputs.push(input);
    if (this._wake) return;
    this._wake = true;
    queueMicrotask(() => {
      this._wake = false;
      this._run();
    });
  }

  /** Query `op` (see the Rust `Core::query`). */
  private _query(op: number, ns: string) {
    return JSON.parse(this._core.query(op, ns));
  }

  /** Applies `cmd` `op` (see the Rust `Core::cmd`). */
  private _cmd(op: number, ns = "", arg?: string): void {
    this._command((core) => core.cmd(performance.now(), op, ns, arg));
  }

  /** The network input `kind` (see the Rust `Core::input`), to run later. */
  private _input(kind: number, id = 0, request = 0, status = 0, text?: string, data?: Uint8Array): Input {
    return () => this._core.input(performance.now(), kind, id, request, status, text, data);
  }

  /** Applies a command to the core, then runs. */
  private _command<R>(f: (core: Core) => R): R {
    try {
      return f(this._core);
    } finally {
      this._run();
    }
  }

  /** Steps until the core is quiet; then, unless an outer run does it, delivers the events. */
  private _run(): void {
    this._step();
    if (this._dispatching) return;
    this._dispatching = true;
    try {
      let event: Out | undefined;
      while ((event = this._events.shift())) {
        this._dispatch(event);
        this._step();
      }
    } finally {
      this._dispatching = false;
    }
  }

  private _step(): void {
    const core = this._core;
    for (;;) {
      let progressed = false;
      let input: Input | undefined;
      while ((input = this._inputs.shift())) {
        progressed = true;
        input();
      }
      let text: string;
      while ((text = core.next())) {
        progressed = true;
        let out: Out;
        try {
          out = JSON.parse(text);
        } catch (e) {
          // (cannot happen: the core writes valid JSON)
          this._events.push(["error", `received arguments do not parse: ${messageOf(e, "unknown JavaScript error")}`]);
          continue;
        }
        if (!this._perform(out)) {
          // An event: its attachments (their count is last) are taken now.
          if (out[0] === "event" || out[0] === "ack" || out[0] === "outgoing") {
            const attachments = [];
            for (let n = out.pop(); n > 0; n--) attachments.push(core.partBytes());
            out.push(attachments);
          }
          this._events.push(out);
        }
      }
      if (!progressed && this._inputs.length === 0) break;
    }
    // Arms the timer for the core's next deadline.
    const ms = core.arm(performance.now());
    if (ms !== ms) return; // NaN: unchanged
    clearTimeout(this._timer);
    this._timer =
      ms < 0
        ? undefined
        : setTimeout(() => {
            this._timer = undefined;
            this._input(7)();
            this._push(this._input(6));
          }, ms);
  }

  // ----- the network ------------------------------------------------------------------------

  /** Performs a transport command; false for an event. */
  private _perform(out: Out): boolean {
    const id: number = out[1];
    switch (out[0]) {
      case "ws":
        this._open(id, out[2]);
        return true;
      case "send": {
        const frame = out[2] ? this._core.partBytes() : this._core.partText();
        try {
          this._sockets.get(id)?.send(frame);
        } catch {
          this._push(this._closed(id, "websocket send failed"));
        }
        return true;
      }
      case "http":
        void this._http(out, out[5] ? this._core.partText() : undefined);
        return true;
      case "shut":
        this._shut(id);
        return true;
    }
    return false;
  }

  /** The input that reports transport `id` closed (after tearing it down). */
  private _closed(id: number, error: string | undefined): Input {
    return () => {
      this._shut(id);
      this._input(3, id, 0, 0, error)();
    };
  }

  /** Opens a WebSocket; a failure to even construct it is reported as a close. */
  private _open(id: number, url: string): void {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch (e) {
      this._push(this._closed(id, e instanceof Error ? e.message : "cannot open WebSocket"));
      return;
    }
    ws.binaryType = "arraybuffer";
    ws.onopen = () => this._push(this._input(0, id));
    ws.onmessage = (e) => {
      const data: unknown = e.data;
      if (typeof data === "string") this._push(this._input(1, id, 0, 0, data));
      else if (data instanceof ArrayBuffer) {
        const bytes = new Uint8Array(data);
        this._push(this._input(2, id, 0, 0, undefined, bytes));
      }
    };
    ws.onclose = (e) => this._push(this._closed(id, e.wasClean ? undefined : `websocket closed with code ${e.code}`));
    this._sockets.set(id, ws);
  }

  /** Starts a polling request; its outcome is reported when it completes. */
  private async _http([, id, request, method, url, , ...headers]: Out, body: string | undefined): Promise<void> {
    const controller = new AbortController();
    const init: RequestInit = {
      method,
      credentials: this._credentials ? "include" : "same-origin",
      headers: new Headers(),
      signal: controller.signal,
    };
    for (let i = 0; i < headers.length; i += 2) {
      try {
        (init.headers as Headers).append(headers[i], headers[i + 1]);
      } catch {
        // a header the browser refuses is left out
      }
    }
    if (body !== undefined) init.body = body;
    this._requests.push([id, request, controller]);
    let input: Input;
    try {
      const response = await fetch(url, init);
      if (!(response instanceof Response)) throw "fetch did not return a Response";
      const text = await response.text();
      input = this._input(4, id, request, response.status, text);
    } catch (e) {
      const error = messageOf(e, "request failed");
      input = this._input(5, id, request, 0, error);
    }
    this._push(() => {
      this._requests = this._requests.filter(([t, r]) => !(t === id && r === request));
      input();
    });
  }

  /** Tears a transport down: closes its WebSocket, aborts its requests. */
  private _shut(id: number): void {
    const ws = this._sockets.get(id);
    if (ws) {
      this._sockets.delete(id);
      ws.onopen = ws.onmessage = ws.onclose = null;
      try {
        ws.close();
      } catch {
        // already closing
      }
    }
    this._requests = this._requests.filter(([t, , controller]) => {
      if (t === id) controller.abort();
      return t !== id;
    });
  }

  // ----- events -----------------------------------------------------------------------------

  private _emit(kind: string, ns?: string, a?: unknown, b?: unknown, c?: unknown): void {
    try {
      this._handler.call(null, kind, ns, a, b, c);
    } catch (e) {
      reportError(e);
    }
  }

  /** Delivers one event to the handler. */
  private _dispatch(out: Out): void {
    const [kind, ns, a, b] = out;
    switch (kind) {
      case "open":
      case "ping":
      case "upgrade":
      case "reconnect_failed":
        return this._emit(kind);
      case "close":
      case "reconnect_attempt":
      case "reconnect":
        return this._emit(kind, undefined, ns);
      case "error":
      case "reconnect_error":
        return this._emit(kind, undefined, new Error(ns));
      case "auth":
        return this._requestAuth(ns);
      case "connect_error": {
        const error: Error & { data?: unknown } = new Error(a);
        if (b) error.data = out[4];
        return this._emit(kind, ns, error);
      }
      case "ack_error":
        return this._emit(kind, ns, a, new Error(b), out[4]);
      case "event":
        // [kind, ns, name, args, ack id or null, attachments]
        return this._emit(kind, ns, a, fromPayload(b, out[5]), out[4] ?? undefined);
      case "ack":
      case "outgoing":
        // [kind, ns, handle or name, args, attachments]
        return this._emit(kind, ns, a, fromPayload(b, out[4]));
      default:
        // connect (id, recovered), disconnect (reason), joined (room)
        return this._emit(kind, ns, a, b);
    }
  }

  /**
   * Answers the core's request for the CONNECT payload of `ns` with the namespace's auth
   * object, or by calling its auth function with a one-shot callback.
   */
  private _requestAuth(ns: string): void {
    const auth = this._auth.get(ns);
    if (typeof auth !== "function") return this._provideAuth(ns, auth);
    let called = false;
    try {
      auth.call(null, (data: unknown) => {
        if (called) throw new Error("closure invoked recursively or after being dropped");
        called = true;
        this._provideAuth(ns, data);
      });
    } catch (e) {
      reportError(e);
      this._provideAuth(ns, undefined);
    }
  }

  /** Sends the CONNECT of `ns` with `data` (an object) as its auth payload. */
  private _provideAuth(ns: string, data: unknown): void {
    let json: string | undefined;
    if (typeof data === "object" && data !== null && !Array.isArray(data)) {
      try {
        json = JSON.stringify(data);
      } catch (e) {
        this._emit(
          "error",
          undefined,
          new Error(`arguments cannot be serialised: ${messageOf(e, "unknown JavaScript error")}`),
        );
      }
    }
    this._cmd(7, ns, json);
  }
}
