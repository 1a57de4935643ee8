"""usb:// against a stand-in for a pyusb device (no USB on test machines): what the transport asks
of pyusb - the printer-class interface, its bulk endpoints, GET_PORT_STATUS - and how it takes
pyusb's answers (a timed-out packet was not sent; a lost device is a TransportError)."""

from __future__ import annotations

import errno
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import usb.core

from hubd.errors import InvalidArgument, TransportError, TransportTimeout
from hubd.transport import Caps, open_transport
from hubd.transport import usb as usb_transport
from hubd.transport.usb import UsbTransport


@dataclass
class Endpoint:
    bEndpointAddress: int
    wMaxPacketSize: int = 64
    bmAttributes: int = 0x02  # bulk
    taken: bytearray = field(default_factory=bytearray)
    naks_after: int | None = None
    """Accept this many more bytes, then time out (the printer stopped: paper out)."""
    replies: list[bytes] = field(default_factory=list)

    def write(self, data: bytes, timeout: int) -> int:
        assert len(data) <= self.wMaxPacketSize and timeout >= 1
        if self.naks_after is not None and self.naks_after < len(data):
            raise usb.core.USBTimeoutError("Operation timed out", -7, errno.ETIMEDOUT)
        if self.naks_after is not None:
            self.naks_after -= len(data)
        self.taken += data
        return len(data)

    def read(self, size: int, timeout: int) -> bytes:
        if not self.replies:
            raise usb.core.USBTimeoutError("Operation timed out", -7, errno.ETIMEDOUT)
        return self.replies.pop(0)


@dataclass
class Interface:
    bInterfaceNumber: int
    bInterfaceClass: int
    endpoints: list[Endpoint]

    def __iter__(self) -> Iterator[Endpoint]:
        return iter(self.endpoints)


class Device:
    """A USB printer as pyusb shows it: a vendor interface 0, the printer interface 1."""

    def __init__(self) -> None:
        self.serial_number = "TM123"
        self.out = Endpoint(0x01)
        self.inp = Endpoint(0x82)
        self.config = [Interface(0, 0xFF, [Endpoint(0x03)]), Interface(1, 7, [self.out, self.inp])]
        self.detached: list[int] = []
        self.requests: list[tuple[int, ...]] = []
        self.port_status = 0x18
        self.gone = False

    def get_active_configuration(self) -> list[Interface]:
        return self.config

    def is_kernel_driver_active(self, number: int) -> bool:
        return number == 1

    def detach_kernel_driver(self, number: int) -> None:
        self.detached.append(number)

    def ctrl_transfer(self, request_type: int, request: int, value: int, index: int, length: int,
                      timeout: int) -> bytes:
        if self.gone:
            raise usb.core.USBError("No such device", -4, errno.ENODEV)
        self.requests.append((request_type, request, value, index, length))
        return bytes([self.port_status])


@pytest.fixture
def device(monkeypatch: pytest.MonkeyPatch) -> Device:
    dev = Device()
    found: list[Any] = []

    def find(vid: int, pid: int, serial: str) -> Device | None:
        found.append((vid, pid, serial))
        return dev if (vid, pid) == (0x04B8, 0x0202) and serial in ("", dev.serial_number) else None

    monkeypatch.setattr(usb_transport, "_find", find)
    monkeypatch.setattr(usb_transport, "_dispose", lambda d: None)
    return dev


def test_url_grammar() -> None:
    t = open_transport("usb://04b8:0202/TM123?timeout=1")
    assert isinstance(t, UsbTransport) and (t.vid, t.pid, t.serial) == (0x04B8, 0x0202, "TM123")
    assert t.caps == Caps.READ | Caps.PORT_STATUS | Caps.ACKED
    for bad in ("usb://04b8", "usb://zz:0202", "usb://04b8:0202:1", "usb://12345:1", "usb://04b8:0202/a/b"):
        with pytest.raises(InvalidArgument):
            open_transport(bad)


async def test_bulk_out_in_packets_and_port_status(device: Device) -> None:
    t = open_transport("usb://04b8:0202/TM123")
    data = bytes(range(256)) * 3
    await t.write(data)
    assert bytes(device.out.taken) == data and device.detached == [1]
    assert t.unacknowledged() == 0  # a bulk transfer that returned was acknowledged
    device.inp.replies.append(b"\x12")
    assert await t.read(timeout=0.5) == b"\x12"
    assert await t.port_status() == 0x18
    assert device.requests == [(0xA1, 1, 0, 1, 1)]  # GET_PORT_STATUS on interface 1
    await t.close()
    assert not t.is_open


async def test_a_printer_that_stops_taking_packets(device: Device) -> None:
    t = open_transport("usb://04b8:0202")
    device.out.naks_after = 128
    with pytest.raises(TransportTimeout):
        await t.write(bytes(1000), timeout=0.1)
    assert len(device.out.taken) == 128 and t.pending == 872 == t.unacknowledged()
    device.out.naks_after = None
    await t.flush(1.0)  # the rest, once, in order
    assert len(device.out.taken) == 1000 and t.unacknowledged() == 0
    with pytest.raises(TransportTimeout):
        await t.read(timeout=0.05)
    await t.close()


async def test_missing_and_lost_devices(device: Device) -> None:
    with pytest.raises(TransportError) as err:
        await open_transport("usb://04b8:0202/OTHER").open()
    assert err.value.reason == "NO_SUCH_DEVICE"
    with pytest.raises(TransportError) as err:
        await open_transport("usb://04b8:0203").open()
    assert err.value.reason == "NO_SUCH_DEVICE"
    t = open_transport("usb://04b8:0202")
    await t.open()
    device.gone = True
    with pytest.raises(TransportError) as err:
        await t.port_status()
    assert err.value.reason == "NO_SUCH_DEVICE" and not t.is_open  # ENODEV, and closed
    device.config[1].bInterfaceClass = 0xFF
    with pytest.raises(TransportError) as err:
        await open_transport("usb://04b8:0202").open()
    assert "printer-class interface" in err.value.message
    await open_transport("usb://04b8:0202?interface=1").open()  # chosen by number instead
