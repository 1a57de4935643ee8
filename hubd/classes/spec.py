"""What a device class declares so that the hub, the server, hubctl, the demo and ``--simulate``
can loop over it without naming it: one ``ClassSpec`` per package under ``hubd/classes``.

References to code are ``"module:attribute"`` strings, resolved only when used, so reading the
specs (hubctl does, at every start) imports nothing heavy.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from hubd.device import DeviceClass, Option

if TYPE_CHECKING:
    from hubd.supervisor import Supervisor


def resolve(target: str) -> Any:
    """The object a ``"module:attribute"`` string names."""
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


class Runner(Protocol):
    """A class's long-running part (a print spooler, the power policy): started with the class's
    devices after they are created, stopped before they are closed."""

    async def start(self, devices: list[Supervisor]) -> None:
        """Start background work for these devices (may be none)."""

    async def stop(self) -> None:
        """Stop it; never raises."""


@dataclass(frozen=True)
class SimulatedDevice:
    """A device ``hubd --simulate`` creates; its simulator or stack comes from the driver's
    ``DriverInfo.simulator`` / ``DriverInfo.stack`` (one source)."""

    device_id: str
    driver: str
    options: Mapping[str, Any] = field(default_factory=dict)
    listen: str = "tcp://127.0.0.1:0"
    """Where the simulator listens: ``tcp://127.0.0.1:0``, ``pty``, ``http://127.0.0.1:0``…"""
    poll_interval: float | None = None
    """None: the device class's ``DEFAULT_POLL_INTERVAL``."""
    output: bool = False
    """The simulator writes what it produces under ``<state>/printouts/<device id>``."""
    default: bool = False
    """The default device of its class (used when a request names none)."""


@dataclass(frozen=True)
class ReportSection:
    """A part of the technician's ``hubctl report``: a hubctl command of the class, run as is."""

    title: str
    argv: tuple[str, ...]
    """The hubctl command line, without --target and --json (the report adds them)."""
    selftest: bool = False
    """It exercises the device (a tone played, the mic recorded): only with ``--selftest``."""


@dataclass(frozen=True)
class ClassSpec:
    """One device class (or hub capability) as a plugin unit."""

    name: str
    """Package name under ``hubd.classes`` and the demo/config vocabulary (``ups``, ``printer``)."""
    title: str
    device_classes: tuple[DeviceClass, ...] = ()
    """The ``DeviceClass`` values whose devices belong to this unit (none for a capability)."""
    services: tuple[str, ...] = ()
    """Servicer classes (``module:Class``), each with ``SERVICE`` (its descriptor) and
    ``add_to_server`` (the generated registration function); built as ``Class(hub)``."""
    runner: str | None = None
    """``module:factory`` → ``factory(hub)`` returning a ``Runner``."""
    cli: str | None = None
    """A module with ``register(subparsers, add_globals) -> dict[str, command]`` (hubctl)."""
    report: tuple[ReportSection, ...] = ()
    """What ``hubctl report`` shows of this class, in order (its status commands)."""
    demo: str | None = None
    """A module with ``TITLE`` and ``run(session)`` (``make demo``), run in ``demo_order``."""
    demo_order: int = 50
    later_demos: tuple[tuple[int, str], ...] = ()
    """Further steps (``(order, module)``) a class runs later in the session (the laser printer's
    certificate, after the payment that pays for it)."""
    simulate: tuple[SimulatedDevice, ...] = ()
    leased: bool = False
    """Operations on this class's devices need the caller's lease (metadata ``kioskhub-lease-id``)."""
    settings: Mapping[str, Option] = field(default_factory=dict)
    """Keys of the class's config section ``[<settings_section>]``."""
    settings_section: str = ""
    events: Mapping[str, str] = field(default_factory=dict)
    """Event kinds the class publishes, with their meaning."""
    reasons: Mapping[str, str] = field(default_factory=dict)
    """Reasons (UPPER_SNAKE) the class reports, with their meaning."""
    event_payload: str | None = None
    """``module:function`` turning one of the class's event payloads into ``(oneof arm, message)``
    of ``kioskhub.v1.Event`` (None for a payload it does not know)."""
    simulate_config: str | None = None
    """For ``hubd --simulate``: ``module:function``, ``async f(fleet, state_dir)`` that starts what
    the class talks to besides devices (a portal simulator, via ``fleet.start_service``) and
    returns the config sections to use, e.g. ``{"transactions": {"portal_url": …}}``."""
