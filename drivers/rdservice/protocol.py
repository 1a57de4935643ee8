"""UIDAI Aadhaar Registered Device (RD) Service codec (sans-IO: XML in, typed values out).

Wire reference: "Aadhaar Registered Devices Technical Specification 2.0" (UIDAI, Rev 6 2019;
§2.4 RD Service APIs), as read through vendor manuals (ACPL RD Service programmer manual), the
UIDAI RD discussion group and public client code (facts and their sources: protocols.md §4).

    RDSERVICE  http://127.0.0.1:<port>/   -> <RDService status="READY|NOTREADY|USED" info="…">
                                                <Interface id="DEVICEINFO" path="/rd/info"/>
                                                <Interface id="CAPTURE" path="/rd/capture"/>
    DEVICEINFO <info path>                -> <DeviceInfo dpId rdsId rdsVer dc mi mc>
                                                <additional_info><Param name value/>…</additional_info>
    CAPTURE    <capture path>, PidOptions -> <PidData><Resp errCode errInfo fCount fType nmPoints
                                                qScore/><DeviceInfo…/><Skey ci>…</Skey>
                                                <Hmac>…</Hmac><Data type="X|P">…</Data></PidData>

The service listens on 127.0.0.1, first free port of 11100–11120, http (some also https); paths
are taken from the RDSERVICE reply because vendors differ. ``errCode="0"`` is success. Of PidData
only ``Resp`` is read; Skey, Hmac and Data are never looked at. Every reply is parsed by
defusedxml with DTDs forbidden (no entity expansion, no external references).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from hubd.classes.biometric.contract import CaptureRequest, RdDeviceInfo, RdServiceInfo, RdStatus
from hubd.driver_api import ProtocolError
from kioskhub.drivers.rdservice.tables import VendorQuirks
from kioskhub.drivers.rdservice.x509 import not_after

VERB_RDSERVICE = "RDSERVICE"
VERB_DEVICEINFO = "DEVICEINFO"
VERB_CAPTURE = "CAPTURE"
DEFAULT_PORTS = (11100, 11120)
DEFAULT_INFO_PATH = "/rd/info"
DEFAULT_CAPTURE_PATH = "/rd/capture"
MAX_INFO_REPLY = 64 * 1024
MAX_PID_REPLY = 4 * 1024 * 1024
"""A PidData with ten FIR images stays well under this."""
_PATH = re.compile(r"/[A-Za-z0-9._~!$&'()*+,;=:@/%-]{0,200}")
_INT_LIST = re.compile(r"\s*[0-9]{1,6}\s*(,\s*[0-9]{1,6}\s*){0,9}")


@dataclass(frozen=True)
class PidResp:
    """The ``Resp`` element of a PidData reply (the only part of PidData ever read)."""

    err_code: str
    err_info: str
    f_count: int
    q_score: int | None
    nm_points: tuple[int, ...]

    @property
    def ok(self) -> bool:
        """True when the service reports success (``errCode="0"``)."""
        return self.err_code == "0"


def parse_xml(data: bytes, root: str, limit: int) -> Element:
    """The root element of an XML reply, which must be named ``root``; ProtocolError otherwise.

    DTDs are forbidden outright, which refuses entity bombs and external entities before any
    expansion. The tag comparison ignores a namespace and case (vendors differ).
    """
    if len(data) > limit:
        raise ProtocolError(f"RD Service reply of {len(data)} bytes exceeds {limit}")
    try:
        element = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as err:
        raise ProtocolError(f"RD Service reply refused: {type(err).__name__}", reason="XML_REFUSED") from err
    except (ET.ParseError, ValueError) as err:
        raise ProtocolError(f"RD Service reply is not XML: {err}") from err
    if _local(element.tag).lower() != root.lower():
        raise ProtocolError(f"expected <{root}>, got <{_local(element.tag)[:40]}>")
    return element


def _local(tag: object) -> str:
    text = tag if isinstance(tag, str) else ""
    return text.rsplit("}", 1)[-1]


def _child(element: Element, name: str) -> Element | None:
    for child in element:
        if _local(child.tag).lower() == name.lower():
            return child
    return None


def _attr(element: Element, name: str, default: str = "") -> str:
    """An attribute by name, case-insensitively (vendors write ``dpId`` and ``dpid``)."""
    for key, value in element.attrib.items():
        if key.lower() == name.lower():
            return value.strip()
    return default


def clean_path(raw: str) -> str | None:
    """A service path if it is a plain absolute path on the same service, else None.

    A reply naming a full URL (another host, another port) is not followed: the driver only
    ever talks to the loopback port it discovered.
    """
    return raw if _PATH.fullmatch(raw) and not raw.startswith("//") else None


def parse_rdservice(data: bytes, base_url: str, quirks: VendorQuirks) -> RdServiceInfo:
    """Parse an RDSERVICE reply; paths missing or unusable fall back to the vendor's defaults."""
    root = parse_xml(data, "RDService", MAX_INFO_REPLY)
    raw_status = _attr(root, "status").upper()
    try:
        status = RdStatus(raw_status)
    except ValueError:
        raise ProtocolError(f"unknown RD Service status {raw_status[:20]!r}") from None
    paths: dict[str, str] = {}
    for child in root:
        if _local(child.tag).lower() == "interface":
            path = clean_path(_attr(child, "path"))
            if path is not None:
                paths.setdefault(_attr(child, "id").upper(), path)
    return RdServiceInfo(
        status=status,
        info=_attr(root, "info")[:200],
        base_url=base_url,
        capture_path=paths.get("CAPTURE") or quirks.capture_path or DEFAULT_CAPTURE_PATH,
        info_path=paths.get("DEVICEINFO") or quirks.info_path or DEFAULT_INFO_PATH,
    )


def device_info_from(element: Element) -> RdDeviceInfo:
    """An ``RdDeviceInfo`` from a ``<DeviceInfo>`` element (the reply, or inside PidData)."""
    dp_id = _attr(element, "dpId")
    if not dp_id:
        raise ProtocolError("DeviceInfo without dpId")
    additional: dict[str, str] = {}
    extra = _child(element, "additional_info")
    for param in extra if extra is not None else ():
        name = _attr(param, "name")
        if name and len(additional) < 32:
            additional[name[:64]] = _attr(param, "value")[:256]
    mc = _attr(element, "mc")
    return RdDeviceInfo(
        dp_id=dp_id[:64],
        rds_id=_attr(element, "rdsId")[:64],
        rds_ver=_attr(element, "rdsVer")[:32],
        mi=_attr(element, "mi")[:64],
        dc=_attr(element, "dc")[:128],
        mc=mc,
        cert_expiry=not_after(mc),
        additional=additional,
    )


def parse_device_info(data: bytes) -> RdDeviceInfo:
    """Parse a DEVICEINFO reply."""
    return device_info_from(parse_xml(data, "DeviceInfo", MAX_INFO_REPLY))


def _int(raw: str, name: str) -> int | None:
    if raw == "":
        return None
    if not raw.isascii() or not raw.strip().isdigit() or len(raw) > 6:
        raise ProtocolError(f"PidData Resp {name} is not a number: {raw[:20]!r}")
    return int(raw)


def parse_pid_resp(data: bytes) -> PidResp:
    """Read ``Resp`` of a PidData reply; the rest of the block is not looked at."""
    root = parse_xml(data, "PidData", MAX_PID_REPLY)
    resp = _child(root, "Resp")
    if resp is None:
        raise ProtocolError("PidData without Resp")
    err_code = _attr(resp, "errCode")
    if not err_code:
        raise ProtocolError("PidData Resp without errCode")
    nm_raw = _attr(resp, "nmPoints")
    if nm_raw and not _INT_LIST.fullmatch(nm_raw):
        raise ProtocolError(f"PidData Resp nmPoints is not a number list: {nm_raw[:20]!r}")
    return PidResp(
        err_code=err_code[:16],
        err_info=sanitize(_attr(resp, "errInfo")),
        f_count=_int(_attr(resp, "fCount"), "fCount") or 0,
        q_score=_int(_attr(resp, "qScore"), "qScore"),
        nm_points=tuple(int(n) for n in nm_raw.split(",")) if nm_raw else (),
    )


def sanitize(text: str, limit: int = 200) -> str:
    """A service's free text made safe to show: control characters dropped, length capped."""
    return "".join(ch for ch in text if ch.isprintable())[:limit]


def _opts_attributes(req: CaptureRequest, quirks: VendorQuirks) -> Iterable[tuple[str, str]]:
    yield "fCount", str(req.finger_count)
    yield "fType", str(int(req.finger_type))
    if quirks.empty_attributes:
        yield from (("iCount", "0"), ("iType", ""), ("pCount", "0"), ("pType", ""))
    else:
        yield from (("iCount", "0"), ("pCount", "0"))
    yield "format", str(int(req.format))
    yield "pidVer", req.pid_ver
    yield "timeout", str(req.timeout_ms)
    if req.otp or quirks.empty_attributes:
        yield "otp", req.otp
    if req.wadh or quirks.empty_attributes:
        yield "wadh", req.wadh
    yield "posh", req.posh
    if req.env.value != "P" or quirks.always_env:
        yield "env", req.env.value


def build_pid_options(req: CaptureRequest, quirks: VendorQuirks) -> bytes:
    """The PidOptions XML body of a CAPTURE request, from a checked ``CaptureRequest``.

    ``env`` is left out for production (the spec's default) unless the vendor needs it always;
    empty ``otp``/``wadh``/``iType``/``pType`` are sent only to vendors that expect them.
    """
    root = ET.Element("PidOptions", {"ver": "1.0"})
    ET.SubElement(root, "Opts", dict(_opts_attributes(req, quirks)))
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False, short_empty_elements=True)
    return body
