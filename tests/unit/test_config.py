from pathlib import Path

import pytest

from hubd.config import load_config, parse_config
from hubd.errors import ConfigError


def test_example_config(tmp_path: Path):
    f = tmp_path / "hubd.toml"
    f.write_text(
        '[server]\nlisten = ["unix:///run/kioskhub/hubd.sock", "127.0.0.1:7878"]\n'
        '[devices.ups]\ndriver = "megatec_ups"\nurl = "serial:///dev/ttyS0?baudrate=2400"\n'
        'poll_interval = 2\noptions = { model = "x" }\n'
    )
    cfg = load_config(f)
    assert cfg.listen == ("unix:///run/kioskhub/hubd.sock", "127.0.0.1:7878")
    assert cfg.devices["ups"].poll_interval == 2
    assert cfg.devices["ups"].options == {"model": "x"}


@pytest.mark.parametrize(
    "text, key",
    [
        ("[servr]\n", "servr"),
        ("[server]\nlistn = []\n", "server.listn"),
        ('[devices.ups]\ndriver = "x"\npoll = 1\n', "devices.ups.poll"),
    ],
)
def test_unknown_key_names_key_and_file(tmp_path: Path, text: str, key: str):
    f = tmp_path / "bad.toml"
    f.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(f)
    assert str(f) in str(err.value) and repr(key.split(".")[-1]) in str(err.value)
    assert err.value.metadata["key"] == key


def test_wrong_types_and_ids():
    with pytest.raises(ConfigError, match="wrong type"):
        parse_config({"devices": {"ups": {"driver": "x", "poll_interval": "fast"}}})
    with pytest.raises(ConfigError, match="device id"):
        parse_config({"devices": {"UPS 1": {"driver": "x"}}})
    with pytest.raises(ConfigError, match="driver"):
        parse_config({"devices": {"ups": {"url": "x"}}})


def test_bad_toml(tmp_path: Path):
    f = tmp_path / "x.toml"
    f.write_text("[server\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(f)


def test_receipt_time_zone_defaults_to_india_and_is_checked():
    from datetime import UTC, datetime

    default = parse_config({}).printing.zone
    assert datetime(2026, 11, 25, 9, 0, tzinfo=UTC).astimezone(default).hour == 14  # +05:30
    assert parse_config({"printing": {"timezone": "Asia/Dubai"}}).printing.timezone == "Asia/Dubai"
    with pytest.raises(ConfigError, match="printing.timezone") as err:
        parse_config({"printing": {"timezone": "Mars/Olympus"}})
    assert err.value.metadata["key"] == "printing.timezone"
