"""Named output presets for what Indian portals publish: data (TOML-shaped tables), so the
``[scanner.presets.<name>]`` tables of the hub's config override them key by key or add new ones.

Each figure carries the guideline it comes from. Bank and recruitment portals (IBPS, and the
banks and exams that copy its rules) publish the same photo / signature / thumb rules in every
notification ("Guidelines for scanning and Upload of Photograph, Signature, Left Thumb
Impression & Hand-written declaration"); UTIITSL's PAN centre publishes the PAN scan rules.
Where a guideline says "less than N KB", the preset's maximum sits just under N.

A table's keys are ``OutputSpec``'s fields; enumerations are written as words: ``format`` pdf,
jpeg or png; ``color_mode`` color, gray or black_white; ``fit`` crop or pad.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from hubd.classes.scanner.output.spec import Fit, OutputFormat, OutputSpec
from hubd.classes.scanner.values import ColorMode
from hubd.errors import InvalidArgument

TABLES: Mapping[str, Mapping[str, Any]] = MappingProxyType({
    # IBPS photograph: "Dimensions 200 x 230 pixels (preferred); Size of file should be between
    # 20kb–50 kb", colour, jpg/jpeg. IBPS notification guidelines, as quoted e.g. at
    # https://www.ndtv.com/jobs/ibps-clerk-2018-important-documents-required-for-application-1917756,
    # https://guidely.in/blog/ibps-po-photo-and-signature-size (IBPS PO 2025) and
    # https://www.collegedekho.com/articles/documents-required-to-fill-ibps-clerk-application-form/
    # ("should not exceed 50kb and should be at least 20 kB").
    "passport_photo": {
        "format": "jpeg", "width_px": 200, "height_px": 230, "min_kb": 20, "max_kb": 50,
        "color_mode": "color", "fit": "crop", "autocrop": True, "deskew": True, "min_quality": 40,
        "max_quality": 100,
        "description": "Passport photo 200 x 230 px JPEG, 20-50 KB (IBPS and bank portals)",
    },
    # IBPS signature: "sign on white paper with Black Ink pen ... Dimensions 140 x 60 pixels
    # (preferred); Size of file should be between 10kb – 20kb" (same sources).
    "signature": {
        "format": "jpeg", "width_px": 140, "height_px": 60, "min_kb": 10, "max_kb": 20,
        "color_mode": "gray", "fit": "pad", "autocrop": True, "min_quality": 40, "max_quality": 100,
        "description": "Signature 140 x 60 px JPEG, 10-20 KB (IBPS and bank portals)",
    },
    # IBPS left thumb impression: "File type: jpg / jpeg; Dimensions: 240 x 240 pixels in 200
    # DPI (Preferred for required quality) i.e 3 cm * 3 cm (Width * Height); File Size: 20 KB –
    # 50 KB" (ndtv.com source above, point 7).
    "thumb_impression": {
        "format": "jpeg", "width_px": 240, "height_px": 240, "dpi": 200, "min_kb": 20, "max_kb": 50,
        "color_mode": "gray", "fit": "pad", "autocrop": True, "min_quality": 40, "max_quality": 100,
        "description": "Left thumb impression 240 x 240 px at 200 dpi JPEG, 20-50 KB (IBPS)",
    },
    # UTIITSL PAN: "PAN Application form (front & back side) to be scanned in 200dpi, color –
    # PDFA format; Supporting Document (POI and POA) ... 200dpi color, PDFA format; ... clubbed
    # into a single file ... Maximum upto 2MB" (https://e-kendra.co.in/uti-photo-signature-and-documents).
    # 2000 KB of 1000 bytes = 2,000,000 bytes: under 2 MB whichever way the portal counts.
    "pan_application": {
        "format": "pdf", "pdfa": True, "dpi": 200, "min_dpi": 200, "max_kb": 2000, "color_mode": "color",
        "deskew": True, "min_quality": 30,
        "description": "PAN application + proofs: one 200 dpi colour PDF/A, at most 2 MB (UTIITSL)",
    },
    # UTIITSL PAN photo: "Photo Scanning 300 dpi, colour, 213 X 213 px (Size less than 30 kb)
    # in JPEG format" (same source).
    "pan_photo": {
        "format": "jpeg", "width_px": 213, "height_px": 213, "dpi": 300, "max_kb": 29.5,
        "color_mode": "color", "fit": "crop", "autocrop": True, "min_quality": 40,
        "description": "PAN photo 213 x 213 px at 300 dpi JPEG, under 30 KB (UTIITSL)",
    },
    # UTIITSL PAN signature: "Signature scanning 600 dpi black and white (less than 60 kb) in
    # JPEG format" (same source).
    "pan_signature": {
        "format": "jpeg", "dpi": 600, "min_dpi": 600, "max_kb": 59.5, "color_mode": "black_white",
        "autocrop": True, "min_quality": 40,
        "description": "PAN signature 600 dpi black and white JPEG, under 60 KB (UTIITSL)",
    },
    # A proof document (ID, address, certificate), one or more pages, as a PDF of at most 200 KB:
    # J&K BOPEE's "Guidelines for Scanning documents to PDF files for uploading" ("The maximum
    # file size for an individual PDF files is 200KB", https://jkbopee.gov.in/html/DocumentGuidelines.htm).
    # That guideline asks for 150 dpi black and white to get there; the hub's size search keeps
    # grayscale (stamps and photos stay readable) and lowers the resolution only as far as needed.
    "proof_pdf": {
        "format": "pdf", "dpi": 200, "max_kb": 200, "color_mode": "gray", "deskew": True,
        "description": "Proof document: grayscale PDF, at most 200 KB (portals' proof uploads)",
    },
})

_ENUMS: dict[str, dict[str, enum.Enum]] = {
    "format": {"pdf": OutputFormat.PDF, "jpeg": OutputFormat.JPEG, "jpg": OutputFormat.JPEG,
               "png": OutputFormat.PNG},
    "color_mode": {m.value: m for m in ColorMode},
    "fit": {f.value: f for f in Fit},
}
_FIELDS = {f.name for f in dataclasses.fields(OutputSpec)}


def _value(name: str, key: str, raw: Any) -> Any:
    """A table value as the OutputSpec field wants it (words for the enumerations)."""
    choices = _ENUMS.get(key)
    if choices is None or isinstance(raw, enum.Enum):
        return raw
    if not isinstance(raw, str) or raw.lower() not in choices:
        why = f"must be one of {', '.join(choices)}, got {raw!r:.30}"
        raise InvalidArgument(f"presets.{name}.{key}", why)
    return choices[raw.lower()]


def spec_from_table(name: str, table: Mapping[str, Any], base: OutputSpec | None = None) -> OutputSpec:
    """``base`` (or the defaults) with ``table``'s keys applied, checked; INVALID_ARGUMENT names
    ``presets.<name>.<key>``."""
    if not isinstance(table, Mapping):
        raise InvalidArgument(f"presets.{name}", "must be a table of output settings")
    values = {}
    for key, raw in table.items():
        if key not in _FIELDS:
            raise InvalidArgument(f"presets.{name}.{key}", "not an output setting")
        values[key] = _value(name, key, raw)
    try:
        return dataclasses.replace(base or OutputSpec(), **values).check()
    except InvalidArgument as err:
        raise InvalidArgument(f"presets.{name}.{err.field}", err.description) from err
    except TypeError as err:  # a value of the wrong type for a comparison in check()
        raise InvalidArgument(f"presets.{name}", f"bad value: {err}") from err


PRESETS: Mapping[str, OutputSpec] = MappingProxyType(
    {name: spec_from_table(name, table) for name, table in TABLES.items()}
)
"""Preset name → spec, as built in (read-only; ``with_overrides`` applies a config's tables)."""


def with_overrides(tables: Mapping[str, Any] | None) -> dict[str, OutputSpec]:
    """The built-in presets with a config's ``[scanner.presets.<name>]`` tables applied (a known
    name is changed key by key, a new name starts from the defaults); INVALID_ARGUMENT naming
    the first bad key."""
    presets = dict(PRESETS)
    for name, table in (tables or {}).items():
        if not isinstance(name, str) or not name.isidentifier() or len(name) > 40:
            raise InvalidArgument("presets", f"{name!r:.40} is not a preset name (letters, digits, _)")
        presets[name] = spec_from_table(name, table, PRESETS.get(name))
    return presets


def resolve(name: str, overrides: Mapping[str, Any] | None = None,
            presets: Mapping[str, OutputSpec] = PRESETS) -> OutputSpec:
    """The preset ``name`` (of ``presets``) with ``overrides`` (OutputSpec field → value) applied
    and checked; INVALID_ARGUMENT for an unknown preset or field."""
    spec = presets.get(name)
    if spec is None:
        known = ", ".join(sorted(presets))
        raise InvalidArgument("preset", f"unknown preset {name[:40]!r} (known: {known})")
    if overrides:
        for key in overrides:
            if key not in _FIELDS:
                raise InvalidArgument(f"presets.{name}.{key}", "not an output setting")
        spec = dataclasses.replace(spec, **dict(overrides))
    return spec.check()
