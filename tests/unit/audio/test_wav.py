"""WAV decoding and encoding: files built by hand (RIFF headers from the WAVE format), and fuzzing."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubd.classes.audio.wav import decode_wav, encode_wav
from hubd.errors import InvalidArgument


def riff(channels: int, rate: int, bits: int, data: bytes) -> bytes:
    """A canonical PCM WAV: RIFF header, 16-byte fmt chunk (format 1), data chunk."""
    block = channels * bits // 8
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * block, block, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def test_16_bit_stereo() -> None:
    samples, rate = decode_wav(riff(2, 16000, 16, struct.pack("<hhhh", 16384, -16384, 32767, 0)))
    assert rate == 16000 and samples.shape == (2, 2)
    assert samples.tolist() == [[0.5, -0.5], [32767 / 32768, 0.0]]


def test_8_and_24_bit() -> None:
    eight, _ = decode_wav(riff(1, 8000, 8, bytes([128, 192, 0])))
    assert eight[:, 0].tolist() == [0.0, 0.5, -1.0]
    twenty_four, _ = decode_wav(riff(1, 8000, 24, b"\x00\x00\x40" + b"\x00\x00\xc0"))
    assert twenty_four[:, 0].tolist() == [0.5, -0.5]


def test_round_trip() -> None:
    t = np.linspace(-1, 1, 1000, dtype=np.float32)
    samples, rate = decode_wav(encode_wav(t, 22050))
    assert rate == 22050 and np.abs(samples[:, 0] - t).max() < 1e-4


@pytest.mark.parametrize("data", [b"", b"RIFF", b"not a wav at all", riff(1, 4000, 16, b"\0\0"),
                                  riff(9, 8000, 16, b"\0" * 18)])
def test_bad_files(data: bytes) -> None:
    with pytest.raises(InvalidArgument) as info:
        decode_wav(data)
    assert info.value.field == "wav"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_fuzz_only_invalid_argument(data: bytes) -> None:
    for candidate in (data, riff(1, 8000, 16, data)[: 44 + len(data) // 2] + data):
        try:
            decode_wav(candidate)
        except InvalidArgument:
            pass
