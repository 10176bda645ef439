"""`g4hub`: the hub's command line (also `python -m hub_api`).

    g4hub serve [--host H] [--port P] [--no-sync]   the API, migrations applied first
    g4hub demo [--port P] [--products N]            serve, plus three fake stores to connect
    g4hub worker [--concurrency N] [--poll-interval S] [--recover]
                                                    run queued syncs, without the web server
    g4hub db upgrade | db current                   the database's schema
    g4hub keys rotate [--batch-size N] | keys generate

Settings come from `G4HUB_*` environment variables (`HubSettings`, `ApiSettings`). Exit status:
0 done, 1 a known failure (bad settings, an unreachable database, a port in use; one line on
stderr, no traceback), 2 a usage error.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Callable
from typing import TYPE_CHECKING

from hub_api import __version__, commands

if TYPE_CHECKING:
    from pydantic import ValidationError
    from sqlalchemy.exc import SQLAlchemyError

# The parser needs nothing but argparse, so `--help` answers at once; each command imports the
# hub (SQLAlchemy, Litestar, the connectors) only when it runs.

__all__ = ["build_parser", "main"]


class _Paragraphs(argparse.HelpFormatter):
    """Wraps each line of a description or epilog on its own, so paragraphs stay apart."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(
            textwrap.fill(line, width, initial_indent=indent, subsequent_indent=indent) or ""
            for line in text.splitlines()
        )


_FORMATTER = _Paragraphs
_SERVE_SETTINGS = (
    "Settings (environment): G4HUB_DATABASE_URL (default: SQLite in G4HUB_DATA_DIR), "
    "G4HUB_SECRET_KEYS, G4HUB_JWT_SECRET, G4HUB_COOKIE_SECURE, G4HUB_HOST, G4HUB_PORT, "
    "G4HUB_SYNC_CONCURRENCY, G4HUB_JOB_QUEUE (auto, embedded, procrastinate), "
    "G4HUB_ALLOW_PRIVATE_STORE_HOSTS, G4HUB_LOG_JSON, G4HUB_LOG_LEVEL."
)

# What a worker reads: no web server, sign-in or cookie settings.
_WORKER_SETTINGS = (
    "Settings (environment): G4HUB_DATABASE_URL (default: SQLite in G4HUB_DATA_DIR), "
    "G4HUB_DATA_DIR, G4HUB_SECRET_KEYS, G4HUB_SYNC_CONCURRENCY, G4HUB_JOB_QUEUE (auto, "
    "embedded, procrastinate), G4HUB_ALLOW_PRIVATE_STORE_HOSTS, G4HUB_LOG_JSON, G4HUB_LOG_LEVEL."
)


def main(argv: list[str] | None = None) -> int:
    """Run the command `argv` names (default: the process's arguments); returns the exit
    status."""
    parser = build_parser()
    if not (sys.argv[1:] if argv is None else argv):
        # A bare `g4hub` is someone finding out what it does: the commands, not a usage error.
        parser.print_help()
        return 2
    args = parser.parse_args(argv)
    command: Callable[[argparse.Namespace], int] = args.command
    from pydantic import ValidationError
    from sqlalchemy.exc import SQLAlchemyError

    from g4hub_core import CoreError
    from hub_api.process import CliError

    try:
        return command(args)
    except CliError as exc:
        return _fail(str(exc))
    except ValidationError as exc:
        return _fail(_settings_problem(exc))
    except CoreError as exc:  # e.g. a malformed G4HUB_SECRET_KEYS
        return _fail(exc.message)
    except SQLAlchemyError as exc:
        return _fail(_database_problem(exc))
    except OSError as exc:
        return _fail(_os_problem(exc))
    except KeyboardInterrupt:  # Ctrl-C before the command installed its own handling
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="g4hub",
        description="G4 Hub: connect WooCommerce and Shopify stores, sync their catalogs, "
        "serve the REST API.\nSettings come from G4HUB_* environment variables "
        "(G4HUB_DATA_DIR, G4HUB_DATABASE_URL, G4HUB_SECRET_KEYS, ...).",
        formatter_class=_FORMATTER,
    )
    parser.add_argument("--version", action="version", version=f"g4hub {__version__}")
    subcommands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    serve = subcommands.add_parser(
        "serve",
        help="serve the REST API (migrations are applied first)",
        description="Serve the REST API (docs at /schema). The database is brought to the "
        "newest schema first.\nSyncs run in this process unless --no-sync leaves them to "
        "`g4hub worker` processes. On PostgreSQL they go through a job queue in the database "
        "(procrastinate; G4HUB_JOB_QUEUE=embedded keeps them in-process), which this process "
        "and any number of workers share.",
        epilog=_SERVE_SETTINGS,
        formatter_class=_FORMATTER,
    )
    _listen_options(serve)
    serve.add_argument(
        "--no-sync",
        action="store_true",
        help="leave requested syncs queued in the database for `g4hub worker` processes "
        "instead of running them here",
    )
    serve.add_argument(
        "--workers",
        type=_concurrency,
        default=1,
        metavar="N",
        help="web processes answering on the one port, 1-64 (default: %(default)s); with more "
        "than one, syncs, bulk writes and rules run in one more, background process",
    )
    serve.set_defaults(command=commands.serve)

    demo = subcommands.add_parser(
        "demo",
        help="serve the API with three fake stores to connect (two WooCommerce, one Shopify)",
        description="Serve the API on its own SQLite database (<data dir>/demo, so demo data "
        "never mixes with a real hub's), next to two fake WooCommerce stores and a fake Shopify "
        "store selling the same SKUs, on loopback ports.\nPrints the stores' URLs and keys, a "
        "script that makes a sale at one, and curl commands that register, connect a store, "
        "sync it and list its products. Ctrl-C stops everything.",
        formatter_class=_FORMATTER,
    )
    _listen_options(demo)
    demo.add_argument(
        "--products",
        type=_positive,
        default=300,
        metavar="N",
        help="products in each fake store (default: %(default)s)",
    )
    demo.set_defaults(command=commands.demo)

    worker = subcommands.add_parser(
        "worker",
        help="run queued syncs, without the web server",
        description="Run the syncs that `g4hub serve` (or any process on the same database) "
        "queues, up to --concurrency at once. Any number of workers, on any machines, may share "
        "a database; each sync runs once.\nOn PostgreSQL the syncs are procrastinate jobs: one "
        "store is synced by one worker at a time, a store error that may pass (429, 5xx, a "
        "timeout) is retried with backoff, scheduled syncs are queued when due, and the syncs "
        "of a worker that died are run again by another. SIGINT or SIGTERM stops it: running "
        "syncs finish the page they write and go back to the queue (a second signal stops at "
        "once).\nOn SQLite (or with G4HUB_JOB_QUEUE=embedded) it polls the database for queued "
        "syncs; SIGINT or SIGTERM records running syncs as interrupted (their products so far "
        "are kept).\nThe database must be at the newest schema (`g4hub db upgrade`).",
        epilog=_WORKER_SETTINGS,
        formatter_class=_FORMATTER,
    )
    worker.add_argument(
        "--concurrency",
        type=_concurrency,
        default=None,
        metavar="N",
        help="syncs run at once, 1-64 (default: G4HUB_SYNC_CONCURRENCY, 2)",
    )
    worker.add_argument(
        "--poll-interval",
        type=_positive_float,
        default=None,
        metavar="SECONDS",
        help="how often to look for queued syncs (default: 2; on PostgreSQL 5, where new jobs "
        "also arrive as notifications)",
    )
    worker.add_argument(
        "--recover",
        action="store_true",
        help="SQLite / embedded only: first mark syncs left running by a crash as interrupted; "
        "only when this is the one worker on its database and no `serve` runs syncs (on "
        "PostgreSQL a dead worker's syncs are recovered by the others, always)",
    )
    worker.set_defaults(command=commands.worker)

    db = subcommands.add_parser(
        "db",
        help="the database's schema: upgrade, current",
        description="Manage the database's schema (Alembic migrations) in G4HUB_DATABASE_URL "
        "(default: SQLite in G4HUB_DATA_DIR).",
        formatter_class=_FORMATTER,
    )
    db_commands = db.add_subparsers(title="commands", metavar="COMMAND", required=True)
    db_commands.add_parser(
        "upgrade",
        help="bring the database to the newest schema",
        description="Apply every migration the database lacks (creating a SQLite file if "
        "there is none). Safe to run again.",
        formatter_class=_FORMATTER,
    ).set_defaults(command=commands.db_upgrade)
    db_commands.add_parser(
        "current",
        help="print the database's schema revision and the newest one",
        description="Print the revision the database is at and the newest revision.",
    ).set_defaults(command=commands.db_current)

    keys = subcommands.add_parser(
        "keys",
        help="credential keys: rotate, generate",
        description="The keys that seal store credentials (G4HUB_SECRET_KEYS).",
        formatter_class=_FORMATTER,
    )
    key_commands = keys.add_subparsers(title="commands", metavar="COMMAND", required=True)
    rotate = key_commands.add_parser(
        "rotate",
        help="re-seal every store's credentials under the first key",
        description="Re-seal every stored credential under the first key of G4HUB_SECRET_KEYS "
        "(put the new key first, keep the old ones after it).\nWorks in batches that each "
        "commit: safe to interrupt and run again. Afterwards the old keys can be removed.",
        formatter_class=_FORMATTER,
    )
    rotate.add_argument(
        "--batch-size",
        type=_positive,
        default=100,
        metavar="N",
        help="stores re-sealed per transaction (default: %(default)s)",
    )
    rotate.set_defaults(command=commands.keys_rotate)
    generate = key_commands.add_parser(
        "generate",
        help="print a new key for G4HUB_SECRET_KEYS",
        description="Print a new random 256-bit key as `id:base64`, the form "
        "G4HUB_SECRET_KEYS takes (comma-separated, the first seals):\n"
        'export G4HUB_SECRET_KEYS="$(g4hub keys generate),$G4HUB_SECRET_KEYS"',
        formatter_class=_FORMATTER,
    )
    generate.add_argument(
        "--id", dest="key_id", help="the key's id (default: derived from the key itself)"
    )
    generate.set_defaults(command=commands.keys_generate)
    return parser


def _listen_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="address to listen on (default: G4HUB_HOST or 127.0.0.1)")
    parser.add_argument(
        "--port",
        type=int,
        help="port to listen on; 0 picks a free one (default: G4HUB_PORT or 8000)",
    )


# -- helpers ---------------------------------------------------------------------------------------


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _concurrency(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError("must be 1 to 64")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def _fail(message: str) -> int:
    sys.stderr.write(f"g4hub: {message}\n")
    sys.stderr.flush()
    return 1


def _settings_problem(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        field = "_".join(str(part) for part in error["loc"]).upper()
        message = str(error["msg"]).removeprefix("Value error, ")
        # Only the field and the problem: the value may be a secret.
        problems.append(f"G4HUB_{field}: {message}" if field else message)
    return "invalid settings: " + "; ".join(problems)


def _os_problem(exc: OSError) -> str:
    """The failure in one line; one in or above the data directory names the setting that
    chose it and the directory it was creating."""
    from pathlib import Path

    from g4hub_core.settings import default_data_dir

    where = f": {exc.filename}" if exc.filename else ""
    reason = f"{exc.strerror or exc}{where}"
    raw = os.environ.get("G4HUB_DATA_DIR")
    data_dir = Path(raw).expanduser() if raw else default_data_dir()
    if exc.filename is None:
        return reason
    failed = Path(str(exc.filename)).expanduser()
    if failed == data_dir or failed in data_dir.parents or data_dir in failed.parents:
        chosen = "from G4HUB_DATA_DIR" if raw else "the default; set G4HUB_DATA_DIR for another"
        return f"cannot create the data directory {data_dir} ({chosen}): {reason}"
    return reason


def _database_problem(exc: SQLAlchemyError) -> str:
    from g4hub_core import HubSettings
    from hub_api.process import database_label

    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    first = reason[0] if reason else type(exc).__name__
    try:
        where = f" {database_label(HubSettings())}"
    except ValueError:  # settings that do not even parse: the reason alone must do
        where = ""
    return f"the database{where} failed: {first}"
