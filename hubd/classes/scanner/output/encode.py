"""Encoders: JPEG, PNG, CCITT G4, and PDF (img2pdf: JPEG and G4 pages are wrapped as they are,
never re-encoded), PDF/A-1b (pikepdf adds the sRGB output intent and the XMP identification),
and padding to reach a portal's minimum size.
"""

from __future__ import annotations

import functools
import io
import struct
import zlib
from collections.abc import Sequence
from datetime import datetime

from PIL import Image

JPEG_COMMENT_MAX = 65533
"""Payload of one JPEG COM segment (its length field is 16 bits and counts itself)."""
PDF_PRODUCER = "kioskhub"


def jpeg(image: Image.Image, quality: int, dpi: int) -> bytes:
    """Baseline JPEG with optimised Huffman tables; 4:2:0 chroma below quality 90, 4:4:4 above
    (colour edges then stay sharp)."""
    rgb_or_l = image.convert("L") if image.mode == "1" else image
    options = {"quality": quality, "dpi": (dpi, dpi), "subsampling": 0 if quality >= 90 else 2}
    out = io.BytesIO()
    try:
        rgb_or_l.save(out, "JPEG", optimize=True, **options)
    except OSError:  # Pillow sizes the optimising buffer at w*h bytes: busy colour can outgrow it
        out = io.BytesIO()
        rgb_or_l.save(out, "JPEG", optimize=False, **options)
    return out.getvalue()


def png(image: Image.Image, dpi: int) -> bytes:
    """PNG at the best zlib level (1-bit for black and white)."""
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(dpi, dpi), optimize=True)
    return out.getvalue()


def g4_tiff(image: Image.Image, dpi: int) -> bytes:
    """Black and white as CCITT Group 4 in a TIFF (what fax and document scanners use)."""
    out = io.BytesIO()
    image.convert("1").save(out, "TIFF", compression="group4", dpi=(dpi, dpi))
    return out.getvalue()


def pdf(
    parts: Sequence[bytes], *, pdfa: bool = False, title: str = "", created: datetime | None = None
) -> bytes:
    """One PDF page per encoded image (JPEG, PNG or G4 TIFF), page size from each image's dpi."""
    import img2pdf  # noqa: PLC0415 - only when a PDF is made

    data: bytes = img2pdf.convert(list(parts), nodate=True, producer=PDF_PRODUCER, title=title or None,
                                  creationdate=created, moddate=created)
    return to_pdfa(data) if pdfa else data


@functools.cache
def srgb_profile() -> bytes:
    """An sRGB ICC profile (made by LittleCMS through Pillow, so no file is needed)."""
    from PIL import ImageCms  # noqa: PLC0415

    return bytes(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())


def to_pdfa(data: bytes) -> bytes:
    """The PDF made PDF/A-1b: sRGB output intent, XMP with ``pdfaid`` matching the document
    information, a file ID, PDF 1.4 with no object or cross-reference streams."""
    import pikepdf  # noqa: PLC0415 - only when PDF/A is asked for

    with pikepdf.open(io.BytesIO(data)) as doc:
        profile = doc.make_stream(srgb_profile())
        profile[pikepdf.Name.N] = 3
        doc.Root.OutputIntents = pikepdf.Array([pikepdf.Dictionary(
            Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFA1,
            OutputConditionIdentifier="sRGB IEC61966-2.1", Info="sRGB IEC61966-2.1",
            DestOutputProfile=profile,
        )])
        with doc.open_metadata(set_pikepdf_as_editor=False, update_docinfo=True) as meta:
            meta.load_from_docinfo(doc.docinfo)
            meta["pdfaid:part"] = "1"
            meta["pdfaid:conformance"] = "B"
        out = io.BytesIO()
        doc.save(out, deterministic_id=True, force_version="1.4",
                 object_stream_mode=pikepdf.ObjectStreamMode.disable, compress_streams=True)
    return out.getvalue()


def pad_jpeg(data: bytes, extra: int) -> bytes:
    """``data`` grown by ``extra`` bytes of JPEG comment (COM) segments after SOI (every decoder
    skips them; the picture is unchanged)."""
    segments = bytearray()
    remaining = extra
    while remaining > 0:
        payload = max(0, min(JPEG_COMMENT_MAX, remaining - 4))
        segments += b"\xff\xfe" + struct.pack(">H", payload + 2) + b" " * payload
        remaining -= payload + 4
    return data[:2] + bytes(segments) + data[2:]


def pad_png(data: bytes, extra: int) -> bytes:
    """``data`` grown by ``extra`` bytes with a private ancillary chunk (``kpAd``) before IEND,
    which decoders skip."""
    payload = b" " * max(0, extra - 12)
    chunk = struct.pack(">I", len(payload)) + b"kpAd" + payload
    chunk += struct.pack(">I", zlib.crc32(b"kpAd" + payload) & 0xFFFFFFFF)
    return data[:-12] + chunk + data[-12:]
