"""RD Service codec: XML written by hand from the RD references (protocols.md §4), fuzzed, bombs refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubd.classes.biometric.contract import CaptureRequest, FingerType, RdEnv, RdStatus
from hubd.errors import DeviceNotReady, DeviceUnavailable, InvalidArgument, ProtocolError, TransportTimeout
from kioskhub.drivers.rdservice import protocol
from kioskhub.drivers.rdservice.tables import ERRORS, GENERIC, QUIRKS, capture_error, quirks_for
from kioskhub.drivers.rdservice.x509 import der_not_after, not_after

MANTRA = next(q for q in QUIRKS if q.name == "mantra")
MORPHO = next(q for q in QUIRKS if q.name == "morpho")

# ---------------------------------------------------------------------------- PidOptions


def test_pid_options_default_request() -> None:
    assert protocol.build_pid_options(CaptureRequest(), GENERIC) == (
        b'<PidOptions ver="1.0"><Opts fCount="1" fType="2" iCount="0" pCount="0" format="0" '
        b'pidVer="2.0" timeout="10000" posh="UNKNOWN" /></PidOptions>'
    )


def test_pid_options_vendor_that_wants_env_and_empty_attributes() -> None:
    req = CaptureRequest(finger_count=2, finger_type=FingerType.FMR, timeout_ms=15000,
                         env=RdEnv.PRE_PRODUCTION, wadh="E0jzJ/P8UopUHAieZn8CKqS4WPMi5ZSYXgfnlfkWjrc=",
                         posh="LEFT_INDEX,RIGHT_INDEX")
    assert protocol.build_pid_options(req, MANTRA) == (
        b'<PidOptions ver="1.0"><Opts fCount="2" fType="0" iCount="0" iType="" pCount="0" pType="" '
        b'format="0" pidVer="2.0" timeout="15000" otp="" '
        b'wadh="E0jzJ/P8UopUHAieZn8CKqS4WPMi5ZSYXgfnlfkWjrc=" posh="LEFT_INDEX,RIGHT_INDEX" env="PP" />'
        b"</PidOptions>"
    )
    # Production env is the spec default: sent only to vendors that always want it.
    assert b'env="P"' in protocol.build_pid_options(CaptureRequest(), MANTRA)
    assert b"env=" not in protocol.build_pid_options(CaptureRequest(), GENERIC)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"finger_count": 0}, "finger_count"),
    ({"finger_count": 11}, "finger_count"),
    ({"finger_count": True}, "finger_count"),
    ({"timeout_ms": 999}, "timeout_ms"),
    ({"timeout_ms": 60_001}, "timeout_ms"),
    ({"env": "P"}, "env"),
    ({"finger_type": 2}, "finger_type"),
    ({"wadh": 'x" evil="1'}, "wadh"),
    ({"posh": "LEFT INDEX"}, "posh"),
    ({"posh": "<x/>"}, "posh"),
    ({"otp": "12ab"}, "otp"),
    ({"otp": "123456789"}, "otp"),
    ({"pid_ver": "1.0"}, "pid_ver"),
])
def test_bad_capture_requests_name_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        CaptureRequest(**kwargs)  # type: ignore[arg-type]
    assert info.value.field == field


# ---------------------------------------------------------------------------- RDSERVICE / DEVICEINFO

MANTRA_RDSERVICE = (
    b'<RDService status="READY" info="Mantra Authentication Vendor Device Manager">\n'
    b'  <Interface id="DEVICEINFO" path="/rd/info"/>\n'
    b'  <Interface id="CAPTURE" path="/rd/capture"/>\n'
    b"</RDService>"
)


def test_rdservice_reply_gives_status_and_paths() -> None:
    info = protocol.parse_rdservice(MANTRA_RDSERVICE, "http://127.0.0.1:11100", GENERIC)
    assert info.status is RdStatus.READY
    assert info.info == "Mantra Authentication Vendor Device Manager"
    assert (info.info_path, info.capture_path) == ("/rd/info", "/rd/capture")
    assert quirks_for("auto", info.info).name == "mantra"


@pytest.mark.parametrize("status", ["NOTREADY", "USED", "notready"])
def test_rdservice_other_statuses(status: str) -> None:
    data = f'<RDService status="{status}" info="x"/>'.encode()
    assert protocol.parse_rdservice(data, "", GENERIC).status.value == status.upper()


def test_missing_or_foreign_paths_fall_back_to_the_vendor_paths() -> None:
    data = (b'<RDService status="READY" info="Morpho_RD_Service">'
            b'<Interface id="CAPTURE" path="http://198.51.100.7/steal"/></RDService>')
    info = protocol.parse_rdservice(data, "", MORPHO)
    assert (info.info_path, info.capture_path) == ("/getDeviceInfo", "/capture")
    info = protocol.parse_rdservice(data, "", GENERIC)
    assert (info.info_path, info.capture_path) == ("/rd/info", "/rd/capture")


@pytest.mark.parametrize("data", [
    b'<RDService status="BUSY"/>',
    b"<DeviceInfo/>",
    b"not xml",
    b"",
])
def test_bad_rdservice_replies(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        protocol.parse_rdservice(data, "", GENERIC)


# A certificate written byte by byte (RFC 5280): version 3, serial 1, sha256WithRSA, empty issuer,
# validity 2025-01-01 00:00:00Z .. 2030-06-30 12:00:00Z (UTCTime).
CERT_DER = bytes.fromhex(
    "3039" "3037"
    "a003020102" "020101" "300b06092a864886f70d01010b" "3000"
    "301e" "170d" + b"250101000000Z".hex() + "170d" + b"300630120000Z".hex()
)


def test_certificate_expiry_from_hand_written_der() -> None:
    assert der_not_after(CERT_DER) == datetime(2030, 6, 30, 12, 0, tzinfo=UTC)
    # The same with notAfter as GeneralizedTime (15 bytes): validity 0x20, tbs 0x39, certificate 0x3b.
    general = bytes.fromhex(
        "303b" "3039" "a003020102" "020101" "300b06092a864886f70d01010b" "3000"
        "3020" "170d" + b"250101000000Z".hex() + "180f" + b"20510101000000Z".hex()
    )
    assert der_not_after(general) == datetime(2051, 1, 1, tzinfo=UTC)
    assert not_after("not base64!") is None
    assert not_after("MAA=") is None  # an empty SEQUENCE


def test_device_info_reply() -> None:
    import base64

    mc = base64.b64encode(CERT_DER).decode()
    data = (f'<DeviceInfo dpId="MANTRA.MSIPL" rdsId="MANTRA.WIN.001" rdsVer="1.0.4" dc="d2b1" '
            f'mi="MFS100" mc="{mc}"><additional_info><Param name="srno" value="1234567"/>'
            f'<Param name="sysid" value="ABCD"/></additional_info></DeviceInfo>').encode()
    dev = protocol.parse_device_info(data)
    assert (dev.dp_id, dev.rds_id, dev.rds_ver, dev.mi, dev.dc) == (
        "MANTRA.MSIPL", "MANTRA.WIN.001", "1.0.4", "MFS100", "d2b1")
    assert dev.cert_expiry == datetime(2030, 6, 30, 12, 0, tzinfo=UTC)
    assert dev.additional == {"srno": "1234567", "sysid": "ABCD"}
    assert not dev.simulated
    assert mc not in repr(dev)  # the certificate is not dumped into logs by repr
    with pytest.raises(ProtocolError):
        protocol.parse_device_info(b'<DeviceInfo rdsId="x"/>')


# ---------------------------------------------------------------------------- PidData


def test_pid_resp_is_read_and_nothing_else() -> None:
    data = (b'<PidData><Resp errCode="0" errInfo="Success" fCount="2" fType="2" iCount="0" iType="" '
            b'pCount="0" pType="" nmPoints="41,37" qScore="72"/><DeviceInfo dpId="X"/>'
            b'<Skey ci="20250101">c2tleQ==</Skey><Hmac>aG1hYw==</Hmac>'
            b'<Data type="X">ZGF0YQ==</Data></PidData>')
    resp = protocol.parse_pid_resp(data)
    assert resp.ok and (resp.f_count, resp.q_score, resp.nm_points) == (2, 72, (41, 37))
    failed = protocol.parse_pid_resp(b'<PidData><Resp errCode="720" errInfo="Device not ready"/></PidData>')
    assert not failed.ok and failed.err_code == "720" and failed.q_score is None


@pytest.mark.parametrize("data", [
    b"<PidData/>",
    b'<PidData><Resp errInfo="x"/></PidData>',
    b'<PidData><Resp errCode="0" qScore="high"/></PidData>',
    b'<PidData><Resp errCode="0" nmPoints="1;2"/></PidData>',
    b'<Resp errCode="0"/>',
])
def test_bad_pid_replies(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        protocol.parse_pid_resp(data)


# ---------------------------------------------------------------------------- errCode table


@pytest.mark.parametrize(("code", "kind", "reason"), [
    ("700", TransportTimeout, "CAPTURE_TIMEOUT"),
    ("710", DeviceNotReady, "DEVICE_IN_USE"),
    ("720", DeviceNotReady, "DEVICE_NOT_READY"),
    ("730", DeviceUnavailable, "CAPTURE_FAILED"),
])
def test_known_error_codes(code: str, kind: type, reason: str) -> None:
    err = capture_error(code, "vendor words")
    assert type(err) is kind and err.reason == reason
    assert err.metadata["errCode"] == code and err.metadata["errInfo"] == "vendor words"
    assert any("\u0900" <= ch <= "\u097f" for ch in err.metadata["hintHi"])  # Devanagari
    assert err.metadata["hintEn"]


def test_unknown_error_code_surfaces_errinfo_verbatim() -> None:
    err = capture_error("891", "Sensor firmware 3.2 checksum mismatch")
    assert isinstance(err, DeviceUnavailable) and err.reason == "RD_SERVICE_ERROR"
    assert "Sensor firmware 3.2 checksum mismatch" in err.message
    assert "891" not in ERRORS


# ---------------------------------------------------------------------------- hostile XML

BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    b'<RDService status="READY" info="&c;"/>'
)
EXTERNAL = b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><PidData><Resp errCode="&x;"/></PidData>'


def test_xml_bombs_and_external_entities_are_refused() -> None:
    for parse, data in ((lambda d: protocol.parse_rdservice(d, "", GENERIC), BILLION_LAUGHS),
                        (protocol.parse_pid_resp, EXTERNAL)):
        with pytest.raises(ProtocolError) as info:
            parse(data)
        assert info.value.reason == "XML_REFUSED"


def test_oversized_reply_refused_before_parsing() -> None:
    with pytest.raises(ProtocolError, match="exceeds"):
        protocol.parse_device_info(b"<DeviceInfo>" + b" " * protocol.MAX_INFO_REPLY + b"</DeviceInfo>")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_fuzz_random_bytes_give_protocol_errors_only(data: bytes) -> None:
    for parse in (lambda d: protocol.parse_rdservice(d, "", GENERIC), protocol.parse_device_info,
                  protocol.parse_pid_resp):
        try:
            parse(data)
        except ProtocolError:
            pass


_attr_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=300, deadline=None)
@given(tag=st.sampled_from(["RDService", "DeviceInfo", "PidData", "Resp", "x"]),
       attrs=st.dictionaries(st.sampled_from(["status", "dpId", "errCode", "qScore", "nmPoints", "mc",
                                              "path", "id", "fCount"]), _attr_text, max_size=5),
       child=st.sampled_from(["", "Resp", "Interface", "additional_info"]))
def test_fuzz_structured_replies(tag: str, attrs: dict[str, str], child: str) -> None:
    import xml.etree.ElementTree as ET

    root = ET.Element(tag, attrs)
    if child:
        ET.SubElement(root, child, attrs)
    data = ET.tostring(root)
    for parse in (lambda d: protocol.parse_rdservice(d, "", GENERIC), protocol.parse_device_info,
                  protocol.parse_pid_resp):
        try:
            parse(data)
        except ProtocolError:
            pass
