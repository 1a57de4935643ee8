"""libsane through python-sane, one thread for all of it: libsane is not thread-safe and its calls
block, so every SANE call of the process runs on ``sane_thread()``; python-sane is imported and
``sane_init`` called on first use (libsane reads ``SANE_CONFIG_DIR`` then, once).

libsane's reader thread sets SIGPIPE back to its default (terminate) when a scan starts and
ends, in the whole process: the next write to a closed pipe or socket would kill the hub with
no trace. ``ignore_sigpipe()`` puts Python's disposition (ignored) back after every SANE call
that may start or stop a scan (``signal.signal`` only works on the main thread, so through libc).
"""

from __future__ import annotations

import concurrent.futures
import ctypes
import logging
import signal
import threading
from typing import Any

from hubd.driver_api import DeviceUnavailable

log = logging.getLogger(__name__)

_lock = threading.Lock()
_executor: concurrent.futures.ThreadPoolExecutor | None = None
_module: Any = None
_libc: Any = None
_SIG_IGN = 1


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


def ignore_sigpipe() -> None:
    """Ignore SIGPIPE again in the whole process (libsane resets it to terminate)."""
    global _libc
    if _libc is None:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.signal.restype = ctypes.c_void_p
        libc.signal.argtypes = (ctypes.c_int, ctypes.c_void_p)
        _libc = libc
    _libc.signal(signal.SIGPIPE, _SIG_IGN)
