"""What every hubctl command shares: exit codes, the channel (with the API's service config), and
one output shape.

Output: a table for people; with ``--json`` one JSON object per resource, one per line (JSON
Lines: a single resource is one line, a listing is one line per item), field names as in the
protos. Errors are one line on stderr (``hubctl: REASON: message``), or under ``--json`` one JSON
object on stderr: ``{"error": {"code", "reason", "message", "metadata", "field_violations"}}``.
Exit codes: 0 ok, 1 the hub refused or the work failed, 2 bad usage, 3 the hub cannot be reached
(or stopped), 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from importlib import resources
from typing import Any

import grpc
from google.protobuf.message import Message
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from hubd.cli.output import as_dict
from hubd.errors import DOMAIN

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_HUB_DOWN = 3
TIMEOUT = 10.0

Command = Callable[[grpc.Channel, argparse.Namespace], "int | None"]
AddGlobals = Callable[[argparse.ArgumentParser], None]


class UsageError(Exception):
    """Bad usage found after parsing (a file that cannot be read, a bad resume point): exit 2."""


def service_config() -> str:
    """The API's gRPC service config (per-method timeouts, retry on UNAVAILABLE for idempotent
    methods), shipped with the generated stubs as ``kioskhub/v1/service_config.json``."""
    return resources.files("kioskhub.v1").joinpath("service_config.json").read_text()


def channel(target: str) -> grpc.Channel:
    """A channel to the hub that follows the service config."""
    options = [("grpc.service_config", service_config()), ("grpc.enable_retries", 1)]
    return grpc.insecure_channel(target, options=options)


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def positive_float(text: str) -> float:
    """argparse type: a finite number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value < 1e9:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text}")
    return value


def emit(args: argparse.Namespace, item: Message | dict[str, Any], human: str = "") -> None:
    """One resource: a JSON line under --json, else ``human`` (if any)."""
    if args.json:
        data = as_dict(item) if isinstance(item, Message) else item
        print(json.dumps(data, ensure_ascii=False, sort_keys=True), flush=True)
    elif human:
        print(human, flush=True)


def error_info(err: grpc.RpcError) -> tuple[grpc.StatusCode, str, str, dict[str, str], list[dict[str, str]]]:
    """Code, reason (ours, or ""), message, metadata and field violations of a failed call."""
    code = err.code() if isinstance(err, grpc.Call) else grpc.StatusCode.UNKNOWN
    message = (err.details() if isinstance(err, grpc.Call) else str(err)) or ""
    reason = ""
    metadata: dict[str, str] = {}
    violations: list[dict[str, str]] = []
    status = rpc_status.from_call(err) if isinstance(err, grpc.Call) else None
    details: list[Any] = list(status.details) if status is not None else []
    for detail in details:
        info = error_details_pb2.ErrorInfo()
        bad = error_details_pb2.BadRequest()
        if detail.Is(info.DESCRIPTOR) and detail.Unpack(info) and info.domain == DOMAIN:
            reason, metadata = info.reason, dict(info.metadata)
        elif detail.Is(bad.DESCRIPTOR) and detail.Unpack(bad):
            violations = [{"field": v.field, "description": v.description} for v in bad.field_violations]
    return code, reason, message, metadata, violations


def report_rpc_error(err: grpc.RpcError, args: argparse.Namespace) -> int:
    """Print a failed call (one line, or JSON) and return the exit code."""
    code, reason, message, metadata, violations = error_info(err)
    down = code is grpc.StatusCode.UNAVAILABLE and reason in ("", "HUB_STOPPING")
    if down and not reason:
        message = f"cannot reach the hub at {args.target} (is hubd running?)"
    exit_code = EXIT_HUB_DOWN if down else EXIT_FAILED
    if getattr(args, "json", False):
        body = {
            "code": code.name,
            "reason": reason,
            "message": message,
            "metadata": metadata,
            "field_violations": violations,
        }
        print(json.dumps({"error": body}, ensure_ascii=False, sort_keys=True), file=sys.stderr)
    else:
        label = reason or code.name
        extra = "".join(f" {k}={v}" for k, v in sorted(metadata.items()) if k in ("holder", "expireTime"))
        print(f"hubctl: {label}: {message}{extra}", file=sys.stderr)
    return exit_code


def report_usage_error(message: str, args: argparse.Namespace) -> int:
    """Print a usage problem found after parsing and return exit code 2."""
    if getattr(args, "json", False):
        body = {
            "code": "USAGE",
            "reason": "USAGE",
            "message": message,
            "metadata": {},
            "field_violations": [],
        }
        print(json.dumps({"error": body}, ensure_ascii=False), file=sys.stderr)
    else:
        print(f"hubctl: {message}", file=sys.stderr)
    return EXIT_USAGE
