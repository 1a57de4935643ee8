"""Voice prompts in Hindi and English: the table (data), spoken by espeak-ng at run time.

Decision: prompts are synthesised with ``espeak-ng`` (Debian package, voices ``hi`` and ``en``)
when first played and kept in memory, not committed as WAV files: ten prompts at 16 kHz would
be ~600 KB of binaries, a changed wording would need a re-render, and the table stays plain data.
A kiosk that prefers a recorded human voice puts ``NAME.LANG.wav`` files in the audio device's
``prompt_dir``; those win. Without espeak-ng (and without a recording) a prompt is UNAVAILABLE
with reason VOICE_NOT_INSTALLED.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hubd.errors import DeviceUnavailable, InvalidArgument

VOICES = {"hi": "hi", "en": "en"}
"""Prompt language -> espeak-ng voice."""
RENDER_TIMEOUT = 20.0


@dataclass(frozen=True)
class Prompt:
    """One thing the kiosk says, in both languages."""

    name: str
    hi: str
    en: str


PROMPTS: dict[str, Prompt] = {
    p.name: p
    for p in (
        Prompt("welcome", "ई-मित्र कियोस्क में आपका स्वागत है।", "Welcome to the e-Mitra kiosk."),
        Prompt("place_finger", "कृपया अपनी उंगली स्कैनर पर रखें।", "Please place your finger on the scanner."),
        Prompt("look_at_camera", "कृपया कैमरे की ओर देखें।", "Please look at the camera."),
        Prompt("payment_done", "आपका भुगतान हो गया है।", "Your payment is complete."),
        Prompt("receipt_printing", "आपकी रसीद छप रही है।", "Your receipt is printing."),
    )
}


def text(name: str, language: str) -> str:
    """The prompt's words; INVALID_ARGUMENT naming ``prompt`` or ``language`` when unknown."""
    if language not in VOICES:
        raise InvalidArgument("language", f"must be one of {', '.join(VOICES)}")
    prompt = PROMPTS.get(name)
    if prompt is None:
        raise InvalidArgument("prompt", f"unknown prompt {name[:40]!r} (known: {', '.join(PROMPTS)})")
    return prompt.hi if language == "hi" else prompt.en


@functools.lru_cache(maxsize=32)
def synthesise(words: str, voice: str) -> bytes:
    """WAV bytes of ``words`` spoken by espeak-ng's ``voice`` (22.05 kHz mono)."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise DeviceUnavailable("espeak-ng is not installed: no voice for prompts",
                                reason="VOICE_NOT_INSTALLED")
    with tempfile.TemporaryDirectory(prefix="kioskhub-voice-") as tmp:
        out = Path(tmp) / "prompt.wav"
        try:
            subprocess.run([espeak, "-v", voice, "-w", str(out), "--", words], check=True,
                           capture_output=True, timeout=RENDER_TIMEOUT)
        except (OSError, subprocess.SubprocessError) as err:
            raise DeviceUnavailable(f"espeak-ng failed: {err}", reason="VOICE_FAILED") from err
        return out.read_bytes()


def load(name: str, language: str = "hi", prompt_dir: str | None = None) -> bytes:
    """The prompt as WAV bytes: a recording from ``prompt_dir`` if there is one, else synthesised."""
    words = text(name, language)
    if prompt_dir:
        recorded = Path(prompt_dir) / f"{name}.{language}.wav"
        if recorded.is_file():
            return recorded.read_bytes()
    return synthesise(words, VOICES[language])
