"""The prompt table (Hindi and English for each) and espeak-ng speaking it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hubd.classes.audio import prompts
from hubd.classes.audio.wav import decode_wav, encode_wav
from hubd.errors import InvalidArgument
from tests.stacks.base import skip_or_fail


def test_table_is_bilingual() -> None:
    wanted = {"welcome", "place_finger", "look_at_camera", "payment_done", "receipt_printing"}
    assert wanted <= set(prompts.PROMPTS)
    for p in prompts.PROMPTS.values():
        assert p.en.isascii() and any("\u0900" <= ch <= "\u097f" for ch in p.hi), p


@pytest.mark.parametrize(("name", "language", "field"),
                         [("nope", "hi", "prompt"), ("welcome", "fr", "language")])
def test_unknown(name: str, language: str, field: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        prompts.load(name, language)
    assert info.value.field == field


@pytest.mark.parametrize("language", ["hi", "en"])
@pytest.mark.parametrize("name", sorted(prompts.PROMPTS))
def test_espeak_speaks_every_prompt(name: str, language: str) -> None:
    if shutil.which("espeak-ng") is None:
        skip_or_fail("espeak-ng is not installed")
    samples, rate = decode_wav(prompts.load(name, language))
    assert 0.8 < len(samples) / rate < 6.0
    assert float(abs(samples).max()) > 0.1


def test_hindi_and_english_differ() -> None:
    if shutil.which("espeak-ng") is None:
        skip_or_fail("espeak-ng is not installed")
    assert prompts.load("welcome", "hi") != prompts.load("welcome", "en")


def test_recorded_prompt_wins(tmp_path: Path) -> None:
    recorded = encode_wav([0.1, -0.1] * 800, 16000)
    (tmp_path / "welcome.hi.wav").write_bytes(recorded)
    assert prompts.load("welcome", "hi", str(tmp_path)) == recorded
