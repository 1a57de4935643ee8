"""Status reads answered from memory: a response is built once per change of its device, not per
call (``Supervisor.version`` says when something changed)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from hubd.supervisor import Supervisor

M = TypeVar("M")


class StatusCache(Generic[M]):
    """Device id → the response built from its supervisor at one version."""

    def __init__(self, build: Callable[[Supervisor], M]) -> None:
        self._build = build
        self._cache: dict[str, tuple[tuple[int, Hashable], M]] = {}

    def get(self, sup: Supervisor, extra: Hashable = 0) -> M:
        """The response for ``sup`` now (``extra``: anything else the response depends on)."""
        key = (sup.version, extra)
        hit = self._cache.get(sup.id)
        if hit is not None and hit[0] == key:
            return hit[1]
        built = self._build(sup)
        self._cache[sup.id] = (key, built)
        return built
