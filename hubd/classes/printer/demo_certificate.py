"""Demo step: a bilingual certificate printed on the A4 laser printer (IPP).

The certificate is made here with the receipts' Devanagari fonts and shaping (Pillow with raqm: the
conjuncts of निवास, प्रमाण, राजस्थान come out whole) as an A4 page at 150 dpi, wrapped losslessly
in a PDF by img2pdf, streamed to the hub with ``hubctl print document``, and the page the printer
received is rendered to PNG (pdftoppm at the printer) and left in ``demo-output/``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from hubd.demo.session import Session

TITLE = "Printing: a bilingual certificate on the A4 laser printer (IPP)"
DPI = 150
A4_PX = (round(210 / 25.4 * DPI), round(297 / 25.4 * DPI))
LINES: tuple[tuple[str, int, bool], ...] = (
    ("राजस्थान सरकार", 44, True),
    ("Government of Rajasthan", 34, True),
    ("", 20, False),
    ("मूल निवास प्रमाण पत्र", 40, True),
    ("Certificate of Domicile", 32, True),
    ("", 30, False),
    ("प्रमाणित किया जाता है कि श्रीमती सुनीता शर्मा", 28, False),
    ("This is to certify that Smt. Sunita Sharma,", 26, False),
    ("पत्नी श्री राकेश शर्मा, निवासी वार्ड 12, सांगानेर, जयपुर", 28, False),
    ("wife of Shri Rakesh Sharma, resident of Ward 12, Sanganer, Jaipur,", 26, False),
    ("राजस्थान राज्य की मूल निवासी हैं।", 28, False),
    ("is a bona fide resident of the State of Rajasthan.", 26, False),
    ("", 40, False),
    ("प्रमाण पत्र संख्या / Certificate No.: RJ/JPR/2026/004217", 24, False),
    ("जारी करने की तिथि / Date of issue: 05-12-2026", 24, False),
    ("ई-मित्र केन्द्र / e-Mitra kiosk: K1100234, Sanganer", 24, False),
    ("", 60, False),
    ("तहसीलदार, सांगानेर / Tehsildar, Sanganer", 26, True),
)


def make_certificate(path: Path) -> Path:
    """Draw the certificate and write it as a one-page A4 PDF."""
    import img2pdf
    from PIL import Image, ImageDraw

    from hubd.render.fonts import find_font, font_set, load_font
    from hubd.render.shaping import split_runs

    fonts = font_set()
    serif = {bold: find_font((f"NotoSerif-{'Bold' if bold else 'Regular'}.ttf",
                              "DejaVuSerif-Bold.ttf" if bold else "DejaVuSerif.ttf"))
             or fonts.path(devanagari=False, bold=bold) for bold in (False, True)}
    page = Image.new("L", A4_PX, 255)
    draw = ImageDraw.Draw(page)
    margin = round(15 / 25.4 * DPI)
    draw.rectangle((margin, margin, A4_PX[0] - margin, A4_PX[1] - margin), outline=0, width=4)
    y = margin * 2.2
    for text, size, bold in LINES:
        runs = [
            (run, load_font(fonts.path(devanagari=True, bold=bold) if deva else serif[bold], size))
            for run, deva in split_runs(text)
        ]
        width = sum(font.getlength(run) for run, font in runs)
        x = (A4_PX[0] - width) / 2
        for run, font in runs:
            draw.text((x, y + size), run, font=font, fill=0, anchor="ls")
            x += font.getlength(run)
        y += size * 1.9
    png = path.with_suffix(".png")
    page.save(png, dpi=(DPI, DPI))
    path.write_bytes(img2pdf.convert(str(png), layout_fun=img2pdf.get_fixed_dpi_layout_fun((DPI, DPI))))
    return path


def _printed_pages(session: Session, job_id: str) -> list[Path]:
    out = Path(session.simulator("laser")["output"])
    return sorted(out.glob(f"*{job_id}*.png"))


def run(session: Session) -> None:
    """Make the certificate, print it on the laser, show the job and the printer's status."""
    pdf = make_certificate(session.out / "certificate.pdf")
    session.say(f"certificate made with the hub's own shaping: {pdf}")
    out = session.hubctl("print", "document", str(pdf), "--title", "Domicile certificate", "--wait", "--json",
                         show=False)
    job = json.loads(out)
    session.say(f"$ hubctl print document {pdf.name} --wait")
    session.say(f"job {job['print_job_id']}: {job['state']} ({job.get('page_count', 0)} page)")
    session.wait_for(lambda: bool(_printed_pages(session, job["print_job_id"])), 20, "the printed page")
    [printed] = _printed_pages(session, job["print_job_id"])[:1]
    kept = session.out / "certificate-printed.png"
    shutil.copyfile(printed, kept)
    session.say(f"the page as the printer received it: {kept}")
    session.hubctl("printer", "laser")
    outcome = job["state"].removeprefix("STATE_").lower()
    session.record("print a bilingual certificate on laser", outcome, kept)
