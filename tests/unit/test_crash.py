"""Crash points: env parsing, counting to n, the log line, and a real SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hubd import crash
from hubd.classes.printer import queue as _print_queue  # noqa: F401  (registers the print crash points)
from hubd.errors import ConfigError

PRELUDE = "from hubd.classes.printer import queue\nfrom hubd.crash import crash_point\n"


@pytest.fixture(autouse=True)
def _disarm_after() -> Iterator[None]:
    yield
    crash.load({})


def run_child(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("KIOSKHUB_CRASH")}
    full.update(env)
    return subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True, timeout=30)


def test_registry_names_every_point_with_a_meaning() -> None:
    for name in ("job_persisted", "job_claimed", "mid_send", "after_send_before_done"):
        assert name in crash.CRASH_POINTS
    for name, meaning in crash.CRASH_POINTS.items():
        assert name.isidentifier() and name == name.lower()
        assert meaning.strip() and "\n" not in meaning


def test_parse_point_and_count() -> None:
    assert crash.parse_crash_at("job_claimed") == ("job_claimed", 1)
    assert crash.parse_crash_at("mid_send:3") == ("mid_send", 3)
    assert crash.parse_crash_at(" after_send_before_done:12 ") == ("after_send_before_done", 12)


@pytest.mark.parametrize("value", ["mid_send:0", "mid_send:-1", "mid_send:x", "mid_send:"])
def test_bad_count_rejected(value: str) -> None:
    with pytest.raises(ConfigError, match="KIOSKHUB_CRASH_AT") as info:
        crash.parse_crash_at(value)
    assert info.value.metadata == {"key": "KIOSKHUB_CRASH_AT"}


def test_unknown_point_rejected_naming_it_and_the_known_ones() -> None:
    with pytest.raises(ConfigError) as info:
        crash.load({"KIOSKHUB_CRASH_AT": "job_clamed:2"})
    assert "'job_clamed'" in info.value.message
    assert "job_claimed" in info.value.message  # the list of known points


def test_unset_or_blank_means_disarmed() -> None:
    assert crash.load({}) is None
    assert crash.load({"KIOSKHUB_CRASH_AT": "  "}) is None
    for name in crash.CRASH_POINTS:
        crash.crash_point(name)  # returns: nothing armed


def test_armed_point_rejects_unregistered_call_site() -> None:
    crash.load({"KIOSKHUB_CRASH_AT": "mid_send:5"})
    crash.crash_point("job_claimed")  # another registered point: not counted, no kill
    with pytest.raises(ValueError, match="not registered"):
        crash.crash_point("no_such_point")


def test_unknown_point_fails_the_process_at_startup(tmp_path: Path) -> None:
    code = "from hubd.classes.printer.queue import JobQueue; from hubd.clock import SystemClock\n"
    code += f"JobQueue({str(tmp_path)!r}, SystemClock())\n"
    res = run_child(code, {"KIOSKHUB_CRASH_AT": "bogus"})
    assert res.returncode == 1
    assert "ConfigError" in res.stderr and "'bogus'" in res.stderr
    assert not (tmp_path / "jobs.db").exists()


def test_kills_on_nth_hit_of_its_point_only_and_logs_it(tmp_path: Path) -> None:
    log_file = tmp_path / "crash.log"
    code = (
        "import sys\n" + PRELUDE + "for i in range(10):\n"
        "    sys.stdout.write(f'{i}\\n'); sys.stdout.flush()\n"
        "    crash_point('job_claimed')\n"
        "    crash_point('mid_send')\n"
        "sys.stdout.write('survived\\n')\n"
    )
    res = run_child(code, {"KIOSKHUB_CRASH_AT": "mid_send:3", "KIOSKHUB_CRASH_LOG": str(log_file)})
    assert res.returncode == -signal.SIGKILL
    assert res.stdout.split() == ["0", "1", "2"]
    assert log_file.read_text() == "mid_send\n"


def test_kill_is_sigkill_no_atexit_no_flush(tmp_path: Path) -> None:
    buffered = tmp_path / "buffered.txt"
    code = (
        "import atexit, sys\n" + PRELUDE +
        "atexit.register(lambda: print('atexit ran', file=sys.stderr, flush=True))\n"
        f"f = open({str(buffered)!r}, 'w', buffering=65536)\n"
        "f.write('buffered, never flushed')\n"
        "crash_point('job_persisted')\n"
    )
    log_file = tmp_path / "crash.log"
    log_file.write_text("earlier\n")
    res = run_child(code, {"KIOSKHUB_CRASH_AT": "job_persisted", "KIOSKHUB_CRASH_LOG": str(log_file)})
    assert res.returncode == -signal.SIGKILL
    assert "atexit ran" not in res.stderr
    assert buffered.read_text() == ""
    assert log_file.read_text() == "earlier\njob_persisted\n"  # appended, not overwritten


def test_kills_without_a_log_file(tmp_path: Path) -> None:
    res = run_child(
        PRELUDE + "crash_point('job_done')\nprint('survived')\n",
        {"KIOSKHUB_CRASH_AT": "job_done"},
    )
    assert res.returncode == -signal.SIGKILL
    assert "survived" not in res.stdout


def test_not_reached_means_no_kill_and_no_log(tmp_path: Path) -> None:
    log_file = tmp_path / "crash.log"
    code = PRELUDE + "for _ in range(3): crash_point('mid_send')\n"
    res = run_child(code, {"KIOSKHUB_CRASH_AT": "mid_send:4", "KIOSKHUB_CRASH_LOG": str(log_file)})
    assert res.returncode == 0, res.stderr
    assert not log_file.exists()


def test_count_survives_a_second_startup_load(tmp_path: Path) -> None:
    log_file = tmp_path / "crash.log"
    code = (
        PRELUDE +
        "from hubd.clock import SystemClock\n"
        "from hubd.classes.printer.queue import JobQueue\n"
        "crash_point('mid_send'); crash_point('mid_send')\n"
        f"JobQueue({str(tmp_path)!r}, SystemClock()).close()  # loads the env again\n"
        "print('third hit next', flush=True)\n"
        "crash_point('mid_send')\n"
        "print('survived', flush=True)\n"
    )
    res = run_child(code, {"KIOSKHUB_CRASH_AT": "mid_send:3", "KIOSKHUB_CRASH_LOG": str(log_file)})
    assert res.returncode == -signal.SIGKILL, res.stderr
    assert res.stdout == "third hit next\n"
    assert log_file.read_text() == "mid_send\n"
