"""A small HTTP-aware TCP fault proxy between a laptop and the township server, for the fault matrix (SYNC.md).

It runs an asyncio loop in a thread. Requests pass through unchanged unless a queued :class:`Fault` matches the
request's path; each fault is used once, in the order queued. Every request is logged with what was done to it.

Faults (``kind``):

- ``pass``           pass the request on untouched (to let earlier requests through before a later fault)
- ``reset``          reset the connection before the server sees anything (as a refused or dropped connection)
- ``cut_request``    pass ``after`` bytes of the request to the server, then reset both sides
- ``drop_response``  let the server answer in full (it has committed), then reset without a byte to the client
- ``cut_response``   pass ``after`` bytes of the server's answer, then reset
- ``hang``           read the request, never answer (for ``seconds``), then close
- ``delay_request``  hold the request ``seconds`` before passing it on (the client may time out and retry meanwhile)
- ``delay_response`` hold the server's answer ``seconds`` before passing it back
- ``replace``        let the server answer, then send ``canned`` instead (a 500 after the commit)
- ``canned``         answer ``canned`` without asking the server (a captive portal, a 503, a 500 before commit)
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

T = TypeVar("T")

Kind = Literal[
    "pass",
    "reset",
    "cut_request",
    "drop_response",
    "cut_response",
    "hang",
    "delay_request",
    "delay_response",
    "replace",
    "canned",
]


@dataclass
class Fault:
    kind: Kind
    path: str = ""
    """The fault applies to the first request whose path starts with this ("" matches every request)."""
    after: int = 0
    seconds: float = 0.0
    canned: bytes = b""


@dataclass
class Seen:
    method: str
    path: str
    fault: str
    """The fault's kind, or "pass"."""
    size: int = 0
    """Bytes of the request, head and body."""
    range: str = ""
    """The request's ``Range`` header (which bytes of a file it asks for), "" when it has none."""


def http_answer(status: int, body: bytes, content_type: str = "text/html", **headers: str) -> bytes:
    """A canned HTTP/1.1 answer that closes the connection."""
    lines = [f"HTTP/1.1 {status} X", f"Content-Type: {content_type}", f"Content-Length: {len(body)}"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_message(reader: asyncio.StreamReader, bodyless: bool = False) -> bytes | None:
    """One HTTP/1.1 message (head and Content-Length body; only the head of an answer to HEAD, whose
    Content-Length names what a GET would get); None at a clean end of the connection."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if exc.partial:
            raise ConnectionError("connection closed mid-message") from exc
        return None
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
        elif name.strip().lower() == b"transfer-encoding":
            raise ConnectionError("chunked messages are not supported by the fault proxy")
    return head + (await reader.readexactly(length) if length and not bodyless else b"")


def _header(message: bytes, name: bytes) -> str:
    """The value of header ``name`` (lower case) in ``message``'s head, "" when it has none."""
    head = message.split(b"\r\n\r\n", 1)[0]
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name:
            return value.strip().decode("latin-1")
    return ""


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP reset (SO_LINGER 0), as a dropped link looks to the other side."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class FaultProxy:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.faults: list[Fault] = []
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fault-proxy", daemon=True)
        self._thread.start()
        self._server = self._run(asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.port: int = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(10)

    def add(self, *faults: Fault) -> None:
        with self._lock:
            self.faults.extend(faults)

    def pending(self) -> list[Fault]:
        """Faults queued and not yet used."""
        with self._lock:
            return list(self.faults)

    def close(self) -> None:
        async def stop() -> None:
            self._server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        try:
            self._run(stop())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop.close()

    def _take(self, method: str, path: str, size: int, asked: str = "") -> Fault | None:
        with self._lock:
            for number, fault in enumerate(self.faults):
                if path.startswith(fault.path):
                    del self.faults[number]
                    self.seen.append(Seen(method, path, fault.kind, size, asked))
                    return fault
            self.seen.append(Seen(method, path, "pass", size, asked))
            return None

    async def _forward(self, request: bytes, after: int | None = None) -> bytes:
        reader, writer = await asyncio.open_connection(*self.upstream)
        try:
            if after is not None:
                writer.write(request[:after])
                await writer.drain()
                _reset(writer)
                return b""
            writer.write(request)
            await writer.drain()
            answer = await _read_message(reader, bodyless=request.startswith(b"HEAD "))
            if answer is None:
                raise ConnectionError("the server closed without answering")
            return answer
        finally:
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await _read_message(reader)
                if request is None:
                    break
                method, path, _ = request.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
                fault = self._take(method, path, len(request), _header(request, b"range"))
                if fault is None or fault.kind == "pass":
                    # Passed on, and the connection stays open for the next request as a server's would: a
                    # client that sends its next request at once on this connection must find it there.
                    writer.write(await self._forward(request))
                    await writer.drain()
                    continue
                await self._inflict(fault, request, writer)
                return
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def _inflict(self, fault: Fault, request: bytes, writer: asyncio.StreamWriter) -> None:
        """Do ``fault`` to this request (any but ``pass``); the client connection ends afterwards."""
        if fault.kind == "reset":
            _reset(writer)
        elif fault.kind == "cut_request":
            await self._forward(request, after=fault.after)
            _reset(writer)
        elif fault.kind == "drop_response":
            await self._forward(request)
            _reset(writer)
        elif fault.kind == "cut_response":
            answer = await self._forward(request)
            writer.write(answer[: fault.after])
            await writer.drain()
            _reset(writer)
        elif fault.kind == "hang":
            await asyncio.sleep(fault.seconds)
        elif fault.kind == "delay_request":
            await asyncio.sleep(fault.seconds)
            answer = await self._forward(request)
            writer.write(answer)
            await writer.drain()
        elif fault.kind == "delay_response":
            answer = await self._forward(request)
            await asyncio.sleep(fault.seconds)
            writer.write(answer)
            await writer.drain()
        elif fault.kind == "replace":
            await self._forward(request)
            writer.write(fault.canned)
            await writer.drain()
        else:
            assert fault.kind == "canned", fault.kind
            writer.write(fault.canned)
            await writer.drain()
