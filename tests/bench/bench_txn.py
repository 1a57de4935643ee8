"""Transactions I: pay → CONFIRMED through the coordinator (rules, journal commits with their
fsyncs, the signed request) vs the same signed pay request sent straight to the portal simulator
with the portal client alone, in the same run against the same ``kioskhub-sim portal`` process:
p50 and the overhead (target ≤ 10 ms p50). Then 20 concurrent kiosk clients paying through one
coordinator: payments per second and errors (target 0). State on disk, not tmpfs.

Then the same through a real hubd over gRPC (TransactionService.Pay on its unix socket, the
hub configured for the same portal; no receipt printer, so each receipt's hand-off is refused and
kept for later, as when the printer is missing): p50 vs straight to the portal (target overhead
≤ 10 ms), and 20 concurrent gRPC clients (target 0 errors).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import grpc

from hubd.classes.transactions.config import TransactionsConfig
from hubd.classes.transactions.coordinator import TransactionCoordinator
from hubd.classes.transactions.model import PaymentRequest, TxnState
from hubd.classes.transactions.portal import PortalClient
from hubd.classes.transactions.signing import load_secret
from hubd.clock import SystemClock
from kioskhub.simulators.control import send_control
from kioskhub.v1 import transactions_pb2, transactions_pb2_grpc
from tests.bench.common import Hubd, pct, report

_ids = itertools.count()


def certificate(prefix: str) -> PaymentRequest:
    """A caste-certificate payment under a fresh id."""
    n = next(_ids)
    return PaymentRequest(f"{prefix}-{n}", "CASTE_CERT", f"APP-{n:06d}", "Sita Devi", 5000)


async def _bench(work: Path, n: int, concurrent: int, each: int) -> list[str]:
    sim = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kioskhub.simulators.cli",
            "portal",
            "--listen",
            "tcp://127.0.0.1:0",
            "--control",
            "tcp://127.0.0.1:0",
            "--set",
            f"secret_file={work / 'portal.secret'}",
            "--set",
            f"ledger_path={work / 'ledger.db'}",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sim.stdout is not None
    info = json.loads(sim.stdout.readline())
    lines: list[str] = []
    try:
        await send_control(info["control"], "wallet 100000000000")
        cfg = TransactionsConfig(
            portal_url=info["url"], kiosk_id="d35k1111", secret_file=work / "portal.secret"
        )
        direct = PortalClient(cfg.portal_url, cfg.kiosk_id, load_secret(cfg.secret_file), SystemClock())
        hub = TransactionCoordinator(cfg, work / "state", SystemClock(), lambda *e: None)
        await hub.start()
        try:
            for _ in range(5):  # warm both paths (session, catalog, pooled connections)
                await direct.pay(certificate("warm-d"))
                await hub.pay(certificate("warm-h"))
            base, through = [], []
            for _ in range(n):  # interleaved, so drift in the machine's load hits both alike
                t0 = time.perf_counter()
                await direct.pay(certificate("direct"))
                t1 = time.perf_counter()
                txn = await hub.pay(certificate("hub"))
                t2 = time.perf_counter()
                assert txn.state is TxnState.CONFIRMED, txn
                base.append((t1 - t0) * 1000)
                through.append((t2 - t1) * 1000)
            lines.append(
                report("pay -> CONFIRMED p50 via coordinator", pct(through, 50), pct(base, 50), "ms")
            )
            lines.append(
                report("pay -> CONFIRMED p99 via coordinator", pct(through, 99), pct(base, 99), "ms")
            )
            overhead = pct(through, 50) - pct(base, 50)
            name = "coordinator overhead p50 (journal fsyncs incl.)"
            line = f"{name:<44} {overhead:10.3f} ms   (target <= 10 ms)"
            print(line, flush=True)
            lines.append(line)

            errors: list[str] = []

            async def kiosk_client(k: int) -> int:
                done = 0
                for _ in range(each):
                    try:
                        txn = await hub.pay(certificate(f"c{k}"))
                        if txn.state is TxnState.CONFIRMED:
                            done += 1
                        else:
                            errors.append(f"{txn.client_txn_id} {txn.state} {txn.reason}")
                    except Exception as err:  # counted, not raised: the figure is the error count
                        errors.append(repr(err))
                return done

            t0 = time.perf_counter()
            done = sum(await asyncio.gather(*(kiosk_client(k) for k in range(concurrent))))
            elapsed = time.perf_counter() - t0
            line = (
                f"{concurrent} concurrent clients: {done} payments CONFIRMED in {elapsed:.2f} s "
                f"({done / elapsed:.0f}/s), {len(errors)} errors   (target 0 errors)"
            )
            print(line, flush=True)
            lines.append(line)
            if errors:
                print("errors:", *errors[:5], sep="\n  ", flush=True)
            lines += await _through_hub(cfg, direct, work, n, concurrent, each)
        finally:
            await hub.stop()
            await direct.aclose()
    finally:
        sim.terminate()
        sim.wait(30)
    return lines


async def _through_hub(cfg: TransactionsConfig, direct: PortalClient, work: Path, n: int,
                       concurrent: int, each: int) -> list[str]:
    """Pay through a real hubd's gRPC API, interleaved with the portal client alone."""
    config = (f'[transactions]\nportal_url = "{cfg.portal_url}"\nkiosk_id = "{cfg.kiosk_id}"\n'
              f'secret_file = "{cfg.secret_file}"\n')
    hubd = Hubd("--log-level", "ERROR", config=config).start()
    channel = grpc.aio.insecure_channel(hubd.target)
    stub = transactions_pb2_grpc.TransactionServiceStub(channel)

    async def pay(prefix: str) -> int:
        req = certificate(prefix)
        payment = transactions_pb2.Payment(service_id=req.service_id, consumer_no=req.consumer_no,
                                           consumer_name=req.consumer_name, amount_paise=req.amount_paise)
        got = await stub.Pay(transactions_pb2.PayRequest(client_txn_id=req.client_txn_id, payment=payment))
        return int(got.transaction.state)

    lines: list[str] = []
    try:
        for _ in range(5):
            await pay("warm-g")
        base, through = [], []
        for _ in range(n):
            t0 = time.perf_counter()
            await direct.pay(certificate("direct-g"))
            t1 = time.perf_counter()
            state = await pay("grpc")
            t2 = time.perf_counter()
            assert state == transactions_pb2.Transaction.STATE_CONFIRMED, state
            base.append((t1 - t0) * 1000)
            through.append((t2 - t1) * 1000)
        lines.append(report("pay -> CONFIRMED p50 via hubd (gRPC)", pct(through, 50), pct(base, 50), "ms"))
        overhead = pct(through, 50) - pct(base, 50)
        name = "hub overhead p50 (gRPC, journal fsyncs incl.)"
        line = f"{name:<44} {overhead:10.3f} ms   (target <= 10 ms)"
        print(line, flush=True)
        lines.append(line)
        errors: list[str] = []

        async def client(k: int) -> int:
            done = 0
            for _ in range(each):
                try:
                    if await pay(f"g{k}") == transactions_pb2.Transaction.STATE_CONFIRMED:
                        done += 1
                    else:
                        errors.append(f"g{k} not confirmed")
                except grpc.aio.AioRpcError as err:  # counted: the figure is the error count
                    errors.append(f"{err.code().name} {err.details()}")
            return done

        t0 = time.perf_counter()
        done = sum(await asyncio.gather(*(client(k) for k in range(concurrent))))
        elapsed = time.perf_counter() - t0
        line = (f"{concurrent} concurrent gRPC clients via hubd: {done} CONFIRMED in {elapsed:.2f} s "
                f"({done / elapsed:.0f}/s), {len(errors)} errors   (target 0 errors)")
        print(line, flush=True)
        lines.append(line)
        if errors:
            print("errors:", *errors[:5], sep="\n  ", flush=True)
    finally:
        await channel.close()
        hubd.stop()
    return lines


def main(quick: bool = False) -> list[str]:
    """Print the transaction figures."""
    Path(".bench").mkdir(exist_ok=True)  # on disk (not a tmpfs /tmp): the fsyncs are part of the figure
    work = Path(tempfile.mkdtemp(prefix="txn-", dir=".bench"))
    try:
        return asyncio.run(_bench(work, n=20 if quick else 300, concurrent=20, each=2 if quick else 10))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
