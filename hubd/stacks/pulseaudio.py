"""A private PulseAudio: null sinks for a speaker and a microphone feed, a remapped source as the mic.

Layout of ``dir``: ``kioskhub.pa`` (the startup script), ``runtime/`` (``XDG_RUNTIME_DIR``, mode
0700, holding the ``native`` socket; moved under the temp dir when the path would be too long for
a unix socket), ``home/`` (``HOME``: the cookie PulseAudio writes) and ``pulseaudio.log``.
Devices: the null sink ``speaker`` (what the kiosk plays; its monitor ``speaker.monitor`` hears it
back, for the loopback self-test), the null sink ``micfeed`` (what a test plays *into* the
microphone) and the source ``mic`` (``micfeed.monitor`` remapped: the kiosk's microphone).
Clients reach it with ``PULSE_SERVER=unix:SOCKET`` (``env``); the hub's audio driver with the
URL ``pulse://SOCKET``. The daemon runs in the foreground, in user mode, and is stopped by pid.

``hubd --simulate`` (``simulate``) uses the sound server the user already runs, if one answers,
and otherwise starts this private one with the audio device's speaker on ``speaker`` and its
microphone on ``speaker.monitor``, so the loopback self-test hears its own tone.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hubd.config import DeviceConfig
from hubd.errors import DeviceUnavailable
from hubd.stacks.process import (
    log_tail,
    missing,
    require_binary,
    socket_home,
    start_process,
    stop_all,
    stop_process,
    wait_until,
)

if TYPE_CHECKING:
    from hubd.classes.spec import SimulatedDevice
    from hubd.stacks.simulated import StackResult

log = logging.getLogger(__name__)

START_TIMEOUT = 15.0
BINARIES = ("pulseaudio",)
SPEAKER = "speaker"
MIC_FEED = "micfeed"
MIC = "mic"
RATE = 48000


@dataclass(frozen=True)
class PulsePaths:
    """Where one private PulseAudio keeps its files, and how clients reach it."""

    root: Path
    runtime: Path

    @property
    def script(self) -> Path:
        """The ``-F`` startup script."""
        return self.root / "kioskhub.pa"

    @property
    def socket(self) -> Path:
        """The native-protocol unix socket."""
        return self.runtime / "native"

    @property
    def url(self) -> str:
        """The audio driver's URL for this server."""
        return f"pulse://{self.socket}"

    @property
    def log(self) -> Path:
        """The daemon's output."""
        return self.root / "pulseaudio.log"

    def env(self) -> dict[str, str]:
        """``PULSE_SERVER`` for clients (paplay, pactl, parec) of this server."""
        return {"PULSE_SERVER": f"unix:{self.socket}"}

    def remove_runtime(self) -> None:
        """Remove a runtime directory that had to live outside ``root`` (long paths)."""
        if self.root not in self.runtime.parents:
            shutil.rmtree(self.runtime, ignore_errors=True)


def paths(dir: Path) -> PulsePaths:
    """The paths of the instance in ``dir``; a too-long socket path moves the runtime dir."""
    root = Path(dir).resolve()
    runtime = socket_home(root, root / "runtime", root / "runtime" / "native", "pulse")
    return PulsePaths(root, runtime)


def missing_binaries() -> list[str]:
    """Names of the PulseAudio programs this machine lacks (package pulseaudio)."""
    return missing(BINARIES, ())


def script(p: PulsePaths) -> str:
    """The startup script: the sinks and the mic first, the socket last (so a client that can
    connect finds every device)."""
    return "\n".join([
        f"load-module module-null-sink sink_name={SPEAKER} rate={RATE} "
        "sink_properties=device.description=Kiosk_speaker",
        f"load-module module-null-sink sink_name={MIC_FEED} rate={RATE} "
        "sink_properties=device.description=Kiosk_microphone_feed",
        f"load-module module-remap-source source_name={MIC} master={MIC_FEED}.monitor "
        "source_properties=device.description=Kiosk_microphone",
        f"set-default-sink {SPEAKER}",
        f"set-default-source {MIC}",
        f"load-module module-native-protocol-unix auth-anonymous=1 socket={p.socket}",
        "",
    ])


def write_config(dir: Path) -> PulsePaths:
    """Create the directories and write the startup script."""
    p = paths(dir)
    for d in (p.root, p.root / "home"):
        d.mkdir(parents=True, exist_ok=True)
    p.runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    p.runtime.chmod(0o700)
    p.socket.unlink(missing_ok=True)
    p.script.write_text(script(p), encoding="utf-8")
    return p


def _env(p: PulsePaths) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PULSE_", "XDG_", "DBUS_"))}
    env.update(XDG_RUNTIME_DIR=str(p.runtime), HOME=str(p.root / "home"))
    return env


def answers(path: Path) -> bool:
    """True when a server accepts connections on the unix socket ``path``."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        try:
            sock.connect(str(path))
        except OSError:
            return False
    return True


def accepting(p: PulsePaths) -> bool:
    """True when the server accepts connections on its socket."""
    return answers(p.socket)


def running_server() -> Path | None:
    """The native socket of a sound server this user already runs (``$PULSE_SERVER`` as
    ``unix:PATH``, else ``$XDG_RUNTIME_DIR/pulse/native``: PulseAudio or PipeWire's pulse
    server), if it accepts connections."""
    candidates = []
    server = os.environ.get("PULSE_SERVER", "")
    if server.startswith("unix:"):
        candidates.append(Path(server.removeprefix("unix:")))
    if runtime := os.environ.get("XDG_RUNTIME_DIR", ""):
        candidates.append(Path(runtime) / "pulse" / "native")
    return next((path for path in candidates if answers(path)), None)


def start(
    dir: Path,
    *,
    timeout: float = START_TIMEOUT,
    die_with_parent: bool = False,
    abandon: threading.Event | None = None,
) -> tuple[subprocess.Popen[bytes], PulsePaths]:
    """Write the config, start PulseAudio and wait until its socket accepts connections.

    On failure the daemon is stopped and ``DeviceUnavailable`` raised: STACK_NOT_INSTALLED, or
    STACK_START_FAILED with the log's tail (metadata ``cause``: exited, timeout or abandoned).
    """
    binary = require_binary("PulseAudio", "pulseaudio", ())
    p = write_config(dir)
    argv = [str(binary), "-n", "-F", str(p.script), "--daemonize=no", "--exit-idle-time=-1",
            "--use-pid-file=no", "--log-target=stderr"]
    proc = start_process(argv, env=_env(p), cwd=p.root, log_path=p.log, die_with_parent=die_with_parent)
    try:
        wait_until(lambda: accepting(p), timeout, what="PulseAudio socket", alive=[proc], abandon=abandon)
    except (TimeoutError, ChildProcessError, InterruptedError) as err:
        stop(proc, p)
        cause = "exited" if isinstance(err, ChildProcessError) else \
            "abandoned" if isinstance(err, InterruptedError) else "timeout"
        raise DeviceUnavailable(
            f"private PulseAudio in {p.root} did not start: {err}\n{log_tail(p.log)}",
            reason="STACK_START_FAILED", metadata={"cause": cause},
        ) from err
    log.info("private PulseAudio %s serving %s (pid %d)", p.root, p.socket, proc.pid)
    return proc, p


def stop(proc: subprocess.Popen[bytes], p: PulsePaths | None = None) -> None:
    """Stop the daemon by pid; remove its socket and a runtime dir kept outside the root."""
    stop_process(proc)
    if p is not None:
        p.socket.unlink(missing_ok=True)
        p.remove_runtime()


def _start_for_hub(root: Path, abandon: threading.Event) -> list[subprocess.Popen[bytes]]:
    proc, _ = start(root, die_with_parent=True, abandon=abandon)
    return [proc]


def _stopper(p: PulsePaths) -> Callable[[list[subprocess.Popen[bytes]]], None]:
    def stop_and_clean(procs: list[subprocess.Popen[bytes]]) -> None:
        stop_all(procs)
        p.socket.unlink(missing_ok=True)
        p.remove_runtime()

    return stop_and_clean


async def simulate(state_dir: Path, device: SimulatedDevice) -> StackResult:
    """``hubd --simulate``: the user's own sound server if one runs (its default sink and
    source); else a private PulseAudio started in the background, the device's speaker its null
    sink and its microphone the sink's monitor (the self-test passes). Absent PulseAudio: the
    device is listed UNAVAILABLE STACK_NOT_INSTALLED."""
    from hubd.stacks.simulated import StackResult

    existing = running_server()
    if existing is not None:
        url = f"pulse://{existing}"
        cfg = DeviceConfig(device.device_id, device.driver, url, poll_interval=device.poll_interval,
                           default=device.default)
        log.info("audio: using the sound server already running at %s", existing)
        return StackResult(cfg, record={"stack": "pulseaudio", "server": "existing", "url": url})
    if gaps := missing_binaries():
        detail = f"PulseAudio is not installed (missing {', '.join(gaps)}) and no sound server runs"
        return StackResult(DeviceConfig(device.device_id, device.driver), missing=detail)
    root = (state_dir / "pulseaudio").resolve()
    p = paths(root)
    # The executor thread lives as long as the daemon, so the parent-death signal set from it
    # stops PulseAudio even if hubd is killed with SIGKILL.
    abandon = threading.Event()
    task = asyncio.create_task(asyncio.to_thread(_start_for_hub, root, abandon), name="stack:pulseaudio")
    cfg = DeviceConfig(device.device_id, device.driver, p.url, options=dict(device.options),
                       poll_interval=device.poll_interval, default=device.default)
    record: dict[str, object] = {
        "stack": "pulseaudio", "server": "private", "url": p.url, "env": f"PULSE_SERVER=unix:{p.socket}",
        "speaker": SPEAKER, "microphone": f"{SPEAKER}.monitor", "mic_feed": MIC_FEED, "mic": MIC,
    }
    return StackResult(cfg, record=record, task=task, abandon=abandon, stop=_stopper(p))
