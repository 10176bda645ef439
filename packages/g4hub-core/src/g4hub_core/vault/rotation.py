"""Key rotation: re-seal every store's credentials under the vault's sealing key.

Put the new key first in `G4HUB_SECRET_KEYS` and keep the old ones after it, run the rotation
(`g4hub keys rotate`), then drop the old keys: nothing is sealed under them any more.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Protocol

import attrs
from sqlalchemy import Text, func, select, type_coerce, update

from g4hub_core.errors import VaultError
from g4hub_core.models import Store
from g4hub_core.vault.vault import store_context

if TYPE_CHECKING:
    from g4hub_core.unit import UnitOfWork
    from g4hub_core.vault.vault import Vault


class Hub(Protocol):
    """What a rotation needs of the hub (`g4hub_core.Hub` is one): its vault, and units."""

    @property
    def vault(self) -> Vault: ...

    def unit(self) -> UnitOfWork: ...


__all__ = ["RotationReport", "rotate_credentials"]


@attrs.frozen
class RotationReport:
    resealed: int
    """Credentials this run re-sealed under the sealing key."""
    already_current: int
    """Credentials under the sealing key that this run did not need to re-seal (sealed under it
    before, or by an edit of the store while the run went on)."""
    batches: int
    """Transactions that re-sealed something."""


async def rotate_credentials(hub: Hub, *, batch_size: int = 100) -> RotationReport:
    """Re-seal every store's `api_credentials` not under `hub.vault.primary_key_id`.

    This is deliberately not scoped to a tenant: it is the operator's maintenance of the vault,
    and every tenant's credentials must leave the old key before that key can be dropped.

    Each batch of `batch_size` stores (in store id order) commits on its own, so an interrupted
    run keeps what it finished and a re-run only touches what is left. A credential that cannot
    be opened stops the run with a `VaultError` naming the store; earlier batches stay done.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    vault = hub.vault
    current = type_coerce(Store.api_credentials, Text).startswith(
        f"{vault.primary_key_id}:", autoescape=True
    )
    resealed = batches = 0
    after: uuid.UUID | None = None
    while True:
        async with hub.unit() as unit:
            statement = (
                select(Store.id, Store.tenant_id, Store.api_credentials)
                .where(~current)
                .order_by(Store.id)
                .limit(batch_size)
                # PostgreSQL holds edits of these rows until the batch commits; SQLite (which
                # ignores FOR UPDATE) is covered by the compare-and-set below.
                .with_for_update()
            )
            if after is not None:
                statement = statement.where(Store.id > after)
            rows = (await unit.session.execute(statement)).all()
            if not rows:
                break
            changed = 0
            for store_id, tenant_id, sealed in rows:
                context = store_context(tenant_id, store_id)
                try:
                    plaintext = vault.open(sealed, context=context)
                except VaultError as exc:
                    raise VaultError(
                        f"Key rotation stopped at store {store_id} of tenant {tenant_id}: "
                        f"{exc.message} Earlier batches are re-sealed; run the rotation again "
                        "once this store is fixed.",
                        code=exc.code,
                        details={"store_id": str(store_id), "tenant_id": str(tenant_id)},
                    ) from None
                written = await unit.session.execute(
                    update(Store)
                    # Only if nobody replaced the credentials since they were read: an edit's
                    # new credentials must not be overwritten with the old ones.
                    .where(Store.id == store_id, Store.api_credentials == sealed)
                    .values(
                        api_credentials=vault.seal(plaintext, context=context),
                        # Re-sealing changes nothing the tenant could see.
                        updated_at=Store.updated_at,
                    )
                    .returning(Store.id)
                    .execution_options(synchronize_session=False)
                )
                if written.first() is not None:
                    changed += 1
            after = rows[-1][0]
        resealed += changed
        batches += 1 if changed else 0
    async with hub.unit() as unit:
        under_primary = await unit.session.scalar(
            select(func.count()).select_from(Store).where(current)
        )
    return RotationReport(
        resealed=resealed, already_current=(under_primary or 0) - resealed, batches=batches
    )
