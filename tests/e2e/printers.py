"""Receipt printer simulators as processes (killed and restarted at the same address), and what
they put on paper, read from their own job files - never from the hub."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kioskhub.simulators.control import control

FOOTER = re.compile(r"^\s*kioskhub-job:\s*(\S+)\s*$")
BANNER = "*** DUPLICATE COPY ***"
LAST_LINES = ("Payment is credited", "Please keep this receipt")
"""ASCII lines every sample receipt prints in this order after its transaction id."""


@dataclass(frozen=True)
class Link:
    """A receipt driver on one kind of link, and how its simulator is started."""

    simulator: str
    listen: str
    driver: str
    options: dict[str, Any]
    slow_bps: int
    """A speed at which one sample receipt takes about a second to print."""
    bytes_only: bool = False
    """No return channel: a job is done once the link took every byte."""


@dataclass
class Copy:
    """One printout of a job on paper: its lines up to and including the footer."""

    job_id: str
    lines: list[str]
    where: str

    @property
    def duplicate(self) -> bool:
        """Printed with the DUPLICATE banner."""
        return any(BANNER in line for line in self.lines)

    def complete(self, transaction_id: str) -> bool:
        """The whole receipt: its transaction id, then the last lines, then the footer (from the
        banner on, for a duplicate: a cut-off first attempt may precede it)."""
        start = next((i for i, line in enumerate(self.lines) if BANNER in line), 0)
        wanted = [transaction_id, *LAST_LINES]
        for line in self.lines[start:]:
            if wanted and wanted[0] in line:
                wanted.pop(0)
        return not wanted


@dataclass
class Paper:
    """Every printout in a printer's output folders (one per power-on), in print order."""

    copies: dict[str, list[Copy]] = field(default_factory=dict)

    @classmethod
    def read(cls, root: Path) -> Paper:
        """Split each job transcript at its footers: each piece is one printout of that job."""
        paper = cls()
        boots = sorted(root.glob("boot-*"), key=lambda p: int(p.name.split("-")[1]))
        for boot in boots:
            for txt in sorted(boot.glob("job-*.txt")):
                piece: list[str] = []
                for line in txt.read_text(encoding="utf-8").splitlines():
                    piece.append(line)
                    if match := FOOTER.match(line):
                        job_id = match.group(1)
                        where = f"{boot.name}/{txt.name}"
                        paper.copies.setdefault(job_id, []).append(Copy(job_id, piece, where))
                        piece = []
        return paper

    def complete(self, job_id: str, transaction_id: str) -> list[Copy]:
        """The complete printouts of a job."""
        return [c for c in self.copies.get(job_id, []) if c.complete(transaction_id)]


class PrinterProcess:
    """``kioskhub-sim`` for one printer; ``kill`` and ``start`` again bring it back at the same
    address (TCP and SNMP ports, or the pty's link) with an empty memory and a new output folder."""

    def __init__(self, tmp: Path, link: Link) -> None:
        self.tmp, self.link = tmp, link
        self.control = f"unix://{tmp}/printer.ctl"
        self.paper_dir = tmp / "paper"
        self.url = ""
        self.boots = 0
        self.proc: subprocess.Popen[str] | None = None

    def start(self, **settings: object) -> PrinterProcess:
        """Start (again); ``settings`` are state fields set before it serves."""
        self.boots += 1
        out = self.paper_dir / f"boot-{self.boots}"
        out.mkdir(parents=True)
        listen = self.url if self.url.startswith("tcp://") else self.link.listen.format(dir=self.tmp)
        sets = [arg for key, value in settings.items() for arg in ("--set", f"{key}={value}")]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kioskhub.simulators.cli", self.link.simulator, "--listen", listen,
             "--control", self.control, "--set", f"out_dir={out}", *sets],
            stdout=subprocess.PIPE, text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, f"{self.link.simulator} did not start (exit {self.proc.poll()})"
        self.url = json.loads(line)["url"]
        return self

    def ctl(self, command: str) -> str:
        """One control command; its reply after ``OK``."""
        reply = control(self.control, command)
        assert reply.startswith("OK"), f"{command!r}: {reply}"
        return reply[3:]

    def bytes_taken(self) -> int:
        """Bytes the printer has read (and printed) since it was switched on."""
        return int(json.loads(self.ctl("get"))["stats"]["bytes"])

    def paper_is_out(self) -> bool:
        """The printer's own paper sensor (ESC/P ``paper_empty``, ESC/POS ``paper``)."""
        state = json.loads(self.ctl("get"))
        return bool(state.get("paper_empty")) or state.get("paper") == "out"

    def kill(self) -> None:
        """Power gone: SIGKILL; a pty's link goes with it (as udev removes a by-id link)."""
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(10)
        link = Path(self.link.listen.format(dir=self.tmp).removeprefix("pty://"))
        if self.link.listen.startswith("pty://"):
            link.unlink(missing_ok=True)

    def stop(self) -> None:
        """SIGTERM (SIGKILL if it lingers)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def paper(self) -> Paper:
        """What is on paper now, from the simulator's own files."""
        return Paper.read(self.paper_dir)
