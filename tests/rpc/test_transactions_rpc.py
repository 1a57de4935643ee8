"""TransactionService over a real server: the portal simulator (its own ledger) and the ESC/P
receipt printer simulator. What a test checks comes from them: the portal's ledger and wallet,
and the pages the printer drew."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest

from hubd.config import DeviceConfig, HubConfig
from kioskhub.simulators.escp_printer import EscpPrinterSim
from kioskhub.simulators.portal import PortalSim, PortalState
from kioskhub.v1 import printer_pb2, printer_pb2_grpc, transactions_pb2, transactions_pb2_grpc
from tests.rpc.conftest import Running, error_info, eventually, serving, watch_from_now

pb = transactions_pb2
KIOSK = "d35k1111"
BILL = ("JVVNL_BILL", "210341012345", "Ramesh Kumar Sharma", 184_700)


@pytest.fixture
async def portal(tmp_path: Path) -> AsyncIterator[PortalSim]:
    sim = PortalSim(PortalState(ledger_path=str(tmp_path / "ledger.db"),
                                secret_file=str(tmp_path / "portal.secret")))
    await sim.start("tcp://127.0.0.1:0")
    yield sim
    await sim.stop()


@pytest.fixture
async def paper(tmp_path: Path) -> AsyncIterator[EscpPrinterSim]:
    sim = EscpPrinterSim(out_dir=tmp_path / "paper")
    sim.url = await sim.start("tcp://127.0.0.1:0")
    yield sim
    await sim.stop()


def transactions_section(portal: PortalSim) -> dict[str, Any]:
    return {"portal_url": portal.url, "kiosk_id": KIOSK, "secret_file": portal.state.secret_file,
            "timeout": 2.0, "connect_timeout": 1.0, "verify_backoff": 0.02, "verify_backoff_max": 0.2}


@pytest.fixture
async def hub(tmp_path: Path, portal: PortalSim, paper: EscpPrinterSim) -> AsyncIterator[Running]:
    receipt = DeviceConfig("receipt", "escp", paper.url, options={"model": "tvs-msp250"},
                           poll_interval=0.1, timeout=0.5, stale_after=2, max_backoff=0.2)
    config = HubConfig(devices={"receipt": receipt}, sections={"transactions": transactions_section(portal)})
    async with serving(config, tmp_path / "state", tmp_path / "hubd.sock") as running:
        yield running


def stub(running: Running) -> transactions_pb2_grpc.TransactionServiceStub:
    return transactions_pb2_grpc.TransactionServiceStub(running.channel)


def bill_payment(amount: int = BILL[3], **kw: Any) -> pb.Payment:
    return pb.Payment(service_id=BILL[0], consumer_no=BILL[1], consumer_name=BILL[2], amount_paise=amount,
                      operator="op-7", **kw)


def charges(portal: PortalSim) -> list[tuple[str, str, int]]:
    return [(t["client_txn_id"], t["status"], t["amount_paise"]) for t in portal.ledger.transactions()]


async def receipt_jobs(running: Running, request_id: str) -> list[printer_pb2.PrintJob]:
    jobs = (await printer_pb2_grpc.PrinterServiceStub(running.channel).ListPrintJobs(
        printer_pb2.ListPrintJobsRequest(page_size=100))).print_jobs
    return [j for j in jobs if j.request_id == request_id]


async def printed(running: Running, request_id: str) -> printer_pb2.PrintJob:
    async def done() -> bool:
        jobs = await receipt_jobs(running, request_id)
        return bool(jobs) and jobs[0].state == printer_pb2.PrintJob.STATE_SUCCEEDED

    await eventually(done, timeout=30)
    [job] = await receipt_jobs(running, request_id)
    return job


def pages(paper: Path, job_id: str) -> list[str]:
    """The simulator's transcripts of the pages of print job ``job_id``."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(paper.glob("job-*.txt"))]
    return [text for text in texts if job_id in text]


async def test_a_bill_paid_through_the_hub_prints_its_receipt_once(hub: Running, portal: PortalSim,
                                                                    tmp_path: Path) -> None:
    s = stub(hub)
    bill = (await s.FetchBill(pb.FetchBillRequest(service_id=BILL[0], consumer_no=BILL[1]))).bill
    due = portal.ledger.bill(*BILL[:2])
    assert due is not None and (bill.consumer_name, bill.amount_due_paise) == (BILL[2], due.amount_due_paise)
    before = portal.ledger.balance(KIOSK)
    txn = (await s.Pay(pb.PayRequest(client_txn_id="t-1", payment=bill_payment()))).transaction
    assert txn.state == pb.Transaction.STATE_CONFIRMED and txn.portal_txn_id and txn.receipt_no
    assert charges(portal) == [("t-1", "SUCCESS", BILL[3])]
    assert portal.ledger.balance(KIOSK) == before - (BILL[3] - txn.fee_paise)
    job = await printed(hub, f"emitra-receipt:{txn.portal_txn_id}")
    await eventually(lambda: _true(bool(pages(tmp_path / "paper", job.print_job_id))), timeout=20)
    [page] = pages(tmp_path / "paper", job.print_job_id)
    assert txn.portal_txn_id in page and txn.receipt_no in page and BILL[2] in page
    again = (await s.Pay(pb.PayRequest(client_txn_id="t-1", payment=bill_payment()))).transaction
    assert again.portal_txn_id == txn.portal_txn_id
    assert charges(portal) == [("t-1", "SUCCESS", BILL[3])]
    assert len(await receipt_jobs(hub, f"emitra-receipt:{txn.portal_txn_id}")) == 1
    got = (await s.GetTransaction(pb.GetTransactionRequest(client_txn_id="t-1"))).transaction
    assert got.receipt_handed and got.payment.consumer_name == BILL[2]


async def _true(value: bool) -> bool:
    return value


def _day(delta_days: int) -> Any:
    from google.protobuf.timestamp_pb2 import Timestamp

    ts = Timestamp()
    ts.FromDatetime(datetime.now(UTC) + timedelta(days=delta_days))
    return ts


REFUSALS = [
    ("no id", "", bill_payment(), grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT", "client_txn_id"),
    ("above the rate", "t-2",
     pb.Payment(service_id="CASTE_CERT", consumer_no="APP-1", consumer_name="Sita Devi", amount_paise=99_999),
     grpc.StatusCode.INVALID_ARGUMENT, "RATE_EXCEEDED", "payment.amount_paise"),
    ("stale cheque", "t-3", bill_payment(mode=pb.PAYMENT_MODE_CHEQUE, instrument=pb.Instrument(
        number="123456", bank="SBI", issue_time=_day(-120))), grpc.StatusCode.INVALID_ARGUMENT,
     "STALE_INSTRUMENT", "payment.instrument.issue_time"),
    ("post-dated cheque", "t-4", bill_payment(mode=pb.PAYMENT_MODE_CHEQUE, instrument=pb.Instrument(
        number="123456", bank="SBI", issue_time=_day(9))), grpc.StatusCode.INVALID_ARGUMENT,
     "POST_DATED_INSTRUMENT", "payment.instrument.issue_time"),
    ("a name the receipt cannot print", "t-5",
     pb.Payment(service_id=BILL[0], consumer_no=BILL[1], consumer_name="சீதா", amount_paise=BILL[3]),
     grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT", "payment.consumer_name"),
]


@pytest.mark.parametrize(("why", "cid", "payment", "code", "reason", "field"), REFUSALS,
                         ids=[r[0] for r in REFUSALS])
async def test_refusals_name_the_field_and_charge_nothing(hub: Running, portal: PortalSim, why: str, cid: str,
                                                          payment: pb.Payment, code: grpc.StatusCode,
                                                          reason: str, field: str) -> None:
    before = (charges(portal), portal.ledger.balance(KIOSK))
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub(hub).Pay(pb.PayRequest(client_txn_id=cid, payment=payment))
    info = error_info(err.value)
    assert err.value.code() == code and info.reason == reason, err.value.details()
    assert info.metadata["field"].startswith(field)
    assert (charges(portal), portal.ledger.balance(KIOSK)) == before
    if cid:
        with pytest.raises(grpc.aio.AioRpcError) as missing:
            await stub(hub).GetTransaction(pb.GetTransactionRequest(client_txn_id=cid))
        assert missing.value.code() == grpc.StatusCode.NOT_FOUND


async def test_a_wallet_too_low_refuses_and_warns(hub: Running, portal: PortalSim) -> None:
    events = await watch_from_now(hub.channel)
    portal.ledger.set_balance(KIOSK, 1_000_00)  # ₹1,000: under the ₹20,000 minimum, under the bill
    wallet = (await stub(hub).GetWallet(pb.GetWalletRequest())).wallet
    assert wallet.low and wallet.balance_paise == 1_000_00 and wallet.warning
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub(hub).Pay(pb.PayRequest(client_txn_id="t-5", payment=bill_payment()))
    assert error_info(err.value).reason == "WALLET_INSUFFICIENT"
    assert charges(portal) == [] and portal.ledger.balance(KIOSK) == 1_000_00
    async for message in events:
        if message.event.reason == "WALLET_LOW":
            assert message.event.wallet_status.balance_paise == 1_000_00
            break
    events.cancel()


async def test_the_same_id_for_another_payment_is_already_exists(hub: Running, portal: PortalSim) -> None:
    await stub(hub).Pay(pb.PayRequest(client_txn_id="t-6", payment=bill_payment()))
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub(hub).Pay(pb.PayRequest(client_txn_id="t-6", payment=bill_payment(amount=1000)))
    assert err.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert error_info(err.value).reason == "CLIENT_TXN_ID_REUSED"
    assert [c[0] for c in charges(portal)] == ["t-6"]


async def test_an_unknown_consumer_is_not_found_and_pays_nothing(hub: Running, portal: PortalSim) -> None:
    before = (charges(portal), portal.ledger.balance(KIOSK))
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub(hub).FetchBill(pb.FetchBillRequest(service_id=BILL[0], consumer_no="K-404404"))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    info = error_info(err.value)
    assert (info.reason, info.metadata["consumerNo"]) == ("CONSUMER_NOT_FOUND", "K-404404")
    assert "उपभोक्ता संख्या नहीं मिली" in err.value.details()
    payment = pb.Payment(service_id=BILL[0], consumer_no="K-404404", consumer_name="Sita", amount_paise=100)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub(hub).Pay(pb.PayRequest(client_txn_id="nf-1", payment=payment))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    assert (charges(portal), portal.ledger.balance(KIOSK)) == before


async def test_with_the_portal_down_a_payment_is_refused_not_queued(hub: Running, portal: PortalSim) -> None:
    portal.unplug()
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub(hub).Pay(pb.PayRequest(client_txn_id="t-7", payment=bill_payment()))
    assert err.value.code() == grpc.StatusCode.UNAVAILABLE
    assert error_info(err.value).reason == "PORTAL_UNREACHABLE"
    portal.replug()
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await stub(hub).GetTransaction(pb.GetTransactionRequest(client_txn_id="t-7"))
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    assert charges(portal) == []


async def test_an_answer_lost_after_commit_is_verified_never_resent(hub: Running, portal: PortalSim) -> None:
    portal.arm("timeout_after_commit", "pay")
    txn = (await stub(hub).Pay(pb.PayRequest(client_txn_id="t-8", payment=bill_payment()))).transaction
    if txn.state != pb.Transaction.STATE_CONFIRMED:
        assert txn.state == pb.Transaction.STATE_IN_DOUBT
        verified = await stub(hub).VerifyTransaction(pb.VerifyTransactionRequest(client_txn_id="t-8"))
        txn = verified.transaction
    assert txn.state == pb.Transaction.STATE_CONFIRMED
    assert charges(portal) == [("t-8", "SUCCESS", BILL[3])]
    await printed(hub, f"emitra-receipt:{txn.portal_txn_id}")


async def test_reprint_is_a_new_job_marked_duplicate(hub: Running, portal: PortalSim, tmp_path: Path) -> None:
    txn = (await stub(hub).Pay(pb.PayRequest(client_txn_id="t-9", payment=bill_payment()))).transaction
    await printed(hub, f"emitra-receipt:{txn.portal_txn_id}")
    reprint = pb.ReprintReceiptRequest(client_txn_id="t-9", request_id="copy-1")
    job_id = (await stub(hub).ReprintReceipt(reprint)).print_job_id
    assert (await stub(hub).ReprintReceipt(reprint)).print_job_id == job_id  # a retry prints once
    await eventually(lambda: _true(bool(pages(tmp_path / "paper", job_id))), timeout=30)
    assert "DUPLICATE" in pages(tmp_path / "paper", job_id)[0]
    assert charges(portal) == [("t-9", "SUCCESS", BILL[3])]


async def test_payments_list_newest_first_a_page_at_a_time(hub: Running) -> None:
    for n in range(3):
        await stub(hub).Pay(pb.PayRequest(client_txn_id=f"p-{n}", payment=bill_payment()))
    first = await stub(hub).ListTransactions(pb.ListTransactionsRequest(page_size=2))
    assert [t.client_txn_id for t in first.transactions] == ["p-2", "p-1"] and first.next_page_token
    await stub(hub).Pay(pb.PayRequest(client_txn_id="p-3", payment=bill_payment()))  # does not shift pages
    rest = await stub(hub).ListTransactions(pb.ListTransactionsRequest(page_size=2,
                                                                        page_token=first.next_page_token))
    assert [t.client_txn_id for t in rest.transactions] == ["p-0"] and not rest.next_page_token


async def test_the_rate_list_comes_a_page_at_a_time(hub: Running, portal: PortalSim) -> None:
    seen: list[pb.PortalService] = []
    token = ""
    while True:
        got = await stub(hub).ListServices(pb.ListServicesRequest(page_size=4, page_token=token))
        assert len(got.services) <= 4
        seen += got.services
        if not (token := got.next_page_token):
            break
    assert [s.service_id for s in seen] == sorted(s.service_id for s in portal.ledger.services())
    kinds = {s.service_id: s.kind for s in seen}
    assert kinds[BILL[0]] == pb.PortalService.KIND_BILL
    assert kinds["CASTE_CERT"] == pb.PortalService.KIND_FIXED_RATE


async def test_reconcile_agrees_with_the_portal(hub: Running) -> None:
    await stub(hub).Pay(pb.PayRequest(client_txn_id="r-1", payment=bill_payment()))
    report = (await stub(hub).Reconcile(pb.ReconcileRequest())).report
    assert (report.journal_confirmed, report.portal_success, list(report.differences)) == (1, 1, [])
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub(hub).Reconcile(pb.ReconcileRequest(day="5 Dec"))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    tomorrow = (datetime.now(UTC) + timedelta(hours=5, minutes=30) + timedelta(days=1)).date()  # IST
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub(hub).Reconcile(pb.ReconcileRequest(day=tomorrow.isoformat()))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_info(err.value).metadata["field"] == "day"
    assert "has not come yet" in err.value.details()


async def test_without_a_portal_transactions_are_off_and_the_hub_runs(tmp_path: Path) -> None:
    async with serving(HubConfig(), tmp_path / "state", tmp_path / "hubd.sock") as running:
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await stub(running).ListServices(pb.ListServicesRequest())
        assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert error_info(err.value).reason == "TRANSACTIONS_NOT_CONFIGURED"
