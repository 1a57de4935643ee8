"""Default locations: the control socket, the state directory and the config file."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_CONFIG = Path("/etc/kioskhub/hubd.toml")


def runtime_dir() -> Path:
    """``/run/kioskhub`` as root (or systemd's RUNTIME_DIRECTORY), else ``$XDG_RUNTIME_DIR/kioskhub``."""
    if os.environ.get("RUNTIME_DIRECTORY"):
        return Path(os.environ["RUNTIME_DIRECTORY"].split(":")[0])
    if os.geteuid() == 0:
        return Path("/run/kioskhub")
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    return Path(xdg) / "kioskhub" if xdg else Path(f"/tmp/kioskhub-{os.getuid()}")


def default_socket() -> Path:
    """The hub's default unix socket."""
    return runtime_dir() / "hubd.sock"


def default_target() -> str:
    """The gRPC target a client uses when none is given (``KIOSKHUB_TARGET`` overrides)."""
    return os.environ.get("KIOSKHUB_TARGET") or f"unix://{default_socket()}"


def default_state_dir() -> Path:
    """systemd's ``STATE_DIRECTORY``, else ``/var/lib/kioskhub``."""
    state = os.environ.get("STATE_DIRECTORY")
    return Path(state.split(":")[0]) if state else Path("/var/lib/kioskhub")
