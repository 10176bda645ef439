"""Inventory rules over the API.

POST /api/rules                      {name, source_store_id, target_store_ids, buffer, ...}
GET  /api/rules
GET  /api/rules/{id}/dry-run         what it would change now; writes nothing
POST /api/rules/{id}/run             writes it (compare-and-set, audited with the rule)
"""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from pydantic import BaseModel, ConfigDict

from g4hub_core import Unit
from g4hub_core.rules import RuleCreate, RulePlan, RuleRead, RuleRun
from hub_api.auth.principal import Principal

__all__ = ["RuleController"]

RuleId = Annotated[uuid.UUID, PathParameter(description="The rule's id.")]


class RuleList(BaseModel):
    model_config = ConfigDict(frozen=True)

    items: list[RuleRead]


class RuleSwitch(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool


class RuleController(Controller):
    path = "/api/rules"
    tags = ["rules"]

    @post("/", status_code=HTTP_201_CREATED, summary="Add an inventory rule")
    async def create_rule(
        self, unit: NamedDependency[Unit], data: JSONBody[RuleCreate]
    ) -> RuleRead:
        """Keep the targets' stock equal to the source store's, per SKU, minus `buffer`. A store
        of another tenant is 404; the source among the targets is 422."""
        return await unit.rules.create(data)

    @get("/", summary="List the inventory rules")
    async def list_rules(self, unit: NamedDependency[Unit]) -> RuleList:
        return RuleList(items=await unit.rules.all())

    @patch("/{rule_id:uuid}", summary="Switch a rule on or off")
    async def switch(
        self, unit: NamedDependency[Unit], rule_id: RuleId, data: JSONBody[RuleSwitch]
    ) -> RuleRead:
        """An enabled rule runs whenever its source store changes (a sync, a webhook, an edit
        through the hub), within a few seconds."""
        return await unit.rules.set_enabled(rule_id, data.enabled)

    @get("/{rule_id:uuid}/dry-run", summary="What a rule would change")
    async def dry_run(self, unit: NamedDependency[Unit], rule_id: RuleId) -> RulePlan:
        """Each target product whose stock differs from the source's minus the buffer, with its
        current and planned stock (from the hub's rows). Nothing is written."""
        return await unit.rules.dry_run(rule_id)

    @post("/{rule_id:uuid}/run", status_code=HTTP_200_OK, summary="Run a rule now")
    async def run(
        self,
        unit: NamedDependency[Unit],
        principal: NamedDependency[Principal],
        rule_id: RuleId,
    ) -> RuleRun:
        """Write the plan through the write path: each change expects the target's stock as
        planned (a sale in between is a `conflict`, not overwritten); each is audited."""
        return await unit.rules.run(rule_id, actor=principal.email)
