"""The shared ``unknown`` printer status: never OK, every field it cannot know left unknown."""

from __future__ import annotations

from hubd.classes.printer.contract import Paper
from hubd.device import DeviceState, StatusSource
from kioskhub.drivers.common.status import NO_STATUS_CHANNEL, unknown
from kioskhub.drivers.escp import status as escp_status


def test_unknown_claims_nothing() -> None:
    s = unknown(NO_STATUS_CHANNEL, "no return channel")
    assert (s.state, s.reason, s.detail) == (DeviceState.UNKNOWN, "NO_STATUS_CHANNEL", "no return channel")
    assert (s.paper, s.online, s.error, s.source) == (Paper.UNKNOWN, None, None, StatusSource.INFERRED)
    assert not s.blocks_printing
    assert unknown("X", "y", StatusSource.DEVICE).source is StatusSource.DEVICE


def test_escp_status_reexports() -> None:
    assert escp_status.unknown is unknown
    assert escp_status.NO_STATUS_CHANNEL == "NO_STATUS_CHANNEL"
