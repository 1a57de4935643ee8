"""The self-test's verdict on synthetic recordings: who is at fault, and the measured values."""

from __future__ import annotations

import numpy as np
import pytest

from hubd.classes.audio import analysis
from hubd.classes.audio.contract import AudioFault

RATE = 48000


def delayed(signal: np.ndarray, seconds: float) -> np.ndarray:
    """What a loopback hears: the signal late by ``seconds``, cut to the same length."""
    shift = int(seconds * RATE)
    return np.concatenate([np.zeros(shift, np.float32), signal])[: len(signal)]


def noise(dbfs: float, n: int, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, 10 ** (dbfs / 20), n).astype(np.float32)


@pytest.mark.parametrize("latency", [0.0, 0.25, 0.5])
def test_clean_loopback_passes(latency: float) -> None:
    played = analysis.tone_signal(1000.0, 0.5, RATE)
    result = analysis.verdict(delayed(played, latency), RATE, 1000.0, 0.5)
    assert (result.passed, result.fault, result.reason) == (True, AudioFault.NONE, "TONE_OK")
    assert result.measured_hz == pytest.approx(1000.0, abs=0.5)
    assert result.level_dbfs == pytest.approx(result.played_dbfs, abs=0.2) and result.played_dbfs == -9.03


def test_tone_in_room_noise_passes_with_its_snr() -> None:
    played = analysis.tone_signal(700.0, 0.1, RATE)
    heard = delayed(played, 0.2) * 0.3 + noise(-50, len(played))  # the tone at 0.03: -33.5 dBFS
    result = analysis.verdict(heard, RATE, 700.0, 0.1)
    assert result.passed and result.level_dbfs == pytest.approx(-33.5, abs=0.5)
    assert -51 < result.noise_dbfs < -49 and result.snr_db == pytest.approx(16.5, abs=1.0)


def test_digital_silence_blames_the_microphone() -> None:
    result = analysis.verdict(np.zeros(RATE, np.float32), RATE, 1000.0, 0.5)
    assert (result.fault, result.reason) == (AudioFault.MICROPHONE, "MIC_SILENT")


def test_room_without_tone_blames_the_speaker() -> None:
    result = analysis.verdict(noise(-45, 2 * RATE), RATE, 1000.0, 0.5)
    assert (result.fault, result.reason) == (AudioFault.SPEAKER, "NO_TONE")


def test_buried_tone_is_too_quiet_and_undecided() -> None:
    played = analysis.tone_signal(1000.0, 0.5, RATE)
    heard = delayed(played, 0.1) * 10 ** (-40 / 20) + noise(-45, len(played))  # tone ≈ -49 dBFS
    result = analysis.verdict(heard, RATE, 1000.0, 0.5)
    assert (result.fault, result.reason) == (AudioFault.UNKNOWN, "TONE_TOO_QUIET")
    assert result.level_dbfs == pytest.approx(-49, abs=6)  # estimated from the spectrum: roughly


def test_wrong_frequency_is_undecided() -> None:
    heard = analysis.tone_signal(1500.0, 0.5, RATE)
    result = analysis.verdict(heard, RATE, 1000.0, 0.5)
    assert (result.fault, result.reason) == (AudioFault.UNKNOWN, "WRONG_FREQUENCY")
    assert result.measured_hz == pytest.approx(1500.0, abs=1.0)


def test_levels() -> None:
    meter = analysis.levels(np.full(100, 0.5, np.float32), 1000)
    assert meter.rms_dbfs == pytest.approx(-6.02, abs=0.01) and not meter.clipped and not meter.silent
    assert meter.seconds == 0.1
    assert analysis.levels(np.ones(10, np.float32), RATE).clipped
    assert analysis.levels(np.zeros(10, np.float32), RATE).silent
    assert analysis.levels(np.zeros((10, 2), np.float32), RATE).peak_dbfs == analysis.FLOOR_DBFS


def test_every_reason_is_bilingual() -> None:
    for reason, (en, hi) in analysis.MESSAGES.items():
        assert en and any("\u0900" <= ch <= "\u097f" for ch in hi), reason
        assert reason in analysis.FAULTS


def test_a_dropout_inside_the_tone_is_bridged() -> None:
    heard = delayed(analysis.tone_signal(1000.0, 0.5, RATE), 0.2)
    start = int((analysis.LEAD + 0.2 + 0.15) * RATE)
    heard[start : start + int(0.08 * RATE)] = 0  # 80 ms lost to an underrun
    heard[start + int(0.2 * RATE) : start + int(0.28 * RATE)] = 0
    result = analysis.verdict(heard, RATE, 1000.0, 0.5)
    assert result.passed and result.level_dbfs == pytest.approx(-9.03, abs=0.2)
