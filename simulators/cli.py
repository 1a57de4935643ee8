"""``kioskhub-sim``: list the simulators, run one, or send a command to a running one's control."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys

from kioskhub.simulators import SIMULATORS, load
from kioskhub.simulators.base import SimulatorError
from kioskhub.simulators.control import control, execute

log = logging.getLogger(__name__)

USAGE = """usage:
  kioskhub-sim list                                   the simulators, one per line
  kioskhub-sim NAME --listen URL [--control URL]      run one until SIGTERM/SIGINT; prints one
      [--seed N] [-v]                                 JSON line {"name", "url", "control"}
  kioskhub-sim ctl CONTROL_URL COMMAND...             send a control command (try: help)

listen URLs: tcp://127.0.0.1:0 (port 0 = any free port), unix:///path, pty"""


class UsageError(Exception):
    """Bad command-line arguments (exit code 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def _run_parser() -> _Parser:
    parser = _Parser(prog="kioskhub-sim NAME", add_help=False)
    parser.add_argument("--listen", required=True)
    parser.add_argument("--control")
    parser.add_argument("--seed", type=int)
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE",
        help="set simulator state before serving (as the control socket's 'set KEY VALUE')",
    )
    parser.add_argument("-v", "--verbose", action="store_true")
    return parser


def _list() -> int:
    for name in sorted(SIMULATORS):
        try:
            description = load(name).description
        except (ImportError, AttributeError) as err:  # one broken module must not hide the rest
            description = f"(cannot load: {err})"
        print(f"{name:<16} {description}")
    return 0


def _ctl(args: list[str]) -> int:
    if len(args) < 2:
        raise UsageError("ctl needs CONTROL_URL COMMAND...")
    try:
        reply = control(args[0], " ".join(args[1:]))
    except ValueError as err:
        raise UsageError(str(err)) from err
    except OSError as err:
        print(f"kioskhub-sim: {args[0]}: {err.strerror or err}", file=sys.stderr)
        return 1
    print(reply)
    return 0 if reply.startswith("OK") else 1


async def _serve(
    name: str, listen: str, control_url: str | None, seed: int | None, settings: list[str] | None = None
) -> int:
    sim = load(name)(seed=seed)
    for item in settings or []:
        key, sep, value = item.partition("=")
        reply = execute(sim, f"set {key} {value}") if sep else "ERR expected KEY=VALUE"
        if not reply.startswith("OK"):
            raise UsageError(f"--set {item}: {reply}")
    try:
        url = await sim.start(listen)
        ctl = await sim.start_control(control_url) if control_url else None
    except BaseException:
        await sim.stop()
        raise
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(json.dumps({"name": name, "url": url, "control": ctl}), flush=True)
    await stop.wait()
    log.info("%s: stopping", name)
    await sim.stop()
    return 0


def run(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (2 for bad arguments)."""
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        if args and args[0] in ("-h", "--help", "help"):
            print(USAGE)
            return 0
        if not args:
            raise UsageError("missing command (list, ctl or a simulator name; see --help)")
        if args[0] == "list":
            return _list()
        if args[0] == "ctl":
            return _ctl(args[1:])
        name = args[0]
        if name not in SIMULATORS:
            known = ", ".join(sorted(SIMULATORS))
            raise UsageError(f"unknown simulator {name!r} (known: {known})")
        opts = _run_parser().parse_args(args[1:])
        logging.basicConfig(
            level=logging.INFO if opts.verbose else logging.WARNING,
            format="%(asctime)s %(name)s %(levelname)s %(message)s",
            stream=sys.stderr,
        )
        return asyncio.run(_serve(name, opts.listen, opts.control, opts.seed, opts.set))
    except (UsageError, SimulatorError) as err:
        print(f"kioskhub-sim: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


def main() -> None:
    """Console entry point of ``kioskhub-sim``."""
    sys.exit(run())


if __name__ == "__main__":
    main()
