import { useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import { useEmitWithAck, useSocket } from "sio-client/react";
import type { SocketStatus } from "sio-client/react";
import { initialName, initialRoom, saveName, SERVER_URL } from "./config";
import { ROOMS } from "./protocol";
import { useChatRoom, type Delivery, type Line } from "./useChatRoom";

export function App() {
  const [room, setRoom] = useState(() => initialRoom(ROOMS));
  const [me, setMe] = useState(initialName);
  const chat = useChatRoom(room, me);

  const rename = (name: string) => {
    const clean = name.trim().slice(0, 24);
    if (!clean || clean === me) return;
    saveName(clean);
    setMe(clean);
  };

  return (
    <div className="app">
      <aside className="sidebar">
        <div className="brand">
          <span className="logo" aria-hidden>
            sio
          </span>
          <span>chat</span>
        </div>
        <Section title="Rooms">
          <ul className="rooms">
            {ROOMS.map((r) => (
              <li key={r}>
                <button className={r === room ? "room active" : "room"} onClick={() => setRoom(r)} data-room={r}>
                  <span className="hash">#</span>
                  {r}
                </button>
              </li>
            ))}
          </ul>
        </Section>
        <Section title={`Online in #${room} — ${chat.online.length}`}>
          <ul className="online" id="online">
            {chat.online.map((user) => (
              <li key={user} data-user={user}>
                <Avatar name={user} small />
                <span className="who">{user}</span>
                {user === me && <span className="tag">you</span>}
                {chat.typing.includes(user) && <span className="tag typing-tag">typing</span>}
              </li>
            ))}
          </ul>
        </Section>
        <NameForm me={me} onRename={rename} />
      </aside>
      <main className="main">
        <Header room={room} />
        <Messages lines={chat.lines} onRetry={chat.retry} />
        <TypingLine typing={chat.typing} />
        <Composer room={room} onSend={chat.send} onType={chat.typed} />
      </main>
    </div>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="section">
      <h2>{title}</h2>
      {children}
    </section>
  );
}

const STATUS_TEXT: Record<SocketStatus, string> = {
  connecting: "connecting…",
  connected: "connected",
  reconnecting: "reconnecting…",
  disconnected: "disconnected",
};

/**
 * The server node this connection is on (the `node` of the server's `whoami`), asked again
 * after every (re)connect: behind the cluster's load balancer it changes when a node dies.
 */
function useServerNode(): string | null {
  const { status, id } = useSocket();
  const emitWithAck = useEmitWithAck(5000);
  const [node, setNode] = useState<string | null>(null);
  useEffect(() => {
    if (status !== "connected") {
      setNode(null);
      return;
    }
    let live = true;
    emitWithAck("whoami").then(
      (me) => live && setNode(typeof me?.node === "string" ? me.node : null),
      () => live && setNode(null),
    );
    return () => {
      live = false;
    };
  }, [status, id, emitWithAck]);
  return node;
}

function Header({ room }: { room: string }) {
  const { socket, status, error, id } = useSocket();
  const node = useServerNode();
  return (
    <header className="header">
      <h1>
        <span className="hash">#</span>
        {room}
      </h1>
      <div className="conn">
        {node && status === "connected" && (
          <span className="node" id="node" data-node={node} title="the server node this connection is on">
            node {node}
          </span>
        )}
        {id && status === "connected" && <span className="sid">id {id}</span>}
        <span className={`status ${status}`} id="status" data-status={status} title={SERVER_URL}>
          <span className="dot" />
          {STATUS_TEXT[status]}
        </span>
      </div>
      {status !== "connected" && status !== "connecting" && (
        <div className={`banner ${status}`}>
          {status === "reconnecting" ? (
            <>
              Connection lost{error ? ` (${error.message})` : ""} — reconnecting. Messages you send now are queued.
              <button onClick={() => socket?.io.reconnectNow()}>Retry now</button>
            </>
          ) : (
            <>
              Disconnected{error ? `: ${error.message}` : ""}.
              <button onClick={() => socket?.connect()}>Connect</button>
            </>
          )}
        </div>
      )}
    </header>
  );
}

function Messages({ lines, onRetry }: { lines: Line[]; onRetry: (id: string) => void }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines.length]);
  return (
    <div className="messages" id="messages" ref={box}>
      {lines.length === 0 && <p className="empty">No messages yet. Say hi — or type !help for the bot.</p>}
      {lines.map((line) =>
        line.kind === "system" ? (
          <p key={line.id} className="system">
            {line.text}
          </p>
        ) : (
          <div
            key={line.chat.id}
            className={line.mine ? "msg mine" : "msg"}
            data-id={line.chat.id}
            data-user={line.chat.user}
            data-delivery={line.delivery}
          >
            {!line.mine && <Avatar name={line.chat.user} />}
            <div className="bubble">
              <div className="meta">
                <span className="author">{line.mine ? "you" : line.chat.user}</span>
                <time>{clock(line.chat.ts)}</time>
              </div>
              <div className="text">{line.chat.text}</div>
              {line.delivery && <DeliveryMark delivery={line.delivery} onRetry={() => onRetry(line.chat.id)} />}
            </div>
          </div>
        ),
      )}
    </div>
  );
}

function DeliveryMark({ delivery, onRetry }: { delivery: Delivery; onRetry: () => void }) {
  if (delivery === "failed") {
    return (
      <div className="delivery failed">
        not delivered · <button onClick={onRetry}>retry</button>
      </div>
    );
  }
  return <div className={`delivery ${delivery}`}>{delivery === "delivered" ? "✓ delivered" : "sending…"}</div>;
}

function TypingLine({ typing }: { typing: string[] }) {
  const text =
    typing.length === 0
      ? ""
      : typing.length === 1
        ? `${typing[0]} is typing`
        : typing.length === 2
          ? `${typing[0]} and ${typing[1]} are typing`
          : `${typing.length} people are typing`;
  return (
    <div className="typing" id="typing" aria-live="polite">
      {text && (
        <>
          <span className="dots" aria-hidden>
            <i />
            <i />
            <i />
          </span>
          {text}
        </>
      )}
    </div>
  );
}

function Composer({ room, onSend, onType }: { room: string; onSend: (text: string) => void; onType: () => void }) {
  const [text, setText] = useState("");
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), [room]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const t = text.trim();
    if (!t) return;
    onSend(t);
    setText("");
  };
  return (
    <form className="composer" onSubmit={submit}>
      <input
        ref={input}
        id="message"
        value={text}
        placeholder={`Message #${room} — try !help`}
        autoComplete="off"
        maxLength={2000}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value) onType();
        }}
      />
      <button type="submit" id="send" disabled={!text.trim()}>
        Send
      </button>
    </form>
  );
}

function NameForm({ me, onRename }: { me: string; onRename: (name: string) => void }) {
  const [draft, setDraft] = useState(me);
  useEffect(() => setDraft(me), [me]);
  return (
    <form
      className="name-form"
      onSubmit={(e) => {
        e.preventDefault();
        onRename(draft);
      }}
    >
      <label htmlFor="name">Your name</label>
      <input id="name" value={draft} maxLength={24} onChange={(e) => setDraft(e.target.value)} onBlur={() => onRename(draft)} />
      <DropConnection />
    </form>
  );
}

/** Asks the server to close our transport (its `close-transport` fixture): watch the status. */
function DropConnection() {
  const { socket, status } = useSocket();
  return (
    <button
      type="button"
      className="link"
      disabled={status !== "connected"}
      onClick={() => socket?.emit("close-transport")}
      title="The server closes this tab's connection; the client reconnects and recovers the session"
    >
      simulate a network drop
    </button>
  );
}

const AVATAR_COLORS = ["#e5484d", "#f76b15", "#d6a100", "#30a46c", "#12a594", "#0090ff", "#6e56cf", "#d6409f"];

function Avatar({ name, small }: { name: string; small?: boolean }) {
  // FNV-1a: names that differ in one letter still get different colours
  let hash = 0x811c9dc5;
  for (const ch of name) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return (
    <span className={small ? "avatar small" : "avatar"} style={{ background: AVATAR_COLORS[hash % AVATAR_COLORS.length] }} aria-hidden>
      {name.slice(0, 1).toUpperCase()}
    </span>
  );
}

function clock(ts: number): string {
  return new Date(ts).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}
