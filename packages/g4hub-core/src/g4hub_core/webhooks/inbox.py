"""The webhook inbox: receiving deliveries (verify, store, answer) and applying them to the
catalog, many deliveries per transaction.

    outcome = await inbox.receive("shopify", token, headers, body)    # the public endpoint
    while await inbox.apply_next(): ...                                 # the processor (batches)

Receiving checks the signature over the raw body before anything is written: a delivery with a
bad signature leaves no trace. A verified one is stored (unique per store and event key, so a
repeat is refused by the database) and answered at once; applying it happens after, through the
same write path a sync uses (`catalog.ingest.CatalogWriter`), with its change in the feed: a
batch of deliveries is settled in memory (repeats of one product: the newest wins) and written
with one upsert per store, so the cost of a delivery shrinks as more of them wait.

Stale deliveries are dropped: a product older than the row held (by the store's modification
time), and an update of a product deleted later than that update (the deletion's change is the
tombstone). Deliveries that carry part of a product (its variants as ids, or one variant alone)
are completed from the row held (`variants.py`), never by asking the store.
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

from g4hub_connectors import ConnectorError, Product
from g4hub_connectors.webhooks import WebhookEvent, WebhookPlatform, webhook_platform
from g4hub_core.catalog.ingest import CatalogWriter, IngestBatch
from g4hub_core.changes.repository import ChangeEntry, ChangeRepository, record_changes
from g4hub_core.db.base import utcnow
from g4hub_core.db.dialects import dialect_of
from g4hub_core.models import ProductChange, Store, StoreProduct, WebhookDelivery, WebhookEndpoint
from g4hub_core.stores.connection import open_settings
from g4hub_core.unit import UnitFactory, UnitOfWork
from g4hub_core.vault.vault import Vault
from g4hub_core.webhooks import repository
from g4hub_core.webhooks import variants as variant_rows
from g4hub_core.webhooks.secrets import open_secret
from g4hub_core.webhooks.variants import ProductWrite

__all__ = ["MAX_ATTEMPTS", "Outcome", "Received", "WebhookInbox"]

logger = logging.getLogger("g4hub_core.webhooks")

Outcome = Literal["accepted", "duplicate", "ping", "unknown_endpoint", "bad_signature", "invalid"]
MAX_ATTEMPTS = 5
"""Tries to apply one delivery before it is marked failed (reconciliation covers it then)."""
RETRY_AFTER = timedelta(seconds=30)
_APPLIED = frozenset({"upsert", "upsert_variant", "delete"})
BATCH = 100
"""Deliveries applied per transaction at most: a fixed number of statements for all of them."""
SERIAL_BATCH = 50
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
        if self._serial is None:
            # PostgreSQL: one transaction, a few round trips (each is most of the answer's time).
            async with self._work(None) as work:
                checked = await self._check(work, platform, token, headers, body)
                if isinstance(checked, Received):
                    return checked
                return await self._store(work, checked, headers, body)
        async with self._work(None) as work:
            checked = await self._check(work, platform, token, headers, body)
        if isinstance(checked, Received):
            return checked
        # SQLite: a transaction of its own that writes first: a read transaction that then
        # writes fails at once if another writer committed meanwhile; one that starts by
        # writing waits its turn (busy_timeout).
        async with self._work(None) as work:
            return await self._store(work, checked, headers, body)

    async def _check(
        self,
        work: UnitOfWork,
        platform: str,
        token: str,
        headers: Mapping[str, str],
        body: bytes,
    ) -> Received | tuple[uuid.UUID, uuid.UUID, WebhookEvent]:
        """`(tenant_id, store_id, event)` of a delivery whose signature holds, or the answer."""
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
        return store.tenant_id, store.id, event

    async def _store(
        self,
        work: UnitOfWork,
        checked: tuple[uuid.UUID, uuid.UUID, WebhookEvent],
        headers: Mapping[str, str],
        body: bytes,
    ) -> Received:
        tenant_id, store_id, event = checked
        delivery_id = uuid.uuid4()
        # A repeat (the same store and event key) is refused by the unique index, without an
        # error (so without a savepoint on PostgreSQL).
        stored = await work.session.execute(
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
                received_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["store_id", "event_key"])
            .returning(WebhookDelivery.__table__.c.id)
        )
        if stored.scalar_one_or_none() is None:
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
                await self._apply_batch(work, deliveries)
            return True
        except Exception:
            if not ids or len(ids) == 1:
                if ids:
                    await self._apply_one(ids[0])
                    return True
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
                await self._apply_batch(work, [delivery])
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

    async def _apply_batch(self, work: UnitOfWork, deliveries: list[WebhookDelivery]) -> None:
        """Apply `deliveries` in the unit's transaction with a fixed number of statements per
        store, whatever their number: repeats of one product are settled in memory (the newest
        wins, the others are stale), then each store's deletions are one DELETE and its
        upserts one `CatalogWriter` write (the path a sync's page takes), with their changes in
        the feed, and each delivery's outcome is recorded with the others of that outcome."""
        session = work.session
        # The claim is the transaction's first write: a second process that read the same rows
        # changes nothing (it waits, then finds them no longer pending, or fails before
        # applying). On PostgreSQL the rows are locked already (`next_pending`).
        claimed = set(
            (
                await session.execute(
                    update(WebhookDelivery)
                    .where(
                        WebhookDelivery.id.in_([delivery.id for delivery in deliveries]),
                        WebhookDelivery.status == "pending",
                    )
                    .values(claimed_at=utcnow())
                    .returning(WebhookDelivery.id)
                    .execution_options(synchronize_session=False)
                )
            ).scalars()
        )
        mine = [delivery for delivery in deliveries if delivery.id in claimed]
        if not mine:
            return
        stores = {
            store.id: store
            for store in await session.scalars(
                select(Store).where(Store.id.in_({delivery.store_id for delivery in mine}))
            )
        }
        outcomes: dict[uuid.UUID, str] = {}
        by_store: dict[uuid.UUID, list[tuple[WebhookDelivery, WebhookEvent]]] = {}
        for delivery in mine:
            store = stores.get(delivery.store_id)
            hooks = webhook_platform(store.platform) if store is not None else None
            if store is None or hooks is None:
                outcomes[delivery.id] = "ignored"
                continue
            event = hooks.parse(
                delivery.headers,
                delivery.body.encode(),
                currency=store.store_info.get("currency"),
            )
            if event.action not in _APPLIED or not event.product_id:
                outcomes[delivery.id] = "ignored"
                continue
            by_store.setdefault(store.id, []).append((delivery, event))
        for store_id in sorted(by_store):  # one order of the stores' locks in every process
            outcomes.update(await self._apply_store(work, stores[store_id], by_store[store_id]))
        by_outcome: dict[str, list[uuid.UUID]] = {}
        for delivery_id, outcome in outcomes.items():
            by_outcome.setdefault(outcome, []).append(delivery_id)
        now = utcnow()
        for outcome, ids in sorted(by_outcome.items()):
            await session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id.in_(ids))
                .values(
                    status=outcome,
                    attempts=WebhookDelivery.attempts + 1,
                    processed_at=now,
                    error=None,
                )
                .execution_options(synchronize_session=False)
            )

    async def _apply_store(
        self,
        work: UnitOfWork,
        store: Store,
        events: list[tuple[WebhookDelivery, WebhookEvent]],
    ) -> dict[uuid.UUID, str]:
        """One store's part of a batch (its deliveries in the order received); returns each
        delivery's outcome."""
        session = work.session
        sql = dialect_of(session)
        # Two processes applying deliveries of one store take turns (on PostgreSQL; SQLite has
        # one writer): each reads what the other wrote before it decides what is stale.
        await sql.lock(session, "webhooks", store.id)
        outcomes: dict[uuid.UUID, str] = {}
        newest: dict[str, tuple[WebhookDelivery, WebhookEvent]] = {}
        # A variant's own deliveries are settled per variant: the newest of each wins.
        variants: dict[tuple[str, str], tuple[WebhookDelivery, WebhookEvent]] = {}
        for delivery, event in events:
            assert event.product_id is not None
            if event.variant is not None:
                key = (event.product_id, event.variant.id)
                _keep_newest(variants, key, delivery, event, outcomes)
            else:
                _keep_newest(newest, event.product_id, delivery, event, outcomes)

        held: dict[str, Any] = {}
        read = list(newest.keys() | {product_id for product_id, _ in variants})
        for condition in sql.key_in(StoreProduct.platform_product_id, read):
            found = await session.execute(
                select(
                    StoreProduct.platform_product_id,
                    StoreProduct.source_updated_at,
                    StoreProduct.seen_by_sync_id,
                    StoreProduct.content_hash,
                ).where(
                    StoreProduct.tenant_id == store.tenant_id,
                    StoreProduct.store_id == store.id,
                    condition,
                )
            )
            held.update((row.platform_product_id, row) for row in found)
        # A product the hub does not hold may have been deleted after the delivery's change:
        # its last change (the deletion) is the tombstone.
        tombstones = await ChangeRepository(session, store.tenant_id).latest_of(
            store.id,
            [pid for pid, (_, event) in newest.items() if pid not in held and event.occurred_at],
        )

        deleted: list[ChangeEntry] = []
        upserts: list[tuple[uuid.UUID, WebhookEvent]] = []
        for product_id, (delivery, event) in newest.items():
            row = held.get(product_id)
            if _stale(event, row, tombstones.get(product_id)):
                outcomes[delivery.id] = "stale"
            elif event.action == "delete":
                if row is None:
                    outcomes[delivery.id] = "unchanged"
                    continue
                outcomes[delivery.id] = "deleted"
                # The tombstone's time: an update no newer than what the hub last held is stale.
                moments = [m for m in (event.occurred_at, row.source_updated_at) if m is not None]
                deleted.append(
                    ChangeEntry(product_id, "deleted", max(moments) if moments else None)
                )
            else:
                upserts.append((delivery.id, event))

        delta = 0
        if deleted:
            ids = [entry.platform_product_id for entry in deleted]
            for condition in sql.key_in(StoreProduct.platform_product_id, ids):
                await session.execute(
                    delete(StoreProduct).where(
                        StoreProduct.tenant_id == store.tenant_id,
                        StoreProduct.store_id == store.id,
                        condition,
                    )
                )
            await record_changes(session, store.tenant_id, store.id, deleted, source="webhook")
            delta -= len(deleted)
        changed = [(delivery.id, event) for delivery, event in variants.values()]
        if upserts or changed:
            # Deliveries that carry part of a product are completed from the row held.
            partial = variant_rows.wanted(upserts, (event for _, event in changed))
            stored = await _held_products(session, store, sorted(partial & held.keys()))
            gone = {entry.platform_product_id for entry in deleted}
            writes, ignored = variant_rows.complete(upserts, changed, stored, gone)
            outcomes.update((delivery_id, "ignored") for delivery_id in ignored)
            delta += await self._upsert(work, store, writes, held, outcomes)
        if delta:
            await _adjust(session, store.id, delta)
        return outcomes

    async def _upsert(
        self,
        work: UnitOfWork,
        store: Store,
        writes: list[ProductWrite],
        held: dict[str, Any],
        outcomes: dict[uuid.UUID, str],
    ) -> int:
        """Write the products of `writes` in one `CatalogWriter` batch (those whose content
        the hub holds already are only counted); returns how many were new."""
        session = work.session
        running: uuid.UUID | None = None
        if any(write.product.id not in held for write in writes):
            running = await repository.running_sync_id(session, store.id)
        batch = IngestBatch.prepare(
            [write.product for write in writes],
            tenant_id=store.tenant_id,
            store_id=store.id,
            sync_id=running or uuid.uuid4(),
        )
        for write in writes:
            product_id = write.product.id
            row = batch.rows[product_id]
            previous = held.get(product_id)
            if previous is not None and previous.content_hash == row["content_hash"]:
                outcomes.update((delivery_id, "unchanged") for delivery_id in write.deliveries)
                del batch.rows[product_id]
                continue
            outcomes.update((delivery_id, "upserted") for delivery_id in write.deliveries)
            # Keep the row's mark of the sync that last saw it, or take the running sync's: a
            # full sync under way must not remove a product a webhook has just written.
            if previous is not None and previous.seen_by_sync_id is not None:
                row["seen_by_sync_id"] = previous.seen_by_sync_id
            # The delivery's own time may be finer than the product's (Shopify's updated_at
            # has whole seconds, X-Shopify-Triggered-At milliseconds): the finer one orders
            # what comes next.
            moment = write.occurred_at
            if moment is not None and (
                row["source_updated_at"] is None or moment > row["source_updated_at"]
            ):
                row["source_updated_at"] = moment
        if not batch.rows:
            return 0
        result = await CatalogWriter(session, store.tenant_id).write(
            batch, method="values", source="webhook"
        )
        return result.created


def _keep_newest(
    kept: dict[Any, tuple[WebhookDelivery, WebhookEvent]],
    key: Any,
    delivery: WebhookDelivery,
    event: WebhookEvent,
    outcomes: dict[uuid.UUID, str],
) -> None:
    """Keep `delivery` under `key` unless an earlier one of the batch is newer; the one of
    the two that loses is stale."""
    current = kept.get(key)
    if current is not None and _older(event, current[1]):
        outcomes[delivery.id] = "stale"
        return
    if current is not None:
        outcomes[current[0].id] = "stale"  # a newer delivery came after
    kept[key] = (delivery, event)


async def _held_products(session: Any, store: Store, product_ids: list[str]) -> dict[str, Product]:
    """The products the hub holds of `product_ids` (for deliveries that carry part of one)."""
    found: dict[str, Product] = {}
    for condition in dialect_of(session).key_in(StoreProduct.platform_product_id, product_ids):
        result = await session.execute(
            select(StoreProduct.platform_product_id, StoreProduct.data).where(
                StoreProduct.tenant_id == store.tenant_id,
                StoreProduct.store_id == store.id,
                condition,
            )
        )
        for product_id, data in result:
            product = variant_rows.held_product(data)
            if product is not None:
                found[product_id] = product
    return found


def _older(event: WebhookEvent, than: WebhookEvent) -> bool:
    """`event` changed the product before `than` did (unknown times: the later received wins)."""
    return (
        event.occurred_at is not None
        and than.occurred_at is not None
        and event.occurred_at < than.occurred_at
    )


def _stale(event: WebhookEvent, held: Any, tombstone: ProductChange | None) -> bool:
    """Older than the row the hub holds, or than the product's deletion when it holds none."""
    moment = event.occurred_at
    if moment is None:
        return False
    if held is not None:
        return held.source_updated_at is not None and bool(moment < held.source_updated_at)
    return (
        tombstone is not None
        and tombstone.kind == "deleted"
        and tombstone.source_updated_at is not None
        and moment <= tombstone.source_updated_at
    )


async def _adjust(session: Any, store_id: uuid.UUID, delta: int) -> None:
    await session.execute(
        update(Store)
        .where(Store.id == store_id)
        .values(products_synced=Store.products_synced + delta)
    )
