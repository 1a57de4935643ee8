"""``hubd``: the kioskhub daemon."""

from __future__ import annotations

import argparse
import asyncio
import faulthandler
import logging
import signal
import sys
from pathlib import Path

from hubd import __version__
from hubd.config import HubConfig, load_config
from hubd.daemon import Daemon, Options
from hubd.errors import ConfigError
from hubd.paths import DEFAULT_CONFIG
from hubd.registry import DriverRegistry


def parser() -> argparse.ArgumentParser:
    """The hubd argument parser."""
    p = argparse.ArgumentParser(prog="hubd", description="kioskhub device hub daemon")
    p.add_argument("--config", type=Path, help=f"TOML config (default {DEFAULT_CONFIG} if present)")
    p.add_argument(
        "--simulate", action="store_true",
        help="wire every supported device class to its built-in simulator (no hardware needed)",
    )
    p.add_argument(
        "--listen", action="append", default=[], metavar="ADDR",
        help="unix:PATH, unix:///PATH or 127.0.0.1:PORT; may repeat; replaces the default socket",
    )
    p.add_argument("--state-dir", type=Path, help="job queue and journal directory")
    p.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    p.add_argument("--version", action="version", version=f"hubd {__version__}")
    return p


def _name_root_records(record: logging.LogRecord) -> bool:
    """Name a library's records logged on the root logger after its module (python-escpos logs
    "Network printer enabled" as "root", which tells a technician nothing)."""
    if record.name == "root":
        parts = Path(record.pathname).with_suffix("").parts
        if "site-packages" in parts:
            record.name = ".".join(parts[parts.index("site-packages") + 1 :])
    return True


def main(argv: list[str] | None = None) -> int:
    """Run the daemon; exit 2 with one line on a configuration error."""
    args = parser().parse_args(argv)
    faulthandler.register(signal.SIGUSR1)  # `kill -USR1` dumps every thread's stack to the log
    logging.basicConfig(
        level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(_name_root_records)
    if args.log_level != "DEBUG":
        # httpx logs every request at INFO: lines a second for each polled HTTP device.
        logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        if args.config is not None:
            config = load_config(args.config, DriverRegistry())
        elif not args.simulate and DEFAULT_CONFIG.exists():
            config = load_config(DEFAULT_CONFIG, DriverRegistry())
        else:
            config = HubConfig()
        opts = Options(config, args.simulate, tuple(args.listen), args.state_dir)
        return asyncio.run(Daemon(opts).run())
    except ConfigError as err:
        print(f"hubd: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
