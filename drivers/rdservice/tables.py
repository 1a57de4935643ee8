"""Data of the RD Service driver: the errCode table with operator hints, and vendor quirks.

errCode meanings (protocols.md §4.4): the RD specification reserves the 700 range for RD
Service errors. 700 (capture timed out) and 720 (device not ready) are seen in public client code;
710, 730, 740, 750 and 999 follow the specification's list as commonly reproduced and are
**unverified** against the PDF — which is why this is a table: correct it here, nothing else
changes. An errCode not in the table surfaces the service's errInfo verbatim (reason
``RD_SERVICE_ERROR``).
"""

from __future__ import annotations

from dataclasses import dataclass

from hubd.classes.biometric.contract import OperatorHint, error_metadata
from hubd.driver_api import DeviceNotReady, DeviceUnavailable, HubError, TransportTimeout


@dataclass(frozen=True)
class RdErrorSpec:
    """What one errCode means, the error it becomes and what the operator should do."""

    meaning: str
    kind: type[HubError]
    reason: str
    hint: OperatorHint


ERRORS: dict[str, RdErrorSpec] = {
    "700": RdErrorSpec(
        "capture timed out", TransportTimeout, "CAPTURE_TIMEOUT",
        OperatorHint("CAPTURE_TIMEOUT", "समय समाप्त: स्कैनर की बत्ती जलते ही उंगली रखें",
                     "Time ran out: place the finger as soon as the scanner lights up"),
    ),
    "710": RdErrorSpec(
        "device is being used by another application", DeviceNotReady, "DEVICE_IN_USE",
        OperatorHint("DEVICE_IN_USE", "स्कैनर किसी दूसरे प्रोग्राम में खुला है: उसे बंद करें",
                     "The scanner is open in another program: close that program"),
    ),
    "720": RdErrorSpec(
        "device not ready", DeviceNotReady, "DEVICE_NOT_READY",
        OperatorHint("DEVICE_NOT_READY", "स्कैनर तैयार नहीं है: USB केबल जाँचें और फिर से लगाएँ",
                     "The scanner is not ready: check its USB cable and plug it in again"),
    ),
    "730": RdErrorSpec(
        "capture failed", DeviceUnavailable, "CAPTURE_FAILED",
        OperatorHint("CAPTURE_FAILED", "स्कैन नहीं हुआ: सेंसर पोंछकर फिर से प्रयास करें",
                     "The scan failed: wipe the sensor and try again"),
    ),
    "740": RdErrorSpec(
        "device needs to be re-initialized", DeviceNotReady, "DEVICE_NEEDS_RESET",
        OperatorHint("DEVICE_NEEDS_RESET", "स्कैनर निकालकर दोबारा लगाएँ",
                     "Unplug the scanner and plug it in again"),
    ),
    "750": RdErrorSpec(
        "RD Service configuration error", DeviceNotReady, "RD_SERVICE_CONFIG",
        OperatorHint("RD_SERVICE_CONFIG", "RD सर्विस की सेटिंग गलत है: तकनीशियन को बुलाएँ",
                     "The RD Service is misconfigured: call the technician"),
    ),
    "999": RdErrorSpec(
        "internal error", DeviceUnavailable, "RD_SERVICE_INTERNAL",
        OperatorHint("RD_SERVICE_INTERNAL", "RD सर्विस में त्रुटि: फिर से प्रयास करें",
                     "The RD Service failed: try again"),
    ),
}
UNKNOWN_HINT = OperatorHint(
    "RD_SERVICE_ERROR", "RD सर्विस ने त्रुटि बताई: संदेश तकनीशियन को दिखाएँ",
    "The RD Service reported an error: show the message to the technician",
)


def capture_error(err_code: str, err_info: str) -> HubError:
    """The hub error for a failed capture (errCode != 0), with errCode, errInfo and the hint."""
    spec = ERRORS.get(err_code)
    if spec is None:
        message = f"RD Service error {err_code}: {err_info or '(no errInfo)'}"
        return DeviceUnavailable(message, reason="RD_SERVICE_ERROR",
                                 metadata=error_metadata(err_code, err_info, UNKNOWN_HINT))
    message = f"RD Service: {spec.meaning} (errCode {err_code}{': ' + err_info if err_info else ''})"
    return spec.kind(message, reason=spec.reason, metadata=error_metadata(err_code, err_info, spec.hint))


@dataclass(frozen=True)
class VendorQuirks:
    """How one vendor's RD Service differs from the common shape."""

    name: str
    match: tuple[str, ...] = ()
    """Case-insensitive substrings of the RDSERVICE ``info`` text or the dpId that select it."""
    always_env: bool = False
    """Send ``env`` even for production (some services reject PidOptions without it)."""
    empty_attributes: bool = False
    """Send empty ``iType``/``pType``/``otp``/``wadh`` as the vendor's own sample client does."""
    info_path: str = ""
    capture_path: str = ""
    """Paths to use when the RDSERVICE reply names none (the common ones are /rd/info, /rd/capture)."""


GENERIC = VendorQuirks("generic")
# Unverified vendor behaviour, from public client code (protocols.md §4.1, §4.6).
QUIRKS: tuple[VendorQuirks, ...] = (
    VendorQuirks("mantra", ("mantra",), always_env=True, empty_attributes=True),
    VendorQuirks("morpho", ("morpho", "idemia"), info_path="/getDeviceInfo", capture_path="/capture"),
    VendorQuirks("startek", ("startek", "acpl"), always_env=True),
    VendorQuirks("kioskhub-sim", ("kioskhub",)),
)


def quirks_for(vendor: str, *texts: str) -> VendorQuirks:
    """The quirks for ``vendor`` by name, or (``auto``) the first whose match is in ``texts``."""
    if vendor != "auto":
        return next((q for q in QUIRKS if q.name == vendor), GENERIC)
    haystack = " ".join(texts).lower()
    return next((q for q in QUIRKS if any(m in haystack for m in q.match)), GENERIC)
