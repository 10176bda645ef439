"""The README's first command, as a newcomer follows it: `g4hub demo` starts, prints where to
open it and the three fake stores' keys, and with plain HTTP calls (what curl sends) a new
account connects the stores, syncs them and sees their products and the overview; the printed
sale script sells one unit at the WooCommerce store, which the hub sees at that store's next
sync. Ctrl-C stops it all.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest

from hub_api.demo import DEMO_EMAIL
from tests.api.conftest import PASSWORD

PRODUCTS = 40
# Bounds on waiting, never assertions about speed: generous for slow CI machines.
STARTUP_TIMEOUT = 120.0
SYNC_TIMEOUT = 120.0


@attrs.frozen
class Demo:
    url: str
    output: str
    """Everything the demo printed up to the end of its curl walk-through."""
    process: asyncio.subprocess.Process

    def field(self, name: str, occurrence: int = 0) -> str:
        """A value from the printed box: `store_url`, `consumer_key`, `access_token`, …
        (`occurrence` 1: the second store's)."""
        values = re.findall(rf"^\|\s+{name}\s+(\S+)", self.output, flags=re.MULTILINE)
        assert len(values) > occurrence, f"no {name} printed:\n{self.output}"
        return str(values[occurrence])


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[Demo]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("G4HUB_")}
    env["G4HUB_DATA_DIR"] = str(tmp_path / "data")
    log = (tmp_path / "demo.log").open("w")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hub_api",
        "demo",
        "--port",
        "0",  # any free port; the demo prints the one it got
        "--products",
        str(PRODUCTS),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=log,
    )
    try:
        output = await asyncio.wait_for(_read_until_walkthrough(process), STARTUP_TIMEOUT)
        match = re.search(r"G4 Hub demo is running at (http://\S+)", output)
        assert match, output
        yield Demo(match.group(1), output, process)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        log.close()


async def _read_until_walkthrough(process: asyncio.subprocess.Process) -> str:
    assert process.stdout is not None
    lines: list[str] = []
    while True:
        line = (await process.stdout.readline()).decode()
        if not line:
            raise AssertionError("the demo stopped before it was ready:\n" + "".join(lines))
        lines.append(line)
        if "/api/dashboard/overview" in line:  # the walk-through's last command
            return "".join(lines)


async def test_a_newcomer_connects_the_demo_stores_and_sees_their_products(demo: Demo) -> None:
    async with httpx.AsyncClient(base_url=demo.url, timeout=30) as http:
        await _wait_until_healthy(http)

        registered = await http.post(
            "/api/auth/register",
            json={"email": "newcomer@example.com", "password": PASSWORD, "tenant_name": "Mine"},
        )
        assert registered.status_code == 201, registered.text
        login = await http.post(
            "/api/auth/login", json={"email": "newcomer@example.com", "password": PASSWORD}
        )
        assert login.status_code == 200, login.text
        http.cookies.clear()  # like curl: the bearer token only
        http.headers["Authorization"] = f"Bearer {login.json()['access_token']}"

        woo = {
            "platform": "woocommerce",
            "store_url": demo.field("store_url"),
            "consumer_key": demo.field("consumer_key"),
            "consumer_secret": demo.field("consumer_secret"),
        }
        shop = {
            "platform": "shopify",
            "store_url": demo.field("store_url", 1),
            "access_token": demo.field("access_token"),
            "api_version": demo.field("api_version"),
        }
        outlet = {
            "platform": "woocommerce",
            "store_url": demo.field("store_url", 2),
            "consumer_key": demo.field("consumer_key", 1),
            "consumer_secret": demo.field("consumer_secret", 1),
        }
        assert outlet["consumer_key"] != woo["consumer_key"]  # a store of its own
        checked = await http.post("/api/stores/test-connection", json=woo)
        assert checked.status_code == 200, checked.text
        assert checked.json()["success"] is True
        assert checked.json()["products_count"] == PRODUCTS

        store_ids = []
        for name, credentials in (("Woo", woo), ("Shop", shop), ("Outlet", outlet)):
            added = await http.post("/api/stores", json={"name": name, **credentials})
            assert added.status_code == 201, added.text
            store_id = added.json()["id"]
            sync = await http.post(f"/api/stores/{store_id}/sync")
            assert sync.status_code == 202, sync.text
            store_ids.append(store_id)
        for store_id in store_ids:
            log = await _wait_for_sync(http, store_id)
            assert log["products_created"] == PRODUCTS, log

        products = await http.get(f"/api/stores/{store_ids[0]}/products", params={"per_page": 5})
        assert products.status_code == 200, products.text
        assert products.json()["total"] == PRODUCTS
        assert len(products.json()["items"]) == 5

        overview = await http.get("/api/dashboard/overview")
        assert overview.status_code == 200, overview.text
        assert overview.json()["connected_stores"] == 3
        assert overview.json()["products_synced"] == 3 * PRODUCTS

        # The printed sale, run as printed (with this interpreter), then a sync of the store.
        script = demo.output[demo.output.index("python3 - <<'EOF'") :]
        script = script[: script.index("\nEOF\n") + 5].replace("python3", sys.executable, 1)
        sold = re.search(r"Sold one .* \((\S+)\): (\d+) left", await _bash(script))
        assert sold, script
        sku, left = sold.groups()
        before = await http.get(f"/api/stores/{store_ids[0]}/products", params={"q": sku})
        assert [p["stock_quantity"] for p in before.json()["items"]] == [int(left) + 1]
        assert (await http.post(f"/api/stores/{store_ids[0]}/sync")).status_code == 202
        await _wait_for_sync(http, store_ids[0])
        after = await http.get(f"/api/stores/{store_ids[0]}/products", params={"q": sku})
        assert [p["stock_quantity"] for p in after.json()["items"]] == [int(left)]

    await _stop(demo)


@pytest.mark.skipif(
    shutil.which("curl") is None or shutil.which("bash") is None, reason="needs bash and curl"
)
async def test_the_printed_curl_commands_work_as_printed(demo: Demo) -> None:
    commands = demo.output[demo.output.index("H=http") :].splitlines()
    setup = commands[: commands.index(next(c for c in commands if "/sync " in c)) + 1]
    ran = await _bash("\n".join([*setup, 'echo "STORE=$STORE"', 'echo "TOKEN=$TOKEN"']))
    assert DEMO_EMAIL in ran, ran  # the registration answered the account
    values = dict(re.findall(r"^(STORE|TOKEN)=(\S+)$", ran, flags=re.MULTILINE))
    assert set(values) == {"STORE", "TOKEN"}, ran

    async with httpx.AsyncClient(
        base_url=demo.url, timeout=30, headers={"Authorization": f"Bearer {values['TOKEN']}"}
    ) as http:
        await _wait_for_sync(http, values["STORE"])

    rest = [c for c in commands if c.startswith("curl") and c not in setup]
    shown = await _bash("\n".join([commands[0], *rest]), **values)
    assert f'"total":{PRODUCTS}' in shown, shown  # the products page
    assert f'"products_synced":{PRODUCTS}' in shown, shown  # the overview

    await _stop(demo)


# -- helpers -------------------------------------------------------------------------------------


async def _wait_until_healthy(http: httpx.AsyncClient) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        try:
            if (await http.get("/health")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "the demo never answered /health"
        await asyncio.sleep(0.2)


async def _wait_for_sync(http: httpx.AsyncClient, store_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + SYNC_TIMEOUT
    while True:
        logs = await http.get("/api/sync/logs", params={"store_id": store_id})
        assert logs.status_code == 200, logs.text
        log: dict[str, Any] = logs.json()["items"][0]
        if log["status"] not in ("queued", "running"):
            assert log["status"] == "succeeded", log
            return log
        assert time.monotonic() < deadline, f"the sync never finished: {log}"
        await asyncio.sleep(0.2)


async def _bash(script: str, **env: str) -> str:
    process = await asyncio.create_subprocess_exec(
        "bash",
        "-euo",
        "pipefail",
        "-c",
        script,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), SYNC_TIMEOUT)
    assert process.returncode == 0, out.decode()
    return out.decode()


async def _stop(demo: Demo) -> None:
    """Ctrl-C: the hub and the stores stop, and the demo says so."""
    demo.process.send_signal(signal.SIGINT)
    assert demo.process.stdout is not None
    rest, _ = await asyncio.wait_for(demo.process.communicate(), STARTUP_TIMEOUT)
    assert demo.process.returncode == 0, rest.decode()
    assert "G4 Hub demo stopped." in rest.decode()
