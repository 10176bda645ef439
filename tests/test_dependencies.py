"""Dependencies point one way: g4hub_connectors <- g4hub_core <- hub_api (STYLE.md, guideline 1)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {
    "g4hub_connectors": ROOT / "packages/g4hub-connectors/src/g4hub_connectors",
    "g4hub_core": ROOT / "packages/g4hub-core/src/g4hub_core",
    "hub_api": ROOT / "services/hub-api/src/hub_api",
}
FORBIDDEN = {
    "g4hub_connectors": {
        "sqlalchemy",
        "alembic",
        "litestar",
        "g4hub_core",
        "hub_api",
        "requests",
        "aiohttp",
        "os.environ",
    },
    "g4hub_core": {"litestar", "hub_api", "requests", "aiohttp"},
    "hub_api": {"requests", "aiohttp"},
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_imports_point_one_way(package: str) -> None:
    offenders = []
    for path in sorted(PACKAGES[package].rglob("*.py")):
        for module in imported_modules(path):
            top = module.split(".")[0]
            if top in FORBIDDEN[package] or module in FORBIDDEN[package]:
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []


def test_the_sdk_never_reads_the_environment() -> None:
    sdk = PACKAGES["g4hub_connectors"]
    readers = [
        str(path.relative_to(ROOT))
        for path in sdk.rglob("*.py")
        if "os.environ" in path.read_text() or "getenv(" in path.read_text()
    ]
    assert readers == []
