"""hubctl as the operator and technician use it: exit codes, one-line errors, one JSON shape."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from tests.e2e.conftest import wait_for


def run(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hubd.cli.hubctl", *args], capture_output=True, text=True, timeout=timeout
    )


def test_version_and_help_name_the_target_variable() -> None:
    out = run("--version")
    assert out.returncode == 0 and out.stdout.startswith("hubctl ")
    helped = run("--help")
    assert "KIOSKHUB_TARGET" in helped.stdout and "JSON Lines" in helped.stdout
    for command in ("print", "jobs", "ups", "events", "devices"):
        assert "example: hubctl" in run(command, "--help").stdout


def test_unreachable_hub_is_exit_3_one_line(tmp_path: Path) -> None:
    out = run("--target", f"unix://{tmp_path}/nothing.sock", "devices", timeout=60)
    assert out.returncode == 3 and out.stderr.count("\n") == 1 and "is hubd running" in out.stderr


def test_bad_usage_is_exit_2_with_one_line(hubd, tmp_path: Path) -> None:
    binary = tmp_path / "logo.bin"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\x00")
    cases = [
        (("print", "text", "/nonexistent"), "cannot read /nonexistent"),
        (("print", "text", str(binary)), "is not UTF-8 text"),
        (("events", "--resume", "garbage"), "--resume must be BOOT_ID:SEQUENCE"),
    ]
    for args, message in cases:
        out = hubd.hubctl(*args)
        assert out.returncode == 2, (args, out.stderr)
        assert message in out.stderr and "Traceback" not in out.stderr and out.stderr.count("\n") == 1
    for args in (("jobs", "--limit", "-1"), ("jobs", "--limit", "x"), ("events", "--count", "0")):
        out = hubd.hubctl(*args)
        assert out.returncode == 2 and "Traceback" not in out.stderr, args


def test_info_speaks_to_people(hubd) -> None:
    out = hubd.hubctl("info")
    assert out.returncode == 0 and "simulate: yes" in out.stdout and "True" not in out.stdout


def test_json_is_one_object_per_line_and_errors_are_json_too(hubd) -> None:
    devices = hubd.hubctl("devices", "--json")
    rows = [json.loads(line) for line in devices.stdout.splitlines()]
    assert len(rows) >= 4 and all("device_id" in r and "state" in r for r in rows)
    one = hubd.hubctl("--json", "device", "ups")
    assert json.loads(one.stdout)["device_id"] == "ups" and one.stdout.count("\n") == 1
    missing = hubd.hubctl("device", "nosuch", "--json")
    assert missing.returncode == 1 and not missing.stdout
    error = json.loads(missing.stderr)["error"]
    assert error["code"] == "NOT_FOUND" and error["reason"] == "DEVICE_NOT_FOUND"
    assert error["metadata"] == {"deviceId": "nosuch"}
    plain = hubd.hubctl("device", "nosuch")
    assert (
        plain.stderr.startswith("hubctl: DEVICE_NOT_FOUND: ") and plain.stderr.count("DEVICE_NOT_FOUND") == 1
    )
    bad = hubd.hubctl("device", "../etc", "--json")
    violations = json.loads(bad.stderr)["error"]["field_violations"]
    assert bad.returncode == 1 and violations[0]["field"] == "device_id"


def test_ups_watch_uses_the_default_ups_under_simulate(hubd) -> None:
    watcher = subprocess.Popen(
        [sys.executable, "-m", "hubd.cli.hubctl", "--target", hubd.target, "ups", "--watch", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert watcher.stdout is not None
        assert json.loads(watcher.stdout.readline())["device_id"] == "ups"
    finally:
        watcher.terminate()
        watcher.wait(10)


def test_print_wait_fails_unless_the_job_succeeds(hubd, tmp_path: Path) -> None:
    control = hubd.simulators()["receipt"]["control"]
    ctl = [sys.executable, "-m", "kioskhub.simulators.cli", "ctl", control]
    subprocess.run([*ctl, "paper", "out"], check=True, capture_output=True, timeout=30)
    notice = tmp_path / "notice.txt"
    notice.write_text("Power cut from 2 pm.\n")
    out = hubd.hubctl("print", "text", str(notice), "--printer", "receipt", "--wait", "--timeout", "2")
    assert out.returncode == 1 and "still not finished" in out.stderr
    subprocess.run([*ctl, "paper", "in"], check=True, capture_output=True, timeout=30)
    ok = hubd.hubctl("print", "text", str(notice), "--printer", "receipt", "--wait", "--json")
    assert ok.returncode == 0 and json.loads(ok.stdout)["state"] == "STATE_SUCCEEDED"


def test_events_says_so_when_the_hub_stops(hubd) -> None:
    boot = json.loads(hubd.hubctl("info", "--json").stdout)["boot_id"]
    events = subprocess.Popen(  # resumes from the start: the first replayed line shows it subscribed
        [sys.executable, "-m", "hubd.cli.hubctl", "--target", hubd.target, "events", "--resume", f"{boot}:0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert events.stdout is not None and events.stdout.readline().startswith("#")
    hubd.signal(signal.SIGTERM)
    assert events.wait(20) == 3
    assert events.stderr is not None and "HUB_STOPPING" in events.stderr.read()


def test_report_shows_what_the_hub_observed(hubd, tmp_path: Path) -> None:
    """The technician's report: every device, the one with a fault first explained, each class's
    status, recent events; one JSON object per section with --json."""
    control = hubd.simulators()["receipt"]["control"]
    ctl = [sys.executable, "-m", "kioskhub.simulators.cli", "ctl", control]
    subprocess.run([*ctl, "paper", "out"], check=True, capture_output=True, timeout=30)

    def paper_out() -> bool:
        device = json.loads(hubd.hubctl("device", "receipt", "--json").stdout)
        return device["state"] != "DEVICE_STATE_AVAILABLE"

    wait_for(paper_out, what="the receipt printer's paper-out observed")
    receipt = json.loads(hubd.hubctl("device", "receipt", "--json").stdout)
    devices = [json.loads(line) for line in hubd.hubctl("devices", "--json").stdout.splitlines()]
    out = hubd.hubctl("report", "-o", str(tmp_path / "report.txt"), timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == f"report written to {tmp_path / 'report.txt'}"
    text = (tmp_path / "report.txt").read_text(encoding="utf-8")
    sick = [d for d in devices if d["state"] != "DEVICE_STATE_AVAILABLE"]
    assert f"{len(sick)} of {len(devices)} devices need attention" in text
    assert f"receipt: {receipt['state'].removeprefix('DEVICE_STATE_').lower()} {receipt['reason']}" in text
    assert receipt["reason_detail"] in text
    for title in ("== Hub", "== Devices", "== UPS", "== Printers", "== Scanner", "== Smart-card readers",
                  "== Fingerprint device", "== Wallet", "== Recent events"):
        assert title in text, title
    assert "self-test" not in text  # only with --selftest: it plays a tone
    as_json = hubd.hubctl("report", "--json", "--events", "5", timeout=60)
    assert as_json.returncode == 0
    parts = {p["section"]: p for p in map(json.loads, as_json.stdout.splitlines())}
    assert {d["device_id"] for d in parts["Devices"]["items"]} == {d["device_id"] for d in devices}
    assert 0 < len(parts["Recent events"]["items"]) <= 5
    assert parts["Hub"]["items"][0]["simulate"] is True
    bad = hubd.hubctl("report", "--events", "-1")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
