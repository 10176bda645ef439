"""The root README's commands work as written: the quick start is two one-line commands (the second
is what CI runs), and the curl walk-through, run by bash against `g4hub demo`, ends with synced
products and the overview."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from pathlib import Path

import pytest

from tests.api.test_demo import PRODUCTS, Demo, demo  # noqa: F401 (the `demo` fixture)

ROOT = Path(__file__).parents[2]
README = (ROOT / "README.md").read_text()


def _section(title: str) -> str:
    start = README.index(f"## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def _shell_block(section: str) -> str:
    match = re.search(r"```sh\n(.*?)```", _section(section), flags=re.DOTALL)
    assert match, f"no sh block under {section!r}"
    return match.group(1)


def test_the_quick_start_is_two_one_line_commands_and_ci_runs_the_second() -> None:
    first, second = _shell_block("Quick start").strip().splitlines()
    assert first.endswith("python3 -m hub_api demo")
    for path in re.findall(r"\./\S+", first):
        assert (ROOT / path / "pyproject.toml").is_file(), path
    installed = {Path(path).name for path in re.findall(r"\./\S+", first)}
    assert installed == {"g4hub-connectors", "g4hub-core", "hub-api"}
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert second in ci


@pytest.mark.skipif(
    shutil.which("curl") is None or shutil.which("bash") is None, reason="needs bash and curl"
)
async def test_the_curl_walk_through_ends_with_synced_products(demo: Demo) -> None:  # noqa: F811
    script = _shell_block("The API, from registration to synced products")
    # The README names the demo's default ports; this demo got free ones.
    woo_url = demo.field("store_url")
    script = script.replace("http://127.0.0.1:8000", demo.url)
    script = script.replace("http://127.0.0.1:8001", woo_url)
    for name in ("consumer_key", "consumer_secret"):
        assert demo.field(name) in script, f"the README's {name} is not the demo's"

    process = await asyncio.create_subprocess_exec(
        "bash",
        "-e",
        "-c",
        script,
        env=dict(os.environ),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 180)
    output = out.decode()
    assert process.returncode == 0, output
    assert '"success":true' in output, output
    assert '"status":"succeeded"' in output, output
    assert f'"products_synced":{PRODUCTS}' in output, output
    assert '"items":[{"platform_product_id"' in output, output  # the products page
