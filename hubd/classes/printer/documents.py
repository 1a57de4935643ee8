"""What a print job prints: its payload turned into a ``PrintProgram`` for one printer.

Kinds: ``text`` (UTF-8; ASCII lines in the printer's own font, Hindi lines shaped and sent as
graphics), ``image`` (PNG/JPEG scaled to the paper and dithered) and ``receipt`` (JSON of
``hubd.render.model.Receipt``). Every printout ends with a ``kioskhub-job: <id>`` footer line; a
job reprinted after an interruption starts with a visible DUPLICATE / प्रतिलिपि banner. Rendering
imports Pillow and numpy lazily: the daemon pays for them only when it prints.
"""

from __future__ import annotations

import io
import json
import textwrap
import unicodedata
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

from hubd.classes.printer.contract import Geometry
from hubd.classes.printer.records import Job
from hubd.errors import InvalidArgument
from hubd.render.program import Cut, Feed, ImageBand, PrintProgram, TextLine

MAX_TEXT = 64 * 1024
MAX_IMAGE = 4 * 1024 * 1024
MAX_IMAGE_SIDE = 4096
BANNER_EN = "*** DUPLICATE COPY ***"
BANNER_HI = "प्रतिलिपि"


def check_text(text: str, field: str = "text.text") -> bytes:
    """Validate a text document; return its payload. Control characters are refused."""
    if len(text) > MAX_TEXT:
        raise InvalidArgument(field, f"longer than {MAX_TEXT} characters")
    for ch in text:
        if ch not in "\n\t" and unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\u200c\u200d":
            raise InvalidArgument(field, f"control character U+{ord(ch):04X} is not allowed")
    return text.encode()


def check_image(data: bytes, field: str = "image.data") -> bytes:
    """Validate an image document (PNG or JPEG, bounded size); return its payload."""
    if not data or len(data) > MAX_IMAGE:
        raise InvalidArgument(field, f"must be 1 byte to {MAX_IMAGE} bytes")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format not in ("PNG", "JPEG"):
                raise InvalidArgument(field, f"{img.format} images are not supported (PNG, JPEG)")
            if max(img.size) > MAX_IMAGE_SIDE:
                raise InvalidArgument(field, f"larger than {MAX_IMAGE_SIDE} pixels on a side")
    except (UnidentifiedImageError, OSError) as err:
        raise InvalidArgument(field, "not a readable PNG or JPEG image") from err
    return data


def receipt_payload(fields: dict[str, Any], zone: tzinfo) -> bytes:
    """Validate receipt fields (errors name ``receipt.<field>``); return the JSON payload.

    The payload is what the caller sent: an ``issued_at`` of None stays None (the job's creation
    time is printed, in ``zone``), so the identical retry of a request matches its job.
    """
    from hubd.render.model import Receipt

    issued = fields["issued_at"]
    try:
        receipt = Receipt(**{**fields, "issued_at": issued or datetime.now(zone)})
        receipt.validate()
    except InvalidArgument as err:
        field = "issue_time" if err.field == "issued_at" else err.field
        raise InvalidArgument(f"receipt.{field}", err.message.split(": ", 1)[-1]) from err
    data = dict(fields, issued_at=issued.isoformat() if issued else None,
                extra_lines=list(fields["extra_lines"]))
    if issued is None:
        offset = datetime.now(zone).utcoffset() or timedelta(0)
        data["utc_offset_minutes"] = int(offset.total_seconds() // 60)
    return json.dumps(data, ensure_ascii=False, sort_keys=True).encode()


def _receipt(job: Job) -> Any:
    from hubd.render.model import Receipt

    data = json.loads(job.payload)
    offset = timezone(timedelta(minutes=data.pop("utc_offset_minutes", 0)))
    if data["issued_at"] is None:
        data["issued_at"] = job.created_at.astimezone(offset)
    else:
        data["issued_at"] = datetime.fromisoformat(data["issued_at"])
    data["extra_lines"] = tuple(data["extra_lines"])
    return Receipt(**data)


def _indic_line(text: str, g: Geometry) -> ImageBand | Feed:
    from hubd.render.layout import Cell, Row, render_row

    band = render_row(Row((Cell(text, 0, g.columns),)), g)
    return band if band is not None else Feed(1)


def _mixed_line(text: str, g: Geometry) -> TextLine | ImageBand | Feed:
    """A text line with Devanagari: its ASCII runs in the printer's own font and its Devanagari
    runs as bitmaps on the same line, each at the columns the source puts it (as receipts do)."""
    from hubd.render.layout import Cell, Row, render_mixed

    line = render_mixed(Row((Cell(text, 0, g.columns),)), g, g.columns)
    return line if line is not None else Feed(1)


def _text_program(text: str, g: Geometry) -> PrintProgram:
    from hubd.render.layout import wrap

    ops: PrintProgram = []
    for line in text.expandtabs(8).splitlines() or [""]:
        if line.isascii():
            pieces = textwrap.wrap(line, g.columns, drop_whitespace=False) or [""]
            ops += [TextLine(p.rstrip()) if p.strip() else Feed(1) for p in pieces]
        else:
            ops += [_mixed_line(p, g) for p in wrap(line, g.columns, keep_spaces=True)]
    return ops


def _image_program(data: bytes, g: Geometry) -> PrintProgram:
    import numpy as np
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        gray = img.convert("L")
    width = min(g.width_dots, gray.width)
    height = max(1, round(gray.height * width / gray.width * g.vdpi / g.hdpi))
    dithered = gray.resize((width, height)).convert("1")
    bitmap = ~np.asarray(dithered, dtype=bool)
    return [ImageBand(bitmap, left=(g.width_dots - width) // 2)]


def build_program(job: Job, g: Geometry) -> PrintProgram:
    """The ops that print ``job`` on a printer of geometry ``g`` (CPU-bound: run in a thread)."""
    ops: PrintProgram = []
    if job.duplicate:
        ops += [TextLine(BANNER_EN.center(g.columns).rstrip(), bold=True), _indic_line(BANNER_HI, g)]
    if job.kind == "text":
        ops += _text_program(job.payload.decode(), g)
    elif job.kind == "image":
        ops += _image_program(job.payload, g)
    elif job.kind == "receipt":
        from hubd.render.layout import render_receipt

        ops += render_receipt(_receipt(job), g)
    else:
        raise InvalidArgument("kind", f"cannot print a {job.kind!r} job")
    if job.duplicate:
        ops.append(TextLine(BANNER_EN.center(g.columns).rstrip(), bold=True))
    ops += [TextLine(f"kioskhub-job: {job.job_id}", condensed=True), Cut()]
    return ops
