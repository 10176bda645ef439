"""Persistence: the declarative base and column types, the engine, and migrations."""

from g4hub_core.db.base import Base, utcnow
from g4hub_core.db.engine import create_engine, is_postgresql
from g4hub_core.db.migrate import current_revision, downgrade, upgrade

__all__ = [
    "Base",
    "create_engine",
    "current_revision",
    "downgrade",
    "is_postgresql",
    "upgrade",
    "utcnow",
]
