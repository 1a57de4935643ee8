"""``usb://VID:PID[/SERIAL]``: a USB printer's bulk endpoints through pyusb (libusb), owned here.

For printers the kernel's usblp does not serve (or when two identical printers need telling apart
by serial number): the transport finds the device (hex vendor and product id, optional serial
number), takes the USB printer-class interface (class 7; ``?interface=N`` to choose), detaches a
kernel driver holding it, and uses its first bulk OUT endpoint for data and its bulk IN endpoint
(if any) for replies. pyusb is imported only when such a URL is opened.

- Writes go one ``wMaxPacketSize`` packet per transfer, so a transfer that times out (the
  printer NAKs: paper out, busy) sent nothing and the rest stays queued (``Transport.flush``).
  A completed bulk transfer is one the device acknowledged: ``unacknowledged()`` is what we
  still hold.
- ``port_status()`` is the USB printer class request GET_PORT_STATUS (bmRequestType 0xA1,
  bRequest 1, wValue 0, wIndex = interface, 1 byte: bit5 PaperEmpty, bit4 Select, bit3
  NotError; protocols.md §1.3), the byte usblp's ``LPGETSTATUS`` returns.

pyusb's errors are ``USBError`` (an ``OSError`` carrying the libusb errno) and
``USBTimeoutError``; they are converted here, once.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from hubd.errors import InvalidArgument, TransportError, TransportTimeout
from hubd.transport.base import Caps, Transport, os_error

log = logging.getLogger(__name__)

USB_CLASS_PRINTER = 7
GET_PORT_STATUS = 1
CLASS_INTERFACE_IN = 0xA1
"""bmRequestType: device-to-host, class, recipient interface."""
_DIR_IN, _BULK = 0x80, 0x02
MIN_TIMEOUT_MS = 1
"""libusb reads 0 as "no timeout": a poll waits at least this long."""


def _find(vid: int, pid: int, serial: str) -> Any:
    """The pyusb device with these ids (and serial number, when given), or None."""
    import usb.core

    def match(dev: Any) -> bool:
        if not serial:
            return True
        try:
            return bool(dev.serial_number == serial)
        except (usb.core.USBError, ValueError):  # no access to its string descriptors
            return False

    return usb.core.find(idVendor=vid, idProduct=pid, custom_match=match)


def _dispose(dev: Any) -> None:
    """Release the interface and libusb handle of ``dev``."""
    import usb.util

    usb.util.dispose_resources(dev)


def _is_timeout(err: BaseException) -> bool:
    import usb.core

    return isinstance(err, usb.core.USBTimeoutError)


def _parse(url: str, netloc: str, path: str) -> tuple[int, int, str]:
    """(vendor id, product id, serial) from ``VID:PID`` and ``/SERIAL``."""
    usage = f"{url!r}: use usb://VID:PID[/SERIAL] in hex, like usb://04b8:0202"
    try:
        vid_text, pid_text = netloc.split(":")
        vid, pid = int(vid_text, 16), int(pid_text, 16)
    except ValueError as err:
        raise InvalidArgument("url", usage) from err
    serial = path.strip("/")
    if not (0 <= vid <= 0xFFFF and 0 <= pid <= 0xFFFF) or "/" in serial:
        raise InvalidArgument("url", usage)
    return vid, pid, serial


class UsbTransport(Transport):
    """A USB printer's bulk OUT (and IN) endpoints, with the class port status."""

    caps = Caps.READ | Caps.PORT_STATUS | Caps.ACKED

    def __init__(self, url: str) -> None:
        super().__init__(url)
        p = self.parsed
        netloc = url.split("://", 1)[1].split("/", 1)[0].split("?", 1)[0]
        self.vid, self.pid, self.serial = _parse(url, netloc, p.path)
        raw_iface = p.query.get("interface")
        self.interface: int | None = None if raw_iface is None else int(p.number("interface", 0))
        self._dev: Any = None
        self._out_ep: Any = None
        self._in_ep: Any = None
        self._iface_number = 0
        self._packet = 64

    @property
    def is_open(self) -> bool:
        """True while the device is claimed."""
        return self._dev is not None

    async def open(self) -> None:
        """Find the device and take its printer interface (NO_SUCH_DEVICE when absent)."""
        if self._dev is not None:
            return
        try:
            await asyncio.to_thread(self._open)
        except OSError as err:
            raise os_error(self.url, "open", err) from err
        self._buf.clear()
        self._out.clear()

    def _open(self) -> None:
        dev = _find(self.vid, self.pid, self.serial)
        if dev is None:
            raise TransportError(f"{self.url}: no such USB device", reason="NO_SUCH_DEVICE")
        try:
            config = dev.get_active_configuration()
        except OSError:  # not configured yet: take its first configuration
            dev.set_configuration()
            config = dev.get_active_configuration()
        iface = self._pick_interface(config)
        number = iface.bInterfaceNumber
        if dev.is_kernel_driver_active(number):
            dev.detach_kernel_driver(number)
        endpoints = [ep for ep in iface if ep.bmAttributes & 0x03 == _BULK]
        out = next((ep for ep in endpoints if not ep.bEndpointAddress & _DIR_IN), None)
        if out is None:
            raise TransportError(f"{self.url}: interface {number} has no bulk OUT endpoint",
                                 reason="NO_SUCH_DEVICE")
        self._in_ep = next((ep for ep in endpoints if ep.bEndpointAddress & _DIR_IN), None)
        self._out_ep, self._iface_number = out, number
        self._packet = max(1, int(out.wMaxPacketSize))
        self._dev = dev

    def _pick_interface(self, config: Any) -> Any:
        for iface in config:
            if self.interface is None and iface.bInterfaceClass == USB_CLASS_PRINTER:
                return iface
            if iface.bInterfaceNumber == self.interface:
                return iface
        want = f"interface {self.interface}" if self.interface is not None else "a printer-class interface"
        raise TransportError(f"{self.url}: the device has no {want}", reason="NO_SUCH_DEVICE")

    async def close(self) -> None:
        """Release the device."""
        dev, self._dev, self._out_ep, self._in_ep = self._dev, None, None, None
        if dev is not None:
            try:
                await asyncio.to_thread(_dispose, dev)
            except OSError as err:
                log.debug("%s: release: %s", self.url, err)

    def _claimed(self) -> Any:
        if self._dev is None:
            raise TransportError(f"{self.url}: not open", reason="DISCONNECTED")
        return self._dev

    async def _send_some(self, data: bytes, timeout: float) -> int:
        self._claimed()
        sent = await self._in_thread("write", self._write_packets, data, timeout)
        if not sent:
            raise TransportTimeout(f"{self.url}: the printer took no bytes for {timeout:.1f}s")
        return int(sent)

    def _write_packets(self, data: bytes, timeout: float) -> int:
        """Write packet by packet until done or one times out; return the bytes sent."""
        ms = max(MIN_TIMEOUT_MS, int(timeout * 1000))
        sent = 0
        while sent < len(data):
            packet = data[sent : sent + self._packet]
            try:
                sent += int(self._out_ep.write(packet, ms))
            except OSError as err:
                if _is_timeout(err):
                    break
                raise
        return sent

    async def _recv(self, timeout: float) -> bytes:
        self._claimed()
        if self._in_ep is None:
            raise TransportError(f"{self.url}: the printer has no bulk IN endpoint", reason="WRITE_ONLY")
        ms = max(MIN_TIMEOUT_MS, int(timeout * 1000))
        size = max(64, int(self._in_ep.wMaxPacketSize))
        data = await self._in_thread("read", lambda: bytes(self._in_ep.read(size, ms)))
        if data is None or not data:
            raise TransportTimeout(f"{self.url}: no reply within {timeout:.1f}s")
        return bytes(data)

    async def port_status(self) -> int | None:
        """GET_PORT_STATUS on the printer interface (opens the device if needed)."""
        await self.open()
        dev = self._claimed()

        ms = max(MIN_TIMEOUT_MS, int(self.timeout * 1000))

        def ask() -> bytes:
            return bytes(dev.ctrl_transfer(CLASS_INTERFACE_IN, GET_PORT_STATUS, 0, self._iface_number, 1, ms))

        reply = await self._in_thread("GET_PORT_STATUS", ask)
        if not reply:
            raise TransportTimeout(f"{self.url}: no port status within {self.timeout:.1f}s")
        return int(reply[0])

    def unacknowledged(self) -> int:
        """What we still hold: a bulk write that returned was acknowledged by the device."""
        return len(self._out)

    async def _in_thread(self, action: str, fn: Any, *args: Any) -> Any:
        """Run a blocking pyusb call in a thread; its errors become ``TransportError`` once
        (a timeout returns None; a lost device closes the link)."""
        try:
            return await asyncio.to_thread(fn, *args)
        except OSError as err:
            if _is_timeout(err):
                return None
            await self.close()
            raise os_error(self.url, action, err) from err
