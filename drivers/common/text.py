"""Text for a printer's data stream: control characters dropped, then encoded to the code page.

Wire reference: protocols.md §1.1 (ESC/P) and §2 (ESC/POS). On both, a byte below 0x20 or
DEL (7F) is a control code acting at once, and ``ESC`` (1B), ``GS`` (1D), ``FS`` (1C) and
``DLE`` (10) start commands whose parameters follow (``DLE EOT n`` even makes an ESC/POS
printer answer). Text from a consumer (a name on a receipt) must therefore never reach the
printer with such a byte in it. On ESC/P, with the italic character table (``ESC t 0``) or
``ESC 7``, bytes 80-9F are the upper control codes, a copy of C0; every ESC/POS code page prints
glyphs there.

Sans-IO: str in, bytes out. No sockets, no asyncio, no logging.
"""

from __future__ import annotations

import functools
import unicodedata

DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
"""Unicode control (C0, DEL, C1), format (zero-width, bidi overrides) and lone surrogates."""
REPLACEMENT = 0x3F
"""``?``: what an unencodable character, or an encoded control byte, prints as."""


def _byte_filter(high_controls: bool) -> bytes:
    """A ``bytes.translate`` table turning every control byte into ``?``."""
    top = 0xA0 if high_controls else 0x80
    return bytes(b if 0x20 <= b < 0x7F or b >= top else REPLACEMENT for b in range(256))


_FILTERS = {flag: _byte_filter(flag) for flag in (False, True)}
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))


@functools.lru_cache(maxsize=16)
def _ascii_compatible(encoding: str) -> bool:
    """True when ``encoding`` writes printable ASCII as the same bytes (cp437 yes, UTF-16 no)."""
    return _PRINTABLE_ASCII.decode("ascii").encode(encoding) == _PRINTABLE_ASCII


def sanitize_text(text: str, encoding: str = "cp437", *, high_controls: bool = True) -> bytes:
    """Printable bytes only: control characters dropped, unencodable characters as ``?``.

    Characters of categories Cc (C0 U+0000-U+001F: ESC, GS, FS, DLE, CR, LF, NUL...; DEL; C1
    U+0080-U+009F), Cf and Cs are removed so a consumer's name cannot inject commands. Each other
    character is encoded on its own; one the code page lacks (₹, Devanagari) becomes ``?``. An
    encoded byte below 0x20 or equal to 0x7F becomes ``?`` too, and so do 0x80-0x9F when
    ``high_controls`` (ESC/P); ESC/POS passes False to keep its code pages' glyphs there.
    """
    if text.isascii() and text.isprintable() and _ascii_compatible(encoding):
        return text.encode("ascii")  # nothing to drop or replace: skip the per-character work
    table = _FILTERS[bool(high_controls)]
    out = bytearray()
    for ch in text:
        if unicodedata.category(ch) in DROPPED_CATEGORIES:
            continue
        try:
            encoded = ch.encode(encoding)
        except UnicodeEncodeError:
            encoded = b"?"
        out += encoded.translate(table)
    return bytes(out)
