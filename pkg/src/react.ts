/**
 * React bindings for sio-client.
 *
 * ```tsx
 * <SocketProvider url="https://example.com" options={{ auth: { token } }}>
 *   <Chat />
 * </SocketProvider>
 *
 * function Chat() {
 *   const { status, id } = useSocket();
 *   useRoom("lobby");                                  // joined while mounted, re-joined after reconnects
 *   useSocketEvent("message", (m) => setLog((l) => [...l, m]));   // always the latest handler
 *   const ask = useEmitWithAck(5000);                  // (event, ...args) => Promise
 * }
 * ```
 *
 * Providers with the same URL and options share one connection, counted by reference; a
 * connection whose count drops to zero is closed one tick later, so `<React.StrictMode>`'s
 * mount → unmount → mount opens exactly one connection.
 */

import {
  createContext,
  createElement,
  useCallback,
  useContext,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  type ReactNode,
} from "react";
import {
  io,
  type AllButLast,
  type DefaultEventsMap,
  type EventNames,
  type EventParams,
  type EventsMap,
  type FirstArg,
  type Last,
  type ManagerOptions,
  type ReservedOrUserEventNames,
  type ReservedOrUserListener,
  type Socket,
  type SocketOptions,
  type SocketReservedEvents,
} from "sio-client";

/** The connection's state as the hooks see it. */
export type SocketStatus = "connecting" | "connected" | "reconnecting" | "disconnected";

/** What {@link useSocket} returns, typed by the events maps like `Socket<ListenEvents, EmitEvents>`. */
export interface SocketState<ListenEvents extends EventsMap = DefaultEventsMap, EmitEvents extends EventsMap = ListenEvents> {
  /** The socket (`null` before the provider's first effect ran). */
  socket: Socket<ListenEvents, EmitEvents> | null;
  /** `connecting` until the first connect, `reconnecting` while the client retries. */
  status: SocketStatus;
  /** The last `connect_error`, cleared on connect. */
  error: Error | null;
  /** The socket id while connected. */
  id: string | undefined;
}

/** Props of {@link SocketProvider}. */
export interface SocketProviderProps {
  /** Server URL, with the namespace as its path (default: the page's origin, namespace `/`). */
  url?: string;
  /** `io()` options; function values (`auth`) do not count for sharing. */
  options?: Partial<ManagerOptions & SocketOptions>;
  /** The subtree that uses the socket. */
  children?: ReactNode;
}

const initial: SocketState = { socket: null, status: "connecting", error: null, id: undefined };
const Context = createContext<SocketState>({ ...initial, status: "disconnected" });

interface Entry {
  socket: Socket;
  refs: number;
  closing?: ReturnType<typeof setTimeout>;
}

const registry = new Map<string, Entry>();

/** JSON with sorted keys, functions left out: the sharing key of an options object. */
function stableKey(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "function") return undefined;
    if (v && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)));
    }
    return v;
  });
}

function acquire(key: string, url: string | undefined, options: Partial<ManagerOptions & SocketOptions>): Socket {
  const entry = registry.get(key);
  if (entry) {
    entry.refs += 1;
    if (entry.closing !== undefined) {
      clearTimeout(entry.closing);
      entry.closing = undefined;
    }
    return entry.socket;
  }
  const socket = io(url, { ...options, forceNew: true, autoConnect: false });
  registry.set(key, { socket, refs: 1 });
  socket.connect();
  return socket;
}

function release(key: string): void {
  const entry = registry.get(key);
  if (!entry) return;
  entry.refs -= 1;
  if (entry.refs > 0) return;
  // One tick later: StrictMode's immediate remount takes the connection back.
  entry.closing = setTimeout(() => {
    if (entry.refs > 0 || registry.get(key) !== entry) return;
    registry.delete(key);
    entry.socket.disconnect();
    entry.socket.io.disconnect();
  }, 0);
}

function statusOf(socket: Socket): SocketStatus {
  if (socket.connected) return "connected";
  return socket.active ? "reconnecting" : "disconnected";
}

/** Shares one connection (per URL and options) with the hooks below it. */
export function SocketProvider({ url, options, children }: SocketProviderProps): ReactNode {
  const [state, setState] = useState<SocketState>(initial);
  const optionsRef = useRef(options ?? {});
  optionsRef.current = options ?? {};
  const key = `${url ?? ""}\u0000${stableKey(options ?? {})}`;

  useEffect(() => {
    const socket = acquire(key, url, optionsRef.current);
    let everConnected = socket.connected;
    const update = (error?: Error | null) =>
      setState((previous) => ({
        socket,
        status: socket.connected ? "connected" : everConnected ? statusOf(socket) : socket.active ? "connecting" : "disconnected",
        error: error === undefined ? previous.error : error,
        id: socket.id,
      }));
    const onConnect = () => {
      everConnected = true;
      update(null);
    };
    const onDisconnect = () => update();
    const onError = (error: Error) => update(error);
    const onAttempt = () => update();
    socket.on("connect", onConnect);
    socket.on("disconnect", onDisconnect);
    socket.on("connect_error", onError);
    socket.io.on("reconnect_attempt", onAttempt);
    socket.io.on("reconnect_failed", onAttempt);
    update(null);
    return () => {
      socket.off("connect", onConnect);
      socket.off("disconnect", onDisconnect);
      socket.off("connect_error", onError);
      socket.io.off("reconnect_attempt", onAttempt);
      socket.io.off("reconnect_failed", onAttempt);
      release(key);
    };
  }, [key, url]);

  return createElement(Context.Provider, { value: state }, children);
}

/**
 * The nearest provider's socket and connection state; the type parameters type the socket
 * (`useSocket<ServerToClientEvents, ClientToServerEvents>()`).
 */
export function useSocket<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
>(): SocketState<ListenEvents, EmitEvents> {
  return useContext(Context) as unknown as SocketState<ListenEvents, EmitEvents>;
}

const useIsomorphicLayoutEffect = typeof window !== "undefined" ? useLayoutEffect : useEffect;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFunction = (...args: any[]) => any;

/**
 * Calls `handler(...args)` for every `event` while mounted; always the handler of the latest
 * render (no stale closures), with one subscription for the component's lifetime. Typed by
 * the listen events map: `useSocketEvent<ServerToClientEvents, "news">("news", (msg) => …)`,
 * or see {@link createSocketHooks}.
 */
export function useSocketEvent<
  ListenEvents extends EventsMap = DefaultEventsMap,
  Ev extends ReservedOrUserEventNames<SocketReservedEvents, ListenEvents> = ReservedOrUserEventNames<
    SocketReservedEvents,
    ListenEvents
  >,
>(event: Ev, handler: ReservedOrUserListener<SocketReservedEvents, ListenEvents, Ev>): void {
  const { socket } = useSocket();
  const latest = useRef(handler as AnyFunction);
  useIsomorphicLayoutEffect(() => {
    latest.current = handler as AnyFunction;
  });
  useEffect(() => {
    if (!socket) return;
    const name = event as string;
    const listener = (...args: unknown[]) => latest.current(...args);
    socket.on(name, listener);
    return () => {
      socket.off(name, listener);
    };
  }, [socket, event]);
}

/** What {@link useEmitWithAck} returns: emits `event` and resolves with the ack's first argument. */
export type EmitWithAck<EmitEvents extends EventsMap = DefaultEventsMap> = <Ev extends EventNames<EmitEvents>>(
  event: Ev,
  ...args: AllButLast<EventParams<EmitEvents, Ev>>
) => Promise<FirstArg<Last<EventParams<EmitEvents, Ev>>>>;

/**
 * A stable `(event, ...args) => Promise` that emits with an ack and rejects after
 * `timeoutMs`, on disconnection, or when there is no socket yet. Typed by the emit events map:
 * `useEmitWithAck<ClientToServerEvents>(5000)` resolves with the ack's type.
 */
export function useEmitWithAck<EmitEvents extends EventsMap = DefaultEventsMap>(timeoutMs: number): EmitWithAck<EmitEvents> {
  const { socket } = useSocket();
  return useCallback(
    (event: string, ...args: unknown[]) =>
      socket
        ? (socket.timeout(timeoutMs).emitWithAck as AnyFunction)(event, ...args)
        : Promise.reject(new Error("sio-client: no socket yet (use inside a mounted <SocketProvider>)")),
    [socket, timeoutMs],
  ) as unknown as EmitWithAck<EmitEvents>;
}

/** The hooks of {@link createSocketHooks}, typed by one pair of events maps. */
export interface SocketHooks<ListenEvents extends EventsMap, EmitEvents extends EventsMap> {
  /** {@link useSocket}, typed. */
  useSocket(): SocketState<ListenEvents, EmitEvents>;
  /** {@link useSocketEvent}, with the handler's type inferred from the event name. */
  useSocketEvent<Ev extends ReservedOrUserEventNames<SocketReservedEvents, ListenEvents>>(
    event: Ev,
    handler: ReservedOrUserListener<SocketReservedEvents, ListenEvents, Ev>,
  ): void;
  /** {@link useEmitWithAck}, typed. */
  useEmitWithAck(timeoutMs: number): EmitWithAck<EmitEvents>;
  /** {@link useRoom}. */
  useRoom(room: string | null | undefined): void;
}

/**
 * The hooks typed once for an application's events maps (the same functions at run time):
 *
 * ```ts
 * export const { useSocket, useSocketEvent, useEmitWithAck, useRoom } =
 *   createSocketHooks<ServerToClientEvents, ClientToServerEvents>();
 * useSocketEvent("news", (msg) => …);   // msg typed from ServerToClientEvents["news"]
 * ```
 */
export function createSocketHooks<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
>(): SocketHooks<ListenEvents, EmitEvents> {
  return { useSocket, useSocketEvent, useEmitWithAck, useRoom } as unknown as SocketHooks<ListenEvents, EmitEvents>;
}

const roomRefs = new WeakMap<Socket, Map<string, { refs: number; leaving?: ReturnType<typeof setTimeout> }>>();

/**
 * Joins `room` while mounted and leaves it on unmount (counted per socket, so two components
 * in the same room leave it only when both are gone). The room is re-joined by the client
 * after every reconnect.
 */
export function useRoom(room: string | null | undefined): void {
  const { socket } = useSocket();
  useEffect(() => {
    if (!socket || !room) return;
    let rooms = roomRefs.get(socket);
    if (!rooms) roomRefs.set(socket, (rooms = new Map()));
    const entry = rooms.get(room);
    if (entry) {
      entry.refs += 1;
      if (entry.leaving !== undefined) {
        clearTimeout(entry.leaving);
        entry.leaving = undefined;
      }
    } else {
      rooms.set(room, { refs: 1 });
      socket.join(room);
    }
    const held = rooms;
    return () => {
      const current = held.get(room);
      if (!current) return;
      current.refs -= 1;
      if (current.refs > 0) return;
      current.leaving = setTimeout(() => {
        if (current.refs > 0 || held.get(room) !== current) return;
        held.delete(room);
        socket.leave(room);
      }, 0);
    };
  }, [socket, room]);
}
