// A React app on sio-client/react, under StrictMode. The server URL comes from `?server=`.
// It records what the test checks in `window.__log`, and exposes `window.sio` (the plain
// API) and `window.__app` for page.evaluate. (The other suites use api.html, which connects
// nothing by itself.)
import { createElement as h, StrictMode, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { io, Manager, Socket, ready } from "sio-client";
import { SocketProvider, useEmitWithAck, useRoom, useSocket, useSocketEvent } from "sio-client/react";

const server = new URLSearchParams(location.search).get("server");
const log = { statuses: [], news: [], errors: [] };
window.__log = log;
window.sio = { io, Manager, Socket, ready };

function Room() {
  useRoom("react-room");
  return null;
}

function App() {
  const { status, error, id } = useSocket();
  const [counter, setCounter] = useState(0);
  const [inRoom, setInRoom] = useState(true);
  const ask = useEmitWithAck(1000);
  useEffect(() => {
    log.statuses.push(status);
  }, [status]);
  useEffect(() => {
    if (error) log.errors.push(error.message);
  }, [error]);
  // a new closure every render: the test checks that the latest one is called
  useSocketEvent("news", (message) => {
    log.news.push({ message, counter });
  });
  window.__app = { ask };
  return h(
    "main",
    null,
    h("p", { id: "status" }, status),
    h("p", { id: "sid" }, id ?? ""),
    h("p", { id: "counter" }, String(counter)),
    h("button", { id: "bump", onClick: () => setCounter((c) => c + 1) }, "bump"),
    h("button", { id: "toggle-room", onClick: () => setInRoom((v) => !v) }, "toggle room"),
    inRoom ? h(Room) : null,
  );
}

createRoot(document.getElementById("root")).render(
  h(
    StrictMode,
    null,
    h(
      SocketProvider,
      { url: server, options: { reconnectionDelay: 100, reconnectionDelayMax: 300 } },
      h(App),
    ),
  ),
);
