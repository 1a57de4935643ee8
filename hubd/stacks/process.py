"""Process helpers for private daemons: free ports, start with a log file, poll, stop by pid."""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from hubd.errors import DeviceUnavailable

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port the kernel just handed out for ``host`` (bind port 0, read it back, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def find_binary(name: str, dirs: Iterable[str] = ()) -> Path | None:
    """``name`` in one of ``dirs`` (daemons often live outside PATH), else on PATH, else None."""
    for directory in dirs:
        candidate = Path(directory) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(name)
    return Path(found) if found else None


def missing(names: Iterable[str], dirs: Iterable[str]) -> list[str]:
    """The programs among ``names`` that are not installed (searched in ``dirs`` then PATH)."""
    dirs = tuple(dirs)
    return [name for name in names if find_binary(name, dirs) is None]


SOCKET_PATH_MAX = 100
"""Longest unix socket path we use (``sun_path`` holds 108 bytes; a margin kept)."""


def socket_home(root: Path, wanted: Path, socket_path: Path, name: str) -> Path:
    """``wanted`` (inside ``root``), or — when ``socket_path`` under it would be too long for a
    unix socket — ``<tmp>/kioskhub-<name>`` named by a hash of ``root`` (stable per instance)."""
    if len(str(socket_path)) <= SOCKET_PATH_MAX:
        return wanted
    digest = hashlib.sha256(str(root).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"kioskhub-{name}-{digest}"


def require_binary(stack: str, name: str, dirs: Iterable[str]) -> Path:
    """The path of a stack's program; ``DeviceUnavailable`` STACK_NOT_INSTALLED when absent."""
    found = find_binary(name, tuple(dirs))
    if found is None:
        raise DeviceUnavailable(f"{stack} program {name!r} is not installed", reason="STACK_NOT_INSTALLED")
    return found


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """In the child: get SIGTERM when the parent thread dies, even by SIGKILL."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


SYSTEMD_VARIABLES = frozenset({"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID"})
"""hubd's own systemd variables: a child never inherits them (dbus-daemon and PulseAudio speak
sd_notify, and would tell hubd's unit READY=1 before hubd serves)."""


def child_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """``env`` (default: ours) without hubd's systemd variables."""
    return {k: v for k, v in (os.environ if env is None else env).items() if k not in SYSTEMD_VARIABLES}


def start_process(
    argv: Sequence[str | Path],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    log_path: Path | None = None,
    die_with_parent: bool = False,
) -> subprocess.Popen[bytes]:
    """Start ``argv`` in its own session, output appended to ``log_path`` (or discarded).

    ``die_with_parent`` ties the child's life to the calling *thread*: use it only from a thread
    that outlives the daemon (the main thread of a test run, for instance).
    """
    args = [str(a) for a in argv]
    out = open(log_path, "ab") if log_path is not None else subprocess.DEVNULL  # noqa: SIM115
    try:
        proc = subprocess.Popen(
            args,
            env=child_env(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent if die_with_parent else None,
        )
    finally:
        if not isinstance(out, int):
            out.close()
    log.debug("started pid %d: %s", proc.pid, " ".join(args))
    return proc


def stop_process(proc: subprocess.Popen[bytes], grace: float = 3.0) -> None:
    """SIGTERM (+SIGCONT) the process by pid, SIGKILL it after ``grace`` seconds, and reap it."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.terminate()
        proc.send_signal(signal.SIGCONT)  # a stopped (SIGSTOP) process must run to exit
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        log.warning("pid %d ignored SIGTERM for %.1fs; killing it", proc.pid, grace)
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        proc.wait()


def stop_all(procs: Iterable[subprocess.Popen[bytes]], grace: float = 3.0) -> None:
    """Stop processes in reverse start order (a server before the driver it reads)."""
    for proc in reversed(list(procs)):
        stop_process(proc, grace)


def wait_until(
    condition: Callable[[], bool],
    timeout: float,
    *,
    what: str,
    interval: float = 0.05,
    alive: Iterable[subprocess.Popen[bytes]] = (),
    abandon: threading.Event | None = None,
) -> None:
    """Poll ``condition`` until true; raise TimeoutError after ``timeout`` s, ChildProcessError if
    a process exits, InterruptedError once ``abandon`` is set (the hub is stopping)."""
    watched = list(alive)
    deadline = time.monotonic() + timeout
    while not condition():
        if abandon is not None and abandon.is_set():
            raise InterruptedError(f"{what}: start abandoned")
        for proc in watched:
            if proc.poll() is not None:
                raise ChildProcessError(f"{what}: pid {proc.pid} exited with {proc.returncode}")
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{what}: not within {timeout:.1f}s")
        time.sleep(interval)


def log_tail(path: Path, lines: int = 15) -> str:
    """The last ``lines`` lines of a log file ("" when missing), for error messages."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
