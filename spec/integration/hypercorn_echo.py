"""An ASGI WebSocket echo for spec/integration/hypercorn.spec.ts, served by Debian's hypercorn.

Usage: python3 hypercorn_echo.py [--tls CERT KEY]. Binds 127.0.0.1 on a free port, prints the port on
one line, and serves until killed. The message "whoami" is answered with the HTTP version and the
client's TCP port instead of being echoed, so a test can tell HTTP/2 from HTTP/1.1 and count TCP connections.
"""
import asyncio
import json
import signal
import socket
import sys

from hypercorn.asyncio import serve
from hypercorn.config import Config


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        return
    await receive()  # websocket.connect
    offered = scope.get("subprotocols") or []
    accept = {"type": "websocket.accept"}
    if offered:
        accept["subprotocol"] = offered[0]
    await send(accept)
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        if message.get("text") == "whoami":
            who = {"http_version": scope["http_version"], "client_port": scope["client"][1]}
            await send({"type": "websocket.send", "text": json.dumps(who)})
        elif message.get("text") is not None:
            await send({"type": "websocket.send", "text": message["text"]})
        else:
            await send({"type": "websocket.send", "bytes": message["bytes"]})


def main():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.set_inheritable(True)
    config = Config()
    config.bind = [f"fd://{sock.fileno()}"]
    config.websocket_max_message_size = 32 * 1024 * 1024
    config.accesslog = None
    if len(sys.argv) == 4 and sys.argv[1] == "--tls":
        config.certfile = sys.argv[2]
        config.keyfile = sys.argv[3]
    print(sock.getsockname()[1], flush=True)
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.run_until_complete(serve(app, config, shutdown_trigger=stop.wait))


if __name__ == "__main__":
    main()
