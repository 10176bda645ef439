"""The published shape of store bodies: one schema per platform, built from the platforms'
descriptors when the schema is made, and joined by `platform` (a discriminated union). It says
what the server accepts: a platform that is registered, and only that platform's credential
fields (`g4hub_core.stores.schemas` checks bodies against the same descriptors)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from litestar.openapi.spec import (
    Discriminator,
    OpenAPIType,
    Operation,
    Reference,
    RequestBody,
    Schema,
)

from g4hub_connectors import PlatformDescriptor, descriptors
from g4hub_core.stores.schemas import SYNC_INTERVAL_MINUTES
from hub_api.auth.openapi import HubOperation

__all__ = ["StoreBodyKind", "store_body_operation", "store_body_schema"]

StoreBodyKind = Literal["credentials", "create", "update"]

_NULL = Schema(type=OpenAPIType.NULL)
_NULLABLE_TEXT = Schema(one_of=[Schema(type=OpenAPIType.STRING), _NULL])


def _common(kind: StoreBodyKind) -> dict[str, Schema | Reference]:
    properties: dict[str, Schema | Reference] = {
        "store_url": Schema(
            type=OpenAPIType.STRING,
            pattern=r"\S",  # an empty or blank address is refused
            description="The store's address.",
        ),
        "api_version": _NULLABLE_TEXT,
    }
    if kind in ("create", "update"):
        low, high = SYNC_INTERVAL_MINUTES
        properties["name"] = Schema(type=OpenAPIType.STRING, min_length=1, max_length=200)
        properties["sync_interval_minutes"] = Schema(
            one_of=[
                Schema(type=OpenAPIType.INTEGER, minimum=low, maximum=high),
                Schema(type=OpenAPIType.NULL),
            ],
            description=f"Minutes between scheduled syncs ({low} to {high}); null: no schedule.",
        )
        properties["force"] = Schema(type=OpenAPIType.BOOLEAN, default=False)
    if kind == "create":
        properties["sync"] = Schema(type=OpenAPIType.BOOLEAN, default=False)
    return properties


def _any_case(name: str) -> str:
    letters = "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in name)
    return rf"^\s*{letters}\s*$"


def _platform_schema(descriptor: PlatformDescriptor, kind: StoreBodyKind) -> Schema:
    platform = Schema(type=OpenAPIType.STRING, const=descriptor.platform)
    if kind == "update":
        # A change may send the store back as a form shows it: the name in any case.
        platform = Schema(type=OpenAPIType.STRING, pattern=_any_case(descriptor.platform))
    properties: dict[str, Schema | Reference] = {"platform": platform, **_common(kind)}
    if descriptor.apis:
        properties["api"] = Schema(
            one_of=[Schema(type=OpenAPIType.STRING, enum=list(descriptor.apis)), _NULL],
            description=(
                f"The {descriptor.label} API to use: a new store without one gets "
                f"{descriptor.default_api}; a change without one keeps the store's."
            ),
        )
    else:
        properties["api"] = Schema(one_of=[_NULL], description="This platform has one API.")
    required: list[str] = []
    if kind != "update":
        required = ["platform", "store_url"]
        if len(descriptor.sets) == 1:
            # With one way to authenticate its fields are required; with several, the server
            # says which set is incomplete.
            required += list(descriptor.sets[0].fields)
        if kind == "create":
            required.append("name")
    for field in descriptor.fields:
        text = Schema(type=OpenAPIType.STRING, write_only=True if field.secret else None)
        properties[field.name] = Schema(
            one_of=[text] if field.name in required else [text, _NULL],
            description=field.label + (f": {field.help}" if field.help else ""),
        )
    ways = " or ".join(f"{s.label} ({', '.join(s.fields)})" for s in descriptor.sets)
    return Schema(
        type=OpenAPIType.OBJECT,
        title=f"{descriptor.label} store",
        properties=properties,
        required=sorted(required) or None,
        additional_properties=False,
        description=f"A {descriptor.label} store. Authenticates with {ways}.",
    )


def store_body_schema(kind: StoreBodyKind) -> Schema:
    """The schema of a store body of `kind`, for every platform registered now."""
    branches = [_platform_schema(d, kind) for d in descriptors()]
    if kind == "update":
        # A change names its platform only optionally, so a body may fit several branches.
        return Schema(
            any_of=branches,
            description="Only the fields given change; credential fields are the store's "
            "platform's own.",
        )
    return Schema(
        one_of=branches,
        discriminator=Discriminator(property_name="platform"),
        description="The store's connection settings, by platform.",
    )


def store_body_operation(kind: StoreBodyKind) -> type[Operation]:
    """An `Operation` class for a route's `operation_class=`: the hub's error responses
    (`HubOperation`), and a JSON body whose schema is `store_body_schema(kind)`, made when the
    schema is generated."""

    @dataclass
    class StoreBodyOperation(HubOperation):
        def __post_init__(self) -> None:
            super().__post_init__()
            if not isinstance(self.request_body, RequestBody):
                return
            media = self.request_body.content.get("application/json")
            if media is not None:
                media.schema = store_body_schema(kind)

    StoreBodyOperation.__name__ = f"StoreBodyOperation_{kind}"
    return StoreBodyOperation
