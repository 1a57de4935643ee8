"""Transports by URL: ``open_transport("serial:///dev/ttyS0?baudrate=2400")`` and friends."""

from __future__ import annotations

from collections.abc import Callable

from hubd.errors import InvalidArgument
from hubd.transport.base import Caps, ParsedUrl, Transport, os_error

__all__ = ["SCHEMES", "Caps", "ParsedUrl", "Transport", "open_transport", "os_error", "register_scheme"]

SCHEMES: dict[str, Callable[[str], Transport]] = {}


def register_scheme(scheme: str, factory: Callable[[str], Transport]) -> None:
    """Make ``scheme://`` URLs open with ``factory``."""
    SCHEMES[scheme] = factory


def open_transport(url: str) -> Transport:
    """A (not yet opened) transport for ``url``; an unknown scheme is INVALID_ARGUMENT."""
    scheme = ParsedUrl(url).scheme
    factory = SCHEMES.get(scheme)
    if factory is None:
        known = ", ".join(sorted(SCHEMES))
        raise InvalidArgument("url", f"{url!r}: unknown scheme {scheme!r} (known: {known})")
    return factory(url)


def _register_builtin() -> None:
    from hubd.transport.serial import SerialTransport
    from hubd.transport.stream import StreamTransport

    for scheme in ("tcp", "unix"):
        register_scheme(scheme, StreamTransport)
    for scheme in ("serial", "pty"):
        register_scheme(scheme, SerialTransport)
    import hubd.transport.usblp  # noqa: F401  (registers usblp:// on import)


_register_builtin()
