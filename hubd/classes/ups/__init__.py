"""The UPS device class: one reading shape for every UPS driver, the low-battery policy, and
``UpsService``. The worked example of ``docs/adding-a-device-class.md``."""

from __future__ import annotations

from hubd.classes.spec import ClassSpec, ReportSection, SimulatedDevice
from hubd.device import DeviceClass, Duration, Option

SPEC = ClassSpec(
    name="ups",
    title="UPS: mains power, battery and the low-battery policy",
    device_classes=(DeviceClass.UPS,),
    services=("hubd.classes.ups.service:UpsServicer",),
    runner="hubd.classes.ups.power:runner",
    cli="hubd.classes.ups.cli",
    report=(ReportSection("UPS", ("ups",)),),
    demo="hubd.classes.ups.demo",
    demo_order=20,
    simulate=(
        SimulatedDevice("ups", "megatec_ups", listen="pty", default=True),
        SimulatedDevice("ups-nut", "nut"),
    ),
    settings_section="power",
    settings={
        "low_battery_grace": Option(Duration, 60.0, "LB/FSD lasting this long: SHUTDOWN_IMMINENT", 0, 3600),
        "shutdown_command": Option(list, [], "run once at SHUTDOWN_IMMINENT (off when empty)", items=str),
    },
    events={
        "ON_BATTERY": "mains power failed; the UPS runs on its battery",
        "LOW_BATTERY": "the UPS battery is low (LB or FSD)",
        "ON_LINE": "mains power is back",
        "SHUTDOWN_IMMINENT": "the battery stayed low for the grace period: power-critical work is refused",
    },
    reasons={
        "STATUS_UNKNOWN": "upsd has no status for the UPS yet",
        "CREDENTIALS_UNREADABLE": "the NUT password file cannot be read",
        "LOW_BATTERY": "the UPS battery is low",
    },
    event_payload="hubd.classes.ups.convert:event_payload",
)
