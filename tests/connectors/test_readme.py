"""The package README's example works as written, against a fake store on a loopback port."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from g4hub_connectors.testing import FakeWooCommerceStore

README = Path(__file__).resolve().parents[2] / "packages/g4hub-connectors/README.md"


def readme_example() -> str:
    text = README.read_text()
    marker = text.index("<!-- readme-example")
    return re.search(r"```python\n(.*?)```", text[marker:], re.DOTALL).group(1)  # type: ignore[union-attr]


def test_the_example_is_a_dozen_lines_or_so() -> None:
    code = [line for line in readme_example().splitlines() if line.strip()]
    assert len(code) <= 13


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
    assert lines[0].split()[-1] == "12"  # products_count
    assert len(lines) == 1 + 12
    assert {line.split()[0] for line in lines[1:]} == set(store.product_ids())


def test_the_readme_example_stops_with_the_reason_when_the_store_refuses() -> None:
    store = FakeWooCommerceStore(products=3)
    with store.serve():
        wrong = store.wrong_credentials()
        code = readme_example().replace('"https://mystore.com"', repr(wrong["store_url"]))
        code = code.replace('"ck_your_key"', repr(wrong["consumer_key"]))
        code = code.replace('"cs_your_secret"', repr(wrong["consumer_secret"]))
        out = io.StringIO()
        with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as stopped:
            exec(compile(code, str(README), "exec"), {"__name__": "__readme__"})  # noqa: S102
    assert str(stopped.value).startswith("invalid_credentials: ")
    assert out.getvalue() == ""  # nothing listed from a store that refused
