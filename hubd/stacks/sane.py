"""A private SANE configuration: only the ``test`` backend (virtual scanners ``test:0``, ``test:1``).

SANE is a library, not a daemon, so this stack is a directory: ``dll.conf`` naming only
``test`` (the system's list loads network backends that broadcast) and a copy of the system's
``test.conf`` with the options a kiosk test needs: the patterned "Grid" picture instead of solid
black, a glass large enough for A4 and A4 as the default area. libsane reads
``SANE_CONFIG_DIR`` once, at ``sane_init``: call ``activate`` before the first SANE device of the
process opens (a child process gets ``env()`` instead). A value without a trailing colon makes
SANE read this directory only.
"""

from __future__ import annotations

import glob
import importlib.util
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

SYSTEM_TEST_CONF = Path("/etc/sane.d/test.conf")
BACKEND_GLOBS = ("/usr/lib/*/sane/libsane-test.so*", "/usr/lib/sane/libsane-test.so*",
                 "/usr/lib64/sane/libsane-test.so*", "/usr/local/lib/sane/libsane-test.so*")
TEST_OPTIONS: Mapping[str, str] = {
    "number_of_devices": "2",
    "test-picture": '"Grid"',  # 10 mm black and white squares (the default is solid black)
    "geometry_max": "300.0",  # mm: the default 200 mm glass cannot hold A4
    "br_x": "210.0",
    "br_y": "297.0",
    "resolution": "150.0",
}
_OPTION_LINE = re.compile(r"^\s*([a-z_-]+)\b")


@dataclass(frozen=True)
class SanePaths:
    """A private SANE configuration directory and how to use it."""

    root: Path

    def env(self) -> dict[str, str]:
        """Environment for a child process (scanimage) to use only this configuration."""
        return {**os.environ, "SANE_CONFIG_DIR": str(self.root)}

    def url(self, device: int = 0) -> str:
        """The sane driver URL of virtual scanner ``test:<device>``."""
        return f"sane://test:{device}"


def missing() -> list[str]:
    """What this machine lacks for the SANE stack (libsane's test backend, python-sane)."""
    lacks = []
    if not any(glob.glob(pattern) for pattern in BACKEND_GLOBS):
        lacks.append("libsane test backend (package libsane1)")
    if importlib.util.find_spec("sane") is None:
        lacks.append("python-sane (pip; needs libsane-dev)")
    return lacks


def test_conf(options: Mapping[str, str], base: str | None = None) -> str:
    """``test.conf``: the system's copy (or nothing) with ``options`` replacing its lines."""
    text = base if base is not None else (SYSTEM_TEST_CONF.read_text() if SYSTEM_TEST_CONF.exists() else "")
    lines, seen = [], set()
    for line in text.splitlines():
        m = _OPTION_LINE.match(line)
        if m and not line.lstrip().startswith("#") and m.group(1) in options:
            key = m.group(1)
            lines.append(f"{key} {options[key]}")
            seen.add(key)
        else:
            lines.append(line)
    lines += [f"{key} {value}" for key, value in options.items() if key not in seen]
    return "\n".join(lines) + "\n"


def write_config(root: Path, options: Mapping[str, str] | None = None) -> SanePaths:
    """Write ``dll.conf`` (test only) and ``test.conf`` (``TEST_OPTIONS`` + ``options``) to ``root``."""
    root = Path(root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    (root / "dll.conf").write_text("test\n")
    (root / "test.conf").write_text(test_conf({**TEST_OPTIONS, **(options or {})}))
    return SanePaths(root)


def activate(paths: SanePaths) -> None:
    """Point this process's SANE at ``paths`` (before its first ``sane_init``)."""
    os.environ["SANE_CONFIG_DIR"] = str(paths.root)
    log.info("SANE configuration: %s (test backend only)", paths.root)
