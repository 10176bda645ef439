"""Rules over the API: inventory (stock minus a buffer) and price (marked up or down and
rounded).

POST   /api/rules                    {name, kind, source_store_id, target_store_ids, ...}
GET    /api/rules
GET    /api/rules/{id}
PATCH  /api/rules/{id}               {enabled}
DELETE /api/rules/{id}
GET    /api/rules/{id}/dry-run       what it would change now; writes nothing
POST   /api/rules/{id}/run           writes it (compare-and-set, audited with the rule)
GET    /api/rules/{id}/runs          its latest runs, newest first
"""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from pydantic import BaseModel, ConfigDict

from g4hub_core import Unit
from g4hub_core.rules import RuleCreate, RulePlan, RuleRead, RuleRun, RuleRunRead
from hub_api.auth.principal import Principal
from hub_api.errors import documented_errors

__all__ = ["RuleController"]

RuleId = Annotated[uuid.UUID, PathParameter(description="The rule's id.")]


class RuleList(BaseModel):
    model_config = ConfigDict(frozen=True)

    items: list[RuleRead]


class RuleRunList(BaseModel):
    model_config = ConfigDict(frozen=True)

    items: list[RuleRunRead]


class RuleSwitch(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool


class RuleController(Controller):
    path = "/api/rules"
    tags = ["rules"]

    @post("/", status_code=HTTP_201_CREATED, summary="Add a rule", raises=documented_errors(404))
    async def create_rule(
        self, unit: NamedDependency[Unit], data: JSONBody[RuleCreate]
    ) -> RuleRead:
        """`kind: inventory` keeps the targets' stock equal to the source store's, per SKU, minus
        `buffer`. `kind: price` keeps their price (`sync_price`) and/or sale price
        (`sync_sale_price`) at the source's, adjusted by `price_adjustment`
        (`price_adjustment_type` `percent` or `amount`; negative for a markdown) and rounded
        (`price_rounding`: `none`, `whole`, `end_99`). A store of another tenant is 404; the
        source among the targets is 422."""
        return await unit.rules.create(data)

    @get("/", summary="List the rules")
    async def list_rules(self, unit: NamedDependency[Unit]) -> RuleList:
        return RuleList(items=await unit.rules.all())

    @get("/{rule_id:uuid}", summary="A rule")
    async def get_rule(self, unit: NamedDependency[Unit], rule_id: RuleId) -> RuleRead:
        return await unit.rules.get(rule_id)

    @delete("/{rule_id:uuid}", status_code=HTTP_204_NO_CONTENT, summary="Remove a rule")
    async def delete_rule(self, unit: NamedDependency[Unit], rule_id: RuleId) -> None:
        """The rule and its runs; the audit trail of its writes stays."""
        await unit.rules.delete(rule_id)

    @get("/{rule_id:uuid}/runs", summary="A rule's latest runs")
    async def runs(self, unit: NamedDependency[Unit], rule_id: RuleId) -> RuleRunList:
        """Newest first (at most 20): by hand (`manual`, with the user) or on a change at the
        source (`change`), each with its counts and its items' outcomes."""
        return RuleRunList(items=await unit.rules.runs(rule_id))

    @patch("/{rule_id:uuid}", summary="Switch a rule on or off")
    async def switch(
        self, unit: NamedDependency[Unit], rule_id: RuleId, data: JSONBody[RuleSwitch]
    ) -> RuleRead:
        """An enabled rule runs whenever its source store changes (a sync, a webhook, an edit
        through the hub), within a few seconds."""
        return await unit.rules.set_enabled(rule_id, data.enabled)

    @get("/{rule_id:uuid}/dry-run", summary="What a rule would change")
    async def dry_run(self, unit: NamedDependency[Unit], rule_id: RuleId) -> RulePlan:
        """Each target product's field (`stock_quantity`, `price`, `sale_price`) that differs
        from what the rule wants, with its current and planned value (from the hub's rows).
        Nothing is written."""
        return await unit.rules.dry_run(rule_id)

    @post("/{rule_id:uuid}/run", status_code=HTTP_200_OK, summary="Run a rule now")
    async def run(
        self,
        unit: NamedDependency[Unit],
        principal: NamedDependency[Principal],
        rule_id: RuleId,
    ) -> RuleRun:
        """Write the plan through the write path: each change expects the target's values as
        planned (a sale or edit in between is a `conflict`, not overwritten); each is audited,
        and the run is recorded."""
        return await unit.rules.run(rule_id, actor=principal.email)
