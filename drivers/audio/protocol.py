"""ALSA configuration that makes PulseAudio sinks and sources PortAudio devices. Sans-IO: text out.

Reference: alsa-plugins ``README-pulse`` (Debian ``libasound2-plugins``): a PCM of ``type pulse``
reaches a PulseAudio server; ``server`` says which (e.g. ``unix:/run/…/native``; without it the
plugin follows ``PULSE_SERVER`` and the defaults) and ``device`` which sink or source ("specify
two PCMs with different device" for a sink and a source). PortAudio's ALSA host API lists every
PCM the configuration defines (``pa_linux_alsa.c``, BuildDeviceList; verified with PortAudio
19.6 and sounddevice 0.5: a defined PCM shows as a device named like the PCM). alsa-lib reads the
files listed, colon-separated, in ``ALSA_CONFIG_PATH`` (the first being its own ``alsa.conf``);
strings are double-quoted with backslash escapes (alsa-lib ``conf.c``).
"""

from __future__ import annotations

import hashlib
import re

from hubd.driver_api import InvalidArgument

PREFIX = "kioskhub_"
_NAME = re.compile(r"[A-Za-z0-9_.:@-]{1,128}")
_SERVER = re.compile(r"(unix:)?/[^\x00-\x1f\"\\]{1,200}")


def check_device(name: str, field: str) -> str:
    """A PulseAudio sink/source name (letters, digits, ``_ . : @ -``); INVALID_ARGUMENT otherwise."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InvalidArgument(field, f"not a PulseAudio device name: {name[:40]!r}")
    return name


def check_server(server: str, field: str = "url") -> str:
    """A PulseAudio server socket (``/path`` or ``unix:/path``) as the plugin's ``server`` value."""
    if not _SERVER.fullmatch(server):
        raise InvalidArgument(field, f"not a PulseAudio socket path: {server[:60]!r}")
    return server if server.startswith("unix:") else f"unix:{server}"


def pcm_name(server: str | None, device: str) -> str:
    """A stable ALSA PCM name for (server, sink or source)."""
    digest = hashlib.sha256(f"{server or ''}\0{device}".encode()).hexdigest()[:10]
    return f"{PREFIX}{digest}"


def quote(value: str) -> str:
    """An ALSA configuration string literal."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def pcm_definition(name: str, server: str | None, device: str) -> str:
    """One ``pcm.NAME { type pulse ... }`` block (with a hint, so listings show it)."""
    lines = [f"pcm.{name} {{", "\ttype pulse"]
    if server:
        lines.append(f"\tserver {quote(server)}")
    lines += [f"\tdevice {quote(device)}",
              f"\thint {{ show on description {quote('kioskhub: PulseAudio ' + device)} }}", "}"]
    return "\n".join(lines) + "\n"


def config_text(definitions: dict[str, str]) -> str:
    """A whole configuration file of PCM definitions (sorted by name: stable output)."""
    head = "# Written by kioskhub's audio driver: PulseAudio sinks and sources as ALSA PCMs.\n"
    return head + "".join(definitions[name] for name in sorted(definitions))


def without_load_hooks(text: str) -> str | None:
    """alsa-lib's ``alsa.conf`` without its top-level ``@hooks [ … ]`` block, the one that loads
    the distribution's plugin PCMs (``conf.d``: a52, jack, upmix, lavrate…), ``asound.conf`` and
    ``~/.asoundrc``; None when the block is not where alsa.conf puts it (a line starting
    ``@hooks``) or its brackets do not close. Strings and ``#`` comments are skipped."""
    start = 0 if text.startswith("@hooks") else text.find("\n@hooks") + 1
    if start == 0 and not text.startswith("@hooks"):  # find gave -1
        return None
    depth, i, quoted = 0, start, False
    while i < len(text):
        ch = text[i]
        if quoted:
            if ch == "\\":
                i += 1
            elif ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
        elif ch == "#":
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
            continue
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return text[:start] + text[i + 1:]
        i += 1
    return None
