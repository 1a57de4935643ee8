"""Device classes as plugin units: one package per class, each declaring a ``ClassSpec``.

A package ``hubd/classes/<name>/`` holds one class: its device contract (``contract.py``, the ABC
drivers implement), its runner, its servicer and proto conversion, its hubctl commands and demo
step, and in ``__init__.py`` the ``SPEC`` that the server, the hub, hubctl, the demo and
``hubd --simulate`` loop over. The core never names a class. The recipe for adding one, with the
UPS as the worked example, is ``docs/adding-a-device-class.md``; the API rules a new service
follows are ``protos/CONVENTIONS.md``.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil

from hubd.classes.spec import ClassSpec, SimulatedDevice, resolve
from hubd.device import DeviceClass

__all__ = ["ClassSpec", "SimulatedDevice", "resolve", "spec_for", "specs"]


@functools.cache
def specs() -> tuple[ClassSpec, ...]:
    """Every class package's ``SPEC``, in package-name order."""
    found: list[ClassSpec] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.ispkg:
            continue
        spec = getattr(importlib.import_module(f"{__name__}.{info.name}"), "SPEC", None)
        if not isinstance(spec, ClassSpec):
            continue
        if spec.name != info.name:
            raise RuntimeError(f"hubd.classes.{info.name}: SPEC.name is {spec.name!r}")
        found.append(spec)
    return tuple(found)


def spec_for(device_class: DeviceClass) -> ClassSpec | None:
    """The unit that owns devices of ``device_class`` (None if no unit does)."""
    return next((s for s in specs() if device_class in s.device_classes), None)
