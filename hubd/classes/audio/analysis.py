"""Levels and the loopback self-test's verdict: pure functions on recorded samples (numpy).

The self-test plays ``tone_signal`` (silence, a tone, silence) and records at the same time. The
recording is cut into 20 ms blocks: the quiet blocks give the room's noise floor, the loud run the
tone; an FFT of the tone (Hann window, peak refined by a parabola through the log magnitudes)
gives its frequency. Who is at fault, where it can be told: a microphone that delivers digital
silence (every sample exactly 0; a live microphone always hears some noise) is the MICROPHONE; a
microphone that hears the room but not the tone points at the SPEAKER; a quiet or wrong tone
could be either (UNKNOWN).
"""

from __future__ import annotations

import math
from typing import Any

from hubd.classes.audio.contract import AudioFault, AudioLevels, SelfTestResult
from hubd.classes.audio.wav import Samples

FLOOR_DBFS = -120.0
BLOCK = 0.02
LEAD, TONE, TAIL = 0.3, 0.6, 0.9
"""Seconds of silence before the tone, of tone, and of silence after (room for the latency)."""
MIN_SNR_DB = 10.0
MIN_LEVEL_DBFS = -60.0
FREQ_TOLERANCE = 0.02
BURIED_DB = 20.0
GAP = 5
"""Blocks of silence inside the tone still counted as one tone (0.1 s)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "TONE_OK": ("Speaker and microphone work: the test tone came back.",
                "स्पीकर और माइक्रोफ़ोन ठीक हैं: जाँच की ध्वनि वापस सुनाई दी।"),
    "MIC_SILENT": ("The microphone gives no signal at all: check that it is plugged in and not muted.",
                   "माइक्रोफ़ोन से कोई संकेत नहीं आ रहा: जाँचें कि वह लगा है और म्यूट नहीं है।"),
    "NO_TONE": ("The microphone hears the room but not the test tone: check the speaker "
                "(plugged in, switched on, volume up).",
                "माइक्रोफ़ोन कमरे की आवाज़ सुन रहा है पर जाँच की ध्वनि नहीं: स्पीकर जाँचें "
                "(लगा हो, चालू हो, आवाज़ बढ़ी हो)।"),
    "TONE_TOO_QUIET": ("The test tone came back too quietly: turn up the speaker or the microphone.",
                       "जाँच की ध्वनि बहुत धीमी आई: स्पीकर या माइक्रोफ़ोन की आवाज़ बढ़ाएँ।"),
    "WRONG_FREQUENCY": ("Something other than the test tone came back (noise or distortion): "
                        "try again when it is quiet.",
                        "जाँच की ध्वनि की जगह कुछ और सुनाई दिया (शोर या विकृति): शांति होने पर फिर जाँचें।"),
    "SPEAKER_UNAVAILABLE": ("The speaker could not be opened.", "स्पीकर खोला नहीं जा सका।"),
    "MIC_UNAVAILABLE": ("The microphone could not be opened.", "माइक्रोफ़ोन खोला नहीं जा सका।"),
}
FAULTS = {"TONE_OK": AudioFault.NONE, "MIC_SILENT": AudioFault.MICROPHONE, "NO_TONE": AudioFault.SPEAKER,
          "TONE_TOO_QUIET": AudioFault.UNKNOWN, "WRONG_FREQUENCY": AudioFault.UNKNOWN,
          "SPEAKER_UNAVAILABLE": AudioFault.SPEAKER, "MIC_UNAVAILABLE": AudioFault.MICROPHONE}


def dbfs(value: float) -> float:
    """An amplitude (1.0 = full scale) in dB relative to full scale, floored at -120."""
    return FLOOR_DBFS if value <= 10 ** (FLOOR_DBFS / 20) else 20 * math.log10(value)


def mono(samples: Samples) -> Samples:
    """Samples as one channel (the mean of the channels)."""
    import numpy as np

    data = np.asarray(samples, np.float32)
    out: Samples = data.mean(axis=1) if data.ndim == 2 else data
    return out


def levels(samples: Samples, samplerate: int) -> AudioLevels:
    """RMS and peak level of a recording; clipped at full scale; silent when every sample is 0."""
    import numpy as np

    x = mono(samples)
    peak = float(np.abs(x).max()) if x.size else 0.0
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if x.size else 0.0
    return AudioLevels(round(dbfs(rms), 2), round(dbfs(peak), 2), clipped=peak >= 0.999, silent=peak == 0.0,
                       seconds=len(x) / samplerate)


def tone_signal(frequency: float, amplitude: float, samplerate: int) -> Samples:
    """LEAD s of silence, TONE s of a sine (10 ms fades), TAIL s of silence; float32 mono."""
    import numpy as np

    n = int(TONE * samplerate)
    t = np.arange(n) / samplerate
    tone = amplitude * np.sin(2 * np.pi * frequency * t)
    fade = int(0.01 * samplerate)
    ramp = np.linspace(0.0, 1.0, fade)
    tone[:fade] *= ramp
    tone[-fade:] *= ramp[::-1]
    out: Samples = np.concatenate([np.zeros(int(LEAD * samplerate)), tone,
                                   np.zeros(int(TAIL * samplerate))]).astype(np.float32)
    return out


def dominant_frequency(x: Samples, samplerate: int) -> float:
    """The strongest frequency in ``x`` (Hz), to a fraction of an FFT bin."""
    import numpy as np

    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    k = int(np.argmax(spectrum[1:])) + 1
    if 1 <= k < len(spectrum) - 1:
        a, b, c = (math.log(float(v) + 1e-12) for v in spectrum[k - 1 : k + 2])
        denom = a - 2 * b + c
        k_refined = k + (0.5 * (a - c) / denom if denom else 0.0)
    else:
        k_refined = float(k)
    return k_refined * samplerate / len(x)


def _loudest_run(loud: Any) -> tuple[int, int]:
    """(start, end) of the longest run of True blocks, gaps of up to ``GAP`` blocks bridged (a
    loaded machine drops a moment of sound now and then)."""
    loud = list(loud)
    last = None
    for i, flag in enumerate(loud):
        if flag:
            if last is not None and 1 < i - last <= GAP + 1:
                loud[last + 1 : i] = [True] * (i - last - 1)
            last = i
    best, start = (0, 0), None
    for i, flag in enumerate([*loud, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if i - start > best[1] - best[0]:
                best = (start, i)
            start = None
    return best


def _buried_tone(x: Samples, samplerate: int, frequency: float) -> float | None:
    """The (approximate) level in dBFS of a tone at ``frequency`` standing ``BURIED_DB`` above the
    spectrum's median around it, though too quiet to stand out in time; None when there is none."""
    import numpy as np

    window = np.hanning(len(x))
    spectrum = np.abs(np.fft.rfft(x * window))
    k = round(frequency * len(x) / samplerate)
    if not 2 <= k < len(spectrum) - 2:
        return None
    near = spectrum[max(1, k - len(spectrum) // 20) : k + len(spectrum) // 20]
    peak = float(spectrum[k - 2 : k + 3].max())
    if peak < float(np.median(near)) * 10 ** (BURIED_DB / 20):
        return None
    share = min(1.0, TONE * samplerate / len(x))  # the tone sounds for part of the recording only
    amplitude = 2 * peak / float(window.sum()) / share
    return dbfs(amplitude / math.sqrt(2))


def verdict(recording: Samples, samplerate: int, frequency: float, amplitude: float,
            output: str = "", input: str = "") -> SelfTestResult:
    """Judge a recording of ``tone_signal(frequency, amplitude)``."""
    import numpy as np

    x = mono(recording).astype(np.float64)
    expected = round(dbfs(amplitude / math.sqrt(2)), 2)

    def result(reason: str, measured_hz: float = 0.0, level: float = FLOOR_DBFS,
               noise: float = FLOOR_DBFS) -> SelfTestResult:
        en, hi = MESSAGES[reason]
        return SelfTestResult(reason == "TONE_OK", FAULTS[reason], reason, en, hi, frequency,
                              round(measured_hz, 2), round(level, 2), expected, round(noise, 2),
                              round(level - noise, 2), output, input)

    if not x.size or not np.any(x):
        return result("MIC_SILENT")
    size = max(1, int(BLOCK * samplerate))
    blocks = x[: len(x) // size * size].reshape(-1, size)
    rms = np.sqrt(np.mean(blocks**2, axis=1))
    quiet = np.sort(rms)[: max(1, len(rms) * 3 // 10)]
    noise = float(np.median(quiet))
    threshold = max(noise * 10 ** (MIN_SNR_DB / 20), 10 ** (MIN_LEVEL_DBFS / 20))
    start, end = _loudest_run(rms >= threshold)
    if end - start < 5:  # under 0.1 s of anything loud enough: is the tone there at all?
        buried = _buried_tone(x, samplerate, frequency)
        if buried is not None:
            return result("TONE_TOO_QUIET", frequency, buried, dbfs(noise))
        return result("NO_TONE", noise=dbfs(noise))
    trim = 2 if end - start > 8 else 0  # leave out the fades
    run = slice(start + trim, end - trim)
    loud = rms[run] >= threshold  # not the bridged gaps
    tone = blocks[run][loud].reshape(-1)
    level = dbfs(float(np.median(rms[run][loud])))  # the median: blocks a dropout cut into count not
    measured = dominant_frequency(tone, samplerate)
    if abs(measured - frequency) > FREQ_TOLERANCE * frequency:
        return result("WRONG_FREQUENCY", measured, level, dbfs(noise))
    return result("TONE_OK", measured, level, dbfs(noise))
