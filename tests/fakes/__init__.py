"""Python fakes for unit tests of the hub's own logic (never for device paths)."""

from __future__ import annotations

from hubd.classes.ups.contract import UpsDevice, UpsReading
from hubd.errors import DeviceUnavailable


class ScriptedUps(UpsDevice):
    """A UPS whose next readings (or failures) a test sets."""

    def __init__(self, device_id: str = "ups") -> None:
        super().__init__(device_id, "fake://")
        self.reading: UpsReading | Exception = UpsReading(status=("OL",))
        self.polls = 0
        self.closes = 0

    async def read(self) -> UpsReading:
        self.polls += 1
        if isinstance(self.reading, Exception):
            raise self.reading
        return self.reading

    async def close(self) -> None:
        self.closes += 1

    def fail(self, reason: str = "TIMEOUT") -> None:
        self.reading = DeviceUnavailable("no answer", reason=reason)

    def status(self, *tokens: str) -> None:
        self.reading = UpsReading(status=tokens)
