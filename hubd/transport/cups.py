"""``cups://QUEUE?server=/run/cups/cups.sock``: a raw CUPS queue as a print-job sink, over IPP.

``write`` collects the bytes of the current job; ``submit(title)`` hands them to the scheduler
as one IPP Print-Job (``document-format application/vnd.cups-raw``: no filters) and returns the
CUPS job id (``QUEUE-12``). ``queue_state`` reads the queue's printer-state,
printer-state-reasons, printer-state-message and printer-is-accepting-jobs with
Get-Printer-Attributes. ``server`` is the scheduler's unix socket path or ``host:port`` on
loopback (default ``/run/cups/cups.sock``). The IPP client is the transport's own
(``hubd.transport.ipp``, which the IPP document-printer driver uses too). The spooler,
not this transport, talks to the printer: a job that cannot reach it stays queued in CUPS.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from hubd.errors import HubError, TransportError
from hubd.transport import ipp
from hubd.transport.base import Caps, Transport
from hubd.transport.ipp import IppClient, Op, Tag, endpoint, local_user

log = logging.getLogger(__name__)

MAX_JOB_BYTES = 64 * 1024 * 1024
IPP_TIMEOUT = 10.0
RAW = "application/vnd.cups-raw"
_STATES = {3: "idle", 4: "processing", 5: "stopped"}
_STATE_ATTRIBUTES = (
    "printer-state",
    "printer-state-reasons",
    "printer-state-message",
    "printer-is-accepting-jobs",
)


@dataclass(frozen=True)
class QueueState:
    """A CUPS queue as the scheduler tells it: idle, processing or stopped, and why."""

    state: str
    """``idle``, ``processing`` or ``stopped`` (disabled)."""
    message: str = ""
    """The printer-state-message (a backend's or an admin's words)."""
    reasons: tuple[str, ...] = ()
    """printer-state-reasons (``paused``, ``media-empty-error``...), ``none`` dropped."""
    accepting: bool | None = None
    """Whether the queue accepts new jobs (None if the scheduler did not say)."""


class CupsTransport(Transport):
    """A raw CUPS queue: job bytes collected here, submitted with IPP Print-Job."""

    caps = Caps.SPOOLED

    def __init__(self, url: str) -> None:
        super().__init__(url)
        where = endpoint(url)
        self.queue = where.printer_uri.rsplit("/", 1)[1]
        self._client = IppClient(where, timeout=max(self.timeout, IPP_TIMEOUT), user=local_user())
        self._job = bytearray()
        self._open = False

    @property
    def is_open(self) -> bool:
        """True between ``open`` and ``close`` (there is no connection of our own)."""
        return self._open

    async def open(self) -> None:
        """Start collecting a job."""
        if not self._open:
            self._open = True
            self._job.clear()
            self._out.clear()

    async def close(self) -> None:
        """Drop bytes not yet submitted; close the connection to the scheduler."""
        self._open = False
        self._job.clear()
        await self._client.close()

    @property
    def job_size(self) -> int:
        """Bytes collected for the current job."""
        return len(self._job)

    async def _recv(self, timeout: float) -> bytes:
        raise TransportError(f"{self.url}: a CUPS queue is write-only", reason="WRITE_ONLY")

    async def _send_some(self, data: bytes, timeout: float) -> int:
        if len(self._job) + len(data) > MAX_JOB_BYTES:
            raise TransportError(f"{self.url}: job over {MAX_JOB_BYTES} bytes", reason="JOB_TOO_LARGE")
        self._job += data
        return len(data)

    async def submit(self, title: str) -> str:
        """Spool the collected bytes as one raw job titled ``title``; return the CUPS job id
        (``""`` when nothing was collected)."""
        await self.open()
        if not self._job:
            return ""
        safe_title = "".join(ch for ch in title if ch.isprintable())[:200] or "kioskhub"
        operation = [
            ipp.attr("job-name", Tag.NAME, safe_title),
            ipp.attr("document-format", Tag.MIME_TYPE, RAW),
        ]
        data = bytes(self._job)
        try:
            answer = await self._client.call(Op.PRINT_JOB, operation, document=data)
        except HubError as err:
            raise _as_transport_error(self.url, err) from err
        number = next(iter(ipp.values_of(answer, "job-id")), None)
        if not isinstance(number, int) or isinstance(number, bool) or number <= 0:
            raise TransportError(
                f"{self.url}: the scheduler answered without a job-id", reason="SPOOLER_ERROR"
            )
        self._job.clear()
        log.info("%s: spooled %d bytes as %s-%d", self.url, len(data), self.queue, number)
        return f"{self.queue}-{number}"

    async def queue_state(self) -> QueueState:
        """The queue's state; ``TransportError`` when the scheduler or the queue is gone."""
        requested = ipp.attr("requested-attributes", Tag.KEYWORD, *_STATE_ATTRIBUTES)
        try:
            message = await self._client.call(Op.GET_PRINTER_ATTRIBUTES, [requested])
        except HubError as err:
            raise _as_transport_error(self.url, err) from err
        state = next(iter(ipp.values_of(message, "printer-state")), None)
        if not isinstance(state, int) or state not in _STATES:
            raise TransportError(f"{self.url}: the scheduler gave no printer-state", reason="SPOOLER_ERROR")
        text = ipp.strings(ipp.values_of(message, "printer-state-message"))
        reasons = ipp.strings(ipp.values_of(message, "printer-state-reasons"))
        accepting = ipp.values_of(message, "printer-is-accepting-jobs")
        return QueueState(
            state=_STATES[state],
            message=text[0] if text else "",
            reasons=tuple(r for r in reasons if r != "none"),
            accepting=accepting[0] if accepting and isinstance(accepting[0], bool) else None,
        )


def _as_transport_error(url: str, err: HubError) -> TransportError:
    """Every failure of the spooler as a TransportError with a reason the printer worker knows."""
    if isinstance(err, TransportError):
        return err
    reason = {"PRINTER_NOT_FOUND": "NO_SUCH_DEVICE", "QUEUE_NOT_ACCEPTING": "QUEUE_NOT_ACCEPTING"}.get(
        err.reason, "SPOOLER_ERROR"
    )
    return TransportError(f"{url}: {err.message}", reason=reason)
