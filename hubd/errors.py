"""The one error tree of kioskhub.

Every error the core, a driver or a transport raises is a ``HubError``. The gRPC layer maps the
branch (never the message) to a status code in one place (``hubd/rpc/status.py``) and attaches a
``google.rpc.ErrorInfo`` (domain ``kioskhub``, ``reason`` = the error's reason, its metadata) and,
for a bad field, a ``google.rpc.BadRequest`` field violation with the proto field path::

    HubError                                 INTERNAL
    ├── InvalidArgument(field)               INVALID_ARGUMENT      reason INVALID_ARGUMENT (+ BadRequest)
    ├── NotFound                             NOT_FOUND             reason DEVICE_NOT_FOUND…
    ├── AlreadyExists                        ALREADY_EXISTS        reason REQUEST_ID_REUSED…
    ├── FailedPrecondition                   FAILED_PRECONDITION   the caller must change something first
    │   ├── DeviceBusy(holder, expire_time)                        reason DEVICE_BUSY
    │   ├── LeaseRequired                                          reason LEASE_REQUIRED
    │   ├── ShuttingDown                                           reason SHUTDOWN_IMMINENT
    │   └── DeviceNotReady(reason)                                 reason PAPER_OUT, COVER_OPEN, ON_BATTERY…
    ├── DeviceUnavailable(reason)            UNAVAILABLE           try again: the link or stack is down
    │   ├── TransportError                                         reason CONNECTION_REFUSED, DISCONNECTED…
    │   │   └── TransportTimeout                                   reason TIMEOUT
    │   └── ProtocolError                                          reason PROTOCOL_ERROR
    ├── ResourceExhausted                    RESOURCE_EXHAUSTED    reason SLOW_CONSUMER, STORAGE_FULL…
    └── ConfigError(path, key)               (CLI only: exit code 2)

Transports convert ``OSError`` / serial errors exactly once (``raise TransportError(...) from err``);
drivers never leak a bare library exception. Reasons are listed with their meaning in
``hubd.vocabulary``.
"""

from __future__ import annotations

from collections.abc import Mapping

DOMAIN = "kioskhub"
"""The ErrorInfo domain: stable and unversioned (AIP-193)."""
MAX_QUOTE = 40
"""At most this many characters of a caller's bad value are quoted back in a message."""


def quote(value: object) -> str:
    """A short, printable quotation of a caller's value for an error message."""
    text = repr(value)
    return text if len(text) <= MAX_QUOTE else text[: MAX_QUOTE - 1] + "…"


class HubError(Exception):
    """Base of every kioskhub error: a message, an UPPER_SNAKE reason and string metadata."""

    default_reason = "INTERNAL"

    def __init__(
        self, message: str, *, reason: str | None = None, metadata: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason or self.default_reason
        self.metadata: dict[str, str] = dict(metadata or {})


class InvalidArgument(HubError):
    """A request field is malformed; ``field`` names it (proto field path)."""

    default_reason = "INVALID_ARGUMENT"

    def __init__(self, field: str, message: str, *, reason: str | None = None) -> None:
        super().__init__(f"{field}: {message}", reason=reason, metadata={"field": field})
        self.field = field
        self.description = message


class NotFound(HubError):
    """The named thing does not exist; the reason names its type (``DEVICE_NOT_FOUND``…)."""

    default_reason = "NOT_FOUND"


class AlreadyExists(HubError):
    """A request id (idempotency key) was reused with a different request."""

    default_reason = "REQUEST_ID_REUSED"


class FailedPrecondition(HubError):
    """The request is well-formed but the system is not in a state to accept it."""

    default_reason = "FAILED_PRECONDITION"


class DeviceBusy(FailedPrecondition):
    """An exclusive device is leased by another client."""

    default_reason = "DEVICE_BUSY"

    def __init__(self, device_id: str, holder: str, expire_time: str) -> None:
        super().__init__(
            f"device {device_id!r} is leased by {holder!r} until {expire_time}",
            metadata={"deviceId": device_id, "holder": holder, "expireTime": expire_time},
        )


class LeaseRequired(FailedPrecondition):
    """An exclusive device was used without a lease (metadata ``kioskhub-lease-id``)."""

    default_reason = "LEASE_REQUIRED"


class DeviceNotReady(FailedPrecondition):
    """The device is reachable but in a state someone must fix first (paper out, cover open)."""

    default_reason = "DEVICE_NOT_READY"


class ShuttingDown(FailedPrecondition):
    """New work refused because power loss or shutdown is imminent."""

    default_reason = "SHUTDOWN_IMMINENT"


class DeviceUnavailable(HubError):
    """The device cannot be reached or cannot do the work now; ``reason`` says why."""

    default_reason = "DEVICE_UNAVAILABLE"


class TransportError(DeviceUnavailable):
    """The byte link to a device failed (refused, closed, unplugged, I/O error)."""

    default_reason = "DISCONNECTED"


class TransportTimeout(TransportError):
    """The device did not answer within the timeout."""

    default_reason = "TIMEOUT"


class ProtocolError(DeviceUnavailable):
    """The device answered with bytes that do not parse."""

    default_reason = "PROTOCOL_ERROR"


class ResourceExhausted(HubError):
    """A bounded resource ran out (a slow event subscriber's queue, the state disk, a size cap)."""

    default_reason = "RESOURCE_EXHAUSTED"


class StorageFull(ResourceExhausted):
    """The state directory's disk is full: nothing was committed."""

    default_reason = "STORAGE_FULL"


class ConfigError(HubError):
    """The configuration file is wrong; the message names the file and the key."""

    default_reason = "CONFIG_ERROR"
