"""hubctl's smart-card commands: ``hubctl card readers|atr|apdu HEX...``.

Each takes a lease on the smart-card device itself and gives it back when done (also on failure
or ^C); a device leased by another client fails with DEVICE_BUSY naming the holder and until
when. The APDUs of one ``apdu`` command run in one card session (a SELECT holds for the next).
"""

from __future__ import annotations

import argparse
import json
import sys

import grpc

from hubd.cli.common import EXIT_FAILED, TIMEOUT, AddGlobals, Command, UsageError, emit
from hubd.cli.hubctl import Metadata, default_device, leased
from hubd.cli.output import enum_name, table, yes_no
from kioskhub.v1 import common_pb2, smartcard_pb2, smartcard_pb2_grpc


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], add_globals: AddGlobals
) -> dict[str, Command]:
    """Add ``card`` to hubctl."""
    card = sub.add_parser("card", help="smart-card readers, the card's ATR, APDUs",
                          epilog="example: hubctl card apdu 00A4040009F04B494F534B48554200")
    what = card.add_subparsers(dest="action", required=True, metavar="ACTION")
    readers = what.add_parser("readers", help="the readers and their cards",
                              epilog="example: hubctl card readers")
    atr = what.add_parser("atr", help="the ATR of the card in a reader", epilog="example: hubctl card atr")
    atr.add_argument("reader", nargs="?", default="",
                     help="the reader (default: the only one holding a card)")
    apdu = what.add_parser("apdu", help="send command APDUs (hex) in one card session",
                           epilog="example: hubctl card apdu 00A4040009F04B494F534B48554200 00CA005A00")
    apdu.add_argument("apdus", nargs="+", metavar="HEX",
                      help="a command APDU in hex (spaces or colons allowed)")
    apdu.add_argument("--reader", default="", help="the reader (default: the only one holding a card)")
    for p in (readers, atr, apdu):
        p.add_argument("--device", default="",
                       help="the smart-card device (default: the only or default one)")
        add_globals(p)
    add_globals(card)
    return {"card": cmd_card}


def _hex(data: bytes) -> str:
    return data.hex(" ").upper() or "-"


def _apdu(text: str) -> bytes:
    try:
        data = bytes.fromhex(text.replace(":", "").replace(" ", ""))
    except ValueError:
        raise UsageError(f"not a hex APDU: {text[:40]!r}") from None
    if len(data) < 4:
        raise UsageError(f"an APDU has at least 4 bytes (CLA INS P1 P2): {text[:40]!r}")
    return data


def _readers(stub: smartcard_pb2_grpc.SmartCardServiceStub, device_id: str,
             md: Metadata) -> list[smartcard_pb2.CardReader]:
    found: list[smartcard_pb2.CardReader] = []
    token = ""
    while True:
        page = stub.ListReaders(smartcard_pb2.ListReadersRequest(device_id=device_id, page_token=token),
                                metadata=md, timeout=TIMEOUT)
        found += page.readers
        token = page.next_page_token
        if not token:
            return found


def _reader_rows(readers: list[smartcard_pb2.CardReader]) -> str:
    def card(r: smartcard_pb2.CardReader) -> str:
        return yes_no(r.card_present) + (" (mute)" if r.mute else "") + (
            " (held by another application)" if r.exclusive else "")

    rows = [[r.card_reader_id, enum_name(smartcard_pb2.CardReader.Kind.Name(r.kind), "KIND_"), card(r),
             _hex(r.atr)] for r in readers]
    return table(["READER", "KIND", "CARD", "ATR"], rows)


def _refused(args: argparse.Namespace, reason: str, message: str) -> int:
    """Report what the readers said (no card, no such reader) as hubctl reports a refusal: exit 1."""
    if args.json:
        body = {"code": "FAILED_PRECONDITION", "reason": reason, "message": message, "metadata": {},
                "field_violations": []}
        print(json.dumps({"error": body}, ensure_ascii=False, sort_keys=True), file=sys.stderr)
    else:
        print(f"hubctl: {reason}: {message}", file=sys.stderr)
    return EXIT_FAILED


def _atr(args: argparse.Namespace, readers: list[smartcard_pb2.CardReader]) -> int | None:
    named = [r for r in readers if r.card_reader_id == args.reader] if args.reader else readers
    with_card = [r for r in named if r.card_present]
    if args.reader and not named:
        return _refused(args, "READER_NOT_FOUND", f"no reader named {args.reader[:60]!r}")
    if not with_card:
        return _refused(args, "NO_CARD", f"no card in {args.reader[:60] or 'any reader'}")
    if len(with_card) > 1:
        raise UsageError("several readers hold cards: name one")
    reader = with_card[0]
    emit(args, {"card_reader_id": reader.card_reader_id, "atr": reader.atr.hex().upper()},
         f"{reader.card_reader_id}: {_hex(reader.atr)}")
    return None


def cmd_card(ch: grpc.Channel, args: argparse.Namespace) -> int | None:
    """``readers``, ``atr`` or ``apdu``, under a lease of their own."""
    apdus = [_apdu(text) for text in getattr(args, "apdus", [])]  # bad hex: usage error before leasing
    device_id = args.device or default_device(ch, common_pb2.DEVICE_CLASS_SMART_CARD, "smart-card device")
    stub = smartcard_pb2_grpc.SmartCardServiceStub(ch)
    with leased(ch, device_id) as md:
        if args.action == "readers":
            readers = _readers(stub, device_id, md)
            for r in readers:
                emit(args, r)
            if not args.json:
                print(_reader_rows(readers))
            return None
        if args.action == "atr":
            return _atr(args, _readers(stub, device_id, md))
        failed = False
        for apdu in apdus:
            sent = stub.TransmitApdu(smartcard_pb2.TransmitApduRequest(
                device_id=device_id, card_reader_id=args.reader, apdu=apdu), metadata=md, timeout=TIMEOUT)
            failed = failed or sent.status_word != 0x9000
            emit(args, {"apdu": apdu.hex().upper(), "card_reader_id": sent.card_reader_id,
                        "data": sent.data.hex().upper(), "status_word": f"{sent.status_word:04X}",
                        "exchanges": sent.exchanges, "session_started": sent.session_started},
                 f"> {_hex(apdu)}\n< {_hex(sent.data)}  SW {sent.status_word:04X}"
                 f"{f' ({sent.exchanges} exchanges)' if sent.exchanges > 1 else ''}")
    return EXIT_FAILED if failed else None
