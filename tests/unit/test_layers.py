"""The layer rules of DESIGN.md, checked on every import statement of the source tree.

- drivers import from the hub only ``hubd.driver_api``, their class's ``hubd.classes.<c>.contract``
  and (printers) the ``hubd.render`` toolkit — never the daemon's rpc, cli, servicers or runners;
- simulators import neither ``drivers`` nor ``hubd`` (a codec bug shared with a driver would hide);
- the core (everything in ``hubd`` outside ``hubd/classes/<class>/``) never names a class: it
  reaches classes only through ``hubd.classes`` (the specs);
- a class reaches another class only through that class's ``contract``, runner or ``output``
  module names it declares (the transactions capability uses the printer's spooler, camera document
  capture the scanner's size-capped output), never its servicer/cli.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLASS_PUBLIC = {"contract", "spooler", "power", "convert", "output"}


def imports(path: Path) -> list[str]:
    """Every module ``path`` imports (absolute names; relative imports resolved)."""
    tree = ast.parse(path.read_text(), str(path))
    package = ".".join(module_of(path).split(".")[:-1])
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base]).strip(".")
            found += [_module(base, alias.name) for alias in node.names]
    return found


NAMESPACED = {"drivers": "kioskhub.drivers", "simulators": "kioskhub.simulators"}
"""Source folders installed under the project's name (kioskhub/drivers links to drivers/)."""


def module_of(path: Path) -> str:
    """The module name a file of the tree is imported as."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts[-1] = ""  # a package's relative imports start at the package itself
    return ".".join([NAMESPACED.get(parts[0], parts[0]), *parts[1:]])


def _module(base: str, name: str) -> str:
    """``from base import name``: the module ``base.name`` if it is one (a file or package of the
    tree), else ``base`` (``name`` is an attribute of it)."""
    candidate = ROOT.joinpath(*base.split("."), name)
    if name != "*" and (candidate.with_suffix(".py").exists() or (candidate / "__init__.py").exists()):
        return f"{base}.{name}"
    return base


def sources(folder: str) -> list[Path]:
    return sorted(p for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts)


def _class_of(module: str) -> tuple[str, str] | None:
    parts = module.split(".")
    if parts[:2] == ["hubd", "classes"] and len(parts) >= 3 and parts[2] != "spec":
        return parts[2], parts[3] if len(parts) > 3 else ""
    return None


def test_drivers_import_only_the_driver_api_their_contract_and_render() -> None:
    bad = []
    for path in sources("drivers"):
        for module in imports(path):
            if not module.startswith("hubd"):
                continue
            cls = _class_of(module)
            ok = module.startswith(("hubd.driver_api", "hubd.render")) or (
                cls is not None and cls[1] == "contract"
            )
            if not ok:
                bad.append(f"{path.relative_to(ROOT)}: {module}")
    assert not bad, bad


def test_simulators_import_neither_drivers_nor_hubd() -> None:
    bad = [
        f"{p.relative_to(ROOT)}: {m}"
        for p in sources("simulators")
        for m in imports(p)
        if m.split(".")[0] == "hubd" or m.startswith("kioskhub.drivers")
    ]
    assert not bad, bad


def test_the_hub_never_imports_drivers() -> None:
    """Dependencies point down: drivers use the hub's transports, never the other way round (a
    transport that needs a protocol client owns it; drivers reach it through the driver API)."""
    bad = [f"{p.relative_to(ROOT)}: {m}" for p in sources("hubd") for m in imports(p)
           if m.startswith("kioskhub.drivers")]
    assert not bad, bad


def test_nothing_imports_the_folders_by_their_bare_names() -> None:
    """``drivers`` and ``simulators`` are installed only as ``kioskhub.drivers`` and
    ``kioskhub.simulators``: a bare import works in the source tree and fails once installed."""
    bad = [f"{p.relative_to(ROOT)}: {m}" for folder in ("hubd", "drivers", "simulators", "tests")
           for p in sources(folder) for m in imports(p) if m.split(".")[0] in NAMESPACED]
    assert not bad, bad


def test_the_core_never_names_a_class() -> None:
    bad = []
    for path in sources("hubd"):
        rel = path.relative_to(ROOT)
        if rel.parts[:2] == ("hubd", "classes") and len(rel.parts) > 3:
            continue  # inside a class package
        for module in imports(path):
            if _class_of(module) is not None:
                bad.append(f"{rel}: {module}")
    assert not bad, bad


def test_classes_reach_each_other_only_through_public_modules() -> None:
    bad = []
    for path in sources("hubd/classes"):
        rel = path.relative_to(ROOT)
        if len(rel.parts) <= 3:
            continue
        own = rel.parts[2]
        for module in imports(path):
            cls = _class_of(module)
            if cls is not None and cls[0] != own and cls[1].split(".")[0] not in CLASS_PUBLIC:
                bad.append(f"{rel}: {module}")
    assert not bad, bad


def test_the_checker_sees_imports() -> None:
    """The rules above would pass vacuously if ``imports`` found nothing."""
    assert "hubd.driver_api" in imports(ROOT / "drivers" / "nut" / "driver.py")
    assert "hubd.classes.ups.contract" in imports(ROOT / "drivers" / "nut" / "driver.py")
    assert any(m.startswith("hubd.classes") for m in imports(ROOT / "hubd" / "app.py"))


def test_the_document_checker_child_imports_nothing_of_the_hub() -> None:
    """It is what a hostile PDF meets: qpdf and this module, started fast, under its own limits."""
    script = ROOT / "hubd" / "classes" / "printer" / "pdf_checks.py"
    assert [m for m in imports(script) if m.split(".")[0] in ("hubd", "kioskhub")] == []
