"""``kioskhub-sim portal`` as its own process: the secret file it provisions, its control socket
(wallets, rates, bills, faults, the ledger), and the HTTP framing of its small server."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubd.classes.transactions.model import PaymentRequest
from hubd.classes.transactions.portal import PortalBadReply, PortalClient
from hubd.classes.transactions.signing import load_secret
from hubd.clock import SystemClock
from kioskhub.simulators import load
from kioskhub.simulators.control import control
from kioskhub.simulators.portal import PortalSim
from kioskhub.simulators.portal.http import HttpError, read_request


@pytest.fixture
def sim_process(tmp_path: Path) -> Iterator[dict[str, str]]:
    secret = tmp_path / "portal.secret"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kioskhub.simulators.cli",
            "portal",
            "--listen",
            "tcp://127.0.0.1:0",
            "--control",
            f"unix://{tmp_path}/ctl",
            "--set",
            f"secret_file={secret}",
            "--set",
            f"ledger_path={tmp_path}/ledger.db",
            "--set",
            "kiosk_id=d08k2222",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    info = json.loads(proc.stdout.readline())
    yield {**info, "secret": str(secret)}
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(10) == 0


def test_registered() -> None:
    assert load("portal") is PortalSim


async def test_the_process_is_driven_through_its_control_socket(sim_process: dict[str, str]) -> None:
    ctl = sim_process["control"]
    secret = Path(sim_process["secret"])
    assert secret.stat().st_mode & 0o777 == 0o600  # provisioned for hubd --simulate
    client = PortalClient(sim_process["url"], "d08k2222", load_secret(secret), SystemClock())
    try:
        assert control(ctl, "wallet 1500000") == "OK d08k2222 balance_paise=1500000"
        assert (await client.wallet()).balance_paise == 1_500_000
        assert control(ctl, "rate INCOME_CERT 6500").startswith("OK")
        assert {s.service_id: s.rate_paise for s in await client.services()}["INCOME_CERT"] == 6500
        reply = control(ctl, "bill PHED_WATER_BILL PHED-AJM-000777 25050 2026-02-10 Meena Kumari")
        assert reply.startswith("OK")
        bill = await client.bill("PHED_WATER_BILL", "PHED-AJM-000777")
        assert (bill.consumer_name, bill.amount_due_paise) == ("Meena Kumari", 25_050)
        armed = control(ctl, "fault bad_signature wallet 1")
        assert json.loads(armed.removeprefix("OK ")) == {"bad_signature@wallet": 1}
        with pytest.raises(PortalBadReply):
            await client.wallet()
        assert control(ctl, "fault nonsense").startswith("ERR unknown fault")
        paid = await client.pay(PaymentRequest("k-1", "INCOME_CERT", "A-9", "Raju", 6500))
        ledger = json.loads(control(ctl, "ledger").removeprefix("OK "))
        assert [(t["client_txn_id"], t["status"], t["receipt_no"]) for t in ledger] == [
            ("k-1", "SUCCESS", paid.receipt_no)
        ]
        assert control(ctl, "balance") == f"OK {1_500_000 - (6500 - 3000)}"
        assert "fault NAME [ENDPOINT]" in control(ctl, "help")
    finally:
        await client.aclose()


async def test_http_framing_errors_get_a_status_and_a_close(sim_process: dict[str, str]) -> None:
    host, port = sim_process["url"].removeprefix("http://").split(":")
    for request, status in [
        (b"GARBAGE\r\n\r\n", b"400"),
        (b"POST /v1/pay HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", b"411"),
        (b"POST /v1/pay HTTP/1.1\r\nContent-Length: 9999999\r\n\r\n", b"413"),
        (b"GET /nowhere HTTP/1.1\r\n\r\n", b"404"),
        (b"GET /v1/wallet HTTP/1.1\r\nX-Kiosk-Id: d08k2222\r\n\r\n", b"401"),
    ]:
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(request)
        await writer.drain()
        head = await asyncio.wait_for(reader.readline(), 5)
        assert head.split()[1] == status, (request, head)
        writer.close()


@settings(max_examples=200, deadline=None)
@given(
    st.binary(max_size=300) | st.builds(lambda b: b"POST /v1/pay HTTP/1.1\r\n" + b, st.binary(max_size=200))
)
async def test_fuzzed_requests_parse_or_raise_http_error(data: bytes) -> None:
    reader = asyncio.StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    try:
        request = await read_request(reader)
    except HttpError as err:
        assert 400 <= err.status < 500
    else:
        assert request is None or (request.method and len(request.body) <= 256 * 1024)
