"""The one module a driver imports from the hub (besides its device class's ``contract``).

A driver (``drivers/<name>/``) implements the contract of its device class
(``hubd.classes.<class>.contract``, e.g. ``UpsDevice``) and reaches its device through a
transport opened by URL. Everything else it needs from the hub is here: the device model, its
declared options, the error tree and the transports (and ``ipp``, the IPP codec and client
the transports own). Drivers never import the daemon's
``hubd.rpc``, ``hubd.cli``, servicers or runners (checked by ``tests/unit/test_layers.py``).
"""

from __future__ import annotations

from hubd.device import (
    Device,
    DeviceClass,
    DeviceEvent,
    DeviceState,
    DeviceStatus,
    DriverInfo,
    Option,
    StatusSource,
    check_options,
)
from hubd.errors import (
    AlreadyExists,
    DeviceBusy,
    DeviceNotReady,
    DeviceUnavailable,
    FailedPrecondition,
    HubError,
    InvalidArgument,
    NotFound,
    ProtocolError,
    ResourceExhausted,
    TransportError,
    TransportTimeout,
)
from hubd.transport import (
    Caps,
    ParsedUrl,
    SpoolerState,
    Transport,
    ipp,
    open_transport,
    os_error,
    register_scheme,
)

__all__ = [
    "AlreadyExists",
    "Caps",
    "Device",
    "DeviceBusy",
    "DeviceClass",
    "DeviceEvent",
    "DeviceNotReady",
    "DeviceState",
    "DeviceStatus",
    "DeviceUnavailable",
    "DriverInfo",
    "FailedPrecondition",
    "HubError",
    "InvalidArgument",
    "NotFound",
    "Option",
    "ParsedUrl",
    "ProtocolError",
    "ResourceExhausted",
    "SpoolerState",
    "StatusSource",
    "Transport",
    "TransportError",
    "TransportTimeout",
    "check_options",
    "ipp",
    "open_transport",
    "os_error",
    "register_scheme",
]
