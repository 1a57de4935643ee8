"""What an ESC/POS printer says back on a two-way link: DLE EOT status and process ID answers.

``Replies`` reads the link (``collect``), splits what comes into status bytes and process IDs
(``protocol.ReplyReader``), keeps the process IDs answered, and asks the four-step ``DLE EOT``
status (``status``; each reply decoded by ``escpos.status``): 1 (on line?), 2 when off line
(why?), 3 on an error, 4 (paper). A missing or malformed reply makes the status UNKNOWN
(``NO_STATUS_REPLY``), never OK. The caller holds the link: it must not ask while a job's bytes
are still going out.
"""

from __future__ import annotations

import logging
import time
from collections import deque

from hubd.classes.printer.contract import PrinterStatus
from hubd.driver_api import ProtocolError, Transport, TransportTimeout
from kioskhub.drivers.common.status import unknown
from kioskhub.drivers.escpos import protocol
from kioskhub.drivers.escpos.status import (
    STATUS_ERROR_CAUSE,
    STATUS_OFFLINE_CAUSE,
    STATUS_PAPER,
    STATUS_PRINTER,
    OfflineCause,
    PrinterState,
    Status,
    parse_status,
    printer_status,
)

log = logging.getLogger(__name__)

NO_STATUS_REPLY = "NO_STATUS_REPLY"


class Replies:
    """The printer's side of the conversation on one link."""

    def __init__(self, transport: Transport, status_timeout: float, name: str) -> None:
        self.transport = transport
        self.status_timeout = status_timeout
        self.name = name
        self.answered: set[str] = set()
        """Process IDs the printer has answered (cleared by the caller per job)."""
        self._reader = protocol.ReplyReader()
        self._status_bytes: deque[int] = deque()

    async def collect(self, timeout: float) -> bool:
        """Read what the printer sent (waiting up to ``timeout``; 0 polls); False if nothing came.
        A link the printer closed raises ``TransportError``."""
        try:
            data = await self.transport.read(timeout=timeout)
        except TransportTimeout:
            return False
        for reply in self._reader.feed(data):
            if isinstance(reply, protocol.ProcessIdResponse):
                self.answered.add(reply.process_id)
            else:
                self._status_bytes.append(reply)
        return True

    async def drain(self) -> None:
        """Take in whatever has arrived."""
        while await self.collect(0.0):
            pass

    async def status(self) -> PrinterStatus:
        """Ask 1 (on line?), 2 when off line (why?), 3 on an error, 4 (paper); combine them."""
        got: dict[int, Status] = {}
        for n in (STATUS_PRINTER, STATUS_OFFLINE_CAUSE, STATUS_ERROR_CAUSE, STATUS_PAPER):
            state, cause = got.get(1), got.get(2)
            if n == 2 and not (isinstance(state, PrinterState) and state.offline):
                continue
            if n == 3 and not (isinstance(cause, OfflineCause) and cause.error):
                continue
            result = await self._ask(n)
            if isinstance(result, str):
                log.debug("%s: status unknown: %s", self.name, result)  # shown as the status
                return unknown(NO_STATUS_REPLY, result)
            got[n] = result
        return printer_status(got)

    async def _ask(self, n: int) -> Status | str:
        """One DLE EOT n round trip: the parsed status, or why there is none.

        Status bytes already in (late answers to requests that timed out) are dropped first.
        """
        await self.transport.open()
        await self.drain()
        self._status_bytes.clear()
        try:
            await self.transport.write(protocol.status_request(n), self.status_timeout)
        except TransportTimeout:
            return f"the printer took no DLE EOT {n} within {self.status_timeout:g} s"
        reply = await self._status_byte(self.status_timeout)
        if reply is None:
            return f"no reply to DLE EOT {n} within {self.status_timeout:g} s"
        try:
            return parse_status(n, reply)
        except ProtocolError as err:
            return f"{err} (reply {reply:02x})"

    async def _status_byte(self, timeout: float) -> int | None:
        """The next status byte, or None within ``timeout``."""
        deadline = time.monotonic() + timeout
        while not self._status_bytes:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not await self.collect(remaining):
                return None
        return self._status_bytes.popleft()
