// The type test of `make test` (scripts/test-browser.sh: `tsc -p pkg/type-tests`): code written
// for socket.io-client 4.8's typed API, unchanged but for the import, must compile against
// sio-client's declarations, and misuse must not (every `@ts-expect-error` line must be an
// error, or tsc fails). The React hooks are typed to match.
import { createElement, type ReactNode } from "react";
import { io, Manager, Socket, type DefaultEventsMap, type ExtendedError } from "sio-client";
import msgpackParser from "socket.io-msgpack-parser";
import {
  createSocketHooks,
  SocketProvider,
  useEmitWithAck,
  useRoom,
  useSocket,
  useSocketEvent,
  type SocketStatus,
} from "sio-client/react";

// The events of socket.io's TypeScript guide.
interface ServerToClientEvents {
  noArg: () => void;
  basicEmit: (a: number, b: string, c: ArrayBuffer) => void;
  withAck: (d: string, callback: (e: number) => void) => void;
}

interface ClientToServerEvents {
  hello: () => void;
  count: (n: number) => void;
  echo: (text: string, callback: (reply: string) => void) => void;
  lookup: (id: number, callback: (user: { name: string }) => void) => void;
}

export async function socketApi(): Promise<void> {
  // the guide's way of typing the socket: the untyped io() is assignable
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io();
  const other: Socket<ServerToClientEvents, ClientToServerEvents> = io("https://example.com/admin", {
    auth: { token: "abc" },
    transports: ["websocket"],
    reconnectionDelay: 100,
    reconnectionAttempts: 5,
    ackTimeout: 5000,
    retries: 2,
    withCredentials: true,
    query: { room: "lobby" },
    forceNew: true,
  });
  io({ autoConnect: false });

  socket.on("noArg", () => {});
  socket.on("basicEmit", (a, b, c) => {
    const n: number = a;
    const s: string = b;
    const bytes: ArrayBuffer = c;
    void [n, s, bytes];
  });
  socket.on("withAck", (d, callback) => {
    callback(d.length);
  });
  socket.once("noArg", () => {});
  socket.off("noArg");
  // @ts-expect-error the listener's arguments do not match the event
  socket.on("basicEmit", (a: string) => a);
  // @ts-expect-error the server does not send this event
  socket.on("nope", () => {});

  // reserved events
  socket.on("connect", () => {});
  socket.on("disconnect", (reason, description) => {
    const r: Socket.DisconnectReason = reason;
    void [r, description];
  });
  socket.on("connect_error", (err: ExtendedError) => {
    void [err.message, err.data];
  });
  // @ts-expect-error connect_error hands an Error, not a string
  socket.on("connect_error", (err: number) => err);

  socket.emit("hello");
  socket.emit("count", 1);
  // @ts-expect-error count takes a number
  socket.emit("count", "one");
  // @ts-expect-error the server does not handle this event
  socket.emit("unknown");
  socket.emit("echo", "hi", (reply) => {
    const r: string = reply;
    void r;
  });
  const reply: string = await socket.emitWithAck("echo", "hi");
  const user: { name: string } = await socket.emitWithAck("lookup", 7);
  // @ts-expect-error the ack is a string
  const wrong: number = await socket.emitWithAck("echo", "hi");
  // @ts-expect-error the ack callback is not an argument of emitWithAck
  await socket.emitWithAck("echo", "hi", () => {});
  void [reply, user, wrong];

  // timeout(): ack callbacks become error-first
  socket.timeout(1000).emit("echo", "hi", (err, reply) => {
    const e: Error = err;
    const r: string = reply;
    void [e, r];
  });
  // @ts-expect-error with a timeout the first argument is the error
  socket.timeout(1000).emit("echo", "hi", (reply: string) => reply);
  await socket.timeout(1000).emitWithAck("echo", "hi");

  socket.volatile.emit("count", 2);
  socket.compress(false).emit("hello");
  socket.send("a message", 1);
  socket.onAny((event: string, ...args: unknown[]) => void [event, args]);
  socket.prependAny(() => {});
  socket.offAny();
  socket.onAnyOutgoing(() => {});
  socket.offAnyOutgoing();
  socket.removeAllListeners("noArg");
  socket.removeAllListeners();
  const listeners: Array<(a: number, b: string, c: ArrayBuffer) => void> = socket.listeners("basicEmit");
  const connected: boolean = socket.connected && socket.active && !socket.disconnected && socket.recovered;
  const id: string | undefined = socket.id;
  socket.auth = (cb) => cb({ token: "fresh" });
  socket.auth = { token: "fixed" };
  socket.join("room").leave("room");
  const rooms: string[] = socket.rooms;
  void [listeners, connected, id, rooms, other];
  socket.connect().disconnect().open().close();

  // the manager and its events
  socket.io.on("reconnect_attempt", (attempt) => {
    const n: number = attempt;
    void n;
  });
  socket.io.on("reconnect", (attempt: number) => attempt);
  socket.io.on("error", (err) => err.message);
  socket.io.on("close", (reason: string) => reason);
  socket.io.on("ping", () => {});
  // @ts-expect-error the attempt is a number
  socket.io.on("reconnect_attempt", (attempt: string) => attempt);
  // @ts-expect-error not a manager event
  socket.io.on("message", () => {});
  const manager = new Manager("https://example.com", { reconnectionDelayMax: 10000, autoConnect: false });
  const admin = manager.socket("/admin", { auth: (cb) => cb({ token: "abc" }) });
  const typed: Socket<ServerToClientEvents, ClientToServerEvents> = manager.socket("/");
  const untyped: Socket<DefaultEventsMap, DefaultEventsMap> = admin;
  untyped.emit("anything", 1, "two", { three: true });
  manager.reconnectNow().disconnect();
  // @ts-expect-error sockets come from io() or manager.socket()
  new Socket();
  void typed;
}

export function parserOption(): void {
  // socket.io-client's way: the parser package's module, or (sio-client) its name
  io("https://example.com", { parser: msgpackParser });
  new Manager("https://example.com", { parser: "msgpack" });
  io({ parser: "json" });
  io({ parser: { default: msgpackParser } });
  // @ts-expect-error not a parser sio-client speaks
  io({ parser: "cbor" });
  // @ts-expect-error not a parser module
  io({ parser: { encode: (packet: unknown) => [packet] } });
}

// React, typed the same way
function Chat(): ReactNode {
  const { socket, status, error, id } = useSocket<ServerToClientEvents, ClientToServerEvents>();
  const s: SocketStatus = status;
  socket?.emit("count", 1);
  // @ts-expect-error count takes a number
  socket?.emit("count", "one");
  useSocketEvent<ServerToClientEvents, "basicEmit">("basicEmit", (a, b) => void [a.toFixed(), b.toUpperCase()]);
  // @ts-expect-error a is a number
  useSocketEvent<ServerToClientEvents, "basicEmit">("basicEmit", (a: string) => a);
  useSocketEvent("anything", (x: unknown) => x);
  useSocketEvent("connect_error", (err: Error) => err);
  const ask = useEmitWithAck<ClientToServerEvents>(1000);
  const answer: Promise<string> = ask("echo", "hi");
  const found: Promise<{ name: string }> = ask("lookup", 1);
  // @ts-expect-error echo takes a string
  void ask("echo", 1);
  // @ts-expect-error the ack is a string
  const bad: Promise<number> = ask("echo", "hi");
  useRoom("lobby");
  useRoom(null);

  const hooks = createSocketHooks<ServerToClientEvents, ClientToServerEvents>();
  hooks.useSocketEvent("withAck", (d, callback) => callback(d.length));
  // @ts-expect-error d is a string
  hooks.useSocketEvent("withAck", (d: number) => d);
  // @ts-expect-error the server does not send this event
  hooks.useSocketEvent("nope", () => {});
  const typedAsk = hooks.useEmitWithAck(500);
  const typedAnswer: Promise<string> = typedAsk("echo", "x");
  void [s, error, id, answer, found, bad, typedAnswer];
  return null;
}

export const app = createElement(SocketProvider, { url: "https://example.com", options: { auth: { token: "t" } } }, createElement(Chat));
