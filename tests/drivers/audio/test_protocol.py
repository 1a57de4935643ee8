"""ALSA configuration text for PulseAudio devices (written by hand from README-pulse), names, URLs."""

from __future__ import annotations

import pytest

from hubd.errors import InvalidArgument
from kioskhub.drivers.audio import Audio, protocol


def test_pcm_definition() -> None:
    text = protocol.pcm_definition("kioskhub_x", "unix:/run/pa/native", "speaker")
    assert text == (
        "pcm.kioskhub_x {\n"
        "\ttype pulse\n"
        '\tserver "unix:/run/pa/native"\n'
        '\tdevice "speaker"\n'
        '\thint { show on description "kioskhub: PulseAudio speaker" }\n'
        "}\n"
    )
    assert "server" not in protocol.pcm_definition("kioskhub_y", None, "mic")


def test_names_are_stable_and_distinct() -> None:
    a = protocol.pcm_name("unix:/a", "speaker")
    assert a == protocol.pcm_name("unix:/a", "speaker") and a.startswith("kioskhub_")
    assert len({a, protocol.pcm_name("unix:/b", "speaker"), protocol.pcm_name("unix:/a", "mic")}) == 3


def test_config_is_sorted() -> None:
    text = protocol.config_text({"b": "pcm.b {}\n", "a": "pcm.a {}\n"})
    assert text.index("pcm.a") < text.index("pcm.b") and text.startswith("#")


@pytest.mark.parametrize("name", ["", "a b", 'x"y', "a\nb", "x" * 200])
def test_bad_device_names(name: str) -> None:
    with pytest.raises(InvalidArgument):
        protocol.check_device(name, "options.output")


def test_quote() -> None:
    assert protocol.quote('a"b\\c') == '"a\\"b\\\\c"'


@pytest.mark.parametrize(("url", "options", "field"), [
    ("pulse://host/x", {}, "url"),
    ("http://x/", {}, "url"),
    ("pulse:///run/x", {"output": "bad name"}, "options.output"),
    ("pulse:///run/x\x01y", {}, "url"),
])
def test_bad_configuration(url: str, options: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        Audio("audio", url, options)
    assert info.value.field == field


def test_good_configuration() -> None:
    audio = Audio("audio", "pulse:///run/kiosk/pulse/native", {"output": "speaker", "input": "mic"})
    assert audio.server == "unix:/run/kiosk/pulse/native" and audio.describe().startswith("PulseAudio")
    assert Audio("audio", "pulse://").server is None and Audio("audio", "alsa://").output_name == "default"
    assert Audio("audio", "pulse://").input_name == "@DEFAULT_SOURCE@"
