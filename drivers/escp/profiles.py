"""Printer profiles: the per-model numbers that ESC/P leaves to the print head (9-pin vs 24-pin).

Units and graphics modes are from the ESC/P reference tables (protocols.md §1.1, §1.2): on a
9-pin head ``ESC 3 n`` is n/216" and ``ESC A n`` is n/72", 8-dot graphics are 72 dpi vertical;
on a 24-pin head ``ESC 3 n`` is n/180", ``ESC A n`` is n/60" and 24-dot graphics are 180 dpi.
Which kiosk model has which head is from driver listings (§1.4) and is marked UNVERIFIED below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hubd.driver_api import InvalidArgument


@dataclass(frozen=True)
class PrinterProfile:
    """The numbers the ESC/P encoder needs for one printer model."""

    name: str
    pins: Literal[9, 24]
    columns: Literal[80, 136]
    cpi: int = 10
    spacing_unit: int = 216
    """Denominator of ``ESC 3 n`` / ``ESC J n`` (n/216" on 9-pin, n/180" on 24-pin)."""
    esc_a_unit: int = 72
    """Denominator of ``ESC A n`` (n/72" on 9-pin, n/60" on 24-pin)."""
    graphics_mode: int = 1
    """The ``ESC * m`` density the encoder uses (9-pin: 1, 24-pin: 39)."""
    hdpi: int = 120
    """Horizontal dots per inch of ``graphics_mode``."""
    vdpi: int = 72
    """Vertical dots per inch of ``graphics_mode`` (the pin pitch)."""
    band_dots: int = 8
    """Dots one pass of ``graphics_mode`` prints (8 or 24)."""
    char_table: int = 1
    """``ESC t n`` table holding the encoding below (1 = graphics table, PC437 on most)."""
    encoding: str = "cp437"
    """Python codec of ``char_table``."""
    tear_off_lines: int = 6
    """Lines (at 1/6") from the print line to the tear-off bar. UNVERIFIED: about 1"."""
    verified: bool = False
    """True only when the model's facts were checked on the hardware."""
    interlace: int = 1
    """Passes per band, each ``1/(vdpi * interlace)``" below the last: a 9-pin head prints bitmaps
    in 3 passes 1/216" apart (a row every 1/216", as 9-pin near-letter-quality does), so the
    rows of a bitmap are ``row_dpi`` apart. Hindi at 72 dpi lost the ्र under द (केन्द्र) and
    bold कुल filled in to read "फुल"."""

    @property
    def row_dpi(self) -> int:
        """Rows per inch of the bitmaps the renderer draws for this printer."""
        return self.vdpi * self.interlace

    @property
    def row_band(self) -> int:
        """Bitmap rows one band of passes covers (``band_dots`` pins x ``interlace``)."""
        return self.band_dots * self.interlace

    @property
    def dots_per_column(self) -> int:
        """Graphics dots of ``graphics_mode`` across one text column at ``cpi``."""
        return self.hdpi // self.cpi

    @property
    def width_dots(self) -> int:
        """Printable width in graphics dots (``columns`` characters at ``cpi``)."""
        return self.columns * self.dots_per_column

    @property
    def bytes_per_column(self) -> int:
        """Data bytes per graphics column (1 for 8-dot modes, 3 for 24-dot modes)."""
        return self.band_dots // 8


def nine_pin(name: str, columns: Literal[80, 136]) -> PrinterProfile:
    """A 9-pin Epson FX/LX-class profile: ESC 3 n/216", ESC A n/72", ESC * 1 at 120x72 dpi."""
    return PrinterProfile(
        name=name, pins=9, columns=columns, spacing_unit=216, esc_a_unit=72,
        graphics_mode=1, hdpi=120, vdpi=72, band_dots=8, interlace=3,
    )


def twenty_four_pin(name: str, columns: Literal[80, 136]) -> PrinterProfile:
    """A 24-pin Epson LQ-class profile: ESC 3 n/180", ESC A n/60", ESC * 39 at 180x180 dpi."""
    return PrinterProfile(
        name=name, pins=24, columns=columns, spacing_unit=180, esc_a_unit=60,
        graphics_mode=39, hdpi=180, vdpi=180, band_dots=24,
    )


PROFILES: dict[str, PrinterProfile] = {
    p.name: p
    for p in (
        # TVS MSP 240/250 "Star": "9 Wire 80 col" per driver listings (§1.4) -- UNVERIFIED; the
        # ESC/P (vs IBM Proprinter) emulation is selectable on the printer and also UNVERIFIED.
        nine_pin("tvs-msp250", 80),
        # TVS MSP 450 Star / 455 XL Classic: 24-wire, 80 columns per driver listings -- UNVERIFIED.
        twenty_four_pin("tvs-msp455", 80),
        # Epson LX-310: 9-pin ESC/P, 80 columns -- UNVERIFIED (not found in the reference corpus).
        nine_pin("epson-lx310", 80),
        # Epson LQ-310: 24-pin ESC/P2, 80 columns -- UNVERIFIED.
        twenty_four_pin("epson-lq310", 80),
        # Epson FX-2190: 9-pin, 136 columns (wide carriage) -- UNVERIFIED.
        nine_pin("epson-fx2190", 136),
        # Epson LQ-2190: 24-pin, 136 columns (wide carriage) -- UNVERIFIED.
        twenty_four_pin("epson-lq2190", 136),
    )
}
DEFAULT_PROFILE = "tvs-msp250"


def get_profile(name: str) -> PrinterProfile:
    """The profile called ``name``; an unknown name is INVALID_ARGUMENT on ``model``."""
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(PROFILES)
        raise InvalidArgument("model", f"unknown printer model {name!r} (known: {known})") from None
