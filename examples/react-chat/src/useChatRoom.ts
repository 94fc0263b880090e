// One room of the chat, on sio-client/react: membership (useRoom), presence, typing, and
// messages with delivery state (useEmitWithAck), all through the server's `broadcast`.
import { useCallback, useEffect, useRef, useState } from "react";
import { useEmitWithAck, useRoom, useSocket, useSocketEvent } from "sio-client/react";
import {
  ACK_TIMEOUT_MS,
  HEARTBEAT_MS,
  PRESENCE_TTL_MS,
  TYPING_THROTTLE_MS,
  TYPING_TTL_MS,
  broadcast,
  isChat,
  isPresence,
  isTyping,
  newId,
  type Chat,
  type PresenceState,
} from "./protocol";

/** Where one of our messages is: in flight, acked by the server, or timed out / lost. */
export type Delivery = "sending" | "delivered" | "failed";

export type Line =
  | { kind: "chat"; chat: Chat; mine: boolean; delivery?: Delivery }
  | { kind: "system"; id: string; text: string; ts: number };

export interface ChatRoom {
  /** Messages and notices of this room, oldest first. */
  lines: Line[];
  /** Who is here: us first, then the others by name. */
  online: string[];
  /** Who is typing (not us). */
  typing: string[];
  /** Sends a message; it is marked delivered when the server acks the broadcast. */
  send(text: string): void;
  /** Sends a message that was not delivered again (same id: nobody sees it twice). */
  retry(id: string): void;
  /** Call on every keystroke: tells the room we type, throttled. */
  typed(): void;
}

let systemSeq = 0;

export function useChatRoom(room: string, me: string): ChatRoom {
  const { socket, status } = useSocket();
  const connected = status === "connected";
  // Joined while mounted; the client re-joins by itself after a reconnect.
  useRoom(room);
  const emitWithAck = useEmitWithAck(ACK_TIMEOUT_MS);

  const [history, setHistory] = useState<Record<string, Line[]>>({});
  const [seen, setSeen] = useState<ReadonlyMap<string, number>>(new Map());
  const [typingUntil, setTypingUntil] = useState<ReadonlyMap<string, number>>(new Map());
  const [now, setNow] = useState(() => Date.now());
  const lastTyping = useRef(0);
  const announced = useRef<string | null>(null);

  // A clock for expiring "typing…" and silent users.
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, []);

  const addLine = useCallback((target: string, line: Line) => {
    setHistory((h) => {
      const lines = h[target] ?? [];
      if (line.kind === "chat" && lines.some((l) => l.kind === "chat" && l.chat.id === line.chat.id)) return h;
      return { ...h, [target]: [...lines, line] };
    });
  }, []);

  const notice = useCallback(
    (target: string, text: string) => addLine(target, { kind: "system", id: `sys-${++systemSeq}`, text, ts: Date.now() }),
    [addLine],
  );

  const setDelivery = useCallback((target: string, id: string, delivery: Delivery) => {
    setHistory((h) => ({
      ...h,
      [target]: (h[target] ?? []).map((l) => (l.kind === "chat" && l.chat.id === id ? { ...l, delivery } : l)),
    }));
  }, []);

  const announce = useCallback(
    (state: PresenceState, target = room, user = me) =>
      socket?.emit("broadcast", broadcast(target, "presence", { user, room: target, state })),
    [socket, room, me],
  );

  const heard = (user: string) => setSeen((s) => new Map(s).set(user, Date.now()));
  const forget = (user: string) =>
    setSeen((s) => {
      const next = new Map(s);
      next.delete(user);
      return next;
    });

  // Entering a room (or renaming): a fresh list, and "leave" when we go (or close the tab).
  useEffect(() => {
    if (!socket) return;
    setSeen(new Map());
    setTypingUntil(new Map());
    const leave = () => socket.emit("broadcast", broadcast(room, "presence", { user: me, room, state: "leave" }));
    window.addEventListener("pagehide", leave);
    return () => {
      window.removeEventListener("pagehide", leave);
      leave();
    };
  }, [socket, room, me]);

  // "join" on entering, and after every reconnect that did not recover the session (the
  // others may have forgotten us; their "here" answers refill our list).
  useEffect(() => {
    if (!socket || !connected) return;
    const key = `${room}\u0000${me}`;
    if (announced.current === key && socket.recovered) return;
    if (announced.current?.split("\u0000")[0] !== room) notice(room, `you joined #${room} as ${me}`);
    announced.current = key;
    announce("join");
  }, [socket, connected, room, me, announce, notice]);

  // "here" now and then, so that the others can forget tabs that closed without a "leave".
  useEffect(() => {
    if (!connected) return;
    const timer = setInterval(() => announce("here"), HEARTBEAT_MS);
    return () => clearInterval(timer);
  }, [connected, announce]);

  const online = [...seen].filter(([user, at]) => user !== me && now - at < PRESENCE_TTL_MS).map(([user]) => user);
  online.sort((a, b) => a.localeCompare(b));
  const typing = [...typingUntil].filter(([user, until]) => until > now && user !== me).map(([user]) => user);

  useSocketEvent("presence", (p: unknown) => {
    if (!isPresence(p) || p.room !== room || p.user === me) return;
    if (p.state === "leave") {
      if (online.includes(p.user)) notice(room, `${p.user} left`);
      forget(p.user);
      return;
    }
    if (p.state === "join") {
      if (!online.includes(p.user)) notice(room, `${p.user} joined`);
      announce("here");
    }
    heard(p.user);
  });

  useSocketEvent("typing", (t: unknown) => {
    if (!isTyping(t) || (t.room && t.room !== room) || t.user === me) return;
    setTypingUntil((m) => new Map(m).set(t.user, Date.now() + TYPING_TTL_MS));
    heard(t.user);
  });

  useSocketEvent("chat", (c: unknown) => {
    if (!isChat(c) || (c.room && c.room !== room)) return;
    // our own broadcast comes back too: addLine drops it by id
    addLine(room, { kind: "chat", chat: c, mine: c.user === me });
    if (c.user === me) return;
    heard(c.user);
    setTypingUntil((m) => {
      const next = new Map(m);
      next.delete(c.user);
      return next;
    });
  });

  const deliver = useCallback(
    (chat: Chat) => {
      emitWithAck("broadcast", broadcast(chat.room, "chat", chat)).then(
        () => setDelivery(chat.room, chat.id, "delivered"),
        () => setDelivery(chat.room, chat.id, "failed"),
      );
    },
    [emitWithAck, setDelivery],
  );

  const send = (text: string) => {
    const chat: Chat = { id: newId(me), user: me, text, ts: Date.now(), room };
    addLine(room, { kind: "chat", chat, mine: true, delivery: "sending" });
    deliver(chat);
    lastTyping.current = 0;
  };

  const retry = (id: string) => {
    const line = (history[room] ?? []).find((l) => l.kind === "chat" && l.chat.id === id);
    if (line?.kind !== "chat") return;
    setDelivery(room, id, "sending");
    deliver(line.chat);
  };

  const typed = () => {
    const t = Date.now();
    if (!socket || !connected || t - lastTyping.current < TYPING_THROTTLE_MS) return;
    lastTyping.current = t;
    // volatile: a typing notice that cannot go out now is worthless later
    socket.volatile.emit("broadcast", broadcast(room, "typing", { user: me, room }));
  };

  return { lines: history[room] ?? [], online: [me, ...online], typing, send, retry, typed };
}
