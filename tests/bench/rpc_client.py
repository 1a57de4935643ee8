"""Client process for P1: time N calls (sequential or C concurrent) and print latencies as JSON.

Modes: ``echo`` (the baseline) and one per status read: ``ups``, ``printer``, ``device``, ``devices``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import grpc

from kioskhub.v1 import hub_pb2, hub_pb2_grpc, printer_pb2, printer_pb2_grpc, ups_pb2, ups_pb2_grpc
from tests.bench.echo_server import METHOD

READS = {
    "ups": (ups_pb2_grpc.UpsServiceStub, "GetUpsStatus", ups_pb2.GetUpsStatusRequest(device_id="ups")),
    "printer": (printer_pb2_grpc.PrinterServiceStub, "GetPrinterStatus",
                printer_pb2.GetPrinterStatusRequest(device_id="receipt")),
    "device": (hub_pb2_grpc.HubServiceStub, "GetDevice", hub_pb2.GetDeviceRequest(device_id="ups")),
    "devices": (hub_pb2_grpc.HubServiceStub, "ListDevices", hub_pb2.ListDevicesRequest()),
}


async def run(target: str, mode: str, n: int, concurrency: int, size: int) -> list[float]:
    """Latencies in ms of ``n`` calls spread over ``concurrency`` workers."""
    async with grpc.aio.insecure_channel(target) as ch:
        if mode in READS:
            stub_class, method, req = READS[mode]
            rpc = getattr(stub_class(ch), method)

            async def call() -> object:
                return await rpc(req)
        else:
            echo = ch.unary_unary(METHOD)
            payload = b"x" * size

            async def call() -> object:
                return await echo(payload)

        for _ in range(20):  # warm up the connection
            await call()
        out: list[float] = []

        async def worker(count: int) -> None:
            for _ in range(count):
                t0 = time.perf_counter()
                await call()
                out.append((time.perf_counter() - t0) * 1000)

        per = n // concurrency
        await asyncio.gather(*(worker(per) for _ in range(concurrency)))
        return out


if __name__ == "__main__":
    target, mode, n, conc, size = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
    print(json.dumps(asyncio.run(run(target, mode, n, conc, size))))
