"""An ESC/P printer's status channel on its link, and what it says about the job in flight.

ESC/P is one-way: status comes out of band, by what the link can do (``Caps``, protocols.md
§1.3): the usblp port status byte (``PORT_STATUS``), the print server's SNMP agent
(``tcp://HOST:9100?status=snmp://HOST:161``: HOST-RESOURCES-MIB and Printer-MIB), or the CUPS
queue (``SPOOLED``). A link with none of these gives ``unknown``, never OK. For a job the channel
keeps the SNMP uptime and page count from before it (``begin_job``), which tell whether the job
got through (``snmp_busy``), and it says when a spooled job is through (``confirm_spooled``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from urllib.parse import urlsplit

from hubd.classes.printer.contract import JOB_LOST, UNCONFIRMED, Confirmation, Delivery, PrinterStatus
from hubd.driver_api import (
    Caps,
    DeviceState,
    HubError,
    StatusSource,
    Transport,
    TransportError,
)
from kioskhub.drivers.escp.status import (
    NO_STATUS_CHANNEL,
    JobCounters,
    SnmpTarget,
    from_queue,
    printer_status_from_port_byte,
    printer_status_from_snmp,
    unknown,
)
from kioskhub.drivers.snmp import printer_mib as mib
from kioskhub.drivers.snmp.client import SnmpValue, snmp_get

log = logging.getLogger(__name__)

SNMP_TIMEOUT = 1.0


class StatusChannel:
    """Where one ESC/P printer's status comes from (``source``), read over its link."""

    def __init__(self, name: str, url: str, transport: Transport, snmp: SnmpTarget | None,
                 timeout: float) -> None:
        self.name = name
        self.url = url
        self.timeout = timeout
        self.snmp = snmp
        """The print server's SNMP agent (``status=snmp://`` in the URL: ``status.snmp_target``)."""
        self._transport = transport
        caps = transport.caps
        if Caps.SPOOLED in caps:
            self.source = StatusSource.SPOOLER
        elif Caps.PORT_STATUS in caps or self.snmp is not None:
            self.source = StatusSource.DEVICE
        else:
            self.source = StatusSource.INFERRED
        self.baseline: JobCounters | None = None
        """SNMP uptime and page count before the job (None: not known)."""
        self._counter_moves = False
        """The print server's page counter has been seen to move (some never do)."""

    @property
    def exists(self) -> bool:
        """False when the link carries no status back (a serial line, AppSocket without SNMP)."""
        return self.source is not StatusSource.INFERRED

    async def read(self) -> PrinterStatus:
        """Observe the printer through the link's status channel, or say there is none."""
        caps = self._transport.caps
        if Caps.PORT_STATUS in caps:
            byte = await self._transport.port_status()
            if byte is None:
                return unknown(NO_STATUS_CHANNEL, f"{self._transport.parsed.path} gives no port status "
                               "(not a usblp device)", StatusSource.DEVICE)
            return printer_status_from_port_byte(byte)
        if Caps.SPOOLED in caps:
            return from_queue(self._queue_name(), await self._transport.queue_state())
        if self.snmp is not None:
            return printer_status_from_snmp(await self.snmp_values())
        if Caps.HALF_CLOSE in caps:
            return unknown(NO_STATUS_CHANNEL, "AppSocket has no return channel (add status=snmp://)")
        await self._transport.open()  # the port exists; what the printer does is not visible
        return unknown(NO_STATUS_CHANNEL, "a serial ESC/P printer sends no status")

    async def begin_job(self) -> None:
        """Note the print server's uptime and page count, to tell the job through later."""
        self.baseline = None
        if self.snmp is not None:
            try:
                self.baseline = JobCounters.from_snmp(await self.snmp_values())
            except HubError as err:
                log.debug("%s: no SNMP counters before the job: %s", self.name, err)

    async def for_job(self) -> tuple[PrinterStatus | None, Mapping[str, SnmpValue] | None, str]:
        """(status, SNMP values, why there is no status): a failed read is no status, never OK."""
        try:
            if self.snmp is not None:
                values = await self.snmp_values()
                return printer_status_from_snmp(values), values, ""
            if self.exists:
                return await self.read(), None, ""
        except HubError as err:
            return None, None, err.message
        return None, None, "this link carries no status back"

    def snmp_busy(self, values: Mapping[str, SnmpValue]) -> str:
        """Why the SNMP objects say the job is not through yet ("" when they say it is).

        Raises ``TransportError`` JOB_LOST when the print server restarted since the job began.
        """
        if values.get(mib.HR_PRINTER_STATUS) in mib.PRINTER_BUSY:
            return "the printer is still printing"
        now, before = JobCounters.from_snmp(values), self.baseline
        if before is None:
            return ""
        if now.restarted_since(before):
            raise TransportError(f"{self.url}: the printer restarted before finishing the job",
                                 reason=JOB_LOST)
        if now.pages != before.pages:
            self._counter_moves = True
        if self._counter_moves and not now.printed_since(before):  # a counter that never moves
            return "the printer's page counter has not moved since the job began"  # is none
        return ""

    async def confirm_spooled(self) -> Delivery:
        """A spooled job is through once the spooler's queue is idle again."""
        try:
            queue = await self._transport.queue_state()
        except HubError as err:
            return Delivery.waiting(UNCONFIRMED, f"spooler status unknown: {err.message}")
        status = from_queue(self._queue_name(), queue)
        if status.state is not DeviceState.AVAILABLE:
            return Delivery.waiting(status.reason or UNCONFIRMED, status.detail, status)
        if queue.state != "idle":
            return Delivery.waiting(UNCONFIRMED, f"the spooler is still printing: {status.detail}", status)
        return Delivery(Confirmation.SPOOLER, status=status)

    async def snmp_values(self) -> Mapping[str, SnmpValue]:
        """One SNMP GET of the objects a job is followed by (``mib.JOB_OIDS``)."""
        assert self.snmp is not None
        return await snmp_get(
            self.snmp.host, self.snmp.port, mib.JOB_OIDS, self.snmp.community,
            timeout=min(self.timeout, SNMP_TIMEOUT), retries=1,
        )

    def _queue_name(self) -> str:
        return urlsplit(self.url).netloc or urlsplit(self.url).path.strip("/")
