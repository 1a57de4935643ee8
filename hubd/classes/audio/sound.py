"""The audio class's runner: what the servicer asks of a speaker and microphone.

Plays, prompts, recordings and the level meter go straight to the device. A self-test's result is
an answer whichever way it went, and is also published (AUDIO_SELF_TEST_PASSED or _FAILED, with
the part at fault as the reason), so a technician watching ``hubctl events`` sees every test run on
the kiosk.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from hubd.classes.audio.contract import AudioDevice, AudioLevels, Recording, SelfTestResult
from hubd.errors import DeviceUnavailable

if TYPE_CHECKING:
    from hubd.app import Hub
    from hubd.supervisor import Supervisor

log = logging.getLogger(__name__)
AUDIO_SELF_TEST_PASSED = "AUDIO_SELF_TEST_PASSED"
AUDIO_SELF_TEST_FAILED = "AUDIO_SELF_TEST_FAILED"


@dataclass(frozen=True)
class SelfTestReport:
    """A self-test as the hub publishes it: the result, when, and the device's configured sides."""

    result: SelfTestResult
    tested_at: datetime
    output: str
    input: str


def runner(hub: Hub) -> SoundDesk:
    """The audio class's runner."""
    return SoundDesk(hub)


class SoundDesk:
    """Plays, records and self-tests the hub's audio devices."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def start(self, devices: list[Supervisor]) -> None:
        """Nothing runs in the background: audio is used on request."""

    async def stop(self) -> None:
        """Nothing to stop."""

    @staticmethod
    def audio(sup: Supervisor) -> AudioDevice:
        """``sup``'s audio driver (UNAVAILABLE with the device's reason when there is none, e.g.
        STACK_NOT_INSTALLED: no sound server to use)."""
        device = sup.device
        if not isinstance(device, AudioDevice):
            raise DeviceUnavailable(sup.reason_detail or "no audio device",
                                    reason=sup.status.reason or "DEVICE_UNAVAILABLE")
        return device

    async def play(self, sup: Supervisor, wav: bytes, output: str | None) -> float:
        """Play a WAV file to the end; its length in seconds."""
        return await self.audio(sup).play_wav(wav, output=output)

    async def say(self, sup: Supervisor, prompt: str, language: str, output: str | None) -> tuple[float, str]:
        """Speak a prompt; (its length in seconds, the words)."""
        from hubd.classes.audio import prompts

        words = prompts.text(prompt, language)  # a bad name or language plays nothing
        return await self.audio(sup).play_prompt(prompt, language, output=output), words

    async def record(self, sup: Supervisor, seconds: float, samplerate: int, input: str | None) -> Recording:
        """Record a WAV file from the microphone."""
        return await self.audio(sup).record_wav(seconds, samplerate, input=input)

    async def levels(self, sup: Supervisor, seconds: float, input: str | None) -> AudioLevels:
        """The level meter."""
        return await self.audio(sup).levels(seconds, input=input)

    async def self_test(self, sup: Supervisor, frequency: float, amplitude: float, output: str | None,
                        input: str | None) -> SelfTestReport:
        """Run the loopback self-test and publish its result."""
        device = self.audio(sup)
        result = await device.self_test(frequency, amplitude, output=output, input=input)
        report = SelfTestReport(result, datetime.now(UTC), device.output_name, device.input_name)
        kind = AUDIO_SELF_TEST_PASSED if result.passed else AUDIO_SELF_TEST_FAILED
        self.hub.bus.publish(kind, sup.id, reason="" if result.passed else result.reason,
                             message=result.message_en, attributes={"fault": result.fault.value},
                             payload=report)
        log.info("%s: audio self-test %s (%s; %s -> %s)", sup.id, "passed" if result.passed else "FAILED",
                 result.reason, result.output, result.input)
        return report
