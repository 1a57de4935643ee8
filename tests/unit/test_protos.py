"""The API contract: generated code matches protos/, and buf lint (STANDARD) is clean."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

import pytest

from tests.conftest import require_stacks

ROOT = Path(__file__).resolve().parents[2]


def load_generator():
    spec = importlib.util.spec_from_file_location("generate", ROOT / "protos" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_regenerating_changes_nothing(tmp_path: Path) -> None:
    written = load_generator().generate(tmp_path)
    fresh = {p.relative_to(tmp_path): p.read_bytes() for p in written}
    committed = {
        p.relative_to(ROOT): p.read_bytes()
        for p in (ROOT / "kioskhub").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert sorted(map(str, fresh)) == sorted(map(str, committed)), "run `make protos` and commit"
    stale = [str(name) for name, data in fresh.items() if committed[name] != data]
    assert not stale, f"generated code is stale: {stale}; run `make protos`"


def test_buf_lint_standard_is_clean() -> None:
    buf = ROOT / ".tools" / "node_modules" / ".bin" / "buf"
    if not buf.exists():
        message = "buf is not installed (make buf-lint installs it with npm)"
        pytest.fail(message) if require_stacks() else pytest.skip(message)
    config = (ROOT / "protos" / "buf.yaml").read_text()
    assert "STANDARD" in config and "except" not in config
    items = {line.strip() for line in config.splitlines() if line.strip().startswith("- ")}
    assert items <= {"- STANDARD", "- FILE", "- google"}  # only vendored googleapis files are exempt
    out = subprocess.run([str(buf), "lint"], cwd=ROOT / "protos", capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_api_changes_are_additive_against_the_baseline() -> None:
    """``buf breaking`` against the last recorded API (``make api-baseline`` on a release)."""
    buf = ROOT / ".tools" / "node_modules" / ".bin" / "buf"
    if not buf.exists():
        message = "buf is not installed (make buf-lint installs it with npm)"
        pytest.fail(message) if require_stacks() else pytest.skip(message)
    assert (ROOT / "protos" / "api-baseline.binpb").exists(), "no API baseline: make api-baseline"
    out = subprocess.run([str(buf), "breaking", "--against", "api-baseline.binpb"], cwd=ROOT / "protos",
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
