"""WAV files ⇄ float samples (RIFF/WAVE PCM, as Python's ``wave`` module reads and writes them).

Samples are float32 in -1..1, shaped (frames, channels). Decoding accepts 8/16/24/32-bit PCM,
1..8 channels, 8..192 kHz, at most ``MAX_SECONDS``; anything else is INVALID_ARGUMENT naming the
field, so a caller's bad upload changes nothing.
"""

from __future__ import annotations

import io
import wave
from typing import TYPE_CHECKING, Any

from hubd.errors import InvalidArgument

if TYPE_CHECKING:
    import numpy.typing as npt

    Samples = npt.NDArray[Any]
else:
    Samples = Any

MAX_SECONDS = 120
"""A sound must end well inside PlaySound's 150 s deadline (service_config.json): prompts, not music."""
MAX_SAMPLES = 32_000_000
RATES = (8000, 192000)


def decode_wav(data: bytes, field: str = "wav") -> tuple[Samples, int]:
    """(samples (frames, channels) float32, sample rate) of a PCM WAV file."""
    import numpy as np

    try:
        with wave.open(io.BytesIO(data), "rb") as w:
            channels, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
            frames = w.getnframes()
            if not 1 <= channels <= 8 or width not in (1, 2, 3, 4) or not RATES[0] <= rate <= RATES[1]:
                detail = f"{channels} channels, {8 * width} bit, {rate} Hz"
                raise InvalidArgument(field, f"unsupported WAV: {detail}")
            if frames > MAX_SECONDS * rate or frames * channels > MAX_SAMPLES:
                raise InvalidArgument(field, f"longer than {MAX_SECONDS} s or {MAX_SAMPLES} samples")
            raw = w.readframes(frames)
    except (wave.Error, EOFError) as err:
        raise InvalidArgument(field, f"not a PCM WAV file ({err})") from err
    if width == 1:
        values = (np.frombuffer(raw, np.uint8).astype(np.float32) - 128) / 128
    elif width == 3:
        b = np.frombuffer(raw, np.uint8).reshape(-1, 3).astype(np.int32)
        ints = (b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)) << 8 >> 8
        values = ints.astype(np.float32) / 2**23
    else:
        dtype = np.int16 if width == 2 else np.int32
        values = np.frombuffer(raw, dtype).astype(np.float32) / (2 ** (8 * width - 1))
    usable = len(values) // channels * channels
    return values[:usable].reshape(-1, channels), rate


def encode_wav(samples: Samples, samplerate: int) -> bytes:
    """16-bit PCM WAV bytes of float samples (frames,) or (frames, channels), clipped to -1..1."""
    import numpy as np

    data = np.asarray(samples, np.float32)
    if data.ndim == 1:
        data = data[:, None]
    pcm = (np.clip(data, -1.0, 1.0) * 32767).round().astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(data.shape[1])
        w.setsampwidth(2)
        w.setframerate(samplerate)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()
