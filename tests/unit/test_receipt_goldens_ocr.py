"""Every golden receipt page read by tools that are not ours: zbarimg decodes the QR code to the
transaction id, tesseract (``-l eng``) finds each ASCII field's value exactly, and tesseract
(``-l hin``) reads each Hindi label within a character error rate. The DUPLICATE banner's Hindi
half, "प्रतिलिपि", is read too. (Our renderer, encoder and simulator agreeing with each other
proves little; these readers know nothing of them.)"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from hubd.render import labels
from tests.stacks.base import skip_or_fail
from tests.unit.test_receipt_goldens import ESCP_MODELS, ESCPOS_NAME, GOLDEN_DIR, receipt

PAGES = (*ESCP_MODELS, ESCPOS_NAME)
MAX_CER = 0.15
"""Largest character error rate accepted over all the Hindi labels of a page (tesseract's hin
model on dot-matrix glyphs is good but not perfect: ई read as र्ड, a halant as a separate sign)."""
MAX_LABEL_CER = 0.4
"""...and for any one label: beyond this a label is garbled, not misread."""


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        skip_or_fail(f"{name} is not installed (Debian: zbar-tools / tesseract-ocr-hin)")
    return path


def ocr(image: Image.Image, lang: str, tmp_path: Path) -> str:
    """Text tesseract reads in ``image`` (its own page segmentation); a narrow page (80 mm thermal
    at 203 dpi) is enlarged first, as a scanner would read it at a higher resolution."""
    path = tmp_path / f"ocr-{lang}.png"
    if image.width < 1000:
        image = image.convert("L").resize((image.width * 2, image.height * 2), Image.Resampling.LANCZOS)
    image.save(path)
    out = subprocess.run(
        [tool("tesseract"), str(path), "-", "-l", lang],
        capture_output=True,
        text=True,
        timeout=120,
        env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"},
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def best_edits(wanted: str, text: str) -> int:
    """Edits from ``wanted`` to the closest stretch of any line of ``text``."""
    best = len(wanted)
    for line in filter(None, (line.strip() for line in text.splitlines())):
        for start in range(max(1, len(line) - len(wanted) + 1)):
            best = min(best, edit_distance(wanted, line[start : start + len(wanted)]))
    return best


@pytest.mark.parametrize("name", PAGES)
def test_the_qr_code_decodes_to_the_transaction_id(name: str) -> None:
    path = GOLDEN_DIR / f"{name}.png"
    out = subprocess.run(
        [tool("zbarimg"), "-q", "--raw", str(path)], capture_output=True, text=True, timeout=60
    )
    assert out.stdout.split() == [receipt().transaction_id], out.stdout + out.stderr


@pytest.mark.parametrize("name", PAGES)
def test_tesseract_reads_the_fields_and_the_hindi_labels(name: str, tmp_path: Path) -> None:
    r = receipt()
    with Image.open(GOLDEN_DIR / f"{name}.png") as page:
        page.load()
    english = ocr(page, "eng", tmp_path)
    flat = "".join(english.split())  # OCR puts stray spaces in numbers ("1, 847.50")
    for value in (r.kiosk_id, r.receipt_no, r.transaction_id, r.consumer_no, r.operator, "1,847.50"):
        assert value.replace(" ", "") in flat, f"{name}: tesseract did not read {value!r} in:\n{english}"
    # The Hindi labels sit in the left column: read that part alone (faster, less noise).
    hindi = ocr(page.crop((0, 0, page.width * 11 // 20, page.height)), "hin", tmp_path)
    wanted = [label.split(" / ")[0] for label in labels.ALL]
    edits = {label: best_edits(label, hindi) for label in wanted}
    cer = sum(edits.values()) / sum(map(len, wanted))
    garbled = {label: n for label, n in edits.items() if n / len(label) > MAX_LABEL_CER}
    assert cer <= MAX_CER and not garbled, f"{name}: Hindi labels CER {cer:.0%}, garbled {garbled}:\n{hindi}"


@pytest.mark.parametrize("model", ["tvs-msp455", "tvs-msp250"])
def test_the_duplicate_banner_reads_in_both_languages(model: str, tmp_path: Path) -> None:
    """A reprint's banner says DUPLICATE and प्रतिलिपि to a reader that is not ours."""
    from datetime import UTC, datetime

    from hubd.classes.printer.documents import BANNER_HI, build_program, check_text
    from hubd.classes.printer.records import Job, JobState, sha256
    from kioskhub.drivers.escp.driver import EscpPrinter
    from kioskhub.simulators.escp_interp import EscpInterpreter

    now = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    payload = check_text("Electricity bill paid\n")
    job = Job(
        "j-0123456789ab",
        "receipt",
        "k",
        "text",
        payload,
        sha256(payload),
        JobState.PRINTING,
        "",
        "",
        2,
        True,
        now,
        now,
        None,
        None,
        None,
    )
    printer = EscpPrinter("receipt", "tcp://127.0.0.1:9", {"model": model})
    data = printer.encode(build_program(job, printer.geometry()))
    sim = EscpInterpreter(printer.profile.pins, printer.profile.columns)
    sim.feed(data)
    page = sim.end_job().pages[0]  # type: ignore[union-attr]
    top = page.crop((0, 0, page.width, page.height // 3))
    assert "DUPLICATE" in ocr(top, "eng", tmp_path)
    hindi = ocr(top, "hin", tmp_path)
    assert best_edits(BANNER_HI, hindi) <= 2, f"{model}: {BANNER_HI} not read in:\n{hindi}"
