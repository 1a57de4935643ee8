"""printer-state-reasons as conditions (severity suffixes, RFC 8011 §5.4.12), the document-printer
status rules, print options checks, and IPP URLs."""

from __future__ import annotations

import pytest

from hubd.classes.printer.document_printer import (
    Condition,
    DocumentCapabilities,
    DocumentPrinterStatus,
    Orientation,
    PrinterState,
    PrintOptions,
    Severity,
    Sides,
)
from hubd.device import DeviceClass, DeviceState, StatusSource
from hubd.errors import InvalidArgument
from hubd.transport.ipp.client import endpoint
from kioskhub.drivers.ipp import DRIVER, IppPrinter
from kioskhub.drivers.ipp.driver import job_name
from kioskhub.drivers.ipp.status import condition, conditions


@pytest.mark.parametrize(
    ("keyword", "reason", "severity"),
    [
        ("media-empty-error", "PAPER_OUT", Severity.ERROR),
        ("media-empty-report", "PAPER_OUT", Severity.REPORT),
        ("media-jam", "PAPER_JAM", Severity.ERROR),  # no suffix: an error
        ("toner-low-warning", "TONER_LOW", Severity.WARNING),
        ("toner-empty-error", "TONER_EMPTY", Severity.ERROR),
        ("door-open-error", "COVER_OPEN", Severity.ERROR),
        ("offline-report", "PRINTER_OFFLINE", Severity.REPORT),
        ("paused", "PAUSED", Severity.ERROR),
        ("cups-waiting-for-job-completed", "CUPS_WAITING_FOR_JOB_COMPLETED", Severity.REPORT),  # progress
        ("connecting-to-device", "CONNECTING_TO_DEVICE", Severity.REPORT),
        ("spool-area-full", "SPOOL_AREA_FULL", Severity.ERROR),
        ("com.example.fuser-hot-warning", "COM_EXAMPLE_FUSER_HOT", Severity.WARNING),
    ],
)
def test_reason_keywords_become_conditions(keyword: str, reason: str, severity: Severity) -> None:
    assert condition(keyword) == Condition(reason, severity, keyword.removesuffix(f"-{severity.value}"))


def test_a_suffix_wins_over_the_progress_rule() -> None:
    assert condition("cups-remote-stopped-error") == Condition(
        "CUPS_REMOTE_STOPPED", Severity.ERROR, "cups-remote-stopped")


def test_none_is_no_condition_and_duplicates_collapse() -> None:
    assert condition("none") is None
    assert conditions(("none",)) == ()
    got = conditions(("media-empty-warning", "media-empty-error", "toner-low-report"))
    assert [c.reason for c in got] == ["PAPER_OUT", "TONER_LOW"]


def status(*keywords: str, state: PrinterState = PrinterState.IDLE, accepting: bool = True,
           message: str = "") -> DocumentPrinterStatus:
    return DocumentPrinterStatus(state, accepting, conditions(keywords), message, source=StatusSource.DEVICE)


@pytest.mark.parametrize(
    ("reading", "state", "reason"),
    [
        (status(), DeviceState.AVAILABLE, ""),
        (status("toner-low-warning"), DeviceState.AVAILABLE, "TONER_LOW"),  # a warning does not block
        (status("toner-low-report"), DeviceState.AVAILABLE, "TONER_LOW"),  # nor does a report
        # ...but no paper stops the next sheet whatever the severity (ippeveprinter: -report idle)
        (status("media-empty-report"), DeviceState.UNAVAILABLE, "PAPER_OUT"),
        (status("media-empty-warning", state=PrinterState.PROCESSING), DeviceState.UNAVAILABLE, "PAPER_OUT"),
        (status("toner-low-report", "media-low-warning"), DeviceState.AVAILABLE, "PAPER_LOW"),  # warnings 1st
        (status("media-jam-error"), DeviceState.UNAVAILABLE, "PAPER_JAM"),  # an error does
        (status("offline-report", state=PrinterState.PROCESSING), DeviceState.UNAVAILABLE, "PRINTER_OFFLINE"),
        (status("paused", state=PrinterState.STOPPED, message="toner change"),
         DeviceState.UNAVAILABLE, "PAUSED"),
        (status(state=PrinterState.STOPPED), DeviceState.UNAVAILABLE, "PRINTER_STOPPED"),
        (status(accepting=False), DeviceState.UNAVAILABLE, "QUEUE_NOT_ACCEPTING"),
    ],
)
def test_assess(reading: DocumentPrinterStatus, state: DeviceState, reason: str) -> None:
    printer = IppPrinter("laser", "ipp://127.0.0.1:1/ipp/print")
    got = printer.assess(reading)
    assert got[:2] == (state, reason)
    assert reading.state.value in got[2]
    if reading.message:
        assert reading.message in got[2]


def test_events_follow_conditions() -> None:
    printer = IppPrinter("laser", "ipp://127.0.0.1:1/ipp/print")
    kinds = lambda old, new: [(e.kind, e.attributes.get("reason")) for e in printer.events_between(old, new)]  # noqa: E731
    assert kinds(None, status()) == []
    assert kinds(status(), status("media-empty-error", "toner-low-warning")) == [
        ("PAPER_OUT", "PAPER_OUT"), ("PRINTER_ALERT", "TONER_LOW")]
    assert kinds(status("media-empty-error", "offline-report"), status()) == [
        ("PAPER_LOADED", "PAPER_OUT"), ("PRINTER_ONLINE", "PRINTER_OFFLINE")]
    assert kinds(status("toner-low-warning"), status("toner-low-report")) == []  # same condition


@pytest.mark.parametrize(
    ("options", "field"),
    [
        (PrintOptions(copies=0), "options.copies"),
        (PrintOptions(copies=100), "options.copies"),
        (PrintOptions(copies=True), "options.copies"),
        (PrintOptions(page_ranges=((3, 2),)), "options.page_ranges"),
        (PrintOptions(page_ranges=((1, 4), (4, 6))), "options.page_ranges"),
        (PrintOptions(page_ranges=((0, 1),)), "options.page_ranges"),
        (PrintOptions(media=""), "options.media"),
        (PrintOptions(title="x" * 201), "options.title"),
    ],
)
def test_bad_options_name_the_field(options: PrintOptions, field: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        options.check()
    assert err.value.field == field


def test_options_against_the_printer() -> None:
    simplex = DocumentCapabilities(sides_supported=("one-sided",), copies_max=5,
                                   media_supported=("iso_a4_210x297mm",))
    PrintOptions(copies=5, orientation=Orientation.LANDSCAPE).check_against(simplex)
    for options, field in [
        (PrintOptions(sides=Sides.TWO_SIDED_LONG_EDGE), "options.sides"),
        (PrintOptions(copies=6), "options.copies"),
        (PrintOptions(media="na_letter_8.5x11in"), "options.media"),
        (PrintOptions(page_ranges=((1, 1),)), "options.page_ranges"),
    ]:
        with pytest.raises(InvalidArgument) as err:
            options.check_against(simplex)
        assert err.value.field == field
    with pytest.raises(InvalidArgument, match="only 2 pages"):
        PrintOptions(page_ranges=((3, 4),)).check(pages=2)


def test_job_name_carries_the_key() -> None:
    assert job_name(PrintOptions(title="Birth certificate\n", key="job-42")) == "Birth certificate [job-42]"
    assert job_name(PrintOptions()) == "kioskhub"


@pytest.mark.parametrize(
    ("url", "post", "printer_uri", "uds", "spooler"),
    [
        ("ipp://printer.lan/ipp/print", "http://printer.lan:631/ipp/print", "ipp://printer.lan:631/ipp/print",
         None, False),
        ("ipps://10.0.0.9:8443/ipp/print", "https://10.0.0.9:8443/ipp/print", "ipps://10.0.0.9:8443/ipp/print",
         None, False),
        ("ipp://127.0.0.1:631/printers/Laser", "http://127.0.0.1:631/printers/Laser",
         "ipp://127.0.0.1:631/printers/Laser", None, True),
        ("cups://Laser", "http://localhost/printers/Laser", "ipp://localhost/printers/Laser",
         "/run/cups/cups.sock", True),
        ("cups://Laser?server=/tmp/c.sock", "http://localhost/printers/Laser", "ipp://localhost/printers/Laser",
         "/tmp/c.sock", True),
        ("cups://Laser?server=127.0.0.1:6310", "http://127.0.0.1:6310/printers/Laser",
         "ipp://localhost/printers/Laser", None, True),
    ],
)
def test_endpoints(url: str, post: str, printer_uri: str, uds: str | None, spooler: bool) -> None:
    where = endpoint(url)
    assert (where.post_url, where.printer_uri, where.uds, where.spooler) == (post, printer_uri, uds, spooler)


@pytest.mark.parametrize("url", ["ipp:///ipp/print", "cups://bad queue", "cups://Q?server=10.0.0.2:631",
                                 "http://printer/ipp/print", "cups://"])
def test_bad_urls(url: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        IppPrinter("laser", url)
    assert err.value.field == "url"


def test_driver_info() -> None:
    assert DRIVER.device_class is DeviceClass.DOCUMENT_PRINTER
    assert DRIVER.schemes == {"ipp", "ipps", "cups"} and DRIVER.stack == "ippeveprinter"
    assert IppPrinter("l", "cups://Laser").status_source is StatusSource.SPOOLER
    assert IppPrinter("l", "ipp://h/ipp/print").status_source is StatusSource.DEVICE
    with pytest.raises(InvalidArgument):
        IppPrinter("l", "ipp://h/ipp/print", {"tls_verify": "no"})
