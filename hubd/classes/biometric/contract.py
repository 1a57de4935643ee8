"""The biometric device class: fingerprint capture through a certified UIDAI RD Service.

A driver reaches the vendor's Registered Device service (Mantra, Morpho/IDEMIA, Startek…) and
returns typed values: the service's status and the device's identity (``BiometricReading``, the
health the supervisor polls) and, for a capture, a ``CaptureResult`` whose PidData block is
**opaque**: the encrypted block travels to the caller untouched. It is never decrypted, never
parsed beyond ``Resp`` (errCode, errInfo, qScore, nmPoints, fCount), never logged and never
stored; its ``repr`` does not show the bytes and it refuses to be pickled. Only errCode,
qScore and nmPoints are logged (by ``BiometricDevice.capture``, once, for every driver).

Failures carry an ``OperatorHint`` (Hindi and English) in the error's metadata (``hintHi``,
``hintEn``, plus ``errCode``/``errInfo`` from the service); a poor-quality capture succeeds with
``quality.poor`` set and the coaching hint in ``quality.hint``.
"""

from __future__ import annotations

import abc
import enum
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NoReturn

from hubd.clock import Clock, SystemClock
from hubd.device import Device, DeviceClass, DeviceEvent, DeviceState
from hubd.errors import InvalidArgument, quote

log = logging.getLogger(__name__)

RD_READY = "RD_SERVICE_READY"
RD_NOT_READY = "RD_SERVICE_NOT_READY"
RD_IN_USE = "RD_SERVICE_IN_USE"
CERT_WARNING_DAYS = 30
"""A device certificate expiring within this many days is named in the status detail."""


@dataclass(frozen=True)
class OperatorHint:
    """A short instruction for the kiosk operator, in Hindi and English."""

    code: str
    hi: str
    en: str

    def text(self) -> str:
        """Both languages on one line, Hindi first (how the kiosk screens show it)."""
        return f"{self.hi} / {self.en}"

    def metadata(self) -> dict[str, str]:
        """The hint as error metadata (``hintCode``, ``hintHi``, ``hintEn``)."""
        return {"hintCode": self.code, "hintHi": self.hi, "hintEn": self.en}


HINT_POOR_QUALITY = OperatorHint(
    "POOR_QUALITY",
    "उंगली साफ़ करके सेंसर पर सीधी और पूरी रखें, फिर से स्कैन करें",
    "Clean the finger, place it flat and fully on the sensor, and scan again",
)


class RdStatus(enum.Enum):
    """The RD Service's own status (the ``status`` attribute of its RDSERVICE reply)."""

    READY = "READY"
    NOTREADY = "NOTREADY"
    USED = "USED"


@dataclass(frozen=True)
class RdServiceInfo:
    """What the RDSERVICE reply said, and where the service was found."""

    status: RdStatus
    info: str
    base_url: str
    capture_path: str
    info_path: str


@dataclass(frozen=True)
class RdDeviceInfo:
    """The DEVICEINFO reply: provider, service and model ids, device code and certificate."""

    dp_id: str
    rds_id: str
    rds_ver: str
    mi: str
    dc: str
    mc: str = field(repr=False)
    """The device certificate (base64 DER as the service sends it)."""
    cert_expiry: datetime | None = None
    """notAfter of ``mc`` when it parses as an X.509 certificate; None when not readable."""
    additional: Mapping[str, str] = field(default_factory=dict)

    @property
    def simulated(self) -> bool:
        """True for the kioskhub simulator (its dpId is ``KIOSKHUB.SIM``)."""
        return self.dp_id.upper().startswith("KIOSKHUB.SIM")


@dataclass(frozen=True)
class BiometricReading:
    """Health of a fingerprint device: service status, identity, version, certificate, last capture."""

    service: RdServiceInfo
    device: RdDeviceInfo | None = None
    last_capture: datetime | None = None

    @property
    def status(self) -> RdStatus:
        """The service status."""
        return self.service.status

    @property
    def version(self) -> str:
        """The RD Service version (``rdsVer``), "" before DEVICEINFO answered."""
        return self.device.rds_ver if self.device else ""

    @property
    def cert_expiry(self) -> datetime | None:
        """The device certificate's expiry, when readable."""
        return self.device.cert_expiry if self.device else None


class FingerType(enum.IntEnum):
    """PidOptions ``fType``: minutiae, image, or both in one PID block (AePS requires 2)."""

    FMR = 0
    FIR = 1
    FMR_FIR = 2


class PidFormat(enum.IntEnum):
    """PidOptions ``format``: the PID block as XML or protobuf."""

    XML = 0
    PROTOBUF = 1


class RdEnv(enum.Enum):
    """PidOptions ``env``: UIDAI production, pre-production or staging."""

    PRODUCTION = "P"
    PRE_PRODUCTION = "PP"
    STAGING = "S"


_POSH = re.compile(r"[A-Z_]{1,20}(,[A-Z_]{1,20}){0,9}")
_BASE64 = re.compile(r"[A-Za-z0-9+/]{0,86}={0,2}")


def _bad(field_: str, message: str) -> NoReturn:
    raise InvalidArgument(field_, message)


@dataclass(frozen=True)
class CaptureRequest:
    """A fingerprint capture request; checked on construction (INVALID_ARGUMENT names the field)."""

    finger_count: int = 1
    finger_type: FingerType = FingerType.FMR_FIR
    format: PidFormat = PidFormat.XML
    timeout_ms: int = 10_000
    env: RdEnv = RdEnv.PRODUCTION
    wadh: str = ""
    """base64 SHA-256 of the eKYC request attributes; required for eKYC, empty otherwise."""
    posh: str = "UNKNOWN"
    pid_ver: str = "2.0"
    otp: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.finger_count, bool) or not isinstance(self.finger_count, int):
            _bad("finger_count", f"must be an integer, got {quote(self.finger_count)}")
        if not 1 <= self.finger_count <= 10:
            _bad("finger_count", f"must be 1..10, got {self.finger_count}")
        for name, kind in (("finger_type", FingerType), ("format", PidFormat), ("env", RdEnv)):
            if not isinstance(getattr(self, name), kind):
                _bad(name, f"must be a {kind.__name__}, got {quote(getattr(self, name))}")
        if isinstance(self.timeout_ms, bool) or not isinstance(self.timeout_ms, int):
            _bad("timeout_ms", f"must be an integer, got {quote(self.timeout_ms)}")
        if not 1_000 <= self.timeout_ms <= 60_000:
            _bad("timeout_ms", f"must be 1000..60000 ms, got {self.timeout_ms}")
        if not isinstance(self.wadh, str) or not _BASE64.fullmatch(self.wadh):
            _bad("wadh", f"must be base64 of at most 88 characters, got {quote(self.wadh)}")
        if not isinstance(self.posh, str) or not _POSH.fullmatch(self.posh):
            _bad("posh", f"must be UNKNOWN or finger positions like LEFT_INDEX, got {quote(self.posh)}")
        if self.pid_ver not in ("2.0",):
            _bad("pid_ver", f"must be 2.0, got {quote(self.pid_ver)}")
        if not isinstance(self.otp, str) or not (self.otp == "" or self.otp.isascii() and self.otp.isdigit()):
            _bad("otp", "must be digits")
        if len(self.otp) > 8:
            _bad("otp", f"must be at most 8 digits, got {len(self.otp)}")


@dataclass(frozen=True)
class CaptureQuality:
    """What may be known about a capture besides the PID block: scores, count, coaching."""

    q_score: int | None
    nm_points: tuple[int, ...]
    """Minutiae points per finger (``nmPoints`` is a comma list when fCount > 1)."""
    finger_count: int
    poor: bool = False
    hint: OperatorHint | None = None


@dataclass(frozen=True)
class CaptureResult:
    """A successful capture: the PidData XML block as opaque bytes, and its quality summary."""

    pid_data: bytes = field(repr=False)
    quality: CaptureQuality
    captured_at: datetime

    def __reduce_ex__(self, protocol: object) -> NoReturn:
        raise TypeError("a PidData block is never stored or copied (pickling refused)")

    @property
    def size(self) -> int:
        """Length of the PID block in bytes (safe to show)."""
        return len(self.pid_data)


def error_metadata(err_code: str, err_info: str, hint: OperatorHint | None) -> dict[str, str]:
    """Metadata for a capture error: the service's errCode/errInfo and the operator hint."""
    meta = {"errCode": err_code, "errInfo": err_info[:200]}
    if hint is not None:
        meta.update(hint.metadata())
    return meta


class BiometricDevice(Device):
    """Base of fingerprint drivers: ``read_info`` for health, ``do_capture`` for a capture.

    ``capture`` (the public call) runs the driver's ``do_capture``, records the time of the last
    successful capture and logs errCode/qScore/nmPoints, and nothing else, about it.
    """

    device_class = DeviceClass.BIOMETRIC
    DEFAULT_POLL_INTERVAL = 3.0
    """An RD service is an HTTP server shared with the kiosk's browser: asked every 3 s."""
    clock: Clock = SystemClock()
    last_capture: datetime | None = None

    @abc.abstractmethod
    async def read_info(self) -> BiometricReading:
        """Ask the service for its status and identity; raise ``DeviceUnavailable`` on failure."""

    @abc.abstractmethod
    async def do_capture(self, request: CaptureRequest) -> CaptureResult:
        """Capture once; raise a ``HubError`` (with hint metadata) when the service reports failure."""

    async def capture(self, request: CaptureRequest) -> CaptureResult:
        """Capture a fingerprint; the result's PidData is opaque and must not be stored or logged."""
        result = await self.do_capture(request)
        self.last_capture = result.captured_at
        q = result.quality
        log.info("%s: capture errCode=0 qScore=%s nmPoints=%s", self.id, q.q_score,
                 ",".join(map(str, q.nm_points)))
        return result

    async def poll(self) -> BiometricReading:
        """The supervisor's poll reads the health values."""
        return await self.read_info()

    def assess(self, reading: object) -> tuple[DeviceState, str, str]:
        """READY is available (certificate expiry named when near); NOTREADY/USED are not."""
        assert isinstance(reading, BiometricReading)
        status = reading.status
        if status is RdStatus.NOTREADY:
            return DeviceState.UNAVAILABLE, "DEVICE_NOT_READY", reading.service.info
        if status is RdStatus.USED:
            return DeviceState.UNAVAILABLE, "DEVICE_IN_USE", "RD Service is used by another application"
        expiry = reading.cert_expiry
        if expiry is not None:
            now = self.clock.now()
            if expiry <= now:
                detail = f"device certificate expired {expiry:%Y-%m-%d}"
                return DeviceState.UNAVAILABLE, "CERTIFICATE_EXPIRED", detail
            if expiry - now <= timedelta(days=CERT_WARNING_DAYS):
                return DeviceState.AVAILABLE, "", f"device certificate expires {expiry:%Y-%m-%d}"
        return DeviceState.AVAILABLE, "", ""

    def events_between(self, old: object | None, new: object) -> list[DeviceEvent]:
        """RD_SERVICE_READY / _NOT_READY / _IN_USE when the service status changes."""
        assert isinstance(new, BiometricReading)
        before = old.status if isinstance(old, BiometricReading) else None
        if new.status is before:
            return []
        kind = {RdStatus.READY: RD_READY, RdStatus.NOTREADY: RD_NOT_READY, RdStatus.USED: RD_IN_USE}
        if before is None and new.status is RdStatus.READY:
            return []
        return [DeviceEvent(kind[new.status], {"status": new.status.value})]

    def describe(self) -> str:
        """Set by drivers once DEVICEINFO answered."""
        return ""
