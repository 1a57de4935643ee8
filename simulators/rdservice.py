"""A UIDAI RD Service (fingerprint) on loopback: HTTP/1.1 with the custom verbs RDSERVICE,
DEVICEINFO and CAPTURE, written from the RD Service references (protocols.md §4), never from
our driver. It is clearly simulated: dpId ``KIOSKHUB.SIM``, a certificate issued by "KIOSKHUB
SIMULATED RD CA", and PID blocks of random bytes that decrypt to nothing.

    kioskhub-sim rdservice --listen rdservice://127.0.0.1:11100-11120   first free port, as real ones
    kioskhub-sim rdservice --listen tcp://127.0.0.1:0                   any free port
    kioskhub-sim rdservice --listen rdservice://127.0.0.1:0?skip=2      behind two closed ports

``?skip=N`` takes a free run of N+1 ports, holds the first N closed (bound, never listening: a
probe is refused, as when another program's port sits at the start of the range) and serves on
the last; the URL it reports names the whole range (``rdservice://127.0.0.1?ports=A-B``), so a
driver finds the service only by discovery, as at a kiosk where it rarely sits on 11100.

Faults (state fields, ``set KEY VALUE`` or the commands below): ``status NOTREADY|USED``
(RDSERVICE says so; CAPTURE answers errCode 720 / 710), ``fail CODE [INFO]`` (CAPTURE answers that
errCode), ``quality QSCORE [NMPOINTS]`` (poor quality is a low qScore), ``no_finger on`` (CAPTURE
waits out the request's timeout, then errCode 700), ``capture_delay SECONDS`` (slow), ``vanish_on_capture
on`` (the service exits in the middle of a capture: connection reset, port closed), ``vanish``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import socket
import uuid
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree as ET

import defusedxml.ElementTree as SafeET

from kioskhub.simulators.base import Simulator, SimulatorError
from kioskhub.simulators.control import CommandError, one_arg, parse_bool
from kioskhub.simulators.rdservice_cert import simulated_certificate

log = logging.getLogger(__name__)

MAX_HEAD = 8 * 1024
MAX_BODY = 64 * 1024
MAX_SKIP = 20
STATUSES = ("READY", "NOTREADY", "USED")
ERR_INFO = {"700": "Capture timed out", "710": "Device is being used by another application",
            "720": "Device not ready", "730": "Capture failed"}


@dataclass
class RdServiceState:
    """What the simulated service reports and how it behaves."""

    status: str = "READY"
    info: str = "KIOSKHUB simulated RD Service (not a certified device)"
    dp_id: str = "KIOSKHUB.SIM"
    rds_id: str = "KIOSKHUB.SIM.WIN.001"
    rds_ver: str = "1.0.4"
    mi: str = "KIOSKHUB-SIM-FP1"
    serial: str = field(default_factory=lambda: "SIM" + uuid.uuid4().hex[:10].upper())
    cert_days: int = 365
    info_path: str = "/rd/info"
    capture_path: str = "/rd/capture"
    q_score: int = 78
    nm_points: int = 38
    fail_code: str = ""
    fail_info: str = ""
    no_finger: bool = False
    capture_delay: float = 0.0
    vanish_on_capture: bool = False
    captures: int = 0


def _hold_free_run(count: int) -> list[socket.socket] | None:
    """``count`` consecutive loopback ports bound (not listening: connecting is refused) with the
    port after them free at the time of asking; None when that run is not free."""
    first = socket.socket()
    first.bind(("127.0.0.1", 0))
    held = [first]
    port = first.getsockname()[1]
    try:
        for offset in range(1, count + 1):
            if port + offset > 65535:
                raise OSError("end of the port range")
            sock = socket.socket()
            held.append(sock)
            sock.bind(("127.0.0.1", port + offset))
    except OSError:
        for sock in held:
            sock.close()
        return None
    held.pop().close()  # the service's port: free, bound again by the HTTP server
    return held


def _xml(element: ET.Element) -> bytes:
    data: bytes = ET.tostring(element, encoding="utf-8")
    return data


class RdServiceSim(Simulator):
    """The RD Service of a simulated fingerprint scanner."""

    name: ClassVar[str] = "rdservice"
    description: ClassVar[str] = "UIDAI RD Service, fingerprint (RDSERVICE/DEVICEINFO/CAPTURE on HTTP)"

    def __init__(self, state: RdServiceState | None = None, *, seed: int | None = None) -> None:
        super().__init__(state, seed=seed)
        self.state: RdServiceState
        self.last_pid_options: dict[str, str] = {}
        self.last_pid_fields: dict[str, str] = {}
        self.requests: list[tuple[str, str]] = []
        self._conns: set[asyncio.StreamWriter] = set()
        self._http_servers: list[asyncio.AbstractServer] = []
        self._closed_ports: list[socket.socket] = []

    @classmethod
    def default_state(cls) -> RdServiceState:
        """A READY service with a good-quality finger."""
        return RdServiceState()

    def on_bytes(self, session: Any, data: bytes) -> list[bytes]:
        """Unused: this simulator serves HTTP requests, not a byte stream."""
        return []

    # ------------------------------------------------------------------ listening
    async def _listen(self, listen: str) -> str:
        parts = urlsplit(listen)
        if parts.scheme == "tcp":
            before = len(self._servers)
            url = await self._serve_stream(listen, self._http)
            self._http_servers += self._servers[before:]
            return "rdservice://" + url.removeprefix("tcp://")
        if parts.scheme != "rdservice" or parts.hostname != "127.0.0.1":
            raise SimulatorError(f"{listen!r}: use rdservice://127.0.0.1:FIRST-LAST or tcp://127.0.0.1:PORT")
        if parts.query:
            return await self._listen_behind(listen, parse_qs(parts.query).get("skip", [""])[0])
        first, _, last = parts.netloc.rpartition(":")[2].partition("-")
        try:
            ports = range(int(first), int(last or first) + 1)
        except ValueError:
            raise SimulatorError(f"{listen!r}: bad port range") from None
        for port in ports:  # the first free port of the range, as a real RD Service binds
            with contextlib.suppress(SimulatorError):
                return await self._listen(f"tcp://127.0.0.1:{port}")
        raise SimulatorError(f"{listen!r}: no free port in the range")

    async def _listen_behind(self, listen: str, skip: str) -> str:
        """``rdservice://127.0.0.1:0?skip=N``: serve behind N closed ports; report the range."""
        if not skip.isdigit() or not 1 <= int(skip) <= MAX_SKIP:
            raise SimulatorError(f"{listen!r}: skip must be 1..{MAX_SKIP}")
        for _ in range(50):
            held = _hold_free_run(int(skip))
            if held is None:
                continue
            last = held[-1].getsockname()[1] + 1
            try:
                url = await self._listen(f"tcp://127.0.0.1:{last}")
            except SimulatorError:
                for sock in held:
                    sock.close()
                continue
            self._closed_ports += held
            return url.rsplit(":", 1)[0] + f"?ports={last - int(skip)}-{last}"
        raise SimulatorError(f"{listen!r}: no free run of {int(skip) + 1} ports")

    async def stop(self) -> None:
        """Stop serving and free the ports held closed."""
        for sock in self._closed_ports:
            sock.close()
        self._closed_ports = []
        await super().stop()

    def vanish(self) -> None:
        """The service exits: its ports stop listening and every connection is reset (the control
        socket stays); ``await start(url)`` brings it back."""
        for server in self._http_servers:
            server.close()
        self._servers = [srv for srv in self._servers if srv not in self._http_servers]
        self._http_servers = []
        for writer in list(self._conns):
            writer.transport.abort()
        self.urls.clear()

    # ------------------------------------------------------------------ HTTP
    async def _http(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Serve HTTP/1.1 requests on one connection (keep-alive) until it closes."""
        self._conns.add(writer)
        try:
            while True:
                request = await self._read_request(reader)
                if request is None:
                    break
                verb, path, body = request
                if self.unplugged:
                    break
                status, reply = await self._answer(verb, path, body, writer)
                if writer.transport.is_closing():
                    break
                if self.delay > 0:
                    await asyncio.sleep(self.delay)
                head = (f"HTTP/1.1 {status}\r\nContent-Type: text/xml; charset=utf-8\r\n"
                        f"Content-Length: {len(reply)}\r\nAccess-Control-Allow-Origin: *\r\n"
                        "Access-Control-Allow-Methods: RDSERVICE, DEVICEINFO, CAPTURE\r\n\r\n")
                writer.write(head.encode() + reply)
                await writer.drain()
                self.replies_sent += 1
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as err:
            log.debug("rdservice connection ended: %s", type(err).__name__)
        finally:
            self._conns.discard(writer)
            writer.close()

    async def _read_request(self, reader: asyncio.StreamReader) -> tuple[str, str, bytes] | None:
        """(verb, path, body) of the next request, or None at EOF or on a malformed head."""
        head = await reader.readuntil(b"\r\n\r\n") if not reader.at_eof() else b""
        if not head or len(head) > MAX_HEAD:
            return None
        lines = head.decode("latin-1").split("\r\n")
        words = lines[0].split(" ")
        if len(words) != 3 or not words[2].startswith("HTTP/1."):
            return None
        length = 0
        for line in lines[1:]:
            key, _, value = line.partition(":")
            if key.strip().lower() == "content-length":
                length = int(value.strip())
            elif key.strip().lower() == "transfer-encoding":
                return None
        if not 0 <= length <= MAX_BODY:
            return None
        body = await reader.readexactly(length) if length else b""
        self.requests = [*self.requests[-49:], (words[0], words[1])]
        return words[0], words[1], body

    async def _answer(self, verb: str, path: str, body: bytes,
                      writer: asyncio.StreamWriter) -> tuple[str, bytes]:
        s = self.state
        if verb == "OPTIONS":
            return "200 OK", b""
        if verb == "RDSERVICE" and path == "/":
            return "200 OK", self.rdservice_xml()
        if verb == "DEVICEINFO" and path == s.info_path:
            return "200 OK", _xml(self.device_info())
        if verb == "CAPTURE" and path == s.capture_path:
            return "200 OK", await self._capture(body, writer)
        if verb in ("RDSERVICE", "DEVICEINFO", "CAPTURE", "GET"):
            return "404 Not Found", b""
        return "501 Not Implemented", b""

    # ------------------------------------------------------------------ RD Service replies
    def rdservice_xml(self) -> bytes:
        """The RDSERVICE reply: status, info and the two interface paths."""
        s = self.state
        root = ET.Element("RDService", {"status": s.status, "info": s.info})
        ET.SubElement(root, "Interface", {"id": "DEVICEINFO", "path": s.info_path})
        ET.SubElement(root, "Interface", {"id": "CAPTURE", "path": s.capture_path})
        return _xml(root)

    def device_info(self) -> ET.Element:
        """The DeviceInfo element (the DEVICEINFO reply; also inside PidData)."""
        s = self.state
        mc = base64.b64encode(simulated_certificate(s.serial, s.cert_days)).decode()
        attrs = {"dpId": s.dp_id, "rdsId": s.rds_id, "rdsVer": s.rds_ver, "dc": f"dc-{s.serial.lower()}",
                 "mi": s.mi, "mc": mc}
        root = ET.Element("DeviceInfo", attrs)
        extra = ET.SubElement(root, "additional_info")
        ET.SubElement(extra, "Param", {"name": "srno", "value": s.serial})
        ET.SubElement(extra, "Param", {"name": "simulated", "value": "yes"})
        return root

    async def _capture(self, body: bytes, writer: asyncio.StreamWriter) -> bytes:
        s = self.state
        try:
            opts = SafeET.fromstring(body, forbid_dtd=True).find("Opts")
        except Exception:  # any malformed body: the service reports a bad request
            opts = None
        if opts is None:
            return self.pid_failure("730", "Invalid PidOptions")
        self.last_pid_options = dict(opts.attrib)
        if s.vanish_on_capture:
            self.vanish()
            return b""
        timeout = int(opts.get("timeout", "10000") or 10000) / 1000
        if s.capture_delay > 0:
            await asyncio.sleep(s.capture_delay)
        if s.status != "READY":
            return self.pid_failure("720" if s.status == "NOTREADY" else "710")
        if s.no_finger:
            await asyncio.sleep(min(timeout, 60.0))
            return self.pid_failure("700")
        if s.fail_code:
            return self.pid_failure(s.fail_code, s.fail_info)
        s.captures += 1
        return self.pid_success(max(1, int(opts.get("fCount", "1") or 1)), opts.get("fType", "2"))

    def pid_failure(self, code: str, info: str = "") -> bytes:
        """A PidData reply reporting ``code``."""
        root = ET.Element("PidData")
        ET.SubElement(root, "Resp", {"errCode": code, "errInfo": info or ERR_INFO.get(code, "Error"),
                                     "fCount": "0", "fType": "0", "nmPoints": "0", "qScore": "0"})
        return _xml(root)

    def pid_success(self, fingers: int, ftype: str) -> bytes:
        """A well-formed PidData: Resp, DeviceInfo and random 'encrypted' Skey, Hmac and Data."""
        s = self.state
        rand = self.rng.randbytes
        fields = {"Skey": base64.b64encode(rand(256)).decode(), "Hmac": base64.b64encode(rand(48)).decode(),
                  "Data": base64.b64encode(rand(600 + 400 * fingers)).decode()}
        self.last_pid_fields = fields
        root = ET.Element("PidData")
        ET.SubElement(root, "Resp", {
            "errCode": "0", "errInfo": "Success", "fCount": str(fingers), "fType": ftype,
            "iCount": "0", "pCount": "0", "nmPoints": ",".join([str(s.nm_points)] * fingers),
            "qScore": str(s.q_score)})
        root.append(self.device_info())
        ET.SubElement(root, "Skey", {"ci": "20291231"}).text = fields["Skey"]
        ET.SubElement(root, "Hmac").text = fields["Hmac"]
        ET.SubElement(root, "Data", {"type": "X"}).text = fields["Data"]
        return _xml(root)

    # ------------------------------------------------------------------ control
    def control_commands(self) -> dict[str, tuple[str, Any]]:
        """status, quality, fail, no_finger, vanish_on_capture, vanish."""
        return {
            "status": ("status READY|NOTREADY|USED", self._cmd_status),
            "quality": ("quality QSCORE [NMPOINTS]", self._cmd_quality),
            "fail": ("fail CODE [INFO] | fail off", self._cmd_fail),
            "no_finger": ("no_finger on|off", self._flag("no_finger")),
            "vanish_on_capture": ("vanish_on_capture on|off", self._flag("vanish_on_capture")),
            "vanish": ("vanish (the service exits now)", self._cmd_vanish),
        }

    def _cmd_status(self, args: list[str]) -> str:
        status = one_arg(args).upper()
        if status not in STATUSES:
            raise CommandError(f"status must be one of {', '.join(STATUSES)}")
        self.state.status = status
        return f"status {status}"

    def _cmd_quality(self, args: list[str]) -> str:
        if not 1 <= len(args) <= 2 or not all(a.isdigit() for a in args) or int(args[0]) > 100:
            raise CommandError("quality QSCORE(0-100) [NMPOINTS]")
        self.state.q_score = int(args[0])
        if len(args) == 2:
            self.state.nm_points = int(args[1])
        return f"quality {self.state.q_score} {self.state.nm_points}"

    def _cmd_fail(self, args: list[str]) -> str:
        if not args:
            raise CommandError("fail CODE [INFO] or fail off")
        code = "" if args[0] == "off" else args[0]
        self.state.fail_code, self.state.fail_info = code, " ".join(args[1:])
        return f"fail {code or 'off'}"

    def _flag(self, name: str) -> Any:
        def handler(args: list[str]) -> str:
            setattr(self.state, name, parse_bool(one_arg(args)))
            return f"{name} {'on' if getattr(self.state, name) else 'off'}"

        return handler

    def _cmd_vanish(self, args: list[str]) -> str:
        self.vanish()
        return "vanished"
