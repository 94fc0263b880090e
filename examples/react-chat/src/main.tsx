import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { SocketProvider } from "sio-client/react";
import { App } from "./App";
import { SERVER_URL } from "./config";
import "./styles.css";

// One connection for the whole app: `useSocket()` anywhere below reads its status. It
// reconnects by itself, and re-joins the rooms of `useRoom` unless the server recovered the
// session (connection state recovery), in which case the server kept them.
// `withCredentials`: the page and the server are different origins, so cookies (the load
// balancer's stickiness cookie of `make demo-cluster`) are kept and sent only when asked, as
// with socket.io-client; the server's CORS allows credentials.
createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <SocketProvider url={SERVER_URL} options={{ reconnectionDelayMax: 3000, withCredentials: true }}>
      <App />
    </SocketProvider>
  </StrictMode>,
);
