// The plain API page (api.html): sio-client and the two parser packages, imported the way an
// application written for socket.io-client imports them, and nothing that connects by itself
// (the suites that count requests or connections, interop.test.mjs and cluster.test.mjs, use
// this page instead of the React one).
import { io, Manager, Socket } from "sio-client";
import msgpackParser from "socket.io-msgpack-parser";
import * as socketioParser from "socket.io-parser";

window.sio = { io, Manager, Socket };
window.parsers = { msgpack: msgpackParser, socketio: socketioParser };
