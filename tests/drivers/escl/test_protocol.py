"""eSCL codec: XML written by hand from the eSCL reference (protocols.md §5.1), fuzzed, and bombs;
page image headers; URLs."""

from __future__ import annotations

import dataclasses
import struct
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hubd.classes.scanner.contract import (
    AdfState,
    ColorMode,
    PageFormat,
    ResolutionRange,
    ScanArea,
    ScannerState,
    ScanRequest,
    ScanSource,
)
from hubd.device import DeviceClass
from hubd.errors import InvalidArgument, ProtocolError
from kioskhub.drivers.escl import DRIVER, EsclScanner, protocol
from kioskhub.drivers.escl.link import parse_url
from kioskhub.drivers.escl.pages import page_info
from kioskhub.drivers.escl.xmlread import MAX_XML_BYTES

NS = 'xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03" xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm"'

# An office MFP's capabilities, trimmed: letter platen with discrete resolutions, a feeder that
# only says "Duplex" in AdfOptions (older firmware), and a range-only source elsewhere.
CAPS = f"""<?xml version="1.0" encoding="UTF-8"?>
<scan:ScannerCapabilities {NS}>
  <pwg:Version>2.63</pwg:Version>
  <pwg:MakeAndModel>HP OfficeJet Pro 8020</pwg:MakeAndModel>
  <scan:Platen><scan:PlatenInputCaps>
    <scan:MinWidth>8</scan:MinWidth><scan:MaxWidth>2550</scan:MaxWidth>
    <scan:MinHeight>8</scan:MinHeight><scan:MaxHeight>3300</scan:MaxHeight>
    <scan:SettingProfiles><scan:SettingProfile>
      <scan:ColorModes><scan:ColorMode>Grayscale8</scan:ColorMode><scan:ColorMode>RGB24</scan:ColorMode>
        <scan:ColorMode>Grayscale16</scan:ColorMode></scan:ColorModes>
      <scan:DocumentFormats><pwg:DocumentFormat>application/pdf</pwg:DocumentFormat>
        <pwg:DocumentFormat>image/jpeg</pwg:DocumentFormat></scan:DocumentFormats>
      <scan:SupportedResolutions><scan:DiscreteResolutions>
        <scan:DiscreteResolution><scan:XResolution>300</scan:XResolution><scan:YResolution>300</scan:YResolution></scan:DiscreteResolution>
        <scan:DiscreteResolution><scan:XResolution>75</scan:XResolution><scan:YResolution>75</scan:YResolution></scan:DiscreteResolution>
        <scan:DiscreteResolution><scan:XResolution>600</scan:XResolution><scan:YResolution>1200</scan:YResolution></scan:DiscreteResolution>
      </scan:DiscreteResolutions></scan:SupportedResolutions>
    </scan:SettingProfile></scan:SettingProfiles>
  </scan:PlatenInputCaps></scan:Platen>
  <scan:Adf>
    <scan:AdfSimplexInputCaps>
      <scan:MaxWidth>2550</scan:MaxWidth><scan:MaxHeight>4200</scan:MaxHeight>
      <scan:SettingProfiles><scan:SettingProfile>
        <scan:ColorModes><scan:ColorMode>BlackAndWhite1</scan:ColorMode></scan:ColorModes>
        <scan:DocumentFormats><scan:DocumentFormatExt>image/png</scan:DocumentFormatExt></scan:DocumentFormats>
        <scan:SupportedResolutions><scan:ResolutionRange>
          <scan:XResolution><scan:Min>100</scan:Min><scan:Max>400</scan:Max><scan:Step>50</scan:Step></scan:XResolution>
          <scan:YResolution><scan:Min>100</scan:Min><scan:Max>400</scan:Max><scan:Step>50</scan:Step></scan:YResolution>
        </scan:ResolutionRange></scan:SupportedResolutions>
      </scan:SettingProfile></scan:SettingProfiles>
    </scan:AdfSimplexInputCaps>
    <scan:AdfOptions><scan:AdfOption>DetectPaperLoaded</scan:AdfOption><scan:AdfOption>Duplex</scan:AdfOption></scan:AdfOptions>
  </scan:Adf>
</scan:ScannerCapabilities>""".encode()


def test_capabilities_of_an_office_mfp() -> None:
    caps = protocol.parse_capabilities(CAPS)
    assert caps.make_and_model == "HP OfficeJet Pro 8020"
    assert [s.source for s in caps.sources] == [ScanSource.FLATBED, ScanSource.ADF, ScanSource.ADF_DUPLEX]
    platen = caps.sources[0]
    assert platen.resolutions == (75, 300)  # 600x1200 is not square: dropped, as sane-airscan does
    assert platen.color_modes == (ColorMode.COLOR, ColorMode.GRAY)  # Grayscale16 is not ours
    assert platen.formats == (PageFormat.JPEG,)  # PDF pages are not asked for
    assert platen.max_width_mm == pytest.approx(215.9) and platen.max_height_mm == pytest.approx(279.4)
    adf = caps.source(ScanSource.ADF)
    assert adf is not None and adf.resolutions == () and adf.resolution_range == ResolutionRange(100, 400, 50)
    assert adf.supports_dpi(250) and not adf.supports_dpi(275) and not adf.supports_dpi(450)
    assert adf.color_modes == (ColorMode.BLACK_WHITE,) and adf.formats == (PageFormat.PNG,)
    assert caps.source(ScanSource.ADF_DUPLEX) == dataclasses.replace(adf, source=ScanSource.ADF_DUPLEX)


def test_a_request_is_checked_against_the_capabilities_naming_the_field() -> None:
    caps = protocol.parse_capabilities(CAPS)
    with pytest.raises(InvalidArgument) as err:
        ScanRequest(ScanSource.FLATBED, dpi=200).check(caps)
    assert err.value.field == "dpi" and "75, 300" in err.value.message
    with pytest.raises(InvalidArgument) as err:
        ScanRequest(ScanSource.ADF, dpi=200, color_mode=ColorMode.GRAY).check(caps)
    assert err.value.field == "color_mode"
    with pytest.raises(InvalidArgument) as err:
        ScanRequest(ScanSource.FLATBED, 300, area=ScanArea(0, 0, 216, 300)).check(caps)
    assert err.value.field == "area"
    with pytest.raises(InvalidArgument):
        ScanArea(0, 0, float("nan"), 10)
    assert ScanRequest(ScanSource.ADF, 250, ColorMode.BLACK_WHITE).check(caps).source is ScanSource.ADF


@pytest.mark.parametrize(
    ("state", "adf", "expected_state", "expected_adf", "blocks_feeder", "blocks_flatbed"),
    [
        ("Idle", "ScannerAdfLoaded", ScannerState.IDLE, AdfState.LOADED, "", ""),
        ("Idle", "ScannerAdfEmpty", ScannerState.IDLE, AdfState.EMPTY, "", ""),
        ("Processing", "", ScannerState.BUSY, AdfState.NONE, "", ""),
        ("Testing", "", ScannerState.WARMING_UP, AdfState.NONE, "", ""),
        ("Stopped", "ScannerAdfJam", ScannerState.STOPPED, AdfState.JAM, "ADF_JAM", "SCANNER_STOPPED"),
        ("Idle", "ScannerAdfHatchOpen", ScannerState.IDLE, AdfState.COVER_OPEN, "COVER_OPEN", ""),
        ("Idle", "ScannerAdfDoorOpen", ScannerState.IDLE, AdfState.COVER_OPEN, "COVER_OPEN", ""),
        ("Idle", "ScannerAdfMispick", ScannerState.IDLE, AdfState.JAM, "ADF_JAM", ""),
    ],
)
def test_status_states_and_what_they_block(
    state: str, adf: str, expected_state: ScannerState, expected_adf: AdfState, blocks_feeder: str,
    blocks_flatbed: str,
) -> None:
    adf_el = f"<scan:AdfState>{adf}</scan:AdfState>" if adf else ""
    xml = (f"<scan:ScannerStatus {NS}><pwg:Version>2.0</pwg:Version><pwg:State>{state}</pwg:State>"
           f"{adf_el}</scan:ScannerStatus>")
    status = protocol.parse_status(xml.encode()).scanner
    assert (status.state, status.adf) == (expected_state, expected_adf)
    assert status.blocks(ScanSource.ADF) == blocks_feeder
    assert status.blocks(ScanSource.FLATBED) == blocks_flatbed


def test_status_lists_jobs() -> None:
    xml = f"""<scan:ScannerStatus {NS}><pwg:State>Processing</pwg:State><scan:Jobs><scan:JobInfo>
      <pwg:JobUri>/eSCL/ScanJobs/893e6fcd</pwg:JobUri><pwg:JobUuid>893e6fcd-3e9c</pwg:JobUuid>
      <scan:Age>12</scan:Age><pwg:ImagesCompleted>2</pwg:ImagesCompleted><pwg:ImagesToTransfer>1</pwg:ImagesToTransfer>
      <pwg:JobState>Aborted</pwg:JobState><pwg:JobStateReasons><pwg:JobStateReason>AdfJam</pwg:JobStateReason>
      </pwg:JobStateReasons></scan:JobInfo></scan:Jobs></scan:ScannerStatus>"""
    status = protocol.parse_status(xml.encode())
    job = status.job("/eSCL/ScanJobs/893e6fcd")
    assert job is not None and job.state == "Aborted" and job.reasons == ("AdfJam",)
    assert job.images_completed == 2 and job.images_to_transfer == 1
    assert status.job("/eSCL/ScanJobs/other") is None


def test_scan_settings_bytes() -> None:
    request = ScanRequest(ScanSource.ADF_DUPLEX, 300, ColorMode.GRAY)
    body = protocol.scan_settings(request, ScanArea(0.0, 0.0, 210.0, 297.0), PageFormat.JPEG)
    assert body == (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<scan:ScanSettings xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03" '
        b'xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm">\n'
        b"<pwg:Version>2.0</pwg:Version>\n"
        b"<scan:Intent>Document</scan:Intent>\n"
        b"<pwg:ScanRegions><pwg:ScanRegion>\n"
        b"<pwg:ContentRegionUnits>escl:ThreeHundredthsOfInches</pwg:ContentRegionUnits>\n"
        b"<pwg:XOffset>0</pwg:XOffset>\n<pwg:YOffset>0</pwg:YOffset>\n"
        b"<pwg:Width>2480</pwg:Width>\n<pwg:Height>3508</pwg:Height>\n"  # 210 mm, 297 mm in 1/300"
        b"</pwg:ScanRegion></pwg:ScanRegions>\n"
        b"<pwg:InputSource>Feeder</pwg:InputSource>\n"
        b"<scan:ColorMode>Grayscale8</scan:ColorMode>\n"
        b"<pwg:DocumentFormat>image/jpeg</pwg:DocumentFormat>\n"
        b"<scan:DocumentFormatExt>image/jpeg</scan:DocumentFormatExt>\n"
        b"<scan:XResolution>300</scan:XResolution>\n<scan:YResolution>300</scan:YResolution>\n"
        b"<scan:Duplex>true</scan:Duplex>\n"
        b"</scan:ScanSettings>"
    )
    flatbed = protocol.scan_settings(ScanRequest(ScanSource.FLATBED, 150, ColorMode.COLOR),
                                     ScanArea(10.0, 20.0, 85.6, 54.0), PageFormat.PNG)
    assert b"<pwg:InputSource>Platen</pwg:InputSource>" in flatbed and b"Duplex" not in flatbed
    assert b"<pwg:XOffset>118</pwg:XOffset>" in flatbed and b"<pwg:Width>1011</pwg:Width>" in flatbed
    assert b"<scan:ColorMode>RGB24</scan:ColorMode>" in flatbed and b"<scan:Intent>Photo" in flatbed


@pytest.mark.parametrize(
    ("location", "path"),
    [
        ("http://192.168.1.20:80/eSCL/ScanJobs/a1b2", "/eSCL/ScanJobs/a1b2"),
        ("http://printer.local/eSCL/ScanJobs/a1b2/", "/eSCL/ScanJobs/a1b2"),  # host ignored
        ("/eSCL/ScanJobs/77", "/eSCL/ScanJobs/77"),
        ("ScanJobs/77", "/eSCL/ScanJobs/77"),  # relative to the eSCL root
    ],
)
def test_job_location(location: str, path: str) -> None:
    assert protocol.job_path(location, "/eSCL") == path


@pytest.mark.parametrize(
    "location", ["", "http://x/other/ScanJobs/1", "/eSCL/ScanJobs/", "/eSCL/ScanJobs/../x"]
)
def test_bad_job_location(location: str) -> None:
    with pytest.raises(ProtocolError):
        protocol.job_path(location, "/eSCL")


# ---------------------------------------------------------------------------- page headers
def _png(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    crc = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + crc


def _jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x01\x01\x2c\x01\x2c\x00\x00"  # 300 dpi
    sof0 = b"\xff\xc0\x00\x0b\x08" + struct.pack(">HH", height, width) + b"\x01\x01\x11\x00"
    return b"\xff\xd8" + app0 + b"\xff\xff" + sof0 + b"\xff\xd9"


def test_page_header_sizes() -> None:
    assert page_info(_png(2480, 3508)) == (PageFormat.PNG, 2480, 3508)
    assert page_info(_jpeg(1700, 2339)) == (PageFormat.JPEG, 1700, 2339)
    for junk in (b"%PDF-1.4\n", b"\xff\xd8\xff\xe0\x00", _jpeg(0, 10), b""):
        with pytest.raises(ProtocolError):
            page_info(junk)


# ---------------------------------------------------------------------------- URLs
def test_urls_in_the_transport_grammar() -> None:
    assert DRIVER.device_class is DeviceClass.SCANNER and DRIVER.simulator == "escl_scanner"
    assert parse_url("escl://192.168.1.20:8080/eSCL") == parse_url("escl://192.168.1.20:8080/eSCL/")
    t = parse_url("escls://scanner.local/eSCL")
    assert (t.origin, t.root) == ("https://scanner.local:443", "/eSCL")
    assert parse_url("escl://[fe80::1]:80").origin == "http://[fe80::1]:80"
    assert parse_url("escl://10.0.0.5:80/scan/eSCL").path("ScannerStatus") == "/scan/eSCL/ScannerStatus"
    for bad in ("http://x/eSCL", "escl:///eSCL", "escl://u@x/eSCL", "escl://x:99999/eSCL", "escl://x/a/../b"):
        with pytest.raises(InvalidArgument):
            EsclScanner("s", bad)


# ---------------------------------------------------------------------------- hostile XML
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<scan:ScannerStatus xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03"
 xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm"><pwg:State>&lol3;</pwg:State></scan:ScannerStatus>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE s [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<scan:ScannerCapabilities xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03"
 xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm"><pwg:MakeAndModel>&xxe;</pwg:MakeAndModel></scan:ScannerCapabilities>"""
DTD_ONLY = b"""<?xml version="1.0"?><!DOCTYPE s SYSTEM "http://127.0.0.1:9/evil.dtd"><s/>"""


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, EXTERNAL_ENTITY, DTD_ONLY])
def test_xml_bombs_and_external_entities_are_refused(xml: bytes) -> None:
    for parse in (protocol.parse_status, protocol.parse_capabilities):
        with pytest.raises(ProtocolError) as err:
            parse(xml)
        assert err.value.reason == "XML_REFUSED"


def test_oversized_xml_is_refused_unparsed() -> None:
    with pytest.raises(ProtocolError, match="more than a scanner sends"):
        protocol.parse_status(b"<a>" + b" " * MAX_XML_BYTES + b"</a>")


_names = st.sampled_from([
    "ScannerStatus", "ScannerCapabilities", "State", "AdfState", "Platen", "PlatenInputCaps", "Adf",
    "AdfSimplexInputCaps", "MaxWidth", "MaxHeight", "SettingProfiles", "SettingProfile", "ColorModes",
    "ColorMode", "DocumentFormats", "DocumentFormat", "SupportedResolutions", "DiscreteResolutions",
    "DiscreteResolution", "XResolution", "YResolution", "Jobs", "JobInfo", "ImagesCompleted",
    "ResolutionRange", "Min", "Max", "Step", "x",
])
_texts = st.one_of(
    st.sampled_from(["Idle", "RGB24", "image/jpeg", "300", "-1", "99999999999", "ScannerAdfJam", ""]),
    st.text(max_size=12),
)
_trees: st.SearchStrategy[str] = st.recursive(
    _texts.map(lambda t: t.replace("&", "&amp;").replace("<", "&lt;")),
    lambda kids: st.tuples(_names, st.lists(kids, max_size=4)).map(
        lambda nk: f"<scan:{nk[0]}>{''.join(nk[1])}</scan:{nk[0]}>"),
    max_leaves=30,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(root=st.sampled_from(["ScannerStatus", "ScannerCapabilities"]), body=st.lists(_trees, max_size=5))
def test_fuzzed_xml_parses_or_is_a_protocol_error(root: str, body: list[str]) -> None:
    xml = f"<scan:{root} {NS}>{''.join(body)}</scan:{root}>".encode()
    for parse in (protocol.parse_status, protocol.parse_capabilities):
        try:
            parse(xml)
        except ProtocolError:
            pass


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=300))
def test_fuzzed_bytes_are_a_protocol_error(data: bytes) -> None:
    for parse in (protocol.parse_status, protocol.parse_capabilities, page_info):
        try:
            parse(data)
        except ProtocolError:
            pass
