"""Platform folders own their knowledge: outside them, no code names a platform. The core, the
service and the dashboard's wizard read platform descriptors instead (the demo, which wires the
shipped fake stores, is the one place allowed to pick platforms by name)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NEUTRAL = [
    ROOT / "packages/g4hub-core/src/g4hub_core",
    ROOT / "services/hub-api/src/hub_api",
]
ALLOWED = {ROOT / "services/hub-api/src/hub_api/demo.py"}
PLATFORM_LITERAL = re.compile(r"""["'](woocommerce|shopify)(\.[a-z]+)?["']""", re.IGNORECASE)
# A store's platform compared (`sys.platform`, the operating system, is not a store's).
PLATFORM_TEST = re.compile(r"""(?<!sys\.)platform\s*(==|!=|in)\s*[\[("']""")
WIZARD = ROOT / "services/hub-api/src/hub_api/web"
WIZARD_FILES = ["forms.py", "credentials.py", "wizard.py", "draft.py", "store_edit.py"]
WIZARD_TEMPLATES = ["wizard_platform.html", "wizard_credentials.html", "store_edit.html"]


def _sources() -> list[Path]:
    found = [p for folder in NEUTRAL for p in folder.rglob("*.py") if p not in ALLOWED]
    assert len(found) > 50, "the source folders moved; fix NEUTRAL"
    return found


def _platform_constants(path: Path) -> list[str]:
    """Where code (not a docstring) holds a platform's name as a value."""
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and PLATFORM_LITERAL.fullmatch(repr(node.value))
    ]


def test_no_code_outside_the_platform_folders_names_a_platform() -> None:
    offenders = [hit for path in _sources() for hit in _platform_constants(path)]
    offenders += [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in _sources()
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if PLATFORM_TEST.search(line)
    ]
    assert offenders == []


def test_the_wizard_and_edit_pages_hold_no_platform_word() -> None:
    files = [WIZARD / f for f in WIZARD_FILES] + [
        WIZARD / "templates" / t for t in WIZARD_TEMPLATES
    ]
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in files
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"woocommerce|shopify|wordpress", line, re.IGNORECASE)
    ]
    assert offenders == []
