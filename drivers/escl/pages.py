"""What a NextDocument body is: JPEG or PNG, and its pixel size, from the image's own header
(JPEG SOFn segment, ITU-T T.81 §B.2.2; PNG IHDR chunk, ISO/IEC 15948 §11.2.2). Sans-IO."""

from __future__ import annotations

from hubd.classes.scanner.contract import PageFormat
from hubd.driver_api import ProtocolError

_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def page_info(data: bytes) -> tuple[PageFormat, int, int]:
    """(format, width, height) of a NextDocument body, read from its JPEG SOF or PNG IHDR
    header (the body's bytes decide, not its Content-Type); ProtocolError for anything else."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR" and len(data) >= 24:
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        return _checked(PageFormat.PNG, width, height)
    if data[:2] == b"\xff\xd8":
        pos = 2
        while pos + 4 <= len(data):
            if data[pos] != 0xFF:
                break
            marker = data[pos + 1]
            if marker == 0xFF:  # fill byte
                pos += 1
                continue
            length = int.from_bytes(data[pos + 2 : pos + 4], "big")
            if marker in _JPEG_SOF and pos + 9 <= len(data):
                height = int.from_bytes(data[pos + 5 : pos + 7], "big")
                width = int.from_bytes(data[pos + 7 : pos + 9], "big")
                return _checked(PageFormat.JPEG, width, height)
            if length < 2:
                break
            pos += 2 + length
        raise ProtocolError("NextDocument: a JPEG without a readable frame header")
    raise ProtocolError(f"NextDocument: not a JPEG or PNG image (starts {data[:8].hex()})")


def _checked(fmt: PageFormat, width: int, height: int) -> tuple[PageFormat, int, int]:
    if not (0 < width <= 65535 and 0 < height <= 65535):
        raise ProtocolError(f"NextDocument: implausible {fmt.name} size {width} x {height}")
    return fmt, width, height
