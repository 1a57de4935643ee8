"""Named output presets for what Indian portals publish. Data, so config can override them.

Each figure carries the guideline it comes from. Bank and recruitment portals (IBPS, and the
banks and exams that copy its rules) publish the same photo / signature / thumb rules in every
notification ("Guidelines for scanning and Upload of Photograph, Signature, Left Thumb
Impression & Hand-written declaration"); UTIITSL's PAN centre publishes the PAN scan rules.
Where a guideline says "less than N KB", the preset's maximum sits just under N.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from hubd.classes.scanner.output.spec import Fit, OutputFormat, OutputSpec
from hubd.classes.scanner.values import ColorMode
from hubd.errors import InvalidArgument

_PRESETS: dict[str, OutputSpec] = {
    # IBPS photograph: "Dimensions 200 x 230 pixels (preferred); Size of file should be between
    # 20kb–50 kb", colour, jpg/jpeg. IBPS notification guidelines, as quoted e.g. at
    # https://www.ndtv.com/jobs/ibps-clerk-2018-important-documents-required-for-application-1917756
    # and https://guidely.in/blog/ibps-po-photo-and-signature-size (IBPS PO 2025).
    "passport_photo": OutputSpec(
        format=OutputFormat.JPEG, width_px=200, height_px=230, min_kb=20, max_kb=50,
        color_mode=ColorMode.COLOR, fit=Fit.CROP, autocrop=True, deskew=True, min_quality=40,
        max_quality=100, description="Passport photo 200 x 230 px JPEG, 20-50 KB (IBPS and bank portals)",
    ),
    # IBPS signature: "sign on white paper with Black Ink pen ... Dimensions 140 x 60 pixels
    # (preferred); Size of file should be between 10kb – 20kb" (same sources).
    "signature": OutputSpec(
        format=OutputFormat.JPEG, width_px=140, height_px=60, min_kb=10, max_kb=20,
        color_mode=ColorMode.GRAY, fit=Fit.PAD, autocrop=True, min_quality=40, max_quality=100,
        description="Signature 140 x 60 px JPEG, 10-20 KB (IBPS and bank portals)",
    ),
    # IBPS left thumb impression: "File type: jpg / jpeg; Dimensions: 240 x 240 pixels in 200
    # DPI (Preferred for required quality) i.e 3 cm * 3 cm (Width * Height); File Size: 20 KB –
    # 50 KB" (ndtv.com source above, point 7).
    "thumb_impression": OutputSpec(
        format=OutputFormat.JPEG, width_px=240, height_px=240, dpi=200, min_kb=20, max_kb=50,
        color_mode=ColorMode.GRAY, fit=Fit.PAD, autocrop=True, min_quality=40, max_quality=100,
        description="Left thumb impression 240 x 240 px at 200 dpi JPEG, 20-50 KB (IBPS)",
    ),
    # UTIITSL PAN: "PAN Application form (front & back side) to be scanned in 200dpi, color –
    # PDFA format; Supporting Document (POI and POA) ... 200dpi color, PDFA format; ... clubbed
    # into a single file ... Maximum upto 2MB" (https://e-kendra.co.in/uti-photo-signature-and-documents).
    # 2000 KB of 1000 bytes = 2,000,000 bytes: under 2 MB whichever way the portal counts.
    "pan_application": OutputSpec(
        format=OutputFormat.PDF, dpi=200, min_dpi=200, max_kb=2000, color_mode=ColorMode.COLOR,
        pdfa=True, deskew=True, min_quality=30,
        description="PAN application + proofs: one 200 dpi colour PDF/A, at most 2 MB (UTIITSL)",
    ),
    # UTIITSL PAN photo: "Photo Scanning 300 dpi, colour, 213 X 213 px (Size less than 30 kb)
    # in JPEG format" (same source).
    "pan_photo": OutputSpec(
        format=OutputFormat.JPEG, width_px=213, height_px=213, dpi=300, max_kb=29.5,
        color_mode=ColorMode.COLOR, fit=Fit.CROP, autocrop=True, min_quality=40,
        description="PAN photo 213 x 213 px at 300 dpi JPEG, under 30 KB (UTIITSL)",
    ),
    # UTIITSL PAN signature: "Signature scanning 600 dpi black and white (less than 60 kb) in
    # JPEG format" (same source).
    "pan_signature": OutputSpec(
        format=OutputFormat.JPEG, dpi=600, min_dpi=600, max_kb=59.5, color_mode=ColorMode.BLACK_WHITE,
        autocrop=True, min_quality=40,
        description="PAN signature 600 dpi black and white JPEG, under 60 KB (UTIITSL)",
    ),
}

PRESETS: Mapping[str, OutputSpec] = MappingProxyType(_PRESETS)
"""Preset name → spec (read-only; ``resolve`` applies overrides)."""


def resolve(name: str, overrides: Mapping[str, Any] | None = None) -> OutputSpec:
    """The preset ``name`` with ``overrides`` (OutputSpec field → value) applied and checked;
    INVALID_ARGUMENT for an unknown preset or field."""
    spec = PRESETS.get(name)
    if spec is None:
        raise InvalidArgument("preset", f"unknown preset {name[:40]!r} (known: {', '.join(sorted(PRESETS))})")
    if overrides:
        fields = {f.name for f in dataclasses.fields(OutputSpec)}
        for key in overrides:
            if key not in fields:
                raise InvalidArgument(f"presets.{name}.{key}", "not an output setting")
        spec = dataclasses.replace(spec, **dict(overrides))
    return spec.check()
