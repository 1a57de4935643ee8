"""The document checker's child process, kept warm between documents.

Starting Python and importing pikepdf costs ~100 ms of CPU on a kiosk PC, more than CUPS takes
to pass a document on; so one checker child serves document after document (one at a time: a
JSON request line on its stdin, a JSON verdict line on its stdout) and exits when the hub has
sent nothing for ``IDLE_SECONDS`` (its ~40 MB are not kept for a printer used twice a day).
The child limits its own address space once and its CPU time per document (``pdf._serve``).
A document that kills it (memory, CPU), hangs past the wall-clock limit, or is abandoned by its
caller ends that child; the next document starts a new one. The exchange runs in a worker
thread with blocking pipes, so the child belongs to no event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import select
import subprocess
import sys
import threading
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hubd.classes.printer.pdf_checks import PdfLimits

log = logging.getLogger(__name__)

IDLE_SECONDS = 60.0
_SCRIPT = Path(__file__).with_name("pdf_checks.py")


class CheckerDied(Exception):
    """The child ended without a verdict; ``returncode`` and the last line of its stderr."""

    def __init__(self, returncode: int | None, tail: str) -> None:
        super().__init__(tail or f"exit {returncode}")
        self.returncode = returncode
        self.tail = tail


class CheckerProcess:
    """One warm checker child; one document at a time."""

    def __init__(self) -> None:
        self._turn = threading.Lock()
        """Held for a whole exchange: documents are checked one after another."""
        self._guard = threading.Lock()
        """Held while ``_proc`` is started or stopped (``stop`` may come from another thread)."""
        self._proc: subprocess.Popen[bytes] | None = None
        self._limits: PdfLimits | None = None
        self._timer: threading.Timer | None = None

    @property
    def pid(self) -> int | None:
        """The child's pid while one runs."""
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

    async def check(self, limits: PdfLimits, kind: str, source: Path, target: Path,
                    timeout: float) -> dict[str, Any]:
        """The child's verdict on ``source``; TimeoutError past ``timeout`` s, CheckerDied."""
        gave_up = threading.Event()
        try:
            return await asyncio.to_thread(self._exchange, limits, kind, source, target, timeout, gave_up)
        except asyncio.CancelledError:
            gave_up.set()  # a thread yet to start the child will not; one that has, sees it killed
            self.stop()
            raise

    def _exchange(self, limits: PdfLimits, kind: str, source: Path, target: Path,
                  timeout: float, gave_up: threading.Event) -> dict[str, Any]:
        with self._turn:
            proc = self._ready(limits, gave_up)
            assert proc.stdin is not None and proc.stdout is not None
            try:
                proc.stdin.write(json.dumps([kind, str(source), str(target)]).encode() + b"\n")
                proc.stdin.flush()
            except OSError:
                raise self._died(proc) from None
            readable, _, _ = select.select([proc.stdout], [], [], timeout)
            if not readable:
                self.stop()
                raise TimeoutError(f"the checker gave no verdict within {timeout:g} s")
            line = proc.stdout.readline()
            if not line:
                raise self._died(proc)
            verdict: dict[str, Any] = json.loads(line)
            if verdict.get("restart"):  # it ran out of memory: its heap is not to be trusted
                self.stop()
            else:
                self._idle_timer()
            return verdict

    def _ready(self, limits: PdfLimits, gave_up: threading.Event) -> subprocess.Popen[bytes]:
        with self._guard:
            if gave_up.is_set():
                raise CheckerDied(None, "the caller gave up")
            if self._timer is not None:
                self._timer.cancel()
            if self._proc is not None and (self._proc.poll() is not None or self._limits != limits):
                self._end(self._proc)
                self._proc = None
            if self._proc is None:
                # The script imports nothing of the hub; -P: its folder is not put on sys.path
                # (queue.py there would hide the stdlib's). It limits itself first thing: no
                # preexec_fn, which is not safe between fork and exec in a threaded process.
                self._proc = subprocess.Popen(
                    [sys.executable, "-P", str(_SCRIPT), "--serve", json.dumps(asdict(limits))],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                )
                self._limits = limits
            return self._proc

    def _died(self, proc: subprocess.Popen[bytes]) -> CheckerDied:
        with self._guard:
            if self._proc is proc:
                self._proc = None
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        proc.wait()
        try:
            err = proc.stderr.read() if proc.stderr is not None else b""
        except (OSError, ValueError):  # stopped meanwhile: its pipes are closed
            err = b""
        self._end(proc)
        lines = err.decode("utf-8", "replace").strip().splitlines()
        return CheckerDied(proc.returncode, lines[-1] if lines else "")

    def _idle_timer(self) -> None:
        with self._guard:
            self._timer = threading.Timer(IDLE_SECONDS, self.stop)
            self._timer.daemon = True
            self._timer.start()

    def stop(self) -> None:
        """Stop the child now (idle, abandoned, or the hub is stopping)."""
        with self._guard:
            proc, self._proc = self._proc, None
            if self._timer is not None:
                self._timer.cancel()
            if proc is not None:
                self._end(proc)

    @staticmethod
    def _end(proc: subprocess.Popen[bytes]) -> None:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        proc.wait()
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()


CHECKER = CheckerProcess()
"""The process's checker (one child at most)."""
