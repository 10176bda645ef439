"""The service's settings: one pydantic-settings class (`G4HUB_` prefix), beside the core's."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = ["ApiSettings"]

# HS256 with a shorter key is guessable offline from one token (RFC 7518 §3.2 asks for 256 bits).
MIN_JWT_SECRET_LENGTH = 32


class ApiSettings(BaseSettings):
    """How the service listens, signs its sessions and logs. The core's own settings (database,
    keys, data directory) are `g4hub_core.HubSettings`."""

    model_config = SettingsConfigDict(env_prefix="G4HUB_", frozen=True, extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    jwt_secret: SecretStr | None = Field(default=None, min_length=MIN_JWT_SECRET_LENGTH)
    """Signs access tokens (HS256) and CSRF tokens; at least 32 characters. Unset: a secret
    generated into the data directory. Changing it signs everyone out."""
    token_ttl_seconds: int = Field(default=12 * 3600, ge=60)
    cookie_secure: bool = False
    """Mark the session and CSRF cookies Secure (set it when the hub is served over HTTPS)."""
    login_attempts_per_minute: int = Field(default=10, ge=1, le=1_000_000)
    """Failed sign-ins allowed per (client address, email) in a sliding minute; past it that
    address gets 429 for that account. Other addresses are not refused: the account alone is
    only slowed down (see `login_delay_max_seconds`). Counted in each process's memory: with
    several processes an attacker gets this many per process."""
    login_attempts_per_address_per_minute: int = Field(default=30, ge=1, le=1_000_000)
    """Failed sign-ins allowed per client address, whatever the accounts, in a sliding minute."""
    login_delay_max_seconds: float = Field(default=2.0, ge=0, le=60)
    """The longest a sign-in waits before its password is checked once its account has seen
    many failures from anywhere (the delay doubles per failure past `login_attempts_per_minute`
    in the minute). A delay, never a refusal: nobody can lock someone else out."""
    registrations_per_address_per_hour: int = Field(default=20, ge=1, le=1_000_000)
    """Registrations allowed per client address in a sliding hour; past it, 429."""
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Addresses or networks of the reverse proxies in front of the hub, separated by commas
    (`G4HUB_TRUSTED_PROXIES=10.0.0.1,10.1.0.0/16`). `X-Forwarded-For` is believed only from
    these; by default from nobody, so the client address is the socket's peer."""
    database_wait_seconds: float = Field(default=60.0, ge=0, le=86_400)
    """How long `g4hub worker` keeps retrying (with backoff) a database that does not answer
    when it starts, before it gives up."""
    background_niceness: int = Field(default=10, ge=0, le=19)
    """How much lower the CPU priority of `g4hub serve --workers`' background process (syncs,
    bulk writes, rules) is than the web processes' (added to their nice value; 0: the same).
    On a busy machine a dashboard answer matters more than a sync ending a few seconds sooner;
    an idle CPU still runs the background process at full speed."""
    log_json: bool = True
    """One JSON object per log line (for log collectors); plain text otherwise."""
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"{entry!r} is not an IP address or network") from None
        return value
