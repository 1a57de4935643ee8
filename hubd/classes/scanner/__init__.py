"""Scanning: eSCL (AirScan) and SANE scanners, portal-ready files within a size window (PDF,
PDF/A, JPEG, PNG; named presets for what portals publish), and ``ScannerService`` (exclusive:
the caller's lease)."""

from __future__ import annotations

from typing import Any

from hubd.classes.spec import ClassSpec, ReportSection, SimulatedDevice
from hubd.device import DeviceClass, Duration, Option


def _presets_problem(tables: Any) -> str:
    """"" when the ``[scanner.presets.<name>]`` tables are good, else what is wrong."""
    from hubd.classes.scanner.output.presets import with_overrides
    from hubd.errors import InvalidArgument

    try:
        with_overrides(tables)
    except InvalidArgument as err:  # the config loader names scanner.presets itself
        where = err.field.removeprefix("presets").removeprefix(".")
        return f"{where}: {err.description}" if where else err.description
    return ""


SPEC = ClassSpec(
    name="scanner",
    title="Scanning: documents to portal-ready files within the portal's size cap",
    device_classes=(DeviceClass.SCANNER,),
    services=("hubd.classes.scanner.service:ScannerServicer",),
    runner="hubd.classes.scanner.scans:runner",
    cli="hubd.classes.scanner.cli",
    report=(ReportSection("Scanner", ("scanner",)),),
    demo="hubd.classes.scanner.demo",
    demo_order=60,
    # The eSCL simulator stands for the kiosk's scanner (a SANE scanner needs no simulator: the
    # stack tests use SANE's own test backend). It answers 503 while a page is being "scanned";
    # asking again every 0.1 s keeps the demo brisk.
    simulate=(SimulatedDevice("scanner", "escl", options={"retry_interval": 0.1}, default=True),),
    leased=True,
    settings_section="scanner",
    settings={
        "default_dpi": Option(int, 300, "scan resolution when neither the request nor its preset names "
                              "one (the nearest the scanner offers at or above it)", 75, 1200),
        "max_pages": Option(int, 100, "a feeder scan stops after this many pages unless the request "
                            "asks for fewer", 1, 500),
        "keep_results": Option(Duration, 300.0, "finished scan jobs are kept (in memory only) this long: "
                               "CancelScan finds them, a request_id's file is replayed", 0, 3600),
        # The built-in presets and the portal guidelines their figures come from are the data
        # tables of hubd/classes/scanner/output/presets.py (TABLES). A [scanner.presets.<name>]
        # table changes a preset key by key (max_kb = 45) or adds one (format = "jpeg", ...).
        "presets": Option(dict, {}, "changes to the built-in output presets, or new ones: "
                          "[scanner.presets.<name>] tables of output settings (format, max_kb, min_kb, "
                          "dpi, min_dpi, width_px, height_px, fit, color_mode, pdfa, autocrop, deskew, "
                          "min_quality, max_quality, description)", validate=_presets_problem),
    },
    events={
        "SCAN_STARTED": "a scan job started on a scanner",
        "SCAN_PAGE": "a scanner delivered a page of a scan job (attributes: page)",
        "SCAN_SUCCEEDED": "a scan job made its file within the size window",
        "SCAN_FAILED": "a scan job failed; the reason says why (ADF_JAM, DISCONNECTED…)",
        "SCAN_CANCELLED": "a scan job was cancelled (CancelScan, the client went away, the hub stopped)",
        "ADF_JAM": "paper jammed in the scanner's document feeder",
        "COVER_OPEN": "a cover of the scanner (or its feeder's hatch) was opened",
        "ADF_EMPTY": "the scanner's document feeder ran out of paper",
        "ADF_LOADED": "paper was put in the scanner's document feeder",
    },
    reasons={
        "ADF_EMPTY": "the document feeder has no paper",
        "ADF_JAM": "paper is jammed in the document feeder: open it and take the sheet out",
        "ADF_LOADED": "the document feeder holds paper",
        "COVER_OPEN": "a cover of the scanner (or its feeder's hatch) is open",
        "SCANNER_BUSY": "the scanner is scanning (a job of this hub or of another computer)",
        "WARMING_UP": "the scanner's lamp is warming up",
        "SCANNER_STOPPED": "the scanner reports it has stopped (an error its panel shows)",
        "SCANNER_REJECTED": "the scanner refused a setting the hub sent",
        "SCAN_ABORTED": "the scanner ended the scan job by itself",
        "XML_REFUSED": "the scanner sent XML the hub will not parse (DTD, entities, too large)",
        "SANE_UNSUPPORTED": "the SANE backend does not support the operation",
        "SANE_CANCELLED": "the SANE backend cancelled the operation",
        "SANE_EOF": "the SANE backend ended the page early",
        "SANE_NO_MEM": "the SANE backend ran out of memory",
        "SANE_ERROR": "the SANE backend failed with a status the hub does not know",
        "SIZE_LIMIT_UNREACHABLE": "even the lowest resolution and JPEG quality allowed make the file larger "
                                  "than max_size_kb (metadata maxKb, smallestKb)",
        "SIZE_MINIMUM_UNREACHABLE": "the PDF is smaller than min_size_kb even at the best quality (a PDF "
                                    "is never padded)",
        "SCAN_TOO_LARGE": "the scanned pages would need more memory than a scan may take (1 GiB decoded): "
                          "scan fewer pages at a time, or at a lower resolution",
        "SCAN_JOB_NOT_FOUND": "no scan job has that id (or it ended longer ago than [scanner] keep_results)",
        "JOB_STATE": "the job is in a state that does not allow the operation",
        "CANCELLED": "cancelled by a client (CancelScan)",
        "CLIENT_GONE": "the client that asked for the scan went away before it ended",
    },
    event_payload="hubd.classes.scanner.convert:event_payload",
)
