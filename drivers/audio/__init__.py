"""Audio driver: the kiosk's speaker and microphone through PortAudio (sounddevice), reaching
PulseAudio sinks and sources (``pulse://``) or ALSA devices (``alsa://``)."""

from __future__ import annotations

from hubd.driver_api import DeviceClass, DriverInfo
from kioskhub.drivers.audio.driver import Audio

__all__ = ["DRIVER", "Audio"]

DRIVER = DriverInfo(
    name="audio",
    device_class=DeviceClass.AUDIO,
    factory=Audio,
    schemes=frozenset({"pulse", "alsa"}),
    default_url="pulse://",
    description="speaker and microphone via PortAudio: PulseAudio sinks/sources or ALSA devices",
    stack="pulseaudio",
)
