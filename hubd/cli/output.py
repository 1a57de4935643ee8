"""How hubctl prints: proto JSON with field names, or plain aligned tables."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp


def as_dict(msg: Message) -> dict[str, Any]:
    """A message as a dict with proto (snake_case) field names, every field present."""
    data: dict[str, Any] = MessageToDict(
        msg, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )
    return data


def as_json(msg: Message) -> str:
    """A message as compact JSON with proto (snake_case) field names."""
    return json.dumps(as_dict(msg), ensure_ascii=False, sort_keys=True)


def yes_no(value: bool) -> str:
    """``yes`` / ``no`` for people (not Python's True/False)."""
    return "yes" if value else "no"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns separated by two spaces."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def enum_name(full: str, prefix: str) -> str:
    """``DEVICE_STATE_AVAILABLE`` → ``available``."""
    return full.removeprefix(prefix).lower()


def ago(ts: Timestamp, now: datetime | None = None) -> str:
    """A timestamp as "3s ago" (or "never")."""
    if not ts.seconds and not ts.nanos:
        return "never"
    delta = (now or datetime.now(UTC)) - ts.ToDatetime(tzinfo=UTC)
    secs = max(0, int(delta.total_seconds()))
    if secs < 120:
        return f"{secs}s ago"
    if secs < 7200:
        return f"{secs // 60}m ago"
    return f"{secs // 3600}h ago"


def number(msg: Message, field: str, fmt: str) -> str:
    """An optional numeric field formatted, or "-" when the device did not report it."""
    return fmt.format(getattr(msg, field)) if msg.HasField(field) else "-"
