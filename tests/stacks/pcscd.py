"""A real pcscd with the vpcd virtual reader for tests, and our virtual card for it.

One pcscd per test session: libpcsclite reads PCSCLITE_CSOCK_NAME once per process, so a
process talks to one pcscd. Under ``pytest -n`` every xdist worker is its own process and
session, so each worker gets its own pcscd, socket directory and vpcd ports: no serial group
is needed. Each test gets a fresh card, and leaves the reader empty.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import AsyncIterator, Iterator

import pytest

from hubd.errors import DeviceUnavailable
from hubd.stacks import pcscd
from kioskhub.simulators.vpcd_card import VpcdCardSim
from tests.stacks.base import private_dir, remove_dir, skip_or_fail


class PcscdStack:
    """A running private pcscd: its paths, process and environment for PC/SC clients."""

    def __init__(self, paths: pcscd.PcscdPaths, proc: subprocess.Popen[bytes]) -> None:
        self.paths, self.proc = paths, proc

    @property
    def url(self) -> str:
        """``pcsc:///…/pcscd.comm`` for the pcsc driver."""
        return self.paths.url

    @property
    def reader(self) -> str:
        """The vpcd reader's PC/SC name (slot 0)."""
        return self.paths.reader_name

    def tool(self, *argv: str, stdin: str = "", timeout: float = 20) -> str:
        """Run an independent PC/SC tool against this pcscd; its combined output."""
        out = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=timeout,
                             env=self.paths.env(), check=False)
        return out.stdout + out.stderr


@pytest.fixture(scope="session")
def pcscd_stack() -> Iterator[PcscdStack]:
    """The session's (worker's) private pcscd; points this process's libpcsclite at it."""
    if gaps := pcscd.missing():
        skip_or_fail(f"pcscd: not installed: {', '.join(gaps)} (packages pcscd, vsmartcard-vpcd)")
    root = private_dir("pcscd")
    try:
        paths, proc = pcscd.start(root)
    except DeviceUnavailable as err:
        remove_dir(root)
        skip_or_fail(f"pcscd did not start: {err.message}")
    previous = os.environ.get(pcscd.SOCKET_ENV)
    os.environ[pcscd.SOCKET_ENV] = str(paths.socket)
    try:
        yield PcscdStack(paths, proc)
    finally:
        pcscd.stop(proc)
        if previous is None:
            os.environ.pop(pcscd.SOCKET_ENV, None)
        else:
            os.environ[pcscd.SOCKET_ENV] = previous
        remove_dir(root)


async def wait_connected(card: VpcdCardSim, connected: bool, timeout: float = 10.0) -> None:
    """Until the card's link to the reader is (or is no longer) up."""
    import asyncio

    deadline = time.monotonic() + timeout
    while card.state.connected is not connected:
        if time.monotonic() > deadline:
            pytest.fail(f"card connected={connected} not reached in {timeout}s")
        await asyncio.sleep(0.02)


def wait_reader_empty(stack: PcscdStack, timeout: float = 10.0) -> None:
    """Until pcscd itself reports the reader empty. A card that leaves and another that arrives
    before pcscd's next presence check look like one card that never left, and vpcd then fails
    the newcomer's first APDU (SCARD_E_NOT_TRANSACTED): the next test must start after it."""
    from smartcard import scard

    hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    assert hr == 0, f"pcscd: 0x{hr & 0xFFFFFFFF:08X}"
    try:
        deadline = time.monotonic() + timeout
        known = scard.SCARD_STATE_UNAWARE
        while time.monotonic() < deadline:
            hr, states = scard.SCardGetStatusChange(ctx, 250, [(stack.reader, known)])
            if hr == 0:
                known = states[0][1] & ~scard.SCARD_STATE_CHANGED
                if not known & scard.SCARD_STATE_PRESENT:
                    return
        pytest.fail(f"pcscd still sees a card in {stack.reader} after {timeout}s")
    finally:
        scard.SCardReleaseContext(ctx)


@pytest.fixture
async def vpcd_card(pcscd_stack: PcscdStack) -> AsyncIterator[VpcdCardSim]:
    """Our virtual card, not yet inserted: call ``insert()``; removed (and seen gone by pcscd)
    and stopped afterwards."""
    import asyncio

    card = VpcdCardSim(seed=1)
    card.state.inserted = False
    await card.start(pcscd_stack.paths.card_url)
    yield card
    card.remove()
    await asyncio.to_thread(wait_reader_empty, pcscd_stack)
    await card.stop()
