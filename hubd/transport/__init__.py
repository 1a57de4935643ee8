"""Transports by URL: ``open_transport("serial:///dev/ttyS0?baudrate=2400")`` and friends.

Every built-in scheme is registered here, in one table, and its module is imported only when a
URL of that scheme is first opened (pyserial, pyusb and the CUPS client stay unloaded on a hub
that does not use them). ``register_scheme`` adds or replaces one (a third-party transport).
What a transport can do beyond carrying bytes is in its ``caps`` (``Caps``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from hubd.errors import InvalidArgument
from hubd.transport.base import Caps, ParsedUrl, SpoolerState, Transport, os_error

__all__ = [
    "SCHEMES", "Caps", "ParsedUrl", "SpoolerState", "Transport", "open_transport", "os_error",
    "register_scheme",
]

SCHEMES: dict[str, Callable[[str], Transport]] = {}

_BUILTIN = {
    "tcp": "hubd.transport.stream:StreamTransport",
    "unix": "hubd.transport.stream:StreamTransport",
    "serial": "hubd.transport.serial:SerialTransport",
    "pty": "hubd.transport.serial:SerialTransport",
    "usblp": "hubd.transport.usblp:UsblpTransport",
    "usb": "hubd.transport.usb:UsbTransport",
    "cups": "hubd.transport.cups:CupsTransport",
}
"""scheme -> "module:Class" of every transport the hub ships."""


def register_scheme(scheme: str, factory: Callable[[str], Transport]) -> None:
    """Make ``scheme://`` URLs open with ``factory``."""
    SCHEMES[scheme] = factory


def _lazy(target: str) -> Callable[[str], Transport]:
    """A factory that imports ``module:Class`` on first use."""

    def factory(url: str) -> Transport:
        module, _, name = target.partition(":")
        cls: Callable[[str], Transport] = getattr(importlib.import_module(module), name)
        return cls(url)

    return factory


def open_transport(url: str, *, timeout: float | None = None) -> Transport:
    """A (not yet opened) transport for ``url``; an unknown scheme is INVALID_ARGUMENT.

    ``timeout`` (a device's I/O timeout) applies unless the URL sets ``timeout=`` itself.
    """
    scheme = ParsedUrl(url).scheme
    factory = SCHEMES.get(scheme)
    if factory is None:
        known = ", ".join(sorted(SCHEMES))
        raise InvalidArgument("url", f"{url!r}: unknown scheme {scheme!r} (known: {known})")
    transport = factory(url)
    transport.use_default_timeout(timeout)
    return transport


for _scheme, _target in _BUILTIN.items():
    register_scheme(_scheme, _lazy(_target))
