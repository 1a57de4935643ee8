"""The one error tree of kioskhub.

Every error the core, a driver or a transport raises is a ``HubError``. The gRPC layer maps the
branch (never the message) to a status code in one place (``hubd/rpc/status.py``) and attaches a
``google.rpc.ErrorInfo`` whose ``reason`` is the error's ``reason`` and whose metadata is its
``metadata``::

    HubError                                 INTERNAL
    ├── InvalidArgument(field)               INVALID_ARGUMENT      reason INVALID_ARGUMENT
    ├── NotFound                             NOT_FOUND             reason NOT_FOUND
    ├── AlreadyExists                        ALREADY_EXISTS        reason ALREADY_EXISTS
    ├── FailedPrecondition                   FAILED_PRECONDITION
    │   ├── DeviceBusy(holder, expires_at)                         reason DEVICE_BUSY
    │   └── ShuttingDown                                           reason SHUTDOWN_IMMINENT
    ├── DeviceUnavailable(reason)            UNAVAILABLE           reason as given (PAPER_OUT, ON_BATTERY…)
    │   ├── TransportError                                         reason CONNECTION_REFUSED, DISCONNECTED…
    │   │   └── TransportTimeout                                   reason TIMEOUT
    │   └── ProtocolError                                          reason PROTOCOL_ERROR
    ├── ResourceExhausted                    RESOURCE_EXHAUSTED    reason SLOW_CONSUMER…
    └── ConfigError(path, key)               (CLI only: exit code 2)

Transports convert ``OSError`` / serial errors exactly once (``raise TransportError(...) from err``);
drivers never leak a bare library exception.
"""

from __future__ import annotations

from collections.abc import Mapping

DOMAIN = "kioskhub.v1"


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

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", metadata={"field": field})
        self.field = field


class NotFound(HubError):
    """The named thing (device, job, lease) does not exist."""

    default_reason = "NOT_FOUND"


class AlreadyExists(HubError):
    """An idempotency key was reused with a different payload."""

    default_reason = "ALREADY_EXISTS"


class FailedPrecondition(HubError):
    """The request is well-formed but the system is not in a state to accept it."""

    default_reason = "FAILED_PRECONDITION"


class DeviceBusy(FailedPrecondition):
    """An exclusive device is leased by another client."""

    default_reason = "DEVICE_BUSY"

    def __init__(self, device_id: str, holder: str, expires_at: str) -> None:
        super().__init__(
            f"device {device_id!r} is leased by {holder!r} until {expires_at}",
            metadata={"deviceId": device_id, "holder": holder, "expiresAt": expires_at},
        )


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
    """A bounded resource ran out (a slow event subscriber's queue, a size limit)."""

    default_reason = "RESOURCE_EXHAUSTED"


class ConfigError(HubError):
    """The configuration file is wrong; the message names the file and the key."""

    default_reason = "CONFIG_ERROR"
