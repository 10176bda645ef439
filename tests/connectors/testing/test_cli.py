"""`g4hub-fake-store` without the `testing` extra says, in one line, which extra to install."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest

from g4hub_connectors.testing import _cli


def test_without_the_testing_extra_it_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = importlib.util.find_spec

    def missing_uvicorn(name: str, *args: Any) -> Any:
        return None if name == "uvicorn" else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", missing_uvicorn)
    with pytest.raises(SystemExit) as stopped:
        _cli.main(["woocommerce", "--products", "1"])
    assert stopped.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        "g4hub-fake-store needs the testing extra: pip install 'g4hub-connectors[testing]'"
    ]
