"""Golden images of the bilingual sample receipt, printed through the real pipeline.

The fixed sample receipt is rendered (``hubd.render.layout.render_receipt``), encoded by the real
drivers (ESC/P and ESC/POS) and printed by the real simulators in-process; each page must equal
``tests/golden/<name>.png`` pixel for pixel (the render is deterministic: a tolerance would pass a
changed amount digit, 0.006 % of the page). On a difference a diff image (red: only in the actual
page, blue: only in the golden) is written beside the actual one. A missing golden fails. Rewrite
the goldens (after looking at them) with ``pytest tests/unit/test_receipt_goldens.py --regen-golden``.

Our renderer, encoder and simulator agreeing proves little on its own, so every golden page is
also read by tools that are not ours (``test_receipt_goldens_ocr.py``): zbarimg decodes its QR
code, tesseract reads its fields and its Hindi labels.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from hubd.render import fonts, grid, ink, shaping
from hubd.render.layout import render_receipt
from hubd.render.model import Receipt
from hubd.render.program import Cut, Geometry
from hubd.render.sample import IST, sample_receipt
from kioskhub.drivers.escp.encode import encode_program as escp_encode
from kioskhub.drivers.escp.profiles import get_profile
from kioskhub.drivers.escpos.driver import EscposPrinter
from kioskhub.drivers.escpos.encode import encode_program as escpos_encode
from kioskhub.drivers.escpos.encode import load_profile
from kioskhub.simulators.escp_interp import EscpInterpreter
from kioskhub.simulators.escpos_interp import EscposInterpreter

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "golden"
TOLERANCE = 0.0
"""Largest fraction of pixels that may differ (1-bit): none."""
FIXED_NOW = datetime(2026, 11, 3, 14, 25, 7, tzinfo=IST)
ESCP_MODELS = ("tvs-msp250", "epson-fx2190", "tvs-msp455", "epson-lq2190")
ESCPOS_NAME = "escpos-80mm"
REGEN_HINT = "regenerate with: pytest tests/unit/test_receipt_goldens.py --regen-golden"


def receipt() -> Receipt:
    """The fixed sample receipt (fixed issue time, so fixed receipt and transaction numbers)."""
    return sample_receipt(now=FIXED_NOW)


def escp_page(model: str, printed: Receipt | None = None) -> Image.Image:
    """The one page the ESC/P simulator prints for the sample receipt (or ``printed``) on ``model``."""
    profile = get_profile(model)
    program = [
        *render_receipt(
            printed or receipt(),
            Geometry(profile.hdpi, profile.row_dpi, profile.row_band, columns=profile.columns),
        ),
        Cut(),
    ]
    data = escp_encode(program, profile)
    sim = EscpInterpreter(profile.pins, profile.columns)
    assert sim.feed(data) == len(data)
    job = sim.end_job()
    assert job is not None and len(job.pages) == 1, "the sample receipt fits on one page"
    assert sim.stats["unknown_commands"] == 0
    return job.pages[0]


def escpos_page() -> Image.Image:
    """The receipt the ESC/POS simulator prints for the sample receipt on 80 mm paper."""
    profile = load_profile("default")
    geometry = EscposPrinter("thermal", "tcp://127.0.0.1:9").geometry()  # the driver's own
    program = [*render_receipt(receipt(), geometry), Cut()]
    data = escpos_encode(program, profile)
    sim = EscposInterpreter(width=profile.width_dots)
    sim.receive(data)
    sim.run()
    sim.close_stream()
    assert len(sim.receipts) == 1 and sim.receipts[0].cut, "one receipt, ended by the cut"
    assert sim.stats["unknown_commands"] == 0
    return sim.receipts[0].paper.image()


def bits(image: Image.Image) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """True where ``image`` is black, after conversion to 1 bit."""
    return ~np.asarray(image.convert("1"), dtype=bool)


def diff_fraction(actual: Image.Image, golden: Image.Image) -> float:
    """Fraction of pixels that differ (1.0 when the sizes differ)."""
    if actual.size != golden.size:
        return 1.0
    a, g = bits(actual), bits(golden)
    return float(np.count_nonzero(a != g)) / a.size


def save_diff(actual: Image.Image, golden: Image.Image, path: Path) -> None:
    """Red where only the actual page has ink, blue where only the golden has it, grey where both."""
    width, height = max(actual.width, golden.width), max(actual.height, golden.height)
    a = np.zeros((height, width), dtype=bool)
    g = np.zeros((height, width), dtype=bool)
    a[: actual.height, : actual.width] = bits(actual)
    g[: golden.height, : golden.width] = bits(golden)
    rgb = np.full((height, width, 3), 255, dtype=np.uint8)
    rgb[a & g] = (160, 160, 160)
    rgb[a & ~g] = (220, 0, 0)
    rgb[g & ~a] = (0, 0, 220)
    Image.fromarray(rgb).save(path, format="PNG", optimize=True)


def save_png(image: Image.Image, path: Path) -> None:
    """Write ``image`` as a small 1-bit PNG."""
    image.convert("1").save(path, format="PNG", optimize=True)


def check_golden(name: str, actual: Image.Image, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """Compare ``actual`` with ``tests/golden/<name>.png`` (or rewrite it with --regen-golden)."""
    golden_path = GOLDEN_DIR / f"{name}.png"
    if request.config.getoption("--regen-golden"):
        GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
        save_png(actual, golden_path)
        pytest.skip("golden regenerated")
    actual_path = tmp_path / f"{name}-actual.png"
    save_png(actual, actual_path)
    if not golden_path.exists():
        pytest.fail(f"golden {golden_path.name} is missing (actual image: {actual_path}); {REGEN_HINT}")
    with Image.open(golden_path) as golden:
        golden.load()
        fraction = diff_fraction(actual, golden)
        if fraction > TOLERANCE:
            save_diff(actual, golden, tmp_path / f"{name}-diff.png")
    assert fraction <= TOLERANCE, (
        f"{name}: the page differs from the golden ({actual.size} vs its size; {fraction:.4%} of pixels); "
        f"actual image: {actual_path}, diff: {tmp_path / f'{name}-diff.png'}; "
        f"if the change is intended, {REGEN_HINT}"
    )


@pytest.mark.parametrize("model", ESCP_MODELS)
def test_escp_receipt_matches_golden(model: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """Each ESC/P head and carriage prints the sample receipt as its golden image."""
    check_golden(model, escp_page(model), request, tmp_path)


def test_escpos_receipt_matches_golden(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """The 80 mm thermal printer prints the sample receipt as its golden image."""
    check_golden(ESCPOS_NAME, escpos_page(), request, tmp_path)


@pytest.mark.parametrize(
    "change",
    [
        {"amount_paise": 184_760},  # ₹1,847.50 → ₹1,847.60: one digit of the amount
        {"consumer_no": "210413021235"},  # the last digit of the consumer number
        {"operator": "Sunita Meenb"},  # one letter of the operator's name
    ],
    ids=["amount-digit", "consumer-digit", "operator-letter"],
)
def test_a_one_character_change_fails_the_golden(change: dict[str, object]) -> None:
    """The comparison is strict enough to catch one changed character of a receipt."""
    import dataclasses

    page = escp_page("tvs-msp455", dataclasses.replace(receipt(), **change))
    with Image.open(GOLDEN_DIR / "tvs-msp455.png") as golden:
        golden.load()
        assert diff_fraction(page, golden) > TOLERANCE


def test_receipt_is_deterministic() -> None:
    """Two renders of the fixed receipt are the same pixels (the goldens can be exact)."""
    assert diff_fraction(escp_page("tvs-msp455"), escp_page("tvs-msp455")) == 0.0


def clear_render_caches() -> None:
    """Forget every font-dependent cache of the render layer (widths, shapes, label column)."""
    fonts.clear_caches()
    shaping.clear_caches()
    grid._label_columns.cache_clear()  # keyed by an equal FontSet, so it outlives the others


@pytest.fixture
def basic_layout(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make the render layer load every face with Pillow's BASIC engine (no shaping)."""
    real_load_font = fonts.load_font  # the object shaping and ink imported by name

    def load_basic(path: Path, size: int, layout: fonts.Layout = fonts.Layout.RAQM) -> fonts.FreeTypeFont:
        return real_load_font(path, size, fonts.Layout.BASIC)

    clear_render_caches()
    monkeypatch.setattr(shaping, "load_font", load_basic)
    monkeypatch.setattr(ink, "load_font", load_basic)
    try:
        yield
    finally:
        monkeypatch.undo()
        clear_render_caches()


def test_unshaped_hindi_does_not_match_golden(basic_layout: None) -> None:
    """Without RAQM shaping (matras, conjuncts) the 24-pin page differs from the golden."""
    golden_path = GOLDEN_DIR / "tvs-msp455.png"
    if not golden_path.exists():
        pytest.fail(f"golden {golden_path.name} is missing; {REGEN_HINT}")
    actual = escp_page("tvs-msp455")
    with Image.open(golden_path) as golden:
        golden.load()
        fraction = diff_fraction(actual, golden)
    assert fraction > TOLERANCE, (
        f"unshaped Hindi differs by only {fraction:.4%}: the golden does not prove shaping"
    )


def test_shaped_render_restored_after_basic(basic_layout: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """After the BASIC engine is switched back, the page matches its golden again (no stale cache)."""
    escp_page("tvs-msp455")  # fill the caches with unshaped widths and shapes
    monkeypatch.undo()
    clear_render_caches()
    golden_path = GOLDEN_DIR / "tvs-msp455.png"
    if not golden_path.exists():
        pytest.fail(f"golden {golden_path.name} is missing; {REGEN_HINT}")
    with Image.open(golden_path) as golden:
        golden.load()
        assert diff_fraction(escp_page("tvs-msp455"), golden) <= TOLERANCE
