"""Where the `X-Shopify-Access-Token` comes from: a static `shpat_` token, the client-credentials
grant of a Dev Dashboard app, or an expiring offline token kept alive with its refresh token.

Client-credentials tokens expire (about 24 h). The provider caches the token, fetches a new one
shortly before expiry, and once more when the store answers 401 to a token it thought valid (the
merchant rotated the secret, or reinstalled the app). A lock makes concurrent requests share one
fetch. Tokens and secrets never appear in `repr`, logs or errors.

Expiring offline tokens (about 60 minutes, mandatory for public apps from 2027-01-01) come with a
refresh token. Shopify rotates the refresh token on every refresh: the old one stops working, so
`ExpiringOfflineToken` hands each new one to its `on_refresh` callback (the hub seals and stores
it) and keeps it in `refresh_token`.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

__all__ = [
    "ClientCredentialsToken",
    "ExpiringOfflineToken",
    "StaticToken",
    "TokenGrant",
    "TokenProvider",
]

logger = logging.getLogger("g4hub_connectors.shopify.auth")

REFRESH_MARGIN = 300.0
"""Seconds before expiry at which a client-credentials token is replaced."""


@dataclass(frozen=True)
class TokenGrant:
    """The answer of `POST /admin/oauth/access_token`."""

    access_token: str = field(repr=False)
    scope: str = ""
    expires_in: float | None = None
    """Seconds the token lives; `None` when the store did not say (treated as never)."""
    refresh_token: str | None = field(default=None, repr=False)
    """The refresh token that replaces the one used (expiring offline tokens only)."""
    refresh_token_expires_in: float | None = None


class TokenProvider(Protocol):
    refreshable: bool
    """True when `invalidate` can lead to a different token (client credentials)."""

    async def token(self) -> str:
        """A token to send now."""
        ...

    def invalidate(self, token: str) -> None:
        """The store refused `token`; the next `token()` must not return it."""
        ...


class StaticToken:
    """A token the merchant pasted in (a custom app's `shpat_…`). It cannot be refreshed."""

    refreshable = False

    def __init__(self, token: str) -> None:
        self._token = token

    def __repr__(self) -> str:
        return "StaticToken(***)"

    async def token(self) -> str:
        return self._token

    def invalidate(self, token: str) -> None:
        """Nothing to do: a static token stays what it is."""


class ClientCredentialsToken:
    """Tokens from the client-credentials grant, cached until `margin` seconds before expiry.

    `fetch` performs the grant request (the Shopify client supplies it); `clock` is injectable for
    tests. For tokens that live less than twice the margin, the token is replaced at half its life.
    `fetches` counts grant requests, so tests can check that concurrent callers shared one.
    """

    refreshable = True

    def __init__(
        self,
        fetch: Callable[[], Awaitable[TokenGrant]],
        *,
        clock: Callable[[], float] = time.monotonic,
        margin: float = REFRESH_MARGIN,
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._margin = margin
        self._token: str | None = None
        self._refresh_at = -math.inf
        self._lock = asyncio.Lock()
        self.fetches = 0
        self.scope: frozenset[str] = frozenset()

    def __repr__(self) -> str:
        state = "cached" if self._token is not None else "empty"
        return f"ClientCredentialsToken({state}, fetches={self.fetches})"

    def _fresh(self) -> str | None:
        if self._token is not None and self._clock() < self._refresh_at:
            return self._token
        return None

    async def token(self) -> str:
        cached = self._fresh()
        if cached is not None:
            return cached
        async with self._lock:
            # Another caller may have fetched while this one waited for the lock.
            cached = self._fresh()
            if cached is not None:
                return cached
            issued = self._clock()
            grant = await self._fetch()
            self.fetches += 1
            self._token = grant.access_token
            self.scope = frozenset(s.strip() for s in grant.scope.split(",") if s.strip())
            if grant.expires_in is None:
                self._refresh_at = math.inf
            else:
                margin = min(self._margin, grant.expires_in / 2)
                self._refresh_at = issued + grant.expires_in - margin
            logger.info(
                "obtained a Shopify access token by client credentials (expires in %s s)",
                "?" if grant.expires_in is None else f"{grant.expires_in:g}",
            )
            return grant.access_token

    def invalidate(self, token: str) -> None:
        # Only the token that failed is dropped: when several requests fail with the same old
        # token, the first invalidation counts and the rest reuse the token fetched since.
        if self._token == token:
            self._token = None
            self._refresh_at = -math.inf


class ExpiringOfflineToken:
    """An expiring offline access token, refreshed with its refresh token before it expires.

    - `access_token` may be `None` (or already expired): the first `token()` refreshes.
      With no `expires_at`, a given token is used until the store refuses it.
    - `refresh(refresh_token)` performs `grant_type=refresh_token` (the client supplies it).
    - `on_refresh(grant)` receives every new grant, whose `refresh_token` replaces the old one,
      which Shopify no longer accepts: store it before the old one is lost.
    """

    refreshable = True

    def __init__(
        self,
        *,
        refresh_token: str,
        refresh: Callable[[str], Awaitable[TokenGrant]],
        access_token: str | None = None,
        expires_at: float | None = None,
        on_refresh: Callable[[TokenGrant], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        margin: float = 120.0,
    ) -> None:
        self._refresh = refresh
        self._refresh_token = refresh_token
        self._on_refresh = on_refresh
        self._clock = clock
        self._margin = margin
        self._token = access_token
        self._refresh_at = math.inf if expires_at is None else expires_at - margin
        if access_token is None:
            self._refresh_at = -math.inf
        self._lock = asyncio.Lock()
        self.refreshes = 0

    def __repr__(self) -> str:
        return f"ExpiringOfflineToken(refreshes={self.refreshes})"

    @property
    def refresh_token(self) -> str:
        """The refresh token to keep: the newest one Shopify issued."""
        return self._refresh_token

    def _fresh(self) -> str | None:
        if self._token is not None and self._clock() < self._refresh_at:
            return self._token
        return None

    async def token(self) -> str:
        cached = self._fresh()
        if cached is not None:
            return cached
        async with self._lock:
            cached = self._fresh()
            if cached is not None:
                return cached
            issued = self._clock()
            grant = await self._refresh(self._refresh_token)
            self.refreshes += 1
            self._token = grant.access_token
            if grant.refresh_token:
                self._refresh_token = grant.refresh_token
            if grant.expires_in is None:
                self._refresh_at = math.inf
            else:
                margin = min(self._margin, grant.expires_in / 2)
                self._refresh_at = issued + grant.expires_in - margin
            logger.info(
                "refreshed an expiring Shopify access token (expires in %s s)",
                "?" if grant.expires_in is None else f"{grant.expires_in:g}",
            )
            if self._on_refresh is not None:
                # The callback runs before the token is used: a crash after this point loses
                # nothing, while storing after first use could lose the rotated refresh token.
                self._on_refresh(grant)
            return grant.access_token

    def invalidate(self, token: str) -> None:
        if self._token == token:
            self._token = None
            self._refresh_at = -math.inf
