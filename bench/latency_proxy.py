#!/usr/bin/python3
"""A TCP proxy in front of a PostgreSQL Unix socket that delays every chunk
by a fixed time in each direction: a database "DELAY ms away" on one machine.

    latency_proxy.py PORT SOCKET_PATH DELAY_MS

(Linux's netem would do this in the kernel, but containers seldom have it.)
asyncio's timers have about a millisecond's resolution, so delays under 1 ms
come out near 1 ms; the order of the bytes is kept."""
import asyncio
import sys
import time


async def pipe(reader, writer, delay):
    queue = asyncio.Queue()

    async def send():
        while True:
            due, data = await queue.get()
            if data is None:
                writer.close()
                return
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()

    sender = asyncio.create_task(send())
    while True:
        data = await reader.read(65536)
        await queue.put((time.monotonic() + delay, data or None))
        if not data:
            break
    await sender


async def main(port, socket_path, delay):
    async def handle(client_reader, client_writer):
        server_reader, server_writer = await asyncio.open_unix_connection(socket_path)
        await asyncio.gather(pipe(client_reader, server_writer, delay),
                             pipe(server_reader, client_writer, delay),
                             return_exceptions=True)

    server = await asyncio.start_server(handle, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], float(sys.argv[3]) / 1000))
