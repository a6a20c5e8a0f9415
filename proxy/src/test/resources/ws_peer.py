"""WebSocket peers for WebSocketProxyTest, on Debian's python3-websockets.

  ws_peer.py server            echo server on 127.0.0.1:<ephemeral>; prints its port
  ws_peer.py client HOST PORT AUTHORITY
                               connects to HOST:PORT with Host: AUTHORITY, checks echoes of text and a
                               2 MiB binary message, asks the server to close, prints the close code
"""
import asyncio
import sys

import websockets


async def echo(ws, path=None):
    async for msg in ws:
        if msg == "close-from-server":
            await ws.close(code=4000, reason="server says bye")
            return
        await ws.send(msg)


async def server():
    async with websockets.serve(echo, "127.0.0.1", 0, max_size=None) as srv:
        print(srv.sockets[0].getsockname()[1], flush=True)
        await asyncio.Future()


async def client(host, port, authority):
    async with websockets.connect("ws://%s/chat" % authority, host=host, port=int(port), max_size=None,
                                  open_timeout=10) as ws:
        for i in range(100):
            await ws.send("text %d" % i)
            got = await ws.recv()
            assert got == "text %d" % i, got
        print("text ok", flush=True)
        big = bytes((i * 31 + 7) % 251 for i in range(2 * 1024 * 1024))
        await ws.send(big)
        got = await ws.recv()
        assert got == big, "binary echo differs"
        print("binary ok", flush=True)
        await ws.send("close-from-server")
        try:
            await asyncio.wait_for(ws.recv(), 10)
            print("no close", flush=True)
        except websockets.ConnectionClosed as e:
            print("closed %d %s" % (e.code, e.reason), flush=True)


if sys.argv[1] == "server":
    asyncio.run(server())
else:
    asyncio.run(client(*sys.argv[2:5]))
