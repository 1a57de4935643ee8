"""A ScanRequest becoming a scan order and a request this scanner can do: presets with the
request's fields laid over them, errors naming the request's field, the [scanner] config (presets
changed key by key, bad tables naming the key), and the resolution and scan mode chosen from what
the scanner offers (capabilities as the eSCL simulator and SANE's test backend describe them)."""

from __future__ import annotations

import math

import pytest

from hubd.classes.scanner.contract import (
    ColorMode,
    ResolutionRange,
    ScannerCapabilities,
    ScanSource,
    SourceCapabilities,
)
from hubd.classes.scanner.convert import order_from_pb
from hubd.classes.scanner.order import ScannerConfig, nearest_dpi
from hubd.classes.scanner.output import PRESETS, Fit, OutputFormat
from hubd.config import parse_config
from hubd.errors import ConfigError, InvalidArgument
from kioskhub.v1 import scanner_pb2 as pb

CONFIG = ScannerConfig()
ESCL = SourceCapabilities(ScanSource.FLATBED, (75, 100, 150, 200, 300, 600),
                          (ColorMode.COLOR, ColorMode.GRAY, ColorMode.BLACK_WHITE), 216, 297)
COLOR_ONLY = SourceCapabilities(ScanSource.ADF, (150, 300), (ColorMode.COLOR,), 216, 356)
SANE = SourceCapabilities(ScanSource.FLATBED, (), (ColorMode.GRAY,), 300, 300,
                          resolution_range=ResolutionRange(1, 1200, 1))


def test_a_preset_with_the_requests_fields_laid_over_it() -> None:
    order = order_from_pb(pb.ScanRequest(preset="passport_photo", max_size_kb=40, auto_crop=False), CONFIG)
    spec = order.output
    assert (spec.max_kb, spec.min_kb, spec.autocrop, spec.deskew) == (40, 20, False, True)
    assert (spec.width_px, spec.height_px, spec.fit) == (200, 230, Fit.CROP)
    assert order.color_mode is ColorMode.COLOR and order.preset == "passport_photo" and order.dpi is None
    plain = order_from_pb(pb.ScanRequest(), CONFIG)
    assert plain.output.format is OutputFormat.PDF and plain.color_mode is ColorMode.GRAY
    assert plain.source is ScanSource.FLATBED and plain.max_pages is None
    pdfa = order_from_pb(pb.ScanRequest(preset="pan_application", format=pb.SCAN_FILE_FORMAT_PDF), CONFIG)
    assert pdfa.output.pdfa is False and PRESETS["pan_application"].pdfa  # PDF asked: not PDF/A
    feeder = order_from_pb(pb.ScanRequest(source=pb.SCAN_SOURCE_ADF_DUPLEX), CONFIG)
    assert feeder.max_pages == CONFIG.max_pages
    one = order_from_pb(pb.ScanRequest(source=pb.SCAN_SOURCE_ADF, format=pb.SCAN_FILE_FORMAT_PNG), CONFIG)
    assert one.max_pages == 1  # a PNG holds one page: the feeder stops after it
    thumb = order_from_pb(pb.ScanRequest(preset="thumb_impression", resolution_dpi=300), CONFIG)
    assert (thumb.dpi, thumb.output.dpi) == (300, 200)  # scanned at 300, the file says the preset's 200


def test_equal_requests_are_equal_orders_whatever_their_request_id() -> None:
    first = order_from_pb(pb.ScanRequest(request_id="a", max_size_kb=100), CONFIG)
    assert first == order_from_pb(pb.ScanRequest(request_id="b", max_size_kb=100), CONFIG)
    assert first != order_from_pb(pb.ScanRequest(request_id="a", max_size_kb=101), CONFIG)


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (pb.ScanRequest(max_size_kb=math.inf), "max_size_kb"),
        (pb.ScanRequest(min_size_kb=-3), "min_size_kb"),
        (pb.ScanRequest(height_px=100), "width_px"),
        (pb.ScanRequest(width_px=20000, height_px=100), "width_px"),
        (pb.ScanRequest(resolution_dpi=10), "resolution_dpi"),
        (pb.ScanRequest(format=9), "format"),
        (pb.ScanRequest(color_mode=7), "color_mode"),
        (pb.ScanRequest(max_pages=501), "max_pages"),
        (pb.ScanRequest(area=pb.ScanArea(width_mm=-1, height_mm=5)), "area"),
        (pb.ScanRequest(request_id="tab\there"), "request_id"),
        (pb.ScanRequest(preset="p" * 100), "preset"),
    ],
)
def test_bad_fields_are_named_as_the_request_names_them(request_: pb.ScanRequest, field: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        order_from_pb(request_, CONFIG)
    assert err.value.field == field


def test_the_scanners_offer_decides_resolution_and_scan_mode() -> None:
    assert [nearest_dpi(ESCL, d) for d in (300, 250, 50, 1200)] == [300, 300, 75, 600]
    assert [nearest_dpi(SANE, d) for d in (213, 5000)] == [213, 1200]
    caps = ScannerCapabilities("x", (ESCL, COLOR_ONLY))
    bw = order_from_pb(pb.ScanRequest(color_mode=pb.SCAN_COLOR_MODE_BLACK_WHITE), CONFIG)
    assert bw.scan_request(caps, 300).color_mode is ColorMode.GRAY  # the hub thresholds, per page
    gray = order_from_pb(pb.ScanRequest(source=pb.SCAN_SOURCE_ADF, preset="thumb_impression"), CONFIG)
    request = gray.scan_request(caps, 300)
    assert (request.color_mode, request.dpi, request.max_pages) == (ColorMode.COLOR, 300, 1)  # no 200 dpi
    explicit = order_from_pb(pb.ScanRequest(resolution_dpi=123), CONFIG).scan_request(caps, 300)
    with pytest.raises(InvalidArgument) as err:
        explicit.check(caps)  # a resolution the client named is not changed: the scanner refuses it
    assert err.value.field == "dpi"


def test_config_presets_change_key_by_key_and_bad_tables_name_the_key() -> None:
    config = parse_config({"scanner": {"max_pages": 20, "presets": {
        "passport_photo": {"max_kb": 45}, "ration_card": {"format": "jpeg", "max_kb": 100}}}}, "hubd.toml")
    scanner = ScannerConfig.from_config(config)
    assert scanner.max_pages == 20 and scanner.presets["passport_photo"].max_kb == 45
    assert scanner.presets["passport_photo"].min_kb == 20 and scanner.presets["ration_card"].max_kb == 100
    order = order_from_pb(pb.ScanRequest(preset="ration_card"), scanner)
    assert order.output.format is OutputFormat.JPEG
    for data, text in (
        ({"presets": {"signature": {"max_kb": 5}}}, "scanner.presets: signature.min_kb: must be below"),
        ({"presets": {"signature": {"format": "tiff"}}}, "scanner.presets: signature.format: must be one of"),
        ({"presets": {"signature": {"size": 5}}}, "scanner.presets: signature.size: not an output setting"),
        ({"keep_results": "2h"}, "scanner.keep_results: must be within"),
        ({"default_dpi": 20}, "scanner.default_dpi: must be within 75..1200"),
    ):
        with pytest.raises(ConfigError) as err:
            parse_config({"scanner": data}, "hubd.toml")
        assert text in str(err.value) and str(err.value).startswith("hubd.toml")
