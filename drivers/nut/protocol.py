"""NUT network protocol (upsd, TCP 3493), client side (reference: protocols.md §3.2, NUT net-protocol).

Framing: line-oriented ASCII; every request and every reply line ends with ``\\n`` (a stray ``\\r``
before it is tolerated). Words are separated by spaces; a word holding spaces, quotes or
backslashes is sent in double quotes with ``\\"`` and ``\\\\`` escaped. Lists come framed as
``BEGIN LIST VAR <ups>`` / ``VAR <ups> <var> "<value>"``... / ``END LIST VAR <ups>``; failures as
``ERR <TOKEN> [extra]`` (DATA-STALE, DRIVER-NOT-CONNECTED, UNKNOWN-UPS, ...).

Sans-IO: requests are built as bytes, reply lines parsed into values. No sockets, no asyncio, no
logging. Anything that does not parse raises ``ProtocolError``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hubd.driver_api import DeviceUnavailable, InvalidArgument, ProtocolError

TERMINATOR = b"\n"
DEFAULT_PORT = 3493
MAX_LIST_LINES = 10_000

# ERR tokens are upper-case words joined by hyphens (net-protocol "Error responses").
_TOKEN = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+)*")
# A word that can go on the wire unquoted: printable, no space, quote or backslash.
_BARE = re.compile(r'[^\s"\\\x00-\x1f\x7f]+')
_FORBIDDEN = re.compile(r"[\x00\r\n]")


@dataclass(frozen=True)
class Var:
    """``VAR <ups> <name> "<value>"``: one variable (in a list or as a GET VAR reply)."""

    ups: str
    name: str
    value: str


@dataclass(frozen=True)
class Ups:
    """``UPS <name> "<description>"``: one line of ``LIST UPS``."""

    name: str
    description: str


@dataclass(frozen=True)
class Ok:
    """``OK [extra]`` (``OK Goodbye``, ``OK TRACKING <id>``...)."""

    extra: str = ""


@dataclass(frozen=True)
class Err:
    """``ERR <TOKEN> [extra]``: the server refused; ``token`` is e.g. ``DATA-STALE``."""

    token: str
    extra: str = ""


@dataclass(frozen=True)
class Begin:
    """``BEGIN LIST <what...>``: start of a list (``what`` is e.g. ``("VAR", "ups")``)."""

    what: tuple[str, ...]


@dataclass(frozen=True)
class End:
    """``END LIST <what...>``: end of a list."""

    what: tuple[str, ...]


Reply = Var | Ups | Ok | Err | Begin | End


# ---------------------------------------------------------------------------- requests


def quote(word: str, field_name: str = "argument") -> str:
    """``word`` as one protocol word: bare when safe, else double-quoted with escapes."""
    if _FORBIDDEN.search(word):
        raise InvalidArgument(field_name, "must not contain NUL, CR or LF")
    if _BARE.fullmatch(word):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _name(word: str, field_name: str) -> str:
    """A UPS or variable name: non-empty, no whitespace or quotes (never quoted on the wire)."""
    if not _BARE.fullmatch(word):
        raise InvalidArgument(field_name, f"not a valid NUT name: {word!r}")
    return word


def _request(*words: str) -> bytes:
    return (" ".join(words) + "\n").encode("utf-8")


def encode_list_var(ups: str) -> bytes:
    """``LIST VAR <ups>\\n``."""
    return _request("LIST", "VAR", _name(ups, "ups"))


def encode_list_ups() -> bytes:
    """``LIST UPS\\n``."""
    return _request("LIST", "UPS")


def encode_get_var(ups: str, var: str) -> bytes:
    """``GET VAR <ups> <var>\\n``."""
    return _request("GET", "VAR", _name(ups, "ups"), _name(var, "var"))


def encode_username(username: str) -> bytes:
    """``USERNAME <username>\\n`` (quoted when needed)."""
    return _request("USERNAME", quote(username, "username"))


def encode_password(password: str) -> bytes:
    """``PASSWORD <password>\\n`` (quoted when needed)."""
    return _request("PASSWORD", quote(password, "password"))


def encode_login(ups: str) -> bytes:
    """``LOGIN <ups>\\n`` (upsmon-style attach; needs an upsmon user)."""
    return _request("LOGIN", _name(ups, "ups"))


LOGOUT = b"LOGOUT\n"
VER = b"VER\n"
NETVER = b"NETVER\n"


# ---------------------------------------------------------------------------- replies


def _text(line: str | bytes) -> str:
    """One reply line as text without its terminator; NUL or inner CR/LF is a ProtocolError."""
    if isinstance(line, bytes):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            text = line.decode("latin-1")  # device strings are not always UTF-8; never fails
    else:
        text = line
    if text.endswith("\n"):
        text = text[:-1]
    if text.endswith("\r"):
        text = text[:-1]
    if _FORBIDDEN.search(text):
        raise ProtocolError(f"NUT reply line holds NUL/CR/LF: {text[:80]!r}")
    return text


def split_words(line: str | bytes) -> list[str]:
    """Split a line into words, undoing double quotes and backslash escapes (as NUT's parseconf)."""
    text = _text(line)
    words: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] in " \t":
            i += 1
            continue
        word: list[str] = []
        quoted = text[i] == '"'
        if quoted:
            i += 1
        while True:
            if i >= n:
                if quoted:
                    raise ProtocolError(f"unterminated quote in NUT reply: {text[:80]!r}")
                break
            ch = text[i]
            if ch == "\\":
                if i + 1 >= n:
                    raise ProtocolError(f"dangling backslash in NUT reply: {text[:80]!r}")
                word.append(text[i + 1])
                i += 2
                continue
            if quoted and ch == '"':
                i += 1
                if i < n and text[i] not in " \t":
                    raise ProtocolError(f"text right after a closing quote: {text[:80]!r}")
                break
            if not quoted and ch in " \t":
                break
            if not quoted and ch == '"':
                raise ProtocolError(f"quote inside a bare word: {text[:80]!r}")
            word.append(ch)
            i += 1
        words.append("".join(word))
    return words


def _bad(text: str, why: str) -> ProtocolError:
    return ProtocolError(f"unexpected NUT reply ({why}): {text[:80]!r}")


def parse_line(line: str | bytes) -> Reply:
    """Parse one reply line into a ``Reply``; raise ``ProtocolError`` on anything else."""
    words = split_words(line)
    if not words:
        raise ProtocolError("empty NUT reply line")
    head, args = words[0], words[1:]
    match head:
        case "VAR" if len(args) == 3:
            return Var(args[0], args[1], args[2])
        case "UPS" if len(args) == 2:
            return Ups(args[0], args[1])
        case "OK":
            return Ok(" ".join(args))
        case "ERR" if args and _TOKEN.fullmatch(args[0]):
            return Err(args[0], " ".join(args[1:]))
        case "BEGIN" if len(args) >= 2 and args[0] == "LIST":
            return Begin(tuple(args[1:]))
        case "END" if len(args) >= 2 and args[0] == "LIST":
            return End(tuple(args[1:]))
    raise _bad(" ".join(words), f"{len(words)} words starting {head!r}")


def parse_text(line: str | bytes) -> str:
    """A free-text reply (``VER``, ``NETVER``) without its terminator; ``ERR`` raises."""
    text = _text(line)
    if text.startswith("ERR "):
        reply = parse_line(text)
        assert isinstance(reply, Err)
        raise error_for(reply)
    return text


def error_for(err: Err, ups: str = "") -> DeviceUnavailable:
    """The hub error for an ``ERR`` reply: reason = token with '-' as '_' (DATA-STALE -> DATA_STALE)."""
    where = f" for UPS {ups!r}" if ups else ""
    detail = f" ({err.extra})" if err.extra else ""
    return DeviceUnavailable(
        f"upsd answered ERR {err.token}{where}{detail}",
        reason=err.token.replace("-", "_"),
        metadata={"nutError": err.token},
    )


@dataclass
class VarList:
    """Collects a ``LIST VAR <ups>`` reply line by line; ``feed`` returns True after END."""

    ups: str
    variables: dict[str, str] = field(default_factory=dict)
    _begun: bool = False
    _lines: int = 0

    def feed(self, line: str | bytes) -> bool:
        """Take the next reply line; raise the ``error_for`` an ERR, ``ProtocolError`` on junk."""
        reply = parse_line(line)
        self._lines += 1
        if self._lines > MAX_LIST_LINES:
            raise ProtocolError(f"LIST VAR {self.ups}: more than {MAX_LIST_LINES} lines")
        what = ("VAR", self.ups)
        if not self._begun:
            if isinstance(reply, Err):
                raise error_for(reply, self.ups)
            if reply != Begin(what):
                raise ProtocolError(f"LIST VAR {self.ups}: expected BEGIN, got {reply!r}"[:200])
            self._begun = True
            return False
        if isinstance(reply, Var) and reply.ups == self.ups:
            self.variables[reply.name] = reply.value
            return False
        if reply == End(what):
            return True
        raise ProtocolError(f"LIST VAR {self.ups}: unexpected {reply!r}"[:200])


def expect_ok(line: str | bytes) -> Ok:
    """Parse a reply that must be ``OK``; an ``ERR`` raises its ``error_for``."""
    reply = parse_line(line)
    if isinstance(reply, Err):
        raise error_for(reply)
    if not isinstance(reply, Ok):
        raise ProtocolError(f"expected OK, got {reply!r}"[:200])
    return reply
