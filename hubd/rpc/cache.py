"""Status reads answered from memory: a response is built (and serialized) once per change of its
device, not per call (``Supervisor.version`` says when something changed). The gRPC layer sends
bytes as they are."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from hubd.supervisor import Supervisor

M = TypeVar("M")


class StatusCache(Generic[M]):
    """Device id → the response built from its supervisor at one version, and its bytes."""

    def __init__(self, build: Callable[[Supervisor], M]) -> None:
        self._build = build
        self._cache: dict[str, tuple[tuple[int, Hashable], M, bytes]] = {}

    def _entry(self, sup: Supervisor, extra: Hashable) -> tuple[tuple[int, Hashable], M, bytes]:
        key = (sup.version, extra)
        hit = self._cache.get(sup.id)
        if hit is None or hit[0] != key:
            built = self._build(sup)
            hit = (key, built, built.SerializeToString())  # type: ignore[attr-defined]
            self._cache[sup.id] = hit
        return hit

    def get(self, sup: Supervisor, extra: Hashable = 0) -> M:
        """The response message for ``sup`` now (``extra``: anything else it depends on)."""
        return self._entry(sup, extra)[1]

    def wire(self, sup: Supervisor, extra: Hashable = 0) -> bytes:
        """The same response, serialized: what a status read sends."""
        return self._entry(sup, extra)[2]
