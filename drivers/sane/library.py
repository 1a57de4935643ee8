"""libsane through python-sane, one thread for all of it: libsane is not thread-safe and its calls
block, so every SANE call of the process runs on ``sane_thread()``; python-sane is imported and
``sane_init`` called on first use (libsane reads ``SANE_CONFIG_DIR`` then, once)."""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from typing import Any

from hubd.driver_api import DeviceUnavailable

log = logging.getLogger(__name__)

_lock = threading.Lock()
_executor: concurrent.futures.ThreadPoolExecutor | None = None
_module: Any = None


def sane_thread() -> concurrent.futures.ThreadPoolExecutor:
    """The one thread that makes every SANE call of this process."""
    global _executor
    with _lock:
        if _executor is None:
            _executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="sane")
        return _executor


def sane_module() -> Any:
    """python-sane, imported and ``sane.init()``-ed once (on the SANE thread)."""
    global _module
    if _module is None:
        try:
            import sane  # noqa: PLC0415 - heavy and optional: only when a SANE device is used
        except ImportError as err:
            raise DeviceUnavailable("python-sane is not installed (needs libsane-dev to build)",
                                    reason="STACK_NOT_INSTALLED") from err
        try:
            version = sane.init()
        except sane._sane.error as err:
            raise DeviceUnavailable(f"sane_init failed: {err}", reason="STACK_START_FAILED") from err
        log.info("SANE %s initialised", ".".join(str(v) for v in version[1:]))
        _module = sane
    return _module
