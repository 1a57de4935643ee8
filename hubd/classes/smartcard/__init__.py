"""Smart cards: PC/SC readers and USB crypto tokens, card events, APDUs in one card session per
lease, and ``SmartCardService`` (exclusive: the caller's lease)."""

from __future__ import annotations

from hubd.classes.spec import ClassSpec, ReportSection, SimulatedDevice
from hubd.device import DeviceClass, Option

SPEC = ClassSpec(
    name="smartcard",
    title="Smart cards: PC/SC readers, card events and APDUs",
    device_classes=(DeviceClass.SMART_CARD,),
    services=("hubd.classes.smartcard.service:SmartCardServicer",),
    runner="hubd.classes.smartcard.sessions:runner",
    cli="hubd.classes.smartcard.cli",
    report=(ReportSection("Smart-card readers", ("card", "readers")),),
    demo="hubd.classes.smartcard.demo",
    demo_order=35,
    # A private pcscd with the vpcd reader and our virtual card (hubd.stacks.pcscd.simulate).
    simulate=(SimulatedDevice("card", "pcsc", default=True),),
    leased=True,
    settings_section="smartcard",
    settings={
        "exclusive": Option(bool, True, "a lease's card session keeps other applications off the card"),
    },
    events={
        "CARD_INSERTED": "a card was put in a reader (attributes: reader, atr)",
        "CARD_REMOVED": "a card was taken out of a reader",
        "READER_ADDED": "a reader or USB token was plugged in",
        "READER_REMOVED": "a reader or USB token was unplugged",
    },
    reasons={
        "NO_READER": "no smart-card reader is connected",
        "NO_CARD": "the reader holds no card",
        "CARD_REMOVED": "the card was removed (also during an exchange: its session is over)",
        "CARD_RESET": "another application reset the card: select the application again",
        "CARD_MUTE": "a card is in the reader but does not answer",
        "CARD_IN_USE": "another application holds the card exclusively",
        "CARD_PROTOCOL": "the card speaks neither T=0 nor T=1",
        "READER_NOT_FOUND": "no reader has that name",
        "PCSC_UNAVAILABLE": "pcscd is not running",
        "PCSC_NOT_INSTALLED": "the PC/SC library (libpcsclite, pyscard) is not installed",
        "PCSC_ERROR": "pcscd reported an error the hub does not know",
    },
    event_payload="hubd.classes.smartcard.convert:event_payload",
)
