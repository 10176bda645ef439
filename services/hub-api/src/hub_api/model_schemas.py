"""Request bodies published as the server takes them.

Litestar documents a pydantic model by its fields alone: a model that refuses unknown fields
(`extra="forbid"`) would be published as open, and a rule a model checks as a whole (a change
must set at least one field; a field may be left out but not sent as `null`) not at all, so a
client following the schema would be refused. `ModelRulesSchemaPlugin` closes every model that
forbids extras and publishes the rules `RULES` states for a model (and its subclasses), where
the hub's API owns what it tells clients.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import attrs
from litestar.openapi.spec import OpenAPIType, Schema
from litestar.plugins.pydantic import PydanticSchemaPlugin
from pydantic import BaseModel

from g4hub_core.rules import RuleCreate
from g4hub_core.writes.schemas import WRITABLE_FIELDS, ExpectedValues, ProductChange

__all__ = ["RULES", "ModelRules", "ModelRulesSchemaPlugin"]


@attrs.frozen
class ModelRules:
    """What a model checks beyond its fields' own types."""

    one_of_required: tuple[str, ...] = ()
    """At least one of these fields must be sent."""
    not_null: tuple[str, ...] = ()
    """Fields that may be left out but not sent as `null`."""
    fields: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    """Schema attributes to set on a field's schema (`pattern`, `max_length`, ...), where the
    model checks what its field's type does not say."""
    all_of: tuple[Schema, ...] = ()
    """Conditions on the whole body (one field's rule depending on another's value)."""


MONEY = r"^\s*0*\d{1,11}(\.\d{0,4}0*)?\s*$"
"""A price as text, as the write models take it: at most 11 digits before the point and 4
after it (trailing zeros aside), spaces around it allowed."""

DECIMAL = r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$"
"""Any decimal number as text (an expected value is compared, not written)."""

ADJUSTMENT = r"^\s*[-+]?0*\d{1,8}(\.\d{0,4}0*)?\s*$"
"""A rule's price adjustment as text: signed, at most 8 digits before the point and 4 after."""

PERCENT = (
    r"^\s*(\+?0*(\d{1,3}(\.\d{0,4}0*)?|1000(\.0*)?)|-0*(\d{1,2}(\.\d{0,4}0*)?|100(\.0*)?))\s*$"
)
"""A price rule's percent adjustment: -100 to 1000 (`rules.schemas.MAX_PERCENT`)."""

AMOUNT = r"^\s*[-+]?0*(\d{1,6}(\.\d{0,4}0*)?|1000000(\.0*)?)\s*$"
"""A price rule's amount adjustment: at most 1,000,000 either way (`rules.schemas.MAX_AMOUNT`)."""


def _when(field: str, value: object, then: Schema, otherwise: Schema | None = None) -> Schema:
    """`then` applies when the body sends `field` as `value`, else `otherwise`."""
    return Schema(
        schema_if=Schema(properties={field: Schema(const=value)}, required=[field]),
        then=then,
        schema_else=otherwise,
    )


PRICE_RULE = _when(
    "kind",
    "price",
    Schema(
        all_of=[
            # The type defaults to percent.
            _when(
                "price_adjustment_type",
                "amount",
                Schema(properties={"price_adjustment": Schema(pattern=AMOUNT)}),
                Schema(properties={"price_adjustment": Schema(pattern=PERCENT)}),
            ),
            # It keeps the price (the default), the sale price or both.
            Schema(
                any_of=[
                    Schema(properties={"sync_price": Schema(const=True)}),
                    Schema(
                        properties={"sync_sale_price": Schema(const=True)},
                        required=["sync_sale_price"],
                    ),
                ]
            ),
        ]
    ),
)
"""What `RuleCreate` checks of a price rule as a whole."""

RULES: dict[type[BaseModel], ModelRules] = {
    RuleCreate: ModelRules(
        fields={"price_adjustment": {"pattern": ADJUSTMENT}}, all_of=(PRICE_RULE,)
    ),
    ExpectedValues: ModelRules(
        fields={"price": {"pattern": DECIMAL}, "sale_price": {"pattern": DECIMAL}}
    ),
    ProductChange: ModelRules(
        one_of_required=WRITABLE_FIELDS,
        not_null=("price", "stock_quantity", "manage_stock"),
        fields={"price": {"pattern": MONEY}, "sale_price": {"pattern": MONEY}},
    ),
}


def register(model: type[BaseModel], rules: ModelRules) -> type[BaseModel]:
    """Add `rules` for `model` (for a model of the API's own)."""
    RULES[model] = rules
    return model


class ModelRulesSchemaPlugin(PydanticSchemaPlugin):
    """Pydantic's schema plugin, with closed models and `RULES` applied."""

    @classmethod
    def for_pydantic_model(cls, field_definition: Any, schema_creator: Any) -> Schema:
        schema = super().for_pydantic_model(field_definition, schema_creator)
        model = field_definition.annotation
        if model.model_config.get("extra") == "forbid":
            schema.additional_properties = False
        rules = next((RULES[base] for base in model.__mro__ if base in RULES), None)
        if rules is not None:
            _apply(schema, rules)
        return schema


def _apply(schema: Schema, rules: ModelRules) -> None:
    if rules.one_of_required:
        schema.any_of = [Schema(required=[name]) for name in rules.one_of_required]
    if rules.all_of:
        schema.all_of = [*(schema.all_of or []), *rules.all_of]
    properties = schema.properties or {}
    for name in rules.not_null:
        field = properties.get(name)
        if isinstance(field, Schema) and field.one_of:
            kept = [s for s in field.one_of if getattr(s, "type", None) != OpenAPIType.NULL]
            properties[name] = dataclasses.replace(field, one_of=kept)
    for name, attributes in rules.fields.items():
        field = properties.get(name)
        if isinstance(field, Schema):
            properties[name] = dataclasses.replace(field, **attributes)
