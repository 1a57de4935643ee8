"""``hubd --simulate`` and ``hubctl`` as real processes: URLs, CLI contract, signals, no leftovers."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from urllib.parse import urlsplit

from hubd.registry import DriverRegistry
from hubd.transport import SCHEMES
from tests.e2e.conftest import HubProcess, pid_alive, wait_for


def test_every_device_url_is_a_real_scheme(hubd):
    out = hubd.hubctl("devices", "--json")
    assert out.returncode == 0, out.stderr
    devices = [json.loads(line) for line in out.stdout.splitlines()]
    classes = {d["device_class"] for d in devices}
    assert "DEVICE_CLASS_UPS" in classes
    drivers = {d.name: d for d in DriverRegistry().all()}
    for dev in devices:
        scheme = urlsplit(dev["url"]).scheme
        assert scheme in SCHEMES or scheme in drivers[dev["driver"]].schemes, dev
        assert scheme in drivers[dev["driver"]].schemes, dev
        assert dev["simulated"] is True


def test_global_options_before_or_after_the_subcommand(hubd):
    before = subprocess.run(
        [sys.executable, "-m", "hubd.cli.hubctl", "--json", "--target", hubd.target, "info"],
        capture_output=True, text=True, timeout=20,
    )
    after = hubd.hubctl("info", "--json")
    assert before.returncode == after.returncode == 0
    assert json.loads(before.stdout)["boot_id"] == json.loads(after.stdout)["boot_id"]
    assert "simulate" in json.loads(after.stdout)  # proto field names, snake_case
    table = hubd.hubctl("devices")
    assert table.returncode == 0 and table.stdout.splitlines()[0].split()[:3] == ["DEVICE", "CLASS", "STATE"]


def test_hub_down_gives_one_line_and_exit_code(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "hubd.cli.hubctl", "devices", "--target", f"unix://{tmp_path}/none.sock"],
        capture_output=True, text=True, timeout=20,
    )
    assert out.returncode == 3
    assert out.stderr.count("\n") == 1 and "cannot reach the hub" in out.stderr


def test_unknown_device_one_line_exit_1(hubd):
    out = hubd.hubctl("device", "nosuch")
    assert out.returncode == 1 and "NOT_FOUND" in out.stderr and out.stderr.count("\n") == 1


def test_non_loopback_listen_is_refused(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "hubd.cli.hubd", "--simulate", "--listen", "0.0.0.0:7878",
         "--state-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=30,
    )
    assert out.returncode == 2 and "only loopback" in out.stderr


def test_sigterm_during_a_stream_exits_cleanly_and_leaves_nothing(hubd):
    wait_for(lambda: len(hubd.descendants()) >= 3, what="simulator and NUT processes")
    pids = hubd.descendants()
    assert pids and all(pid_alive(p) for p in pids)
    watcher = subprocess.Popen(
        [sys.executable, "-m", "hubd.cli.hubctl", "--target", hubd.target, "ups", "ups", "--watch", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert watcher.stdout is not None and watcher.stderr is not None
    assert json.loads(watcher.stdout.readline())["device_id"] == "ups"
    hubd.signal(signal.SIGTERM)
    assert hubd.wait() == 0
    assert watcher.wait(15) == 3  # the stream ended because the hub stopped: said, not silent
    error = json.loads(watcher.stderr.read())["error"]
    assert error["code"] == "UNAVAILABLE" and error["reason"] == "HUB_STOPPING"
    wait_for(lambda: not any(pid_alive(p) for p in pids), what="simulators to exit")
    assert not hubd.sock.exists()


def test_kill9_then_restart_over_stale_socket_resumes_with_gap(tmp_path):
    first = HubProcess(tmp_path).start()
    info = json.loads(first.hubctl("info", "--json").stdout)
    wait_for(lambda: len(first.descendants()) >= 3, what="simulator and NUT processes")
    pids = first.descendants()
    first.signal(signal.SIGKILL)
    first.wait()
    wait_for(lambda: not any(pid_alive(p) for p in pids), what="orphaned simulators to exit")
    assert first.sock.exists()  # the crash left its socket behind
    second = HubProcess(tmp_path).start()
    try:
        out = second.hubctl(
            "events", "--json", "--count", "1",
            "--resume", f"{info['boot_id']}:{info.get('last_sequence', 0)}",
        )
        assert out.returncode == 0, out.stderr
        gap = json.loads(out.stdout.splitlines()[0])
        assert gap["type"] == "EVENT_TYPE_GAP" and gap["reason"] == "HUB_RESTARTED"
        assert gap["boot_id"] != info["boot_id"]
    finally:
        second.stop()


def test_simulated_ups_on_battery_is_seen_as_an_event(hubd):
    control = hubd.simulators()["ups"]["control"]
    events = subprocess.Popen(
        [sys.executable, "-m", "hubd.cli.hubctl", "--target", hubd.target, "events", "--json"],
        stdout=subprocess.PIPE, text=True,
    )
    assert events.stdout is not None
    wait_for(lambda: "DEVICE_STATE_AVAILABLE" in hubd.hubctl("ups", "ups", "--json").stdout,
             what="the UPS to be available")
    ctl = subprocess.run(
        [sys.executable, "-m", "kioskhub.simulators.cli", "ctl", control, *ON_BATTERY],
        capture_output=True, text=True, timeout=20,
    )
    assert ctl.returncode == 0, ctl.stderr
    try:
        while True:
            line = events.stdout.readline()
            assert line, "event stream ended"
            event = json.loads(line)
            if event["type"] == "EVENT_TYPE_ON_BATTERY":
                break
        assert event["device_id"] == "ups"
        status = json.loads(hubd.hubctl("ups", "ups", "--json").stdout)
        assert status["on_battery"] is True
    finally:
        events.terminate()
        events.wait(10)


ON_BATTERY = ["on_battery", "on"]


def test_state_files_are_the_daemons_alone_whatever_the_umask(tmp_path):
    """jobs.db holds citizens' names and amounts: its WAL and SHM too must not be 0644."""
    import os
    import stat

    old = os.umask(0o022)  # a permissive umask in whoever starts hubd
    try:
        hub = HubProcess(tmp_path).start()
    finally:
        os.umask(old)
    try:
        out = hub.hubctl("print", "receipt", "--sample", "--printer", "receipt", "--wait")
        assert out.returncode == 0, out.stderr
        assert stat.S_IMODE(hub.state.stat().st_mode) == 0o700
        for name in ("jobs.db", "jobs.db-wal", "jobs.db-shm"):
            path = hub.state / name
            assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600, name
        assert stat.S_IMODE(hub.sock.stat().st_mode) == 0o660
    finally:
        hub.stop()


def test_the_log_has_no_library_noise(hubd):
    """gRPC's fork_posix warnings and per-job library INFO lines would bury what a technician needs."""
    for _ in range(3):
        assert hubd.hubctl("print", "receipt", "--sample", "--printer", "thermal", "--wait").returncode == 0
    log = hubd.log.read_text()
    assert "fork_posix" not in log and "Other threads are currently calling into gRPC" not in log
    library = [line for line in log.splitlines() if " escpos." in line]
    assert not library, library[:3]
