"""Every reason and event kind the code can produce is listed, with its meaning, in one place."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from hubd import vocabulary
from kioskhub.v1 import hub_pb2

ROOT = Path(__file__).resolve().parents[2]
LITERAL = re.compile(
    r"(?:reason=|default_reason = |DeviceEvent\(|publish\(\s*|_failed\(|mark_\w+\([^)]*?, )"
    r'"([A-Z][A-Z0-9_]+)"'
)
TABLE = re.compile(r'errno\.\w+: "([A-Z][A-Z0-9_]+)"')
CONSTANT = re.compile(r'^([A-Z][A-Z0-9_]+) = "\1"$', re.M)


def _sources() -> list[Path]:
    return [p for d in ("hubd", "drivers") for p in (ROOT / d).rglob("*.py") if "__pycache__" not in p.parts]


def test_every_reason_and_kind_in_the_code_is_listed_with_a_meaning() -> None:
    known = vocabulary.reasons() | vocabulary.events()
    missing: dict[str, str] = {}
    for path in _sources():
        text = path.read_text()
        for word in LITERAL.findall(text) + TABLE.findall(text) + CONSTANT.findall(text):
            if word not in known:
                missing.setdefault(word, str(path.relative_to(ROOT)))
    assert not missing, f"reasons/kinds not in hubd.vocabulary or a ClassSpec: {missing}"
    assert all(meaning.strip() for meaning in known.values())


def test_every_event_type_of_the_api_is_a_known_kind() -> None:
    kinds = set(vocabulary.events())
    for name in hub_pb2.EventType.keys():
        if name != "EVENT_TYPE_UNSPECIFIED":
            assert name.removeprefix("EVENT_TYPE_") in kinds, name


async def test_a_kind_the_api_does_not_know_arrives_unspecified_and_the_stream_survives(hub) -> None:
    from hubd.rpc.convert import event_to_pb
    from kioskhub.v1 import hub_pb2_grpc
    from tests.rpc.conftest import watch_from_now

    stream = await watch_from_now(hub.channel)
    hub.hub.bus.publish("SOMETHING_NEW", "ups", reason="X", attributes={"detail": "1"})
    hub.hub.bus.publish("ON_LINE", "ups")
    first = (await asyncio.wait_for(stream.read(), 5)).event
    while first.attributes.get("kind") != "SOMETHING_NEW":  # device events of the start may come first
        first = (await asyncio.wait_for(stream.read(), 5)).event
    assert first.type == hub_pb2.EVENT_TYPE_UNSPECIFIED
    second = (await asyncio.wait_for(stream.read(), 5)).event
    assert second.type == hub_pb2.EVENT_TYPE_ON_LINE  # the stream goes on
    stream.cancel()
    # and resuming replays it without failing either
    info = await hub_pb2_grpc.HubServiceStub(hub.channel).GetHubInfo(hub_pb2.GetHubInfoRequest())
    replay = hub_pb2_grpc.HubServiceStub(hub.channel).WatchEvents(
        hub_pb2.WatchEventsRequest(resume_boot_id=info.boot_id, resume_after_sequence=first.sequence - 1)
    )
    assert (await asyncio.wait_for(replay.read(), 5)).event.attributes["kind"] == "SOMETHING_NEW"
    replay.cancel()
    assert event_to_pb(hub.hub.bus._retained[-1]).type == hub_pb2.EVENT_TYPE_ON_LINE
