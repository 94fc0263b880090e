#!/usr/bin/env python3
# The sio test-fixture server on python-socketio (AsyncServer, ASGI, uvicorn), with the
# contract of tests/server/server.js as far as python-socketio allows (its pins are in
# requirements.txt). Started by sio-test-support (ServerKind::Python) as a plain process.
#
#   server.py [--port N] [--ping-interval MS] [--ping-timeout MS]
#             [--transports polling,websocket] [--no-upgrades] [--max-http-buffer-size N]
#             [--connect-timeout MS] [--no-recovery] [--parser json|msgpack] [--no-stdin]
#
# stdout: exactly one `PORT <n>` line once listening, then one JSON object per line (answers
# to stdin commands, `down`/`up` notices of a restart). Logs go to stderr.
# stdin: one JSON command per line, as for server.js: restart {down_ms, forget_sessions},
# broadcast {nsp, room, event, args} ({"$binary": base64} becomes bytes), kill_transports,
# count. EOF on stdin exits (unless --no-stdin).
#
# Namespaces "/", "/admin", "/guarded" (auth.token must be "secret", else connect_error
# "unauthorized" with data {"reason": "bad token"}) with the fixture events echo, ask, join,
# leave, broadcast, rooms, whoami, server-disconnect, close-transport, emit-n, restart.
#
# Differences from the Node server, by python-socketio's design:
# - no connection state recovery: --no-recovery is the only mode, whoami says recovered false,
#   events carry no offset argument;
# - --connect-timeout is accepted and ignored (python-socketio has no such option);
# - no TLS.
import argparse
import asyncio
import base64
import contextvars
import json
import os
import socket
import sys
import time
import urllib.parse

import socketio
import uvicorn

NAMESPACES = ["/", "/admin", "/guarded"]
wants_ack = contextvars.ContextVar("wants_ack", default=False)


def log(*parts):
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
    print(f"[{stamp}]", *parts, file=sys.stderr, flush=True)


def out(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def parse_args():
    p = argparse.ArgumentParser(description="sio test server on python-socketio")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--ping-interval", type=int, default=25000)
    p.add_argument("--ping-timeout", type=int, default=20000)
    p.add_argument("--transports", default="polling,websocket")
    p.add_argument("--no-upgrades", action="store_true")
    p.add_argument("--max-http-buffer-size", type=int, default=1_000_000)
    p.add_argument("--connect-timeout", type=int, default=45000)
    p.add_argument("--no-recovery", action="store_true")
    p.add_argument("--parser", choices=["json", "msgpack"], default="json")
    p.add_argument("--no-stdin", action="store_true")
    args = p.parse_args()
    transports = [t.strip() for t in args.transports.split(",") if t.strip()]
    for t in transports:
        if t not in ("polling", "websocket"):
            p.error(f"unknown transport {t}")
    args.transports = transports
    return args


def from_json(value):
    """`{"$binary": "<base64>"}` -> bytes, recursively."""
    if isinstance(value, list):
        return [from_json(v) for v in value]
    if isinstance(value, dict):
        if list(value.keys()) == ["$binary"] and isinstance(value["$binary"], str):
            return base64.b64decode(value["$binary"])
        return {k: from_json(v) for k, v in value.items()}
    return value


class Server(socketio.AsyncServer):
    """Tells handlers whether the client asked for an ack (python-socketio sends the return
    value as the ack, but does not say whether one was asked for)."""

    async def _handle_event_internal(self, server, sid, eio_sid, data, namespace, id):
        wants_ack.set(id is not None)
        return await super()._handle_event_internal(server, sid, eio_sid, data, namespace, id)


class Fixture:
    def __init__(self, opts):
        self.opts = opts
        self.sio = Server(
            async_mode="asgi",
            cors_allowed_origins="*",
            ping_interval=opts.ping_interval / 1000,
            ping_timeout=opts.ping_timeout / 1000,
            transports=opts.transports,
            allow_upgrades=not opts.no_upgrades,
            max_http_buffer_size=opts.max_http_buffer_size,
            serializer="msgpack" if opts.parser == "msgpack" else "default",
        )
        self.app = socketio.ASGIApp(self.sio, other_asgi_app=not_socketio)
        self.handshakes = {}  # (namespace, sid) -> (auth, query)
        self.server = None
        self.serve_task = None
        self.sock = None
        self.port = None
        self.restarting = False
        for ns in NAMESPACES:
            self.register(ns)

    # ----- fixtures ---------------------------------------------------------------------

    def register(self, ns):
        sio = self.sio

        async def connect(sid, environ, auth):
            if ns == "/guarded" and not (isinstance(auth, dict) and auth.get("token") == "secret"):
                raise socketio.exceptions.ConnectionRefusedError(
                    "unauthorized", {"reason": "bad token"}
                )
            query = dict(urllib.parse.parse_qsl(environ.get("QUERY_STRING", "")))
            self.handshakes[(ns, sid)] = (auth if auth is not None else {}, query)
            log(f"connect nsp={ns} id={sid} transport={sio.transport(sid, ns)}")

        async def disconnect(sid, reason=None):
            self.handshakes.pop((ns, sid), None)
            log(f"disconnect nsp={ns} id={sid} reason={reason}")

        async def echo(sid, *args):
            if wants_ack.get():
                return tuple(args)
            await sio.emit("echo", tuple(args), to=sid, namespace=ns)

        async def ask(sid, req=None):
            req = req or {}
            event = req.get("event")
            args = req.get("args") or []
            timeout = (req.get("timeoutMs") or 5000) / 1000
            answer = asyncio.get_running_loop().create_future()

            def callback(*reply):
                if not answer.done():
                    answer.set_result(list(reply))

            await sio.emit(event, tuple(args), to=sid, namespace=ns, callback=callback)
            try:
                result = {"ok": True, "args": await asyncio.wait_for(answer, timeout)}
            except asyncio.TimeoutError:
                result = {"ok": False, "error": "operation has timed out"}
            await sio.emit("answer", result, to=sid, namespace=ns)
            return result

        async def join(sid, room):
            await sio.enter_room(sid, room, namespace=ns)
            return {"room": room, "rooms": sio.rooms(sid, namespace=ns)}

        async def leave(sid, room):
            await sio.leave_room(sid, room, namespace=ns)
            return {"room": room, "rooms": sio.rooms(sid, namespace=ns)}

        async def broadcast(sid, req=None):
            req = req or {}
            room = req.get("room")
            await sio.emit(req.get("event"), tuple(req.get("args") or []), room=room, namespace=ns)
            return True

        async def rooms(sid):
            return sio.rooms(sid, namespace=ns)

        async def whoami(sid):
            auth, query = self.handshakes.get((ns, sid), ({}, {}))
            return {
                "nsp": ns,
                "id": sid,
                "recovered": False,
                "auth": auth,
                "query": query,
                "transport": sio.transport(sid, ns),
            }

        async def server_disconnect(sid, *_):
            await sio.disconnect(sid, namespace=ns)

        async def close_transport(sid, *_):
            await sio.eio.disconnect(sio.manager.eio_sid_from_sid(sid, ns))

        async def emit_n(sid, req=None):
            req = req or {}
            count = req.get("count") or 0
            for i in range(count):
                await sio.emit(req.get("event"), i, to=sid, namespace=ns)
            return count

        async def restart(sid, req=None):
            req = req or {}
            asyncio.ensure_future(
                self.restart(req.get("downMs", 500), bool(req.get("forgetSessions")), None)
            )

        for name, handler in [
            ("connect", connect),
            ("disconnect", disconnect),
            ("echo", echo),
            ("ask", ask),
            ("join", join),
            ("leave", leave),
            ("broadcast", broadcast),
            ("rooms", rooms),
            ("whoami", whoami),
            ("server-disconnect", server_disconnect),
            ("close-transport", close_transport),
            ("emit-n", emit_n),
            ("restart", restart),
        ]:
            sio.on(name, handler, namespace=ns)

    # ----- control ----------------------------------------------------------------------

    async def kill_transports(self):
        sids = list(self.sio.eio.sockets.keys())
        for eio_sid in sids:
            await self.sio.eio.disconnect(eio_sid)
        return len(sids)

    def bind(self, port):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(128)
        sock.setblocking(False)
        return sock

    async def listen(self, port):
        self.sock = self.bind(port)
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=1,
            ws_max_size=max(self.opts.max_http_buffer_size, 1),
        )
        self.server = uvicorn.Server(config)
        self.serve_task = asyncio.ensure_future(self.server.serve(sockets=[self.sock]))
        while not self.server.started:
            if self.serve_task.done():
                self.serve_task.result()
            await asyncio.sleep(0.01)
        return self.sock.getsockname()[1]

    async def stop_listening(self):
        self.server.should_exit = True
        await self.serve_task
        self.sock.close()

    async def restart(self, down_ms, forget, cmd_id):
        tag = {} if cmd_id is None else {"id": cmd_id}
        if self.restarting:
            out({"event": "error", "message": "restart already in progress", **tag})
            return
        self.restarting = True
        try:
            log(f"restart: down for {down_ms} ms (no recovery sessions to forget: {forget})")
            await self.kill_transports()
            await self.stop_listening()
            out({"event": "down", **tag})
            await asyncio.sleep(down_ms / 1000)
            for _ in range(50):
                try:
                    await self.listen(self.port)
                    break
                except OSError:
                    await asyncio.sleep(0.1)
            log(f"restart: up again on port {self.port}")
            out({"event": "up", **tag})
        except Exception as err:  # noqa: BLE001 - reported on the control channel
            out({"event": "error", "message": f"restart failed: {err}", **tag})
        finally:
            self.restarting = False

    async def command(self, line):
        try:
            cmd = json.loads(line)
        except ValueError as err:
            out({"event": "error", "message": f"invalid JSON: {err}"})
            return
        if not isinstance(cmd, dict):
            out({"event": "error", "message": "a command is a JSON object"})
            return
        tag = {"id": cmd["id"]} if "id" in cmd else {}
        name = cmd.get("cmd")
        if name == "restart":
            asyncio.ensure_future(
                self.restart(cmd.get("down_ms", 500), bool(cmd.get("forget_sessions")), cmd.get("id"))
            )
        elif name == "broadcast":
            args = tuple(from_json(cmd.get("args") or []))
            await self.sio.emit(cmd.get("event"), args, room=cmd.get("room"), namespace=cmd.get("nsp") or "/")
            out({"event": "broadcast-done", **tag})
        elif name == "kill_transports":
            out({"event": "killed", "count": await self.kill_transports(), **tag})
        elif name == "count":
            out({"event": "count", "clients": len(self.sio.eio.sockets), **tag})
        else:
            out({"event": "error", "message": f"unknown command {json.dumps(name)}", **tag})


async def not_socketio(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/html")]})
    await send({"type": "http.response.body", "body": b"<html>not socket.io</html>"})


async def read_stdin(fixture):
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = await reader.readline()
        if not line:
            log("exiting: stdin closed")
            return
        text = line.decode("utf-8", "replace").strip()
        if text:
            await fixture.command(text)


async def main():
    opts = parse_args()
    fixture = Fixture(opts)
    try:
        fixture.port = await fixture.listen(opts.port)
    except OSError as err:
        log(f"cannot listen on port {opts.port}: {err}")
        sys.exit(1)
    sys.stdout.write(f"PORT {fixture.port}\n")
    sys.stdout.flush()
    log(f"listening on http://127.0.0.1:{fixture.port} python-socketio {socketio.__version__}"
        if hasattr(socketio, "__version__") else f"listening on http://127.0.0.1:{fixture.port}",
        f"parser={opts.parser} transports={','.join(opts.transports)}")
    if opts.no_stdin:
        await asyncio.Event().wait()
    else:
        await read_stdin(fixture)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
    # Never linger on half-closed connections once told to go.
    sys.stdout.flush()
    os._exit(0)
