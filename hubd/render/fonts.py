"""Finding and loading the receipt fonts: a Devanagari face and a monospaced Latin face.

Fonts are found by file name in the standard font directories (``/usr/share/fonts``,
``/usr/local/share/fonts``, the user's font directories), after any directories listed in
``KIOSKHUB_FONT_DIR`` (``os.pathsep``-separated). Devanagari: Noto Sans Devanagari
(``fonts-noto-core``), else Lohit Devanagari (``fonts-lohit-deva``); both carry ₹. Latin text on
a rasterized line uses a monospaced face whose advance is 0.6 em, so at the Hindi point size it
falls on the printer's 10 cpi column grid.

A missing font is ``DeviceUnavailable`` with reason ``FONT_MISSING``: it surfaces when a receipt
is printed (UNAVAILABLE to the caller, with the reason), not as a configuration error, because
no configuration key can fix it; installing a font package or setting the variable does.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont, features

from hubd.errors import DeviceUnavailable

log = logging.getLogger(__name__)

FONT_DIR_ENV = "KIOSKHUB_FONT_DIR"
STANDARD_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts")
USER_FONT_DIRS = ("~/.local/share/fonts", "~/.fonts")

DEVANAGARI_REGULAR = ("NotoSansDevanagari-Regular.ttf", "Lohit-Devanagari.ttf")
DEVANAGARI_BOLD = ("NotoSansDevanagari-Bold.ttf",)
LATIN_REGULAR = (
    "DejaVuSansMono.ttf",
    "NotoSansMono-Regular.ttf",
    "LiberationMono-Regular.ttf",
    "FreeMono.ttf",
)
LATIN_FALLBACK = ("Lohit-Devanagari.ttf",)  # proportional, but it has every ASCII glyph
LATIN_BOLD = ("DejaVuSansMono-Bold.ttf", "NotoSansMono-Bold.ttf", "LiberationMono-Bold.ttf")

Layout = ImageFont.Layout
FreeTypeFont = ImageFont.FreeTypeFont


@dataclass(frozen=True)
class FontSet:
    """The font files a receipt is drawn with (bold faces fall back to the regular ones)."""

    devanagari: Path
    devanagari_bold: Path
    latin: Path
    latin_bold: Path
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Every shape cache is keyed by the font set: hash the four paths once, not per lookup.
        paths = (self.devanagari, self.devanagari_bold, self.latin, self.latin_bold)
        object.__setattr__(self, "_hash", hash(paths))

    def __hash__(self) -> int:
        """The hash of the four paths, computed once."""
        return self._hash

    def path(self, *, devanagari: bool, bold: bool) -> Path:
        """The file for one script and weight."""
        if devanagari:
            return self.devanagari_bold if bold else self.devanagari
        return self.latin_bold if bold else self.latin


def search_dirs() -> tuple[Path, ...]:
    """Directories searched for fonts, in order: ``KIOSKHUB_FONT_DIR`` first, then the standard ones."""
    # Called for every shaped piece: read the two variables, no path expansion, before the cache.
    return _search_dirs(os.environ.get(FONT_DIR_ENV, ""), os.environ.get("HOME"))


@lru_cache(maxsize=8)
def _search_dirs(override: str, home: str | None) -> tuple[Path, ...]:
    """``search_dirs`` for one value of the variable and of ``HOME`` (cached)."""
    dirs = [Path(p).expanduser() for p in override.split(os.pathsep) if p]
    dirs += [Path(p) for p in STANDARD_FONT_DIRS]
    home_dir = Path(os.path.expanduser("~"))  # HOME, or the password database when it is unset
    dirs += [home_dir / p.removeprefix("~/") for p in USER_FONT_DIRS]
    return tuple(dirs)


@lru_cache(maxsize=16)
def _index(top: Path) -> dict[str, Path]:
    """File name -> path of every font file under ``top`` (cached per directory)."""
    found: dict[str, Path] = {}
    if top.is_dir():
        for root, subdirs, files in os.walk(top):
            subdirs.sort()
            for name in sorted(files):
                if name.lower().endswith((".ttf", ".otf")):
                    found.setdefault(name, Path(root) / name)
    return found


def find_font(names: tuple[str, ...], dirs: tuple[Path, ...] | None = None) -> Path | None:
    """The first of ``names`` in the first directory holding any of them, or None.

    Directories are tried in order, so a font in ``KIOSKHUB_FONT_DIR`` wins over every system
    font; within one directory, ``names`` is the order of preference.
    """
    for top in dirs if dirs is not None else search_dirs():
        index = _index(top)
        for name in names:
            if name in index:
                return index[name]
    return None


def _missing(what: str, names: tuple[str, ...], dirs: tuple[Path, ...]) -> DeviceUnavailable:
    """The error for a font that is nowhere to be found."""
    return DeviceUnavailable(
        f"no {what} font found (looked for {', '.join(names)}); install fonts-noto-core or "
        f"fonts-lohit-deva, or point {FONT_DIR_ENV} at a directory holding one",
        reason="FONT_MISSING",
        metadata={"searched": os.pathsep.join(str(d) for d in dirs), "wanted": names[0]},
    )


@lru_cache(maxsize=4)
def _font_set(dirs: tuple[Path, ...]) -> FontSet:
    """Resolve the font set for one list of directories (cached)."""
    if not features.check_feature("raqm"):
        raise DeviceUnavailable(
            "Pillow was built without libraqm: Devanagari cannot be shaped",
            reason="FONT_MISSING",
            metadata={"wanted": "raqm"},
        )
    deva = find_font(DEVANAGARI_REGULAR, dirs)
    if deva is None:
        raise _missing("Devanagari", DEVANAGARI_REGULAR, dirs)
    latin = find_font(LATIN_REGULAR, dirs) or find_font(LATIN_FALLBACK, dirs)
    if latin is None:
        raise _missing("Latin", LATIN_REGULAR + LATIN_FALLBACK, dirs)
    deva_bold = find_font(DEVANAGARI_BOLD, dirs) if deva.name.startswith("Noto") else None
    latin_bold = find_font(LATIN_BOLD, dirs)
    fonts = FontSet(deva, deva_bold or deva, latin, latin_bold or latin)
    log.info("receipt fonts: %s", fonts)
    return fonts


_pinned: ContextVar[FontSet | None] = ContextVar("receipt_fonts", default=None)


def font_set() -> FontSet:
    """The receipt fonts; raise DeviceUnavailable(reason FONT_MISSING) if none is installed."""
    pinned = _pinned.get()
    return pinned if pinned is not None else _font_set(search_dirs())


@contextmanager
def pinned_fonts() -> Iterator[FontSet]:
    """Resolve the font set once and use it for every ``font_set()`` in this context (one render).

    Rendering a receipt asks for the font set for every piece of text; the environment is
    read once per receipt instead. Per thread (a context variable).
    """
    fonts = font_set()
    token = _pinned.set(fonts)
    try:
        yield fonts
    finally:
        _pinned.reset(token)


@lru_cache(maxsize=64)
def load_font(path: Path, size: int, layout: Layout = Layout.RAQM) -> FreeTypeFont:
    """Open ``path`` at ``size`` pixels per em with the given layout engine (cached)."""
    try:
        return ImageFont.truetype(str(path), size, layout_engine=layout)
    except OSError as err:
        raise DeviceUnavailable(
            f"cannot load font {path.name}: {err}",
            reason="FONT_MISSING",
            metadata={"wanted": path.name},
        ) from err


def clear_caches() -> None:
    """Forget found and loaded fonts (after installing fonts or changing KIOSKHUB_FONT_DIR)."""
    _search_dirs.cache_clear()
    _index.cache_clear()
    _font_set.cache_clear()
    load_font.cache_clear()
