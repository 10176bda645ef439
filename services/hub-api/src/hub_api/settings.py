"""The service's settings: one pydantic-settings class (`G4HUB_` prefix), beside the core's."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ApiSettings"]


class ApiSettings(BaseSettings):
    """How the service listens and signs its sessions. The core's own settings (database,
    keys, data directory) are `g4hub_core.HubSettings`."""

    model_config = SettingsConfigDict(env_prefix="G4HUB_", frozen=True, extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    jwt_secret: SecretStr | None = None
    """Signs access tokens (HS256). Unset: a secret generated into the data directory."""
    token_ttl_seconds: int = Field(default=12 * 3600, ge=60)
    cookie_secure: bool = False
    """Mark the session cookie Secure (set it when the hub is served over HTTPS)."""
    login_attempts_per_minute: int = Field(default=10, ge=1)
    """Failed sign-ins allowed per client address and per email in a minute."""
    log_json: bool = True
