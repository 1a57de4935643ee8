"""The gRPC service config shipped with the stubs: valid, about methods that exist, retrying only
what is safe to repeat, and what hubctl's channel uses."""

from __future__ import annotations

import json

from hubd.classes import resolve, specs
from hubd.cli.common import service_config
from hubd.rpc.hub_service import HubServicer

NOT_RETRIED = {"CancelPrintJob", "ResumePrintJob", "ReleaseLease"}


def _methods() -> dict[str, object]:
    services = [HubServicer.SERVICE, *(resolve(p).SERVICE for s in specs() for p in s.services)]
    return {f"{s.full_name}/{m.name}": m for s in services for m in s.methods}


def test_service_config_names_real_methods_and_retries_only_idempotent_ones() -> None:
    config = json.loads(service_config())
    methods = _methods()
    configured: dict[str, dict[str, object]] = {}
    for entry in config["methodConfig"]:
        for name in entry["name"]:
            key = f"{name['service']}/{name['method']}"
            assert key in methods, f"service_config.json names {key}, which does not exist"
            configured[key] = entry
    unary = {k for k, m in methods.items() if not m.server_streaming and not m.client_streaming}
    assert unary <= set(configured), f"unary methods without a timeout: {sorted(unary - set(configured))}"
    for key, entry in configured.items():
        method = key.rsplit("/", 1)[1]
        retry = entry.get("retryPolicy")
        if method in NOT_RETRIED:
            assert retry is None, f"{key} must not be retried blindly"
        elif retry is not None:
            assert retry["retryableStatusCodes"] == ["UNAVAILABLE"]
