"""Generate the ``kioskhub`` Python package (messages, gRPC stubs, .pyi) from protos/.

Usage: ``python protos/generate.py [OUT_DIR]`` (default: the repository root).
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTO_DIR = ROOT / "protos"
PACKAGE_DOC = '"""Generated from protos/ by `make protos`; never edit by hand."""\n'


def generate(out: Path) -> list[Path]:
    """Run protoc over every .proto and return the files written under ``out``."""
    # protos/google/ holds vendored googleapis files (field_behavior.proto) for buf; their Python
    # modules come from the googleapis-common-protos package, so they are not generated here.
    protos = sorted(str(p.relative_to(PROTO_DIR)) for p in (PROTO_DIR / "kioskhub").rglob("*.proto"))
    include = str(resources.files("grpc_tools") / "_proto")
    out.mkdir(parents=True, exist_ok=True)
    args = [
        "protoc",
        f"-I{PROTO_DIR}",
        f"-I{include}",
        f"--python_out={out}",
        f"--pyi_out={out}",
        f"--grpc_python_out={out}",
        f"--plugin=protoc-gen-mypy_grpc={Path(sys.executable).parent / 'protoc-gen-mypy_grpc'}",
        f"--mypy_grpc_out={out}",
        *protos,
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    for pkg in {out / Path(p).parent for p in protos} | {out / "kioskhub"}:
        (pkg / "__init__.py").write_text(PACKAGE_DOC)
        (pkg / "py.typed").write_text("")
    # The gRPC service config (timeouts, retry policy) ships beside the stubs it configures.
    for config in (PROTO_DIR / "kioskhub").rglob("service_config.json"):
        target = out / config.relative_to(PROTO_DIR)
        target.write_text(config.read_text())
    return sorted(p for p in (out / "kioskhub").rglob("*") if p.is_file())


if __name__ == "__main__":
    generate(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT)
