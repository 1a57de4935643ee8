"""A virtual smart card for vsmartcard's vpcd reader driver (pcscd), written from the vpcd
protocol and ISO 7816-3/-4, never from our driver.

vpcd protocol (vsmartcard ``virtualsmartcard/src/vpcd/vpcd.c``): TCP; the card connects to the
port vpcd listens on (``DEVICENAME /dev/null:PORT`` in pcscd's reader.conf; slot n on PORT+n).
Every message either way is a 2-byte big-endian length and that many bytes. A 1-byte message
from the reader is a control code: 0 power off, 1 power on, 2 reset, 4 "send your ATR" (the
only one answered); any longer message is a command APDU, answered with one response APDU.
Closing the connection is removing the card; connecting is inserting it.

The card (``KioskCard``): a T=0 card (ATR ``3B 08`` + "KIOSKSIM") with one application,
AID F0 "KIOSKHUB" (F0: a proprietary, unregistered AID). SELECT answers 61xx (the FCI waits for
GET RESPONSE, as T=0 cards do); GET DATA 5A (serial) and 5F20 (holder name) answer 6Cxx when
Le is not the exact length. ``kioskhub-sim vpcd_card --listen vpcd://127.0.0.1:PORT``; control:
``insert``, ``remove`` (and ``set serial HEX`` …).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

from kioskhub.simulators.base import Simulator, SimulatorError
from kioskhub.simulators.vpcd_applet import (
    CTRL_ATR,
    CTRL_OFF,
    CTRL_ON,
    CTRL_RESET,
    KioskCard,
    VpcdFramer,
    frame,
)

log = logging.getLogger(__name__)

RECONNECT = 0.05
"""Seconds between attempts to reach the reader while the card is inserted."""


@dataclass
class VpcdCardState:
    """The card's data and whether it is in the reader."""

    inserted: bool = True
    atr: str = "3B084B494F534B53494D"
    serial: str = "4B48000000000001"
    holder: str = "KIOSK OPERATOR"
    powered: bool = False
    apdus: int = 0
    connected: bool = False


class VpcdCardSim(Simulator):
    """A card in a vpcd virtual reader; ``remove()`` / ``insert()`` take it out and put it back."""

    name: ClassVar[str] = "vpcd_card"
    description: ClassVar[str] = "Smart card (T=0) for the vpcd virtual reader of pcscd"

    def __init__(self, state: VpcdCardState | None = None, *, seed: int | None = None) -> None:
        super().__init__(state, seed=seed)
        self.state: VpcdCardState
        self.card = KioskCard(self.state)
        self._target: tuple[str, int] | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._wake = asyncio.Event()

    @classmethod
    def default_state(cls) -> VpcdCardState:
        """An inserted card."""
        return VpcdCardState()

    def on_bytes(self, session: VpcdFramer, data: bytes) -> list[bytes]:
        """Frames in, frames out: control codes and APDUs answered by the card."""
        replies = []
        for message in session.feed(data):
            reply = self.answer(message)
            if reply is not None:
                replies.append(frame(reply))
        return replies

    def answer(self, message: bytes) -> bytes | None:
        """The reply to one vpcd message (None for control codes other than ATR)."""
        if len(message) == 1:
            code = message[0]
            if code == CTRL_ATR:
                return bytes.fromhex(self.state.atr)
            if code in (CTRL_OFF, CTRL_ON, CTRL_RESET):
                self.card.power(code != CTRL_OFF)
            return None
        self.state.apdus += 1
        return self.card.respond(message)

    def new_session(self) -> VpcdFramer:
        """A framer per connection."""
        return VpcdFramer()

    # ------------------------------------------------------------------ the reader connection
    async def _listen(self, listen: str) -> str:
        parts = urlsplit(listen)
        if parts.scheme != "vpcd" or parts.hostname != "127.0.0.1" or not parts.port:
            raise SimulatorError(f"{listen!r}: use vpcd://127.0.0.1:PORT (the vpcd reader's port)")
        self._target = ("127.0.0.1", parts.port)
        task = asyncio.get_running_loop().create_task(self._run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return listen

    async def _run(self) -> None:
        """While inserted, keep a connection to the reader and answer it."""
        assert self._target is not None
        while True:
            if not self.state.inserted:
                self._wake.clear()
                await self._wake.wait()
                continue
            try:
                reader, writer = await asyncio.open_connection(*self._target)
            except OSError:
                await asyncio.sleep(RECONNECT)
                continue
            self._writer = writer
            self.state.connected = True
            log.info("card inserted into the vpcd reader at %s:%d", *self._target)
            try:
                await self._serve_reader(reader, writer)
            finally:
                self.state.connected = False
                self._writer = None
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()
            await asyncio.sleep(RECONNECT)

    async def _serve_reader(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = self.new_session()
        with contextlib.suppress(OSError):
            while self.state.inserted and (data := await reader.read(4096)):
                for reply in self.on_bytes(session, data):
                    if self.delay > 0:
                        await asyncio.sleep(self.delay)
                    writer.write(self.junk(reply) if self.garbage else reply)
                    await writer.drain()
                    self.replies_sent += 1

    def remove(self) -> None:
        """Take the card out: the connection to the reader closes."""
        self.state.inserted = False
        self.card.power(False)
        if self._writer is not None:
            self._writer.transport.abort()

    def insert(self) -> None:
        """Put the card in: connect to the reader again."""
        self.state.inserted = True
        self._wake.set()

    def unplug(self) -> None:
        """For a card, unplugging is removal (a silent card would hang the reader driver)."""
        self.remove()

    def replug(self) -> None:
        """Insert again."""
        self.insert()

    def control_commands(self) -> dict[str, tuple[str, Any]]:
        """insert, remove."""
        def insert(args: list[str]) -> str:
            self.insert()
            return "inserted"

        def remove(args: list[str]) -> str:
            self.remove()
            return "removed"

        return {"insert": ("insert", insert), "remove": ("remove", remove)}
