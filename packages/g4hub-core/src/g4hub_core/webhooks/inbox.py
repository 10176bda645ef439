"""The webhook inbox: receiving deliveries (verify, store, answer) and applying them to the
catalog, one delivery per transaction.

    outcome = await inbox.receive("shopify", token, headers, body)    # the public endpoint
    while await inbox.apply_next(): ...                                 # the processor

Receiving checks the signature over the raw body before anything is written: a delivery with a
bad signature leaves no trace. A verified one is stored (unique per store and event key, so a
repeat is refused by the database) and answered at once; applying it happens after, through the
same write path a sync uses (`catalog.ingest.CatalogWriter`), with its change in the feed.

Stale deliveries are dropped: a product older than the row held (by the store's modification
time), and an update of a product deleted later than that update (the deletion's change is the
tombstone).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Literal

import attrs
from sqlalchemy import delete, false, select, update

from g4hub_connectors import ConnectorError
from g4hub_connectors.webhooks import WebhookEvent, WebhookPlatform, webhook_platform
from g4hub_core.catalog.ingest import CatalogWriter, IngestBatch
from g4hub_core.changes.repository import ChangeEntry, ChangeRepository, record_changes
from g4hub_core.db.base import utcnow
from g4hub_core.db.dialects import dialect_of
from g4hub_core.models import Store, StoreProduct, WebhookDelivery, WebhookEndpoint
from g4hub_core.stores.connection import open_settings
from g4hub_core.unit import UnitFactory, UnitOfWork
from g4hub_core.vault.vault import Vault
from g4hub_core.webhooks import repository
from g4hub_core.webhooks.secrets import open_secret

__all__ = ["MAX_ATTEMPTS", "Outcome", "Received", "WebhookInbox"]

logger = logging.getLogger("g4hub_core.webhooks")

Outcome = Literal["accepted", "duplicate", "ping", "unknown_endpoint", "bad_signature", "invalid"]
MAX_ATTEMPTS = 5
"""Tries to apply one delivery before it is marked failed (reconciliation covers it then)."""
RETRY_AFTER = timedelta(seconds=30)
BATCH = 50
"""Deliveries applied per transaction: one commit for many (a commit is most of the cost)."""
SERIAL_BATCH = 10
"""The same on SQLite, smaller: its one writer keeps arriving deliveries waiting meanwhile."""


@attrs.frozen
class Received:
    """What `receive` did. `delivery_id` is set for `accepted`."""

    outcome: Outcome
    delivery_id: uuid.UUID | None = None


def _kept_headers(headers: Mapping[str, str]) -> dict[str, str]:
    # The platform's own headers are what parsing reads again later; the signature is kept out
    # of the database (it proves nothing once verified, and is derived from a secret).
    return {
        key.lower(): value
        for key, value in headers.items()
        if key.lower().startswith("x-")
        and "signature" not in key.lower()
        and "hmac" not in key.lower()
    }


def _product_lock(store_id: uuid.UUID, product_id: str) -> uuid.UUID:
    return uuid.uuid5(store_id, product_id)


class WebhookInbox:
    """Receives and applies deliveries. `on_stored` is called after a delivery has committed
    (the processor's wake-up)."""

    def __init__(self, work: UnitFactory, vault: Vault, *, serial: bool = False) -> None:
        self._work = work
        self._vault = vault
        # SQLite has one writer: deliveries applied concurrently would only wait for each other,
        # or fail on a stale read snapshot. On PostgreSQL rows are shared out by SKIP LOCKED.
        self._serial = asyncio.Lock() if serial else None
        self._batch = SERIAL_BATCH if serial else BATCH

    # -- receiving ----------------------------------------------------------------------------

    async def receive(
        self, platform: str, token: str, headers: Mapping[str, str], body: bytes
    ) -> Received:
        """Verify and store one delivery. Nothing is written unless the signature holds."""
        async with self._work(None) as work:
            found = await repository.endpoint_by_token(work.session, token)
            if found is None:
                return Received("unknown_endpoint")
            endpoint, store = found
            hooks = webhook_platform(store.platform)
            if hooks is None or store.platform.split(".", 1)[0] != platform:
                return Received("unknown_endpoint")
            if hooks.is_ping(headers, body):
                return Received("ping")
            secret = self._secret(endpoint, store, hooks)
            if secret is None or not hooks.verify(headers, body, secret):
                return Received("bad_signature")
            try:
                event = hooks.parse(headers, body, currency=store.store_info.get("currency"))
            except ValueError:
                return Received("invalid")
            tenant_id, store_id = store.tenant_id, store.id
        # A transaction of its own that writes first: on SQLite a read transaction that then
        # writes fails at once if another writer committed meanwhile; one that starts by
        # writing waits its turn (busy_timeout).
        async with self._work(None) as work:
            delivery_id = uuid.uuid4()
            now = utcnow()
            stored = await dialect_of(work.session).insert_or_skip(
                work.session,
                dialect_of(work.session)
                .insert(WebhookDelivery.__table__)
                .values(
                    id=delivery_id,
                    tenant_id=tenant_id,
                    store_id=store_id,
                    event_key=event.key[:255],
                    topic=event.topic[:64],
                    headers=_kept_headers(headers),
                    body=body.decode("utf-8", errors="replace"),
                    status="pending",
                    attempts=0,
                    received_at=now,
                ),
            )
            if not stored:
                await repository.count_duplicate(work.session, store_id)
                return Received("duplicate")
        return Received("accepted", delivery_id)

    def _secret(
        self, endpoint: WebhookEndpoint, store: Store, hooks: WebhookPlatform
    ) -> str | None:
        if endpoint.secret is not None:
            return open_secret(endpoint, self._vault)
        try:
            return hooks.own_secret(open_settings(store, vault=self._vault))
        except Exception:
            # Credentials that no longer open verify nothing: the delivery is refused.
            logger.warning("store %s: no webhook secret could be opened", store.id)
            return None

    # -- applying -----------------------------------------------------------------------------

    async def apply_next(self) -> bool:
        """Apply the oldest pending deliveries (a batch) in one transaction; False when
        none waits. If one fails, each is applied alone, so the others land and the failure is
        recorded: a delivery that fails is retried later (`RETRY_AFTER`), at most
        `MAX_ATTEMPTS` times."""
        if self._serial is None:
            return await self._apply_next()
        async with self._serial:
            return await self._apply_next()

    async def _apply_next(self) -> bool:
        ids: list[uuid.UUID] = []
        try:
            async with self._work(None) as work:
                await self._write_first(work)
                deliveries = await repository.next_pending(
                    work.session, retry_before=utcnow() - RETRY_AFTER, limit=self._batch
                )
                if not deliveries:
                    return False
                ids = [delivery.id for delivery in deliveries]
                for delivery in deliveries:
                    await self._apply(work, delivery)
            return True
        except Exception:
            if not ids:
                raise
            logger.info("a batch of %d webhook deliveries failed; applying one by one", len(ids))
        for delivery_id in ids:
            await self._apply_one(delivery_id)
        return True

    async def _apply_one(self, delivery_id: uuid.UUID) -> None:
        try:
            async with self._work(None) as work:
                await self._write_first(work)
                delivery = await work.session.get(WebhookDelivery, delivery_id)
                if delivery is None or delivery.status != "pending":
                    return
                await self._apply(work, delivery)
            return
        except (ConnectorError, ValueError, LookupError) as exc:
            reason = f"{type(exc).__name__}: {exc}"[:500]
        except Exception as exc:
            # A database error (a deadlock, a lost connection): the delivery stays pending.
            logger.warning("applying a webhook delivery failed; retrying", exc_info=True)
            reason = type(exc).__name__
        await self._record_failure(delivery_id, reason)

    async def _write_first(self, work: UnitOfWork) -> None:
        # SQLite: take the write lock before reading (a write that matches nothing takes it,
        # waiting for it as long as busy_timeout says), so the reads cannot go stale before
        # the writes and fail them; PostgreSQL needs none (rows are locked as they are read).
        if self._serial is not None:
            await work.session.execute(
                update(WebhookDelivery)
                .where(false())
                .values(status=WebhookDelivery.status)
                .execution_options(synchronize_session=False)
            )

    async def waiting(self) -> int:
        """Deliveries waiting to be applied now (some perhaps being applied elsewhere)."""
        async with self._work(None) as work:
            return await repository.waiting(work.session, retry_before=utcnow() - RETRY_AFTER)

    async def _record_failure(self, delivery_id: uuid.UUID, reason: str) -> None:
        async with self._work(None) as work:
            delivery = await work.session.get(WebhookDelivery, delivery_id)
            if delivery is None or delivery.status != "pending":
                return
            delivery.attempts += 1
            delivery.claimed_at = utcnow()
            delivery.error = reason
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = "failed"
                delivery.processed_at = utcnow()

    async def _apply(self, work: UnitOfWork, delivery: WebhookDelivery) -> None:
        session = work.session
        # The claim is the transaction's first write: a second process that read the same row
        # changes nothing (it waits, then finds it no longer pending, or fails before applying).
        claimed = await session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery.id, WebhookDelivery.status == "pending")
            .values(claimed_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if not getattr(claimed, "rowcount", 0):
            return
        store = await session.get(Store, delivery.store_id)
        hooks = webhook_platform(store.platform) if store is not None else None
        if store is None or hooks is None:
            delivery.status = "ignored"
            delivery.processed_at = utcnow()
            return
        event = hooks.parse(
            delivery.headers, delivery.body.encode(), currency=store.store_info.get("currency")
        )
        delivery.attempts += 1
        delivery.status = await self._apply_event(work, store, event)
        delivery.processed_at = utcnow()
        delivery.error = None

    async def _apply_event(self, work: UnitOfWork, store: Store, event: WebhookEvent) -> str:
        session = work.session
        if event.action not in ("upsert", "delete") or not event.product_id:
            return "ignored"
        lock = _product_lock(store.id, event.product_id)
        await dialect_of(session).lock(session, "product", lock)
        held = (
            await session.execute(
                select(StoreProduct.source_updated_at, StoreProduct.seen_by_sync_id).where(
                    StoreProduct.store_id == store.id,
                    StoreProduct.platform_product_id == event.product_id,
                )
            )
        ).one_or_none()
        if await self._stale(work, store, event, held):
            return "stale"
        if event.action == "delete":
            if held is None:
                return "unchanged"
            await session.execute(
                delete(StoreProduct).where(
                    StoreProduct.tenant_id == store.tenant_id,
                    StoreProduct.store_id == store.id,
                    StoreProduct.platform_product_id == event.product_id,
                )
            )
            # The tombstone's time: an update no newer than what the hub last held is stale.
            moments = [m for m in (event.occurred_at, held.source_updated_at) if m is not None]
            await record_changes(
                session, store.tenant_id, store.id,
                [ChangeEntry(event.product_id, "deleted", max(moments) if moments else None)],
                source="webhook",
            )  # fmt: skip
            await _adjust(session, store.id, -1)
            return "deleted"
        assert event.product is not None
        # Keep the row's mark of the sync that last saw it, or take the running sync's: a full
        # sync under way must not remove a product a webhook has just written.
        sync_id = (held.seen_by_sync_id if held is not None else None) or (
            await repository.running_sync_id(session, store.id)
        )
        batch = IngestBatch.prepare(
            [event.product],
            tenant_id=store.tenant_id,
            store_id=store.id,
            sync_id=sync_id or uuid.uuid4(),
        )
        row = batch.rows[event.product_id]
        # The delivery's own time may be finer than the product's (Shopify's updated_at has whole
        # seconds, X-Shopify-Triggered-At milliseconds): the finer one orders what comes next.
        if event.occurred_at is not None and (
            row["source_updated_at"] is None or event.occurred_at > row["source_updated_at"]
        ):
            row["source_updated_at"] = event.occurred_at
        result = await CatalogWriter(session, store.tenant_id).write(
            batch, method="values", source="webhook"
        )
        if result.created:
            await _adjust(session, store.id, result.created)
        if result.unchanged:
            return "unchanged"
        return "upserted"

    async def _stale(self, work: UnitOfWork, store: Store, event: WebhookEvent, held: Any) -> bool:
        moment = event.occurred_at
        if moment is None:
            return False
        if held is not None:
            return held.source_updated_at is not None and moment < held.source_updated_at
        last = await ChangeRepository(work.session, store.tenant_id).latest(
            store.id, event.product_id or ""
        )
        return (
            last is not None
            and last.kind == "deleted"
            and last.source_updated_at is not None
            and moment <= last.source_updated_at
        )


async def _adjust(session: Any, store_id: uuid.UUID, delta: int) -> None:
    await session.execute(
        update(Store)
        .where(Store.id == store_id)
        .values(products_synced=Store.products_synced + delta)
    )
