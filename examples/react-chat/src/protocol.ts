// The chat's wire format, shared with the Rust bot (examples/bot/src/protocol.rs).
//
// There is no chat server: everything goes through the bundled test server's fixture
// `broadcast {room, event, args}`, which emits `event(...args)` to everyone in `room` — the
// sender included — and acks `true`. Joining a room is the SDK's `join(room)` (the server's
// `join` fixture), re-sent by the client after every reconnect that did not recover the
// session.
//
//   chat      {id, user, text, ts, room}   sent with an ack: acked = "delivered"
//   presence  {user, room, state}          "join" on entering (everyone answers "here"),
//                                          "here" every HEARTBEAT_MS, "leave" on leaving
//   typing    {user, room}                 at most every TYPING_THROTTLE_MS while typing,
//                                          shown for TYPING_TTL_MS
//
// With connection state recovery on, the server appends an offset as an extra last argument
// to what it emits: the handlers read only the first argument.

/** The rooms to pick from. */
export const ROOMS = ["general", "random", "help"] as const;

/** Re-announce "here" this often, so that a closed tab disappears from the others' lists. */
export const HEARTBEAT_MS = 15_000;
/** Forget a user not heard from for this long. */
export const PRESENCE_TTL_MS = 40_000;
/** Send "typing" at most this often. */
export const TYPING_THROTTLE_MS = 2_000;
/** Show "typing…" this long after the last "typing". */
export const TYPING_TTL_MS = 3_000;
/** How long a message waits for the server's ack before it counts as not delivered. */
export const ACK_TIMEOUT_MS = 10_000;

export interface Chat {
  id: string;
  user: string;
  text: string;
  /** Milliseconds since the epoch, by the author's clock. */
  ts: number;
  room: string;
}

export type PresenceState = "join" | "here" | "leave";

export interface Presence {
  user: string;
  room: string;
  state: PresenceState;
}

export interface Typing {
  user: string;
  room: string;
}

/** The argument of the server's `broadcast` fixture. */
export interface Broadcast {
  room: string;
  event: "chat" | "presence" | "typing";
  args: [Chat | Presence | Typing];
}

export function broadcast(room: string, event: Broadcast["event"], payload: Chat | Presence | Typing): Broadcast {
  return { room, event, args: [payload] };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

export function isChat(value: unknown): value is Chat {
  return (
    isObject(value) &&
    typeof value.id === "string" &&
    typeof value.user === "string" &&
    typeof value.text === "string" &&
    typeof value.ts === "number"
  );
}

export function isPresence(value: unknown): value is Presence {
  return (
    isObject(value) &&
    typeof value.user === "string" &&
    typeof value.room === "string" &&
    (value.state === "join" || value.state === "here" || value.state === "leave")
  );
}

export function isTyping(value: unknown): value is Typing {
  return isObject(value) && typeof value.user === "string";
}

/** A message id unique enough for de-duplication (the echo of our own broadcast, retries). */
export function newId(user: string): string {
  return `${user}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
