"""The systemd files: the unit verifies offline, keeps its hardening, and the companions apply."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require_stacks
from tests.stacks.base import skip_or_fail

SYSTEMD_DIR = Path(__file__).resolve().parents[2] / "systemd"
UNIT = SYSTEMD_DIR / "hubd.service"
INSTALLED_EXEC = "/opt/kioskhub/.venv/bin/hubd"


def tool(name: str) -> str:
    """Path of a systemd tool; skip (or fail in CI) when it is missing."""
    path = shutil.which(name) or (f"/usr/bin/{name}" if os.access(f"/usr/bin/{name}", os.X_OK) else None)
    if path is None:
        if require_stacks():
            pytest.fail(f"{name} is required (KIOSKHUB_REQUIRE_STACKS=1) but not installed")
        pytest.skip(f"{name} not installed")
    return path


def directives(text: str) -> list[tuple[str, str, str]]:
    """(section, key, value) for every assignment, in order (keys may repeat)."""
    out: list[tuple[str, str, str]] = []
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        key, sep, value = line.partition("=")
        assert sep, f"not an assignment: {raw!r}"
        out.append((section, key.strip(), value.strip()))
    return out


def values(key: str, section: str = "Service") -> list[str]:
    """Every value of ``key`` in ``section`` of hubd.service."""
    return [v for s, k, v in directives(UNIT.read_text()) if s == section and k == key]


def venv_hubd() -> Path:
    """The hubd console script of this environment (what ExecStart points at when installed)."""
    return Path(sys.prefix) / "bin" / "hubd"


def unit_copy(tmp_path: Path, text: str | None = None) -> Path:
    """hubd.service with ExecStart pointing at this environment's hubd, written under tmp_path."""
    text = UNIT.read_text() if text is None else text
    exe = venv_hubd()
    assert os.access(exe, os.X_OK), f"{exe} missing: is the package installed (pip install -e .)?"
    assert text.count(f"ExecStart={INSTALLED_EXEC} ") == 1
    copy = tmp_path / "hubd.service"
    copy.write_text(text.replace(f"ExecStart={INSTALLED_EXEC} ", f"ExecStart={exe} "))
    return copy


def verify(unit: Path) -> tuple[int, list[str]]:
    """Exit code of ``systemd-analyze verify`` and the lines it printed about ``unit``."""
    proc = subprocess.run(
        [tool("systemd-analyze"), "verify", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "SYSTEMD_LOG_COLOR": "0", "SYSTEMD_PAGER": ""},
    )
    # Other units pulled in through After=/Wants= may have their own complaints on a given
    # host; only what is said about our file counts.
    lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if unit.name in ln]
    return proc.returncode, lines


# --- systemd-analyze ---------------------------------------------------------------------------


def test_unit_verifies_clean(tmp_path: Path) -> None:
    # User=kioskhub need not exist here: verify checks syntax, ExecStart and dependencies only.
    rc, lines = verify(unit_copy(tmp_path))
    assert rc == 0 and not lines, "\n".join(lines)


def test_verify_reports_what_the_clean_check_rejects(tmp_path: Path) -> None:
    # An unknown key only warns (exit 0): the clean check must catch it through the output.
    broken = UNIT.read_text().replace("WatchdogSec=30", "WatchdogSecs=30")
    rc, lines = verify(unit_copy(tmp_path, broken))
    assert any("WatchdogSecs" in ln for ln in lines), lines
    missing = unit_copy(tmp_path).read_text().replace(str(venv_hubd()), str(tmp_path / "nohubd"))
    (tmp_path / "hubd.service").write_text(missing)
    rc, lines = verify(tmp_path / "hubd.service")
    assert rc != 0


def test_exposure_stays_low(tmp_path: Path) -> None:
    """``systemd-analyze security`` (offline) rates the unit at most 3.0 ("OK")."""
    proc = subprocess.run(
        [tool("systemd-analyze"), "security", "--offline=true", "--no-pager", str(unit_copy(tmp_path))],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "SYSTEMD_LOG_COLOR": "0"},
    )
    match = re.search(r"Overall exposure level for hubd\.service: (\d+\.\d)", proc.stdout)
    assert match, proc.stdout + proc.stderr
    assert float(match.group(1)) <= 3.0, proc.stdout


# --- what the issue requires -------------------------------------------------------------------


def test_required_service_settings() -> None:
    assert values("Type") == ["notify"]
    assert values("NotifyAccess") == ["main"]
    assert values("ExecStart") == [f"{INSTALLED_EXEC} --config /etc/kioskhub/hubd.toml"]
    assert values("WatchdogSec") == ["30"]
    assert values("Restart") == ["on-failure"]
    assert values("RestartSec") == ["2"]
    assert values("KillMode") == ["mixed"]
    assert values("User") == ["kioskhub"] and values("Group") == ["kioskhub"]
    assert values("RuntimeDirectory") == ["kioskhub"] and values("RuntimeDirectoryMode") == ["0750"]
    assert values("StateDirectory") == ["kioskhub"]
    assert values("ConfigurationDirectory") == ["kioskhub"]
    assert values("UMask") == ["0007"]
    assert values("WantedBy", "Install") == ["multi-user.target"]


def test_hardening() -> None:
    assert values("ProtectSystem") == ["strict"]
    assert values("ProtectHome") == ["yes"]
    assert values("PrivateTmp") == ["yes"]
    assert values("NoNewPrivileges") == ["yes"]
    for key in (
        "ProtectKernelTunables",
        "ProtectKernelModules",
        "ProtectControlGroups",
        "LockPersonality",
        "RestrictRealtime",
    ):
        assert values(key) == ["yes"], key
    assert values("SystemCallArchitectures") == ["native"]
    assert values("RestrictAddressFamilies") == ["AF_UNIX AF_INET AF_INET6 AF_NETLINK"]
    # PrivateDevices=yes would hide every physical device from a device hub.
    assert values("PrivateDevices") in ([], ["no"])
    assert values("DevicePolicy") == ["closed"]


def test_device_allow_entries() -> None:
    allowed = {}
    for entry in values("DeviceAllow"):
        name, _, rights = entry.partition(" ")
        assert re.fullmatch(r"char-[A-Za-z0-9_]+", name), entry
        assert rights in ("r", "rw"), f"{entry}: no mknod ('m') for an unprivileged daemon"
        allowed[name] = rights
    # Names as the kernel lists them in /proc/devices (/dev/usb/lp* is major 180, "usb";
    # "usbmisc" is only its udev subsystem and would silently match nothing).
    assert set(allowed) == {
        "char-ttyS",
        "char-ttyUSB",
        "char-ttyACM",
        "char-usb",
        "char-usb_device",
        "char-video4linux",
        "char-alsa",
    }


def test_supplementary_groups_exist_on_every_debian() -> None:
    """A group missing at start makes the unit fail (216/GROUP): use base-passwd's groups only."""
    master = Path("/usr/share/base-passwd/group.master")
    if not master.exists():
        pytest.skip("not a Debian system (no base-passwd)")
    static = {line.split(":")[0] for line in master.read_text().splitlines() if line}
    groups = values("SupplementaryGroups")
    assert len(groups) == 1
    assert set(groups[0].split()) == {"dialout", "lp", "audio", "video"}
    assert set(groups[0].split()) <= static


# --- sysusers.d, tmpfiles.d, udev ---------------------------------------------------------------


def test_sysusers_then_tmpfiles_in_a_scratch_root(tmp_path: Path) -> None:
    if os.geteuid() != 0:  # systemd-tmpfiles --create chowns to the kioskhub user: root only
        skip_or_fail("systemd-tmpfiles --create needs root (it chowns); run as root to check it")
    root = tmp_path / "root"
    (root / "etc" / "kioskhub").mkdir(parents=True)
    subprocess.run(
        [tool("systemd-sysusers"), f"--root={root}", str(SYSTEMD_DIR / "kioskhub-sysusers.conf")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    passwd = {ln.split(":")[0]: ln.split(":") for ln in (root / "etc/passwd").read_text().splitlines()}
    group = {ln.split(":")[0]: ln.split(":") for ln in (root / "etc/group").read_text().splitlines()}
    user = passwd["kioskhub"]
    assert int(user[2]) < 1000, "a system user"
    assert user[3] == group["kioskhub"][2], "primary group kioskhub"
    assert user[5] == "/var/lib/kioskhub"
    assert user[6].endswith("nologin")

    config = root / "etc" / "kioskhub" / "hubd.toml"
    config.write_text("[server]\n")
    config.chmod(0o666)
    subprocess.run(
        [tool("systemd-tmpfiles"), f"--root={root}", "--create", str(SYSTEMD_DIR / "kioskhub.conf")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    st = config.stat()
    assert st.st_mode & 0o777 == 0o640
    if os.geteuid() == 0:  # only root can hand the file to another group
        assert (st.st_uid, st.st_gid) == (0, int(group["kioskhub"][2]))
    assert (root / "etc" / "kioskhub").stat().st_mode & 0o777 == 0o755


UDEV_MATCH = {"SUBSYSTEM", "KERNEL", "ATTR", "ATTRS", "ENV", "ACTION", "DRIVERS", "SUBSYSTEMS"}
UDEV_ASSIGN = {"GROUP", "MODE", "SYMLINK", "ENV", "RUN", "TAG", "OWNER"}
UDEV_TOKEN = re.compile(r'\s*([A-Z]+)(\{[^}]+\})?\s*(==|!=|\+=|=)\s*"([^"]*)"\s*(?:,|$)')


def test_udev_rules_are_well_formed_and_hand_devices_to_kioskhub() -> None:
    rules = 0
    for raw in (SYSTEMD_DIR / "90-kioskhub.rules").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        rules += 1
        pos, tokens = 0, []
        while pos < len(line):
            m = UDEV_TOKEN.match(line, pos)
            assert m, f"cannot parse at {line[pos:]!r}"
            tokens.append(m.groups())
            pos = m.end()
        for key, _attr, op, value in tokens:
            if op in ("==", "!="):
                assert key in UDEV_MATCH, line
            else:
                assert key in UDEV_ASSIGN, line
            if key == "GROUP":
                assert (op, value) == ("=", "kioskhub"), line
            if key == "MODE":
                assert (op, value) == ("=", "0660"), line
            if key == "SYMLINK":
                assert op == "+=" and re.fullmatch(r"kiosk/[0-9A-Za-z#+\-.:=@_/]+", value), line
            if key == "RUN":
                assert "g:kioskhub:rw" in value, line
        assert any(op in ("==", "!=") for _k, _a, op, _v in tokens), f"matches nothing: {line}"
    assert rules >= 4
