"""Every routine command of the repository: `nox -s tests`, `lint`, `typecheck`, `bench`.

Each session installs the locked workspace (`uv.lock`) into its own virtualenv, so a fresh machine
with Python and pip (plus `pip install nox uv`) needs nothing else.
"""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "uv"
nox.options.sessions = ["lint", "typecheck", "tests"]
nox.options.reuse_existing_virtualenvs = True

PACKAGES = ["packages/g4hub-connectors", "packages/g4hub-core", "services/hub-api"]
SOURCES = ["packages", "services", "tests", "benchmarks", "noxfile.py"]


def _install(session: nox.Session) -> None:
    """Sync the locked workspace (all packages, dev group) into the session's virtualenv."""
    session.run_install(
        "uv",
        "sync",
        "--locked",
        "--all-packages",
        "--all-extras",
        "--inexact",
        env={"UV_PROJECT_ENVIRONMENT": session.virtualenv.location},
    )


def _test_workers() -> str:
    """pytest-xdist workers: one per core, at least 2 (much of the suite waits on syncs and
    subprocesses, not the CPU) and at most 4 (each worker holds its own PostgreSQL database and
    connections on a shared server)."""
    import os

    return str(min(4, max(2, os.cpu_count() or 1)))


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite, on parallel workers; the browser tests run in a row on one of them
    (`xdist_group`). Extra arguments go to pytest (`nox -s tests -- -k shopify`; `-- -n 0` runs
    it in one process)."""
    _install(session)
    session.run("pytest", "-n", _test_workers(), "--dist", "loadgroup", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: lint rules and formatting."""
    _install(session)
    session.run("ruff", "check", *SOURCES)
    session.run("ruff", "format", "--check", *SOURCES)


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy, strict, over the shipped packages."""
    _install(session)
    session.run(
        "mypy", "packages/g4hub-connectors/src", "packages/g4hub-core/src", "services/hub-api/src"
    )


@nox.session
def build(session: nox.Session) -> None:
    """Build each package's wheel on its own and check it ships its type marker."""
    import zipfile
    from pathlib import Path

    for package in PACKAGES:
        out = Path(session.create_tmp()) / package.replace("/", "_")
        session.run("uv", "build", "--wheel", "--out-dir", str(out), package)
        wheels = list(out.glob("*.whl"))
        if len(wheels) != 1:
            session.error(f"{package}: expected one wheel, got {wheels}")
        names = zipfile.ZipFile(wheels[0]).namelist()
        if not any(name.endswith("/py.typed") for name in names):
            session.error(f"{package}: wheel lacks py.typed")
        if any(name.startswith("tests/") for name in names):
            session.error(f"{package}: wheel ships tests")
        session.log(f"{wheels[0].name}: {len(names)} files")


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks: print throughput, latency and memory figures (never asserted in tests).
    `nox -s bench -- --quick` runs smaller sizes. The core's needs the machine's PostgreSQL."""
    _install(session)
    session.run("python", "benchmarks/bench_connectors.py", *session.posargs)
    session.run("python", "benchmarks/bench_graphql.py", *session.posargs)
    session.run("python", "benchmarks/bench_core.py", *session.posargs)
    session.run("python", "benchmarks/bench_workers.py", *session.posargs)
    session.run("python", "benchmarks/bench_load.py", *session.posargs)
    session.run("python", "benchmarks/bench_webhooks.py", *session.posargs)
    session.run("python", "benchmarks/bench_skus.py", *session.posargs)
    session.run("python", "benchmarks/bench_propagation.py", *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """`g4hub demo` from the locked workspace (`nox -s demo -- --port 9000`)."""
    _install(session)
    session.run("g4hub", "demo", *session.posargs)
