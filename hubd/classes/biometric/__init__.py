"""Fingerprint devices: Aadhaar capture through the vendor's certified UIDAI RD Service,
``BiometricService`` (exclusive: the caller's lease), and the hub-wide Aadhaar mask on logs."""

from __future__ import annotations

from hubd.classes.spec import ClassSpec, ReportSection, SimulatedDevice
from hubd.device import DeviceClass, Duration, Option

SPEC = ClassSpec(
    name="biometric",
    title="Fingerprint capture through the Aadhaar RD Service",
    device_classes=(DeviceClass.BIOMETRIC,),
    services=("hubd.classes.biometric.service:BiometricServicer",),
    runner="hubd.classes.biometric.captures:runner",
    cli="hubd.classes.biometric.cli",
    report=(ReportSection("Fingerprint device (RD Service)", ("biometric", "info")),),
    demo="hubd.classes.biometric.demo",
    demo_order=30,
    # Behind two closed ports of its range: the driver finds it by discovery, as at a kiosk.
    simulate=(SimulatedDevice("fingerprint", "rdservice", listen="rdservice://127.0.0.1:0?skip=2",
                              default=True),),
    leased=True,
    settings_section="biometric",
    settings={
        "capture_timeout": Option(Duration, 10.0, "how long the scanner waits for a finger when a "
                                  "request does not say", 1, 60),
    },
    events={
        "RD_SERVICE_READY": "the RD Service is ready to capture again",
        "RD_SERVICE_NOT_READY": "the RD Service reports NOTREADY: its scanner is unplugged or initialising",
        "RD_SERVICE_IN_USE": "the RD Service reports USED: another application has the scanner",
    },
    reasons={
        "DEVICE_IN_USE": "another application is using the fingerprint scanner (USED, errCode 710)",
        "CERTIFICATE_EXPIRED": "the scanner's device certificate has expired: UIDAI refuses its captures",
        "CAPTURE_TIMEOUT": "no finger was placed within the capture timeout (errCode 700)",
        "CAPTURE_FAILED": "the scanner could not take the fingerprint (errCode 730)",
        "DEVICE_NEEDS_RESET": "the scanner must be unplugged and plugged in again (errCode 740)",
        "RD_SERVICE_CONFIG": "the RD Service is misconfigured (errCode 750)",
        "RD_SERVICE_INTERNAL": "the RD Service failed internally (errCode 999)",
        "RD_SERVICE_ERROR": "the RD Service reported an error the hub does not know (errInfo verbatim)",
        "RD_SERVICE_NOT_FOUND": "no RD Service answers on its port range",
        "XML_REFUSED": "the RD Service sent XML the hub will not parse (DTD, entities, too large)",
        "CAPTURE_IN_PROGRESS": "a capture is already running on the device",
    },
    event_payload="hubd.classes.biometric.convert:event_payload",
)
