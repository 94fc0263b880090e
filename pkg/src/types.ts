/**
 * The TypeScript declarations of sio-client's API, shaped like socket.io-client 4.8's
 * (`Socket<ListenEvents, EmitEvents>`, typed `on`/`emit`/`emitWithAck`/`timeout()`, the reserved
 * events, the Manager's events), so that typed code written for socket.io-client compiles
 * unchanged. The implementation is Rust, exported with wasm-bindgen (client-wasm/); this file
 * declares it and emits no JavaScript.
 */

/** Maps event names to the type of their listener. */
export interface EventsMap {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [event: string]: any;
}

/** The events map used when none is given: any event name, any arguments. */
export interface DefaultEventsMap {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [event: string]: (...args: any[]) => void;
}

/** The event names of an events map. */
export type EventNames<Map extends EventsMap> = keyof Map & (string | symbol);

/** The parameters of the listener of `Ev`. */
export type EventParams<Map extends EventsMap, Ev extends EventNames<Map>> = Parameters<Map[Ev]>;

/** Event names that are reserved or user events. */
export type ReservedOrUserEventNames<ReservedEventsMap extends EventsMap, UserEvents extends EventsMap> =
  | EventNames<ReservedEventsMap>
  | EventNames<UserEvents>;

/** An untyped listener if `T` is `never`, else `T` (socket.io-client's workaround for TS#41778). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type FallbackToUntypedListener<T> = [T] extends [never] ? (...args: any[]) => void | Promise<void> : T;

/** The listener type of a reserved or user event. */
export type ReservedOrUserListener<
  ReservedEvents extends EventsMap,
  UserEvents extends EventsMap,
  Ev extends ReservedOrUserEventNames<ReservedEvents, UserEvents>,
> = FallbackToUntypedListener<
  Ev extends EventNames<ReservedEvents> ? ReservedEvents[Ev] : Ev extends EventNames<UserEvents> ? UserEvents[Ev] : never
>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyListener = (...args: any[]) => void;

/** The listener methods sockets and managers share (`@socket.io/component-emitter`'s). */
declare class Emitter<ListenEvents extends EventsMap, ReservedEvents extends EventsMap = {}> {
  /** Adds `listener` for `ev`. */
  on<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    ev: Ev,
    listener: ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>,
  ): this;
  /** Alias of `on`. */
  addEventListener<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    ev: Ev,
    listener: ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>,
  ): this;
  /** Adds `listener` for the next `ev` only. */
  once<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    ev: Ev,
    listener: ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>,
  ): this;
  /** Removes `listener` from `ev`; every listener of `ev` without it; every listener without arguments. */
  off<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    ev?: Ev,
    listener?: ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>,
  ): this;
  /** Alias of `off`. */
  removeListener<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    ev?: Ev,
    listener?: ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>,
  ): this;
  /** Alias of `off`. */
  removeEventListener<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    ev?: Ev,
    listener?: ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>,
  ): this;
  /** Removes every listener of `ev`, or every listener. */
  removeAllListeners<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(ev?: Ev): this;
  /** The listeners of `event`. */
  listeners<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    event: Ev,
  ): ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>[];
  /** Whether `event` has listeners. */
  hasListeners<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(event: Ev): boolean;
}

type PrependTimeoutError<T extends unknown[]> = {
  [K in keyof T]: T[K] extends (...args: infer Params) => infer Result ? (err: Error, ...args: Params) => Result : T[K];
};

/** The events map of `socket.timeout(ms)`: every ack callback gets an error first. */
export type DecorateAcknowledgements<E> = {
  [K in keyof E]: E[K] extends (...args: infer Params) => infer Result ? (...args: PrependTimeoutError<Params>) => Result : E[K];
};

/** The last element type of a tuple. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Last<T extends unknown[]> = T extends [...infer _H, infer L] ? L : any;
/** A tuple without its last element. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AllButLast<T extends unknown[]> = T extends [...infer H, infer _L] ? H : any[];
/** The type of the first parameter of a one-parameter function. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type FirstArg<T> = T extends (arg: infer Param) => infer _Result ? Param : any;

/** Why a socket disconnected (`disconnect` event). */
type DisconnectReasonText =
  | "io server disconnect"
  | "io client disconnect"
  | "ping timeout"
  | "transport close"
  | "transport error"
  | "parse error"
  | "forced close";

/** Why a socket disconnected (`disconnect` event). */
export type DisconnectReason = DisconnectReasonText;

/** More about a disconnect, when there is more to say (socket.io-client's type). */
export type DisconnectDescription = Error | { description: string; context?: unknown };

/** A `connect_error`: the server's message, and its `data` when it sent some. */
export interface ExtendedError extends Error {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data?: any;
}

/** @deprecated socket.io-client calls it {@link ExtendedError}. */
export type ConnectError = ExtendedError;

/** The events sio-client emits on a socket. */
export interface SocketReservedEvents {
  connect: () => void;
  connect_error: (err: ExtendedError) => void;
  disconnect: (reason: Socket.DisconnectReason, description?: DisconnectDescription) => void;
}

/** The events sio-client emits on a manager (`socket.io.on(...)`). */
export interface ManagerReservedEvents {
  open: () => void;
  error: (err: Error) => void;
  ping: () => void;
  /** The connection moved from long-polling to WebSocket. */
  upgrade: () => void;
  close: (reason: string, description?: DisconnectDescription) => void;
  reconnect_failed: () => void;
  reconnect_attempt: (attempt: number) => void;
  reconnect_error: (err: Error) => void;
  reconnect: (attempt: number) => void;
}

/** The `auth` option: an object sent with every CONNECT, or a function called before each. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AuthOption = { [key: string]: any } | ((cb: (data: object) => void) => void);

/**
 * A parser module as socket.io-client takes it. sio-client's protocol runs in Rust, so it does
 * not run the module's classes: it recognises socket.io-msgpack-parser and socket.io-parser (by
 * their shape, then by encoding a probe packet with the `Encoder`) and speaks their wire format
 * itself. Any other parser (socket.io-json-parser, schemapack, a custom one) is refused with a
 * `TypeError`: a JavaScript parser cannot run inside the Rust core.
 */
export interface ParserModule {
  /** The Socket.IO protocol revision (5). */
  protocol: number;
  /** The packet encoder class. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  Encoder: new (...args: any[]) => { encode(packet: any): any };
  /** The packet decoder class. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  Decoder: new (...args: any[]) => any;
}

/**
 * The `parser` option: a parser's name, its module, or an ES module namespace object whose
 * `default` is the module.
 */
export type ParserOption = "json" | "msgpack" | ParserModule | { default: ParserModule };

/**
 * Options of `io()` and `new Manager()`, socket.io-client's names and defaults (pass a
 * `Partial<...>`). Engine options that have no meaning here (`agent`, TLS files, `forceBase64`,
 * `rememberUpgrade`, …) are accepted and ignored.
 */
export interface ManagerOptions {
  /** Always create a new connection instead of sharing one per server. */
  forceNew: boolean;
  /** Share connections per server (default true); `false` is `forceNew`. */
  multiplex: boolean;
  /** Engine.IO path on the server (default `"/socket.io/"`). */
  path: string;
  /** Reconnect automatically (default true). */
  reconnection: boolean;
  /** Attempts before giving up (default and 0: forever). */
  reconnectionAttempts: number;
  /** First reconnection delay in ms (default 1000). */
  reconnectionDelay: number;
  /** Maximum reconnection delay in ms (default 5000). */
  reconnectionDelayMax: number;
  /** Jitter, 0 to 1 (default 0.5). */
  randomizationFactor: number;
  /** Connection timeout per attempt in ms (default 20000); `false` (at run time) for none. */
  timeout: number;
  /** Connect sockets on creation (default true). */
  autoConnect: boolean;
  /**
   * The packet codec the server uses: socket.io-msgpack-parser's module
   * (`import parser from "socket.io-msgpack-parser"`) or `"msgpack"`; socket.io-parser's module
   * or `"json"` (the default). See {@link ParserModule}: other parsers throw a `TypeError`.
   */
  parser: ParserOption;
  /** Extra query parameters for every request. */
  query: string | { [key: string]: string | number | boolean };
  /** Extra HTTP headers (long-polling requests only: browsers cannot set them on WebSocket). */
  extraHeaders: { [header: string]: string };
  /** `["polling", "websocket"]` (default: poll, then upgrade), `["websocket"]`, or `["polling"]`. */
  transports: ("polling" | "websocket")[] | string[];
  /** Whether polling may upgrade to WebSocket (default true). */
  upgrade: boolean;
  /** Send cookies with cross-origin long-polling requests (`fetch` `credentials: "include"`; default false). */
  withCredentials: boolean;
  /** Ignored. */
  host: string;
  /** Ignored. */
  hostname: string;
  /** Ignored. */
  secure: boolean;
  /** Ignored. */
  port: string | number;
  /** Ignored. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  agent: string | boolean | any;
  /** Ignored. */
  forceBase64: boolean;
  /** Ignored. */
  timestampParam: string;
  /** Ignored. */
  timestampRequests: boolean;
  /** Ignored. */
  tryAllTransports: boolean;
  /** Ignored. */
  rememberUpgrade: boolean;
  /** Ignored. */
  requestTimeout: number;
  /** Ignored. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  transportOptions: any;
  /** Ignored. */
  closeOnBeforeunload: boolean;
  /** Ignored. */
  useNativeTimers: boolean;
  /** Ignored. */
  autoUnref: boolean;
  /** Ignored. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  perMessageDeflate: { threshold: number } | any;
  /** Ignored. */
  addTrailingSlash: boolean;
  /** Ignored. */
  protocols: string | string[];
}

/** Options of one namespace socket. */
export interface SocketOptions {
  /** Sent with every CONNECT; a function is called before each (re)connect. */
  auth: AuthOption;
  /** Re-send an unacknowledged emit this many times (needs `ackTimeout`). */
  retries: number;
  /** Default ack timeout in ms: ack callbacks become error-first `(err, ...args)`. */
  ackTimeout: number;
}

/** One connection to a server, shared by its namespace sockets (socket.io-client `Manager`). */
export declare class Manager<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
> extends Emitter<{}, ManagerReservedEvents> {
  /** A connection to `uri` (default: the page's origin); it opens when a socket connects. */
  constructor(opts: Partial<ManagerOptions>);
  constructor(uri?: string, opts?: Partial<ManagerOptions & SocketOptions>);
  constructor(uri?: string | Partial<ManagerOptions>, opts?: Partial<ManagerOptions & SocketOptions>);
  /** The server URL. */
  readonly uri: string;
  /** The options this manager was created with. */
  readonly opts: Partial<ManagerOptions & SocketOptions>;
  /** The sockets by namespace. */
  readonly nsps: Record<string, Socket<ListenEvents, EmitEvents>>;
  /** `"polling"` or `"websocket"` while connected. */
  readonly transport: string | undefined;
  /** Whether a reconnection loop is running. */
  readonly reconnecting: boolean;
  /** The socket of namespace `nsp` (cached; reconnected if `autoConnect` and inactive). */
  socket(nsp: string, opts?: Partial<SocketOptions>): Socket<ListenEvents, EmitEvents>;
  /** Closes the connection and every socket, without reconnecting. */
  disconnect(): this;
  /** Alias of {@link disconnect}. */
  close(): this;
  /** Reconnects at once if a reconnection is waiting for its delay (restarts the backoff). */
  reconnectNow(): this;
}

/** One namespace on a connection (socket.io-client `Socket`). */
export declare class Socket<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
> extends Emitter<ListenEvents, SocketReservedEvents> {
  /** Sockets come from `io()` or `manager.socket(nsp)`; this constructor throws. */
  private constructor();
  /** The manager (connection) of this socket. */
  readonly io: Manager<ListenEvents, EmitEvents>;
  /** The namespace. */
  readonly nsp: string;
  /** The namespace socket id while connected. */
  readonly id: string | undefined;
  /** Whether the namespace is connected. */
  readonly connected: boolean;
  /** Whether the namespace is not connected. */
  readonly disconnected: boolean;
  /** Whether the socket wants a connection and reconnects by itself. */
  readonly active: boolean;
  /** Whether the last connection restored the previous session (connection state recovery). */
  readonly recovered: boolean;
  /** The rooms joined with {@link join}, re-joined after every reconnect. */
  readonly rooms: string[];
  /** The auth object or function; read again on every (re)connect. */
  auth: AuthOption;
  /** Connects (a no-op when connected or connecting). */
  connect(): this;
  /** Alias of {@link connect}. */
  open(): this;
  /** Disconnects; no automatic reconnection follows. */
  disconnect(): this;
  /** Alias of {@link disconnect}. */
  close(): this;
  /** `emit("message", ...args)`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  send(...args: any[]): this;
  /**
   * Emits `ev`; a last function argument receives the server's ack (error-first with
   * {@link timeout} or `ackTimeout`). Throws for a reserved name or arguments that cannot be
   * sent (`Blob`, cycles, `BigInt`).
   */
  emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): this;
  /** Emits and resolves with the ack's first argument; rejects on timeout, disconnection or close. */
  emitWithAck<Ev extends EventNames<EmitEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<EmitEvents, Ev>>
  ): Promise<FirstArg<Last<EventParams<EmitEvents, Ev>>>>;
  /** Accepted for compatibility; compression is the transport's business. */
  compress(compress: boolean): this;
  /** The next emit is dropped instead of buffered when it cannot be sent at once. */
  readonly volatile: this;
  /** An ack timeout in ms for the next emit: its callback becomes `(err, ...args)`. */
  timeout(timeout: number): Socket<ListenEvents, DecorateAcknowledgements<EmitEvents>>;
  /** Joins `room` (rooms convention: emits `"join"` with an ack); re-joined after reconnects. */
  join(room: string): this;
  /** Leaves `room` (emits `"leave"`). */
  leave(room: string): this;
  /** Adds a listener for every incoming event: `(event, ...args)`. */
  onAny(listener: AnyListener): this;
  /** Like {@link onAny}, called before the others. */
  prependAny(listener: AnyListener): this;
  /** Removes `listener`, or every catch-all listener. */
  offAny(listener?: AnyListener): this;
  /** The catch-all listeners. */
  listenersAny(): AnyListener[];
  /** Adds a listener for every outgoing event (not acks): `(event, ...args)`. */
  onAnyOutgoing(listener: AnyListener): this;
  /** Like {@link onAnyOutgoing}, called before the others. */
  prependAnyOutgoing(listener: AnyListener): this;
  /** Removes `listener`, or every outgoing catch-all listener. */
  offAnyOutgoing(listener?: AnyListener): this;
  /** The outgoing catch-all listeners. */
  listenersAnyOutgoing(): AnyListener[];
}

export declare namespace Socket {
  /** Why a socket disconnected. */
  type DisconnectReason = DisconnectReasonText;
}

/** A socket for the namespace in `uri` (default: the page's origin), on a connection shared per server. */
export declare function io(opts?: Partial<ManagerOptions & SocketOptions>): Socket;
export declare function io(uri?: string, opts?: Partial<ManagerOptions & SocketOptions>): Socket;
export declare function io(
  uri?: string | Partial<ManagerOptions & SocketOptions>,
  opts?: Partial<ManagerOptions & SocketOptions>,
): Socket;
