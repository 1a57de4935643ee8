"""PC/SC and ISO 7816 codec (sans-IO: bytes and status words in, typed values and next commands out).

Wire references: ISO/IEC 7816-4:2020 §5.1 (command APDU cases 1–4, short and extended Lc/Le),
§5.6 status words — 61xx: xx more bytes available with GET RESPONSE (INS C0); 6Cxx: wrong Le, the
exact length is xx, send the command again with Le = xx; ISO/IEC 7816-3:2006 §8.2 (ATR: TS, T0 =
Y1|K, interface bytes TAi/TBi/TCi/TDi announced by Yi, TDi's low nibble a protocol T, K historical
bytes, TCK present unless only T=0 is indicated, XOR of T0..TCK is 0) and §10.3.3 (T=0: the card
answers a case 4 command with 61xx, the reader fetches with GET RESPONSE). PC/SC codes and reader
state flags: pcsc-lite ``PCSC/pcsclite.h`` (SCARD_E_*, SCARD_W_*, SCARD_STATE_*).
"""

from __future__ import annotations

from dataclasses import dataclass

from hubd.classes.smartcard.contract import ApduResponse, CardReader, ReaderKind
from hubd.driver_api import (
    DeviceNotReady,
    DeviceUnavailable,
    HubError,
    InvalidArgument,
    NotFound,
    TransportError,
)

MAX_SHORT_LE = 256
MAX_ROUNDS = 64
"""At most this many GET RESPONSE / Le corrections for one command (a card looping is an error)."""
INS_GET_RESPONSE = 0xC0


@dataclass(frozen=True)
class CommandApdu:
    """A parsed command APDU (ISO 7816-4 §5.1): header, data and Le (None when absent)."""

    header: bytes
    data: bytes
    le: int | None
    extended: bool

    def with_le(self, le: int) -> bytes:
        """The same command with Le = ``le`` (short form; used after 6Cxx)."""
        lc = bytes((len(self.data),)) + self.data if self.data else b""
        return self.header + lc + bytes((le & 0xFF,))


def parse_command(apdu: bytes) -> CommandApdu:
    """Split a command APDU into its parts; InvalidArgument naming ``apdu`` when malformed."""
    if len(apdu) < 4:
        raise InvalidArgument("apdu", f"needs at least 4 bytes (CLA INS P1 P2), got {len(apdu)}")
    header, body = apdu[:4], apdu[4:]
    n = len(body)
    if n == 0:
        return CommandApdu(header, b"", None, False)
    if n == 1:
        return CommandApdu(header, b"", body[0] or 256, False)
    if body[0] != 0:
        lc = body[0]
        if n == 1 + lc:
            return CommandApdu(header, body[1:], None, False)
        if n == 2 + lc:
            return CommandApdu(header, body[1:-1], body[-1] or 256, False)
        raise InvalidArgument("apdu", f"Lc={lc} does not match {n - 1} bytes after it")
    if n == 2:
        raise InvalidArgument("apdu", "Lc=0 must be followed by an extended length")
    if n == 3:
        return CommandApdu(header, b"", int.from_bytes(body[1:3], "big") or 65536, True)
    lc = int.from_bytes(body[1:3], "big")
    if lc and n == 3 + lc:
        return CommandApdu(header, body[3:], None, True)
    if lc and n == 5 + lc:
        return CommandApdu(header, body[3:-2], int.from_bytes(body[-2:], "big") or 65536, True)
    raise InvalidArgument("apdu", f"extended Lc/Le do not match the {n} bytes after the header")


class Exchange:
    """One command driven to its complete response through 61xx and 6Cxx.

    ``first()`` is the command to send; ``feed(rapdu)`` returns the next command to send, or None
    when ``result`` is complete. Data of successive GET RESPONSEs is concatenated.
    """

    def __init__(self, apdu: bytes) -> None:
        self.command = parse_command(apdu)
        self._apdu = apdu
        cla = apdu[0]
        self._get_cla = cla if cla & 0x80 == 0 else 0x00  # keep an interindustry CLA's channel bits
        self._data = bytearray()
        self._rounds = 0
        self.result: ApduResponse | None = None

    def first(self) -> bytes:
        """The command APDU as given."""
        return self._apdu

    def feed(self, rapdu: bytes) -> bytes | None:
        """Take a response APDU; return the next command, or None when ``result`` is set."""
        if len(rapdu) < 2:
            raise TransportError(f"card answered {len(rapdu)} byte(s), not a response APDU",
                                 reason="PROTOCOL_ERROR")
        self._rounds += 1
        body, sw1, sw2 = rapdu[:-2], rapdu[-2], rapdu[-1]
        self._data += body
        if self._rounds < MAX_ROUNDS:
            if sw1 == 0x61:
                return bytes((self._get_cla, INS_GET_RESPONSE, 0, 0, sw2))
            if sw1 == 0x6C and not body and not self.command.extended:
                return self.command.with_le(sw2)
        self.result = ApduResponse(bytes(self._data), sw1, sw2, exchanges=self._rounds)
        return None


@dataclass(frozen=True)
class Atr:
    """What an ATR says: the protocols offered, the historical bytes, and whether TCK checks."""

    protocols: tuple[int, ...]
    historical: bytes
    tck_ok: bool | None


def parse_atr(atr: bytes) -> Atr:
    """Parse an ATR (ISO 7816-3 §8.2); ValueError when it is cut short or has a bad TS."""
    if len(atr) < 2 or atr[0] not in (0x3B, 0x3F):
        raise ValueError("ATR must start with TS 3B or 3F")
    y, k = atr[1] >> 4, atr[1] & 0x0F
    pos, protocols = 2, []
    while True:
        pos += bin(y & 0x7).count("1")  # TAi, TBi, TCi
        if not y & 0x8:
            break
        if pos >= len(atr):
            raise ValueError("ATR cut short in its interface bytes")
        td = atr[pos]
        pos += 1
        protocols.append(td & 0x0F)
        y = td >> 4
    if pos + k > len(atr):
        raise ValueError("ATR cut short in its historical bytes")
    historical = atr[pos : pos + k]
    offered = tuple(dict.fromkeys(protocols)) or (0,)
    needs_tck = any(p != 0 for p in offered)
    tck_ok: bool | None = None
    if needs_tck:
        if pos + k >= len(atr):
            raise ValueError("ATR lacks its TCK")
        check = 0
        for b in atr[1 : pos + k + 1]:
            check ^= b
        tck_ok = check == 0
    return Atr(offered, historical, tck_ok)


# pcsc-lite PCSC/pcsclite.h
SCARD_S_SUCCESS = 0x00000000
SCARD_E_CANCELLED = 0x80100002
SCARD_E_TIMEOUT = 0x8010000A
SCARD_E_UNKNOWN_READER = 0x80100009
SCARD_E_SHARING_VIOLATION = 0x8010000B
SCARD_E_NO_SMARTCARD = 0x8010000C
SCARD_E_PROTO_MISMATCH = 0x8010000F
SCARD_F_COMM_ERROR = 0x80100013
SCARD_E_NOT_TRANSACTED = 0x80100016
SCARD_E_READER_UNAVAILABLE = 0x80100017
SCARD_E_NO_SERVICE = 0x8010001D
SCARD_E_SERVICE_STOPPED = 0x8010001E
SCARD_E_NO_READERS_AVAILABLE = 0x8010002E
SCARD_W_UNRESPONSIVE_CARD = 0x80100066
SCARD_W_UNPOWERED_CARD = 0x80100067
SCARD_W_RESET_CARD = 0x80100068
SCARD_W_REMOVED_CARD = 0x80100069

CARD_GONE = frozenset({SCARD_W_REMOVED_CARD, SCARD_E_NO_SMARTCARD})
LINK_FAILED = frozenset({SCARD_E_NOT_TRANSACTED, SCARD_F_COMM_ERROR, SCARD_W_UNRESPONSIVE_CARD})
"""Results of a transmit that fails because the card went away before pcscd noticed."""

STATE_CHANGED, STATE_UNKNOWN, STATE_UNAVAILABLE = 0x0002, 0x0004, 0x0008
STATE_EMPTY, STATE_PRESENT, STATE_EXCLUSIVE, STATE_MUTE = 0x0010, 0x0020, 0x0080, 0x0200
PNP_NOTIFICATION = "\\\\?PnP?\\Notification"

_ERRORS: dict[int, tuple[type[HubError], str, str]] = {
    SCARD_E_NO_SMARTCARD: (DeviceNotReady, "NO_CARD", "no card in the reader"),
    SCARD_W_REMOVED_CARD: (DeviceNotReady, "CARD_REMOVED", "the card was removed"),
    SCARD_W_RESET_CARD: (DeviceNotReady, "CARD_RESET", "the card was reset by another application"),
    SCARD_W_UNRESPONSIVE_CARD: (DeviceNotReady, "CARD_MUTE", "the card does not answer"),
    SCARD_W_UNPOWERED_CARD: (DeviceNotReady, "CARD_MUTE", "the card is not powered"),
    SCARD_E_SHARING_VIOLATION: (DeviceNotReady, "CARD_IN_USE", "another application holds the card"),
    SCARD_E_UNKNOWN_READER: (NotFound, "READER_NOT_FOUND", "no such reader"),
    SCARD_E_READER_UNAVAILABLE: (NotFound, "READER_NOT_FOUND", "the reader is gone"),
    SCARD_E_NO_SERVICE: (DeviceUnavailable, "PCSC_UNAVAILABLE", "pcscd is not running"),
    SCARD_E_SERVICE_STOPPED: (DeviceUnavailable, "PCSC_UNAVAILABLE", "pcscd stopped"),
    SCARD_E_NO_READERS_AVAILABLE: (NotFound, "READER_NOT_FOUND", "no reader is connected"),
    SCARD_E_PROTO_MISMATCH: (DeviceNotReady, "CARD_PROTOCOL", "the card speaks neither T=0 nor T=1"),
}


def pcsc_error(code: int, doing: str, reader: str = "") -> HubError:
    """The hub error for a failed PC/SC call (``code`` the SCARD_* result)."""
    kind, reason, text = _ERRORS.get(code & 0xFFFFFFFF, (TransportError, "PCSC_ERROR", "PC/SC error"))
    where = f" ({reader})" if reader else ""
    return kind(f"{doing}{where}: {text} [0x{code & 0xFFFFFFFF:08X}]", reason=reason,
                metadata={"pcscCode": f"0x{code & 0xFFFFFFFF:08X}", **({"reader": reader} if reader else {})})


TOKEN_NAMES = ("token", "epass", "proxkey", "mtoken", "hyp2003", "trustkey", "watchdata", "safenet")
"""Reader-name fragments of USB crypto tokens (Indian DSC tokens are CCID readers with a built-in card)."""


def reader_kind(name: str) -> ReaderKind:
    """TOKEN when the reader's name is that of a USB crypto token, else READER."""
    low = name.lower()
    return ReaderKind.TOKEN if any(t in low for t in TOKEN_NAMES) else ReaderKind.READER


def reader_from_state(name: str, state: int, atr: bytes) -> CardReader:
    """A ``CardReader`` from SCardGetStatusChange's event state and ATR."""
    present = bool(state & STATE_PRESENT) and not state & STATE_MUTE
    return CardReader(name=name, kind=reader_kind(name), card_present=present,
                      atr=bytes(atr) if present and atr else None,
                      exclusive=bool(state & STATE_EXCLUSIVE), mute=bool(state & STATE_MUTE))
