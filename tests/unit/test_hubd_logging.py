"""hubd's log names records a library logs on the root logger after the library's module."""

from __future__ import annotations

import logging

from hubd.cli.hubd import _name_root_records


def _record(name: str, pathname: str) -> logging.LogRecord:
    return logging.LogRecord(name, logging.INFO, pathname, 1, "Network printer enabled", None, None)


def test_a_library_logging_on_root_is_named_after_its_module() -> None:
    rec = _record("root", "/opt/venv/lib/python3.11/site-packages/escpos/printer/network.py")
    assert _name_root_records(rec) and rec.name == "escpos.printer.network"


def test_other_records_keep_their_names() -> None:
    ours = _record("hubd.supervisor", "/opt/venv/lib/python3.11/site-packages/hubd/supervisor.py")
    assert _name_root_records(ours) and ours.name == "hubd.supervisor"
    script = _record("root", "<string>")
    assert _name_root_records(script) and script.name == "root"
