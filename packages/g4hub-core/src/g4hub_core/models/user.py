from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from g4hub_core.db.base import Base, UTCDateTime, utcnow


class User(Base):
    """A person who signs in. `email` is normalized (see `tenants.emails`) and unique across the
    hub; `password_hash` is an argon2id hash, never the password."""

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="owner")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Part of every token and session; raising it signs the user out everywhere at once."""
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """Set when the user may no longer sign in; their tokens stop working at once."""
