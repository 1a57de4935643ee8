"""vpcd framing and the simulated card's application (ISO 7816-4 commands, T=0 behaviour).

Framing: 2-byte big-endian length, then the payload (so at most 65535 bytes).
Card: SELECT by AID (00 A4 04 00/0C Lc AID [Le]) → 61xx then GET RESPONSE (00 C0 00 00 Le) → FCI;
GET DATA (00 CA P1 P2 Le) for 5A serial and 5F20 holder name → 6Cxx unless Le is exact.
Status words (ISO 7816-4 §5.6): 9000 ok, 61xx more data, 6Cxx wrong Le (xx exact), 6700 wrong
length, 6985 conditions of use not satisfied (nothing selected / nothing pending), 6A82 file
not found, 6A86 wrong P1-P2, 6A88 referenced data not found, 6D00 INS unknown, 6E00 CLA unknown.
"""

from __future__ import annotations

from typing import Any

CTRL_OFF, CTRL_ON, CTRL_RESET, CTRL_ATR = 0, 1, 2, 4
AID = bytes.fromhex("F04B494F534B485542")  # F0 "KIOSKHUB"
LABEL = b"KIOSKHUB SIM"
MAX_FRAME = 0xFFFF


def frame(payload: bytes) -> bytes:
    """One vpcd message: length (2 bytes, big-endian) and payload."""
    if len(payload) > MAX_FRAME:
        raise ValueError("a vpcd message holds at most 65535 bytes")
    return len(payload).to_bytes(2, "big") + payload


class VpcdFramer:
    """Splits a byte stream into vpcd messages, however the bytes arrive."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        """Complete messages in the bytes received so far."""
        self._buf += data
        out = []
        while len(self._buf) >= 2:
            size = int.from_bytes(self._buf[:2], "big")
            if len(self._buf) < 2 + size:
                break
            out.append(bytes(self._buf[2 : 2 + size]))
            del self._buf[: 2 + size]
        return out


def _sw(code: int) -> bytes:
    return code.to_bytes(2, "big")


def _tlv(tag: bytes, value: bytes) -> bytes:
    return tag + bytes((len(value),)) + value


class KioskCard:
    """The card's application state: power, selection, and data waiting for GET RESPONSE."""

    def __init__(self, state: Any) -> None:
        self.state = state
        self.selected = False
        self.pending = b""

    def power(self, on: bool) -> None:
        """Power on, off or reset: the selection and pending data are lost."""
        self.state.powered = on
        self.selected, self.pending = False, b""

    def fci(self) -> bytes:
        """File control information of the application: 6F { 84 AID, A5 { 50 label } }."""
        return _tlv(b"\x6f", _tlv(b"\x84", AID) + _tlv(b"\xa5", _tlv(b"\x50", LABEL)))

    def respond(self, apdu: bytes) -> bytes:
        """The response APDU to one command APDU."""
        if len(apdu) < 4:
            return _sw(0x6700)
        cla, ins, p1, p2 = apdu[:4]
        body = apdu[4:]
        if cla not in (0x00, 0x80):
            return _sw(0x6E00)
        pending, self.pending = self.pending, b""
        if ins == 0xA4:
            return self._select(p1, p2, body)
        if ins == 0xC0:
            return self._get_response(pending, p1, p2, body)
        if ins == 0xCA:
            return self._get_data(p1 << 8 | p2, body)
        return _sw(0x6D00)

    def _select(self, p1: int, p2: int, body: bytes) -> bytes:
        if p1 != 0x04 or p2 not in (0x00, 0x0C):
            return _sw(0x6A86)
        if not body or len(body) not in (1 + body[0], 2 + body[0]):
            return _sw(0x6700)
        if body[1 : 1 + body[0]] != AID:
            self.selected = False
            return _sw(0x6A82)
        self.selected = True
        if p2 == 0x0C:  # no response data wanted
            return _sw(0x9000)
        self.pending = self.fci()
        return bytes((0x61, len(self.pending)))

    def _get_response(self, pending: bytes, p1: int, p2: int, body: bytes) -> bytes:
        if (p1, p2) != (0, 0) or len(body) != 1:
            return _sw(0x6A86 if len(body) == 1 else 0x6700)
        if not pending:
            return _sw(0x6985)
        le = body[0] or 256
        if le > len(pending):
            self.pending = pending
            return bytes((0x6C, len(pending)))
        rest = pending[le:]
        self.pending = rest
        return pending[:le] + (bytes((0x61, len(rest))) if rest else _sw(0x9000))

    def _get_data(self, tag: int, body: bytes) -> bytes:
        if not self.selected:
            return _sw(0x6985)
        values: dict[int, bytes] = {
            0x005A: bytes.fromhex(self.state.serial),
            0x5F20: self.state.holder.encode("ascii", "replace"),
        }
        value = values.get(tag)
        if value is None:
            return _sw(0x6A88)
        if len(body) != 1:
            return _sw(0x6700)
        if (body[0] or 256) != len(value):
            return bytes((0x6C, len(value)))
        return value + _sw(0x9000)
