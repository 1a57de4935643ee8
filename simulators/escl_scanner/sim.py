"""An eSCL (AirScan) network scanner on 127.0.0.1: ``kioskhub-sim escl_scanner --listen tcp://127.0.0.1:0``.

The URL it returns is ``escl://127.0.0.1:PORT/eSCL`` (plain HTTP). Resources, as a real
scanner's embedded web server serves them (see ``documents`` and ``model``)::

    GET    /eSCL/ScannerCapabilities          200
    GET    /eSCL/ScannerStatus                200
    POST   /eSCL/ScanJobs                     201 + Location | 400 | 409 | 503
    GET    /eSCL/ScanJobs/<id>/NextDocument   200 image | 503 retry | 404 no more | 410 aborted
    DELETE /eSCL/ScanJobs/<id>                200 | 404

Faults (Python: ``sim.state.<field>``, or the control socket): ``jam [SHEET|off]``,
``adf_empty``, ``load N``, ``busy on|off``, ``cover on|off``, ``slow SECONDS``,
``warmup SECONDS``, ``drop [PAGE|off]`` (connection cut half-way through a page), plus the
shared ``unplug``/``replug`` (no answers), ``fault garbage on`` and ``fault delay SECONDS``.
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import re
from collections.abc import Callable
from typing import Any, ClassVar
from urllib.parse import urlsplit

from kioskhub.simulators.base import Simulator, SimulatorError
from kioskhub.simulators.control import CommandError, one_arg, parse_bool
from kioskhub.simulators.escl_scanner import documents
from kioskhub.simulators.escl_scanner.http import HttpError, Request, Response, read_request
from kioskhub.simulators.escl_scanner.model import EsclScannerState, Scanner
from kioskhub.simulators.ports import StreamPort

log = logging.getLogger(__name__)

ROOT = "/eSCL"
_JOB = re.compile(r"/eSCL/ScanJobs/([0-9a-f]{32})(/NextDocument)?/?")


class EsclScannerSim(Simulator):
    """An eSCL scanner with a flatbed and a duplex feeder, serving HTTP on loopback."""

    name: ClassVar[str] = "escl_scanner"
    description: ClassVar[str] = "eSCL (AirScan) network scanner: flatbed + duplex feeder, A4"
    state: EsclScannerState

    def __init__(self, state: EsclScannerState | None = None, *, seed: int | None = None) -> None:
        super().__init__(state, seed=seed)
        self.scanner = Scanner(self.state)
        self.uuid = "4509a320-00a0-008f-00b6-002507510eca"
        self.port = 0
        self.log: collections.deque[tuple[str, str, int]] = collections.deque(maxlen=500)
        """(method, path, status) of the latest requests, for tests."""

    @classmethod
    def default_state(cls) -> EsclScannerState:
        """A form on the glass, three sheets in the feeder, no faults."""
        return EsclScannerState()

    @property
    def url(self) -> str:
        """The driver URL of this scanner."""
        return f"escl://127.0.0.1:{self.port}{ROOT}"

    def on_bytes(self, session: Any, data: bytes) -> list[bytes]:
        """Unused: HTTP is served per request by ``_client``."""
        return []

    async def _listen(self, listen: str) -> str:
        if urlsplit(listen).scheme != "tcp":
            raise SimulatorError(f"{listen!r}: eSCL is HTTP; listen on tcp://127.0.0.1:PORT")
        url = await self._serve_stream(listen, self._client)
        self.port = int(url.rsplit(":", 1)[1])
        return self.url

    # ------------------------------------------------------------------ HTTP
    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        port = StreamPort(reader, writer, None)
        async with self._connection(port):
            while True:
                try:
                    request = await read_request(reader)
                except HttpError as err:
                    refusal = Response(err.status, str(err).encode(), "text/plain")
                    await port.write(refusal.head() + refusal.body)
                    return
                if request is None:
                    return
                if self.unplugged:
                    continue
                response = self.handle(request)
                self.log.append((request.method, request.path, response.status))
                if self.delay > 0:
                    await asyncio.sleep(self.delay)
                if self.garbage:
                    await port.write(self.junk(response.head()))
                    return
                if response.cut_after is not None:
                    await port.write(response.head() + response.body[: response.cut_after])
                    await port.abort()
                    return
                await port.write(response.head() + response.body)
                self.replies_sent += 1
                if not request.keep_alive:
                    return

    def handle(self, req: Request) -> Response:
        """Route one request."""
        if req.path in (f"{ROOT}/ScannerCapabilities", f"{ROOT}/ScannerStatus", f"{ROOT}/ScanJobs"):
            allowed = "POST" if req.path.endswith("ScanJobs") else "GET"
            if req.method != allowed:
                return Response(405, headers={"Allow": allowed})
            if req.path.endswith("Capabilities"):
                return Response(200, documents.capabilities(self.state.make_and_model, self.uuid))
            if req.path.endswith("Status"):
                return Response(200, self.scanner.status_xml())
            return self._create(req)
        match = _JOB.fullmatch(req.path)
        job = self.scanner.jobs.get(match.group(1)) if match else None
        if match is None or job is None:
            return Response(404)
        if match.group(2):  # NextDocument
            if req.method != "GET":
                return Response(405, headers={"Allow": "GET"})
            status, data = self.scanner.next_document(job)
            if status != 200:
                return Response(status)
            fmt = job.settings.document_format
            cut = None
            if self.state.drop_at_page == job.delivered:
                self.state.drop_at_page, cut = None, len(data) // 2
            return Response(200, data, fmt, cut_after=cut)
        if req.method != "DELETE":
            return Response(405, headers={"Allow": "DELETE"})
        self.scanner.cancel(job)
        return Response(200)

    def _create(self, req: Request) -> Response:
        try:
            settings = documents.parse_settings(req.body)
        except documents.BadSettings as err:
            return Response(400, str(err).encode(), "text/plain")
        status, job = self.scanner.create(settings)
        if job is None:
            return Response(status)
        host = req.headers.get("host") or f"127.0.0.1:{self.port}"
        return Response(201, headers={"Location": f"http://{host}{ROOT}/ScanJobs/{job.uuid}"})

    # ------------------------------------------------------------------ control
    def snapshot(self) -> dict[str, Any]:
        """The state plus the live engine and feeder states."""
        out = super().snapshot()
        out.update(engine=self.scanner.engine_state(), adf=self.scanner.adf_state(),
                   jobs=len(self.scanner.jobs))
        return out

    def control_commands(self) -> dict[str, tuple[str, Any]]:
        """The scanner's faults as control commands."""
        def switch(key: str) -> Callable[[list[str]], str]:
            def run(args: list[str]) -> str:
                setattr(self.state, key, parse_bool(one_arg(args)))
                return f"{key} {'on' if getattr(self.state, key) else 'off'}"
            return run

        return {
            "jam": ("jam [SHEET|off]", self._jam),
            "clear": ("clear (take out a jammed sheet)",
                      lambda args: self._set(jammed=False, jam_at_sheet=None)),
            "adf_empty": ("adf_empty", lambda args: self._set(adf_sheets=0)),
            "load": ("load N", lambda args: self._set(adf_sheets=_count(one_arg(args), 0, 500))),
            "busy": ("busy on|off", switch("busy")),
            "cover": ("cover on|off", switch("cover_open")),
            "slow": ("slow SECONDS", lambda args: self._set(scan_seconds=_seconds(one_arg(args)))),
            "warmup": ("warmup SECONDS", lambda args: self._set(warmup_seconds=_seconds(one_arg(args)))),
            "drop": ("drop [PAGE|off]", self._drop),
            "jobs": ("jobs", lambda args: json.dumps([[j.uuid, j.state, j.delivered]
                                                      for j in self.scanner.jobs.values()])),
        }

    def _set(self, **values: Any) -> str:
        for key, value in values.items():
            setattr(self.state, key, value)
        return " ".join(f"{k}={json.dumps(v)}" for k, v in values.items())

    def _jam(self, args: list[str]) -> str:
        if args == ["off"]:
            return self._set(jam_at_sheet=None, jammed=False)
        return self._set(jam_at_sheet=_count(args[0], 1, 500) if args else 1)

    def _drop(self, args: list[str]) -> str:
        if args == ["off"]:
            return self._set(drop_at_page=None)
        return self._set(drop_at_page=_count(args[0], 1, 1000) if args else 1)


def _count(raw: str, low: int, high: int) -> int:
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise CommandError(f"expected a whole number {low}..{high}, got {raw[:20]!r}")
    return int(raw)


def _seconds(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError as err:
        raise CommandError(f"expected seconds, got {raw[:20]!r}") from err
    if not 0 <= value <= 600:
        raise CommandError("seconds must be within 0..600")
    return value
