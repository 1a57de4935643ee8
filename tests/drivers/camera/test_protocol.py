"""MJPEG multipart parsing: streams written by hand from RFC 2046 §5.1.1 and the camera forms."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubd.errors import ProtocolError
from kioskhub.drivers.camera.protocol import MjpegParser, boundary_from

# What mjpg-streamer sends: Content-Type and Content-Length per part, CRLF after each body.
MJPG_STREAMER = (
    b"--boundarydonotcross\r\nContent-Type: image/jpeg\r\nContent-Length: 4\r\nX-Timestamp: 1.0\r\n\r\n"
    b"\xff\xd8AB\r\n"
    b"--boundarydonotcross\r\nContent-Type: image/jpeg\r\nContent-Length: 5\r\n\r\n"
    b"\xff\xd8CDE\r\n"
)
# RFC 2046 style: a preamble, no Content-Length (the delimiter ends the body), a close delimiter.
RFC_STYLE = (
    b"This is the preamble.\r\n"
    b"--frame\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8one\r\n"
    b"--frame\r\n\r\n\xff\xd8two\r\n"
    b"--frame--\r\n"
)


def test_boundary_forms() -> None:
    assert boundary_from("multipart/x-mixed-replace; boundary=frame") == b"--frame"
    assert boundary_from('multipart/x-mixed-replace;boundary="my frame"') == b"--my frame"
    assert boundary_from("multipart/x-mixed-replace; boundary=--myboundary") == b"--myboundary"
    assert boundary_from("Multipart/X-Mixed-Replace; charset=x; BOUNDARY=ffmpeg") == b"--ffmpeg"


@pytest.mark.parametrize("value", ["image/jpeg", "text/html; boundary=x", "multipart/x-mixed-replace", ""])
def test_not_mjpeg(value: str) -> None:
    with pytest.raises(ProtocolError) as info:
        boundary_from(value)
    assert info.value.reason == "NOT_MJPEG"


def test_content_length_parts() -> None:
    assert MjpegParser(b"--boundarydonotcross").feed(MJPG_STREAMER) == [b"\xff\xd8AB", b"\xff\xd8CDE"]


def test_parts_without_length_and_close_delimiter() -> None:
    parser = MjpegParser(b"--frame")
    assert parser.feed(RFC_STYLE) == [b"\xff\xd8one", b"\xff\xd8two"]
    assert parser.closed


def test_byte_by_byte() -> None:
    parser = MjpegParser(b"--boundarydonotcross")
    out = [part for i in range(len(MJPG_STREAMER)) for part in parser.feed(MJPG_STREAMER[i : i + 1])]
    assert out == [b"\xff\xd8AB", b"\xff\xd8CDE"]


def test_non_image_parts_are_skipped() -> None:
    stream = (b"--b\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi\r\n"
              b"--b\r\nContent-Length: 3\r\n\r\n\xff\xd8x\r\n")
    assert MjpegParser(b"--b").feed(stream) == [b"\xff\xd8x"]


@pytest.mark.parametrize(
    ("stream", "why"),
    [
        (b"x" * 9000, "no boundary"),
        (b"--b\r\n" + b"X-Long: " + b"y" * 9000, "headers too long"),
        (b"--b\r\nContent-Length: -3\r\n\r\n", "bad length"),
        (b"--b\r\nContent-Length: 99999999999\r\n\r\n", "length over the limit"),
        (b"--b\r\nno colon here\r\n\r\n", "bad header line"),
        (b"--bXY", "bytes after the boundary"),
    ],
)
def test_malformed(stream: bytes, why: str) -> None:
    with pytest.raises(ProtocolError):
        MjpegParser(b"--b").feed(stream)


def test_frame_without_boundary_hits_the_limit() -> None:
    parser = MjpegParser(b"--b", max_part=1000)
    parser.feed(b"--b\r\n\r\n")
    with pytest.raises(ProtocolError):
        parser.feed(b"\xff\xd8" + b"z" * 2000)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000), st.integers(1, 64))
def test_fuzz_only_protocol_errors(data: bytes, step: int) -> None:
    parser = MjpegParser(b"--b", max_part=4096)
    try:
        for i in range(0, len(data), step):
            parser.feed(data[i : i + step])
    except ProtocolError:
        pass


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.binary(min_size=1, max_size=300).map(lambda b: b"\xff\xd8" + b.replace(b"-", b"")),
             max_size=6),
    st.booleans(),
    st.lists(st.integers(1, 50), min_size=1, max_size=20),
)
def test_round_trip(frames: list[bytes], with_length: bool, cuts: list[int]) -> None:
    stream = b"".join(
        b"--b\r\nContent-Type: image/jpeg\r\n"
        + (b"Content-Length: %d\r\n" % len(f) if with_length else b"")
        + b"\r\n" + f + b"\r\n"
        for f in frames
    ) + b"--b--\r\n"
    parser = MjpegParser(b"--b")
    out: list[bytes] = []
    pos, i = 0, 0
    while pos < len(stream):
        step = cuts[i % len(cuts)]
        out += parser.feed(stream[pos : pos + step])
        pos, i = pos + step, i + 1
    assert out == frames
    assert parser.closed
