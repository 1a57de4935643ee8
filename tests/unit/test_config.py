import subprocess
import sys
from pathlib import Path

import pytest

from hubd.config import DeviceConfig, HubConfig, load_config, parse_config
from hubd.errors import ConfigError, InvalidArgument
from hubd.registry import DriverRegistry


def test_example_config(tmp_path: Path):
    f = tmp_path / "hubd.toml"
    f.write_text(
        '[server]\nlisten = ["unix:///run/kioskhub/hubd.sock", "127.0.0.1:7878"]\n'
        '[devices.receipt]\ndriver = "escp"\nurl = "usblp:///dev/usb/lp0"\n'
        'poll_interval = 2\noptions = { model = "tvs-msp455" }\ndefault = true\n'
        '[printing]\nkeep_payload = "12h"\n[power]\nlow_battery_grace = 30\n'
    )
    cfg = load_config(f, DriverRegistry())
    assert cfg.listen == ("unix:///run/kioskhub/hubd.sock", "127.0.0.1:7878")
    assert cfg.devices["receipt"].poll_interval == 2 and cfg.devices["receipt"].default
    assert cfg.devices["receipt"].options["model"] == "tvs-msp455"
    assert cfg.devices["receipt"].options["cut"] == "lines"  # the driver's default, filled in
    assert cfg.section("printing")["keep_payload"] == 12 * 3600
    assert cfg.section("printing")["keep_jobs"] == 30 * 86400
    assert cfg.section("power")["low_battery_grace"] == 30


@pytest.mark.parametrize(
    "text, key",
    [
        ("[servr]\n", "servr"),
        ("[server]\nlistn = []\n", "server.listn"),
        ('[devices.ups]\ndriver = "megatec_ups"\npoll = 1\n', "devices.ups.poll"),
        ('[devices.ups]\ndriver = "megatec_ups"\noptions = { modle = "x" }\n', "devices.ups.options.modle"),
        (
            '[devices.p]\ndriver = "escpos"\noptions = { status_timout = 1 }\n',
            "devices.p.options.status_timout",
        ),
        ('[devices.u]\ndriver = "nut"\noptions = { usename = "x" }\n', "devices.u.options.usename"),
        ('[printing]\nrecovry = "hold"\n', "printing.recovry"),
        ('[devices.ups]\ndriver = "nosuch"\n', "devices.ups.driver"),
    ],
)
def test_unknown_key_or_driver_names_key_and_file(tmp_path: Path, text: str, key: str):
    f = tmp_path / "bad.toml"
    f.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(f, DriverRegistry())
    assert str(f) in str(err.value) and key in str(err.value)
    assert err.value.metadata["key"] == key and err.value.metadata["file"] == str(f)


@pytest.mark.parametrize(
    "table, key",
    [
        ("poll_interval = inf", "poll_interval"),
        ("poll_interval = nan", "poll_interval"),
        ("poll_interval = 0", "poll_interval"),
        ("stale_after = -1", "stale_after"),
        ("max_backoff = -2.0", "max_backoff"),
        ("timeout = 1e9", "timeout"),
        ('poll_interval = "fast"', "poll_interval"),
        ("enabled = 1", "enabled"),
    ],
)
def test_every_device_number_is_finite_and_in_range(tmp_path: Path, table: str, key: str):
    f = tmp_path / "bad.toml"
    f.write_text(f'[devices.ups]\ndriver = "megatec_ups"\n{table}\n')
    with pytest.raises(ConfigError) as err:
        load_config(f, DriverRegistry())
    assert err.value.metadata["key"] == f"devices.ups.{key}"


@pytest.mark.parametrize(
    "text, key",
    [
        ("[power]\nlow_battery_grace = -5\n", "power.low_battery_grace"),
        ("[power]\nlow_battery_grace = inf\n", "power.low_battery_grace"),
        ("[power]\nshutdown_command = [1]\n", "power.shutdown_command[0]"),
        ('[printing]\nkeep_jobs = "1x"\n', "printing.keep_jobs"),
        ('[printing]\nrecovery = "never"\n', "printing.recovery"),
        ('[printing]\ntimezone = "Mars/Olympus"\n', "printing.timezone"),
    ],
)
def test_class_sections_are_checked(tmp_path: Path, text: str, key: str):
    f = tmp_path / "bad.toml"
    f.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(f)
    assert err.value.metadata["key"] == key


def test_wrong_types_and_ids():
    with pytest.raises(ConfigError, match="device id"):
        parse_config({"devices": {"UPS 1": {"driver": "x"}}})
    with pytest.raises(ConfigError, match="driver: required"):
        parse_config({"devices": {"ups": {"url": "x"}}})
    with pytest.raises(InvalidArgument):
        DeviceConfig("ups", "x", poll_interval=float("inf"))


def test_bad_toml_and_bad_bytes(tmp_path: Path):
    f = tmp_path / "x.toml"
    f.write_text("[server\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(f)
    f.write_bytes(b'[hub]\nstate_dir = "\xff"\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(f)


def test_hubd_says_one_line_and_exits_2_on_a_bad_config(tmp_path: Path):
    f = tmp_path / "x.toml"
    f.write_bytes(b'[hub]\nstate_dir = "\xff"\n')
    res = subprocess.run(
        [sys.executable, "-m", "hubd.cli.hubd", "--config", str(f)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1 and "not UTF-8" in res.stderr and "Traceback" not in res.stderr


def test_receipt_time_zone_defaults_to_india():
    from datetime import UTC, datetime

    from hubd.classes.printer.spooler import PrintingConfig

    default = PrintingConfig.from_config(HubConfig()).zone
    assert datetime(2026, 11, 25, 9, 0, tzinfo=UTC).astimezone(default).hour == 14  # +05:30
    dubai = parse_config({"printing": {"timezone": "Asia/Dubai"}})
    assert PrintingConfig.from_config(dubai).timezone == "Asia/Dubai"


def test_unset_poll_interval_and_timeout_are_the_class_and_driver_defaults(tmp_path: Path):
    """A camera read every second would keep it streaming; a driver's timeout must not become
    2 s because the config named none."""
    from hubd.app import Hub

    f = tmp_path / "hubd.toml"
    f.write_text('[devices.camera]\ndriver = "camera"\nurl = "http://127.0.0.1:9/stream.mjpg"\n'
                 '[devices.scanner]\ndriver = "escl"\nurl = "escl://127.0.0.1:9/eSCL"\ntimeout = 1.5\n'
                 '[devices.receipt]\ndriver = "escp"\nurl = "tcp://127.0.0.1:9"\n')
    cfg = load_config(f, DriverRegistry())
    assert cfg.devices["camera"].poll_interval is None and cfg.devices["camera"].timeout is None
    hub = Hub(cfg, tmp_path / "state")
    camera, scanner, receipt = (hub.add_device(cfg.devices[d]) for d in ("camera", "scanner", "receipt"))
    assert (camera.poll_interval, camera.device.timeout) == (10.0, 5.0)
    assert (scanner.poll_interval, scanner.device.timeout) == (3.0, 1.5)
    assert (receipt.poll_interval, receipt.device.timeout) == (1.0, 2.0)
