"""P4: simulator state change → event at the client (target ≤ 1.5 s with a 1 s poll).

Baseline, same run: a bare loop that sends Q1 to a second Megatec simulator every 1 s over TCP and
notices the utility-fail bit itself (the latency any 1 s poller has, with no hub in between).
"""

from __future__ import annotations

import json
import queue
import socket
import subprocess
import sys
import threading
import time

import grpc

from kioskhub.simulators.control import control
from kioskhub.v1 import hub_pb2, hub_pb2_grpc
from tests.bench.common import Hubd, median, pct, report

POLL = 1.0


def hub_latencies(hub: Hubd, control_url: str, rounds: int) -> list[float]:
    """Seconds from the control command to ON_BATTERY/ON_LINE at a WatchEvents client."""
    got: queue.Queue[tuple[int, float]] = queue.Queue()
    ch = grpc.insecure_channel(hub.target)
    stub = hub_pb2_grpc.HubServiceStub(ch)
    info = stub.GetHubInfo(hub_pb2.GetHubInfoRequest())
    # Resumed from the newest event: a live-only stream could subscribe after the first change.
    stream = stub.WatchEvents(
        hub_pb2.WatchEventsRequest(
            device_ids=["ups"], resume_boot_id=info.boot_id, resume_after_sequence=info.last_sequence
        )
    )

    def read() -> None:
        try:
            for item in stream:
                got.put((item.event.type, time.perf_counter()))
        except grpc.RpcError:
            pass

    threading.Thread(target=read, daemon=True).start()
    out = []
    for i in range(rounds):
        want = hub_pb2.EVENT_TYPE_ON_BATTERY if i % 2 == 0 else hub_pb2.EVENT_TYPE_ON_LINE
        time.sleep(0.37)  # de-phase from the poll timer so latencies sample the whole interval
        t0 = time.perf_counter()
        control(control_url, "on_battery " + ("on" if i % 2 == 0 else "off"))
        while True:
            kind, t = got.get(timeout=30)
            if kind == want:
                out.append(t - t0)
                break
    stream.cancel()
    ch.close()
    return out


def bare_latencies(rounds: int) -> list[float]:
    """Seconds from the change to detection by a bare 1 s Q1 poller talking to the simulator."""
    sim = subprocess.Popen(
        [sys.executable, "-m", "kioskhub.simulators.cli", "megatec_ups", "--listen", "tcp://127.0.0.1:0",
         "--control", "tcp://127.0.0.1:0"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert sim.stdout is not None
        info = json.loads(sim.stdout.readline())
        host, port = info["url"].removeprefix("tcp://").split(":")
        conn = socket.create_connection((host, int(port)))
        out = []
        for i in range(rounds):
            on_battery = i % 2 == 0
            time.sleep(0.37)
            t0 = time.perf_counter()
            control(info["control"], "on_battery " + ("on" if on_battery else "off"))
            next_poll = t0 + (POLL - (t0 % POLL))
            while True:
                time.sleep(max(0.0, next_poll - time.perf_counter()))
                conn.sendall(b"Q1\r")
                reply = b""
                while not reply.endswith(b"\r"):
                    reply += conn.recv(64)
                if (reply.split()[-1][0:1] == b"1") == on_battery:
                    out.append(time.perf_counter() - t0)
                    break
                next_poll += POLL
        conn.close()
        return out
    finally:
        sim.terminate()
        sim.wait(10)


def main(quick: bool = False) -> list[str]:
    """Print P4 figures."""
    rounds = 2 if quick else 12
    hub = Hubd().start()
    try:
        hub.wait_available()
        state = json.loads((hub.dir / "state" / "simulators.json").read_text())
        ours = hub_latencies(hub, state["ups"]["control"], rounds)
    finally:
        hub.stop()
    base = bare_latencies(rounds)
    return [
        report("P4 state change -> event, median", median(ours), median(base), "s", "<= 1.5 s"),
        report("P4 state change -> event, max", max(ours), max(base), "s", "<= 1.5 s"),
        report("P4 state change -> event, p90", pct(ours, 90), pct(base, 90), "s"),
    ]


if __name__ == "__main__":
    main()
