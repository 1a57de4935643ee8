"""Demo step: an applicant photo with every check (its portal-ready JPEG and the check table), then
a page on the desk captured by webcam into a size-capped PDF."""

from __future__ import annotations

from hubd.demo.session import Session

TITLE = "Camera: an applicant photo with its checks, and a page captured by webcam (simulated MJPEG camera)"
DOCUMENT_MAX_KB = 300


def run(session: Session) -> None:
    """Check the applicant's photo; then show the camera a page and make a capped PDF of it."""
    photo = session.out / "applicant-photo.jpg"
    shown = session.hubctl("camera", "capture", "--check", "-o", str(photo),
                           "--frame", str(session.out / "applicant-frame.jpg"))
    checks = session.out / "applicant-photo-checks.txt"
    checks.write_text(shown, encoding="utf-8")
    lines = shown.splitlines()
    passed = sum(1 for line in lines[2:] if "  PASS  " in line)
    session.record("applicant photo with checks", lines[0].split(" -> ")[0], photo)
    session.record("the check table (Hindi / English)", f"{passed} of {len(lines) - 2} checks passed", checks)

    session.sim_control("camera", "set", "width", "1280")
    session.sim_control("camera", "set", "height", "960")
    session.sim_control("camera", "scene", "document")
    try:
        pdf = session.out / "webcam-document.pdf"
        shown = session.hubctl("camera", "document", "-o", str(pdf), "--max-kb", str(DOCUMENT_MAX_KB))
        made = shown.splitlines()[-1].split(" -> ")[0]
        session.record("a page on the desk captured by webcam", made, pdf)
    finally:
        session.sim_control("camera", "scene", "face")
        session.sim_control("camera", "set", "width", "640")
        session.sim_control("camera", "set", "height", "480")
