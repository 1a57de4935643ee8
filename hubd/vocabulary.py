"""The hub's vocabulary in one place: every event kind and every reason, with what it means.

The core's own are listed here; each device class lists its own in its ``ClassSpec`` (``events``,
``reasons``), and ``events()`` / ``reasons()`` merge them. ``tests/unit/test_vocabulary.py``
checks that every reason and event kind the code can produce is listed, so a client (and the
technician reading ``hubctl events``) can look any of them up.
"""

from __future__ import annotations

from collections.abc import Mapping

EVENTS: Mapping[str, str] = {
    "GAP": "events between the resume point and the first one sent were lost",
    "DEVICE_AVAILABLE": "the device was observed working (again)",
    "DEVICE_UNAVAILABLE": "the device stopped answering or cannot work now; the reason says why",
    "LEASE_ACQUIRED": "a client took an exclusive lease on the device",
    "LEASE_RELEASED": "the holder gave its lease back",
    "LEASE_EXPIRED": "a lease ran out without being renewed",
    "LEASE_RELEASE_REQUESTED": "another client asked the holder to release its lease",
}

REASONS: Mapping[str, str] = {
    # request errors
    "INVALID_ARGUMENT": "a request field is malformed; BadRequest names it",
    "MALFORMED_REQUEST": "the request message could not be parsed (corrupt bytes, invalid UTF-8)",
    "NOT_FOUND": "the named thing does not exist",
    "DEVICE_NOT_FOUND": "no device has that id (or the hub has none of that class)",
    "LEASE_NOT_FOUND": "the lease expired, was released, or never existed",
    "REQUEST_ID_REUSED": "the request_id names an earlier request with different content",
    "FAILED_PRECONDITION": "the system is not in a state to accept the request",
    "DEVICE_BUSY": "another client holds the device's lease (metadata: holder, expireTime)",
    "LEASE_REQUIRED": "the device is exclusive: acquire a lease and send its id as kioskhub-lease-id",
    "DEVICE_NOT_READY": "the device is reachable but someone must fix it first",
    "SHUTDOWN_IMMINENT": "the UPS battery is low: power-critical work is refused",
    "RESOURCE_EXHAUSTED": "a bounded resource ran out",
    "SLOW_CONSUMER": "the event stream was dropped: the client read too slowly; resume",
    "STORAGE_FULL": "the state disk is full; nothing was saved",
    "STORAGE_ERROR": "the state database failed",
    "INTERNAL": "a bug in the hub; see its log",
    "CONFIG_ERROR": "the configuration file is wrong",
    # device and link state
    "NOT_POLLED_YET": "the hub has not read the device yet: its status is unknown",
    "DEVICE_UNAVAILABLE": "the device cannot be reached or cannot work now",
    "CONNECTION_REFUSED": "nothing listens at the device's address",
    "NO_SUCH_DEVICE": "the device file or port does not exist (unplugged?)",
    "PERMISSION_DENIED": "the hub may not open the device",
    "IO_ERROR": "the operating system reported an I/O error",
    "DISCONNECTED": "the link dropped",
    "HOST_UNREACHABLE": "the network cannot reach the device",
    "TIMEOUT": "the device did not answer in time",
    "PROTOCOL_ERROR": "the device answered with bytes that do not parse",
    "OVERRUN": "the device sent more than a reply can hold",
    "WRITE_ONLY": "the link carries no replies",
    "NOT_SUPPORTED": "the link cannot do what was asked",
    "DRIVER_ERROR": "the driver failed unexpectedly (a bug; see the log)",
    "TASK_FAILED": "a background task of the hub failed and is being restarted",
    "STACK_NOT_INSTALLED": "the OS daemon this device needs is not installed",
    "STACK_START_FAILED": "the OS daemon this device needs did not start",
    "STACK_ERROR": "the OS daemon serving this device misbehaved (see the log)",
    "HUB_STOPPING": "the hub is stopping; try again when it is back",
    "HUB_RESTARTED": "the hub restarted since the resume point (GAP)",
    "EVENTS_EXPIRED": "the resume point is older than the retained events (GAP)",
    "DEADLINE_EXCEEDED": "the work's retry time ran out",
}


def events() -> dict[str, str]:
    """Every event kind: the core's and each class's."""
    from hubd.classes import specs

    merged = dict(EVENTS)
    for spec in specs():
        merged.update(spec.events)
    return merged


def reasons() -> dict[str, str]:
    """Every reason: the core's and each class's."""
    from hubd.classes import specs

    merged = dict(REASONS)
    for spec in specs():
        merged.update(spec.reasons)
    return merged
