"""ALSA configuration text for PulseAudio devices (written by hand from README-pulse), names, URLs."""

from __future__ import annotations

import hypothesis
import pytest
from hypothesis import strategies as st

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


ALSA_CONF = """#
#  ALSA library configuration file
#

# pre-load the configuration files

@hooks [
\t{
\t\tfunc load
\t\tfiles [
\t\t\t"/etc/alsa/conf.d"
\t\t\t"/etc/asound.conf|||/usr/etc/asound.conf"  # a ] in a comment
\t\t\t"~/.asoundrc"
\t\t\t"/odd/na]me"
\t\t]
\t\terrors false
\t}
]

# load card-specific configuration files (on request)

cards.@hooks [
\t{ func load files [ "/usr/share/alsa/cards" ] }
]
pcm.hw { @args [ CARD DEV ] type hw }
"""


def test_load_hooks_removed() -> None:
    lean = protocol.without_load_hooks(ALSA_CONF)
    assert lean is not None
    assert "conf.d" not in lean and "asoundrc" not in lean and "na]me" not in lean
    # everything else stays, the card hooks included
    assert lean.startswith("#\n#  ALSA library configuration file") and "cards.@hooks [" in lean
    assert lean.rstrip().endswith("pcm.hw { @args [ CARD DEV ] type hw }")
    assert lean.count("[") == lean.count("]") == 3


@pytest.mark.parametrize("text", ["pcm.hw { type hw }\n", "cards.@hooks [ ]\n", "@hooks [ { files [ x ] }\n"])
def test_load_hooks_not_found(text: str) -> None:
    assert protocol.without_load_hooks(text) is None


@hypothesis.given(st.text(alphabet='@hooks[]{}"#\\\n ab', max_size=200))
def test_load_hooks_fuzz(text: str) -> None:
    lean = protocol.without_load_hooks(text)
    assert lean is None or (len(lean) < len(text) and text.startswith(lean[: text.find("@hooks")]))
