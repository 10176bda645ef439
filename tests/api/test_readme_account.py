"""The root README and `g4hub demo` walk through with the same account, and the README says what
the test command costs and what `.ci/run` adds to it."""

from __future__ import annotations

import re
from pathlib import Path

from hub_api.demo import DEMO_EMAIL, DEMO_PASSWORD

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_the_readme_uses_the_demos_account() -> None:
    emails = set(re.findall(r"[\w.+-]+@example\.com", README))
    assert emails == {DEMO_EMAIL}
    assert README.count(DEMO_PASSWORD) >= 3  # the dashboard walk-through, register, sign in


def test_the_readme_says_how_long_the_tests_take_and_what_ci_adds() -> None:
    assert re.search(r"takes about \S+ minutes", README)
    adds = README[README.index("`.ci/run`, what CI") :].split("\n\n")[0]
    for step in ("PostgreSQL", "Chromium", "nox -s lint typecheck build"):
        assert step in adds
