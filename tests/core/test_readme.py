"""The package README's example runs as written: fake stores on loopback, SQLite in a temporary
folder, two stores synced, the overview read."""

from __future__ import annotations

import contextlib
import io
import re
import threading
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "packages/g4hub-core/README.md"


def readme_example() -> str:
    text = README.read_text()
    marker = text.index("<!-- readme-example")
    found = re.search(r"```python\n(.*?)```", text[marker:], re.DOTALL)
    assert found is not None
    return found.group(1)


def test_the_readme_example_syncs_two_stores_and_reads_the_overview() -> None:
    out = io.StringIO()
    # The example calls asyncio.run itself, so it runs outside the test's event loop.
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(readme_example(), str(README), "exec"), {"__name__": "__readme__"})  # noqa: S102
        except BaseException as exc:  # handed to the test thread
            errors.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=300)
    assert not worker.is_alive()
    if errors:
        raise errors[0]
    lines = out.getvalue().splitlines()
    assert lines[0] == "2 stores, 350 products"
    assert sorted(lines[1:]) == ["Shopify shop succeeded 150", "Woo shop succeeded 200"]
