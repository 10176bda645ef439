"""The package README's example works as written, against a fake store on a loopback port."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

from g4hub_connectors.testing import FakeWooCommerceStore

README = Path(__file__).resolve().parents[2] / "packages/g4hub-connectors/README.md"


def readme_example() -> str:
    text = README.read_text()
    marker = text.index("<!-- readme-example")
    return re.search(r"```python\n(.*?)```", text[marker:], re.DOTALL).group(1)  # type: ignore[union-attr]


def test_the_example_is_ten_lines_or_so() -> None:
    code = [line for line in readme_example().splitlines() if line.strip()]
    assert len(code) <= 12


def test_the_readme_example_tests_a_store_and_lists_its_products() -> None:
    store = FakeWooCommerceStore(products=12)
    code = readme_example()
    with store.serve():
        creds = store.credentials()
        code = code.replace('"https://mystore.com"', repr(creds["store_url"]))
        code = code.replace('"ck_your_key"', repr(creds["consumer_key"]))
        code = code.replace('"cs_your_secret"', repr(creds["consumer_secret"]))
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, str(README), "exec"), {"__name__": "__readme__"})  # noqa: S102
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("True ")
    assert lines[0].split()[-2] == "12"  # products_count
    assert len(lines) == 1 + 12
    assert {line.split()[0] for line in lines[1:]} == set(store.product_ids())
