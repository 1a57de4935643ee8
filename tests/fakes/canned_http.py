"""A loopback HTTP server answering every request with canned bytes: a broken "printer" for
testing how the IPP client copes with garbage (never a stand-in for a real printer path)."""

from __future__ import annotations

import asyncio
import contextlib


class CannedHttp:
    """Answers each POST with ``response`` (raw bytes: status line, headers, body) and closes."""

    def __init__(self, response: bytes) -> None:
        self.response = response
        self.requests: list[bytes] = []
        self._server: asyncio.Server | None = None

    @staticmethod
    def ipp(body: bytes, status: str = "200 OK") -> bytes:
        """An HTTP response carrying ``body`` as application/ipp."""
        head = f"HTTP/1.1 {status}\r\nContent-Type: application/ipp\r\nContent-Length: {len(body)}\r\n"
        return head.encode() + b"Connection: close\r\n\r\n" + body

    async def start(self) -> str:
        """Listen on a free loopback port; the ``ipp://`` URL of the fake."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        return f"ipp://127.0.0.1:{port}/ipp/print"

    async def stop(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            head = await reader.readuntil(b"\r\n\r\n")
            length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            self.requests.append(head + await reader.readexactly(length))
            writer.write(self.response)
            await writer.drain()
        writer.close()
