"""What the ESC/P and ESC/POS printer simulators share: fonts, job ids, job files, paper supply.

Both write each job as ``job-NNNN.*`` files in an output folder with an ``index.json`` that maps
each job number and each ``kioskhub-job: <id>`` line printed on it to an entry naming its files;
files are replaced atomically (written to ``NAME.tmp``, then renamed) so a reader never sees half.
"""

from __future__ import annotations

import glob
import json
import logging
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

Bits = npt.NDArray[np.bool_]
"""Dots as a bool array (True = ink)."""
JOB_ID = re.compile(r"kioskhub-job:\s*(\S+)")
"""The footer line the hub prints on every job; its id is indexed."""
_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansMono-Regular.ttf",
)


def find_mono_font() -> str | None:
    """A monospace TrueType font from the system, or None (PIL's default font is used then)."""
    for path in _FONT_CANDIDATES:
        if os.path.exists(path):
            return path
    found = sorted(glob.glob("/usr/share/fonts/**/*Mono*.ttf", recursive=True))
    return found[0] if found else None


def job_stem(number: int) -> str:
    """``job-NNNN``: the name every file of job ``number`` starts with."""
    return f"job-{number:04d}"


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` at once (via ``path.tmp``)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


class JobIndex:
    """``index.json``: ``jobs`` (number -> entry), ``ids`` (kioskhub job id -> entry) and any
    further sections, rewritten whole on every change."""

    def __init__(self, out_dir: Path, *sections: str) -> None:
        self.dir = out_dir
        self.data: dict[str, dict[str, object]] = {"jobs": {}, "ids": {}}
        self.data.update((name, {}) for name in sections)

    def record(self, number: int, entry: dict[str, object], ids: Iterable[str]) -> None:
        """Set job ``number``'s entry (also under each of its ``ids``) and write the index."""
        self.data["jobs"][str(number)] = entry
        for job_id in ids:
            self.data["ids"][job_id] = entry
        text = json.dumps(self.data, indent=1, sort_keys=True)
        write_atomic(self.dir / "index.json", text.encode("utf-8"))


class PaperSupply(Protocol):
    """A printer state with the ``paper_out_after_lines`` fault switch."""

    paper_out_after_lines: int | None


def paper_runs_out(state: PaperSupply, lines_since_load: int) -> bool:
    """True once ``paper_out_after_lines`` lines were printed since paper was loaded; the
    one-shot fault is cleared then (the caller marks the paper out)."""
    limit = state.paper_out_after_lines
    if limit is None or lines_since_load < limit:
        return False
    log.info("paper out after %d lines", lines_since_load)
    state.paper_out_after_lines = None
    return True
