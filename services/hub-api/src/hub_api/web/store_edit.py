"""Changing and deleting a store: `/stores/<id>/edit` (name, address, credentials; new
connection settings are tested before they are saved) and `/stores/<id>/delete` (a confirmation
page, then the deletion)."""

from __future__ import annotations

from typing import Any

import pydantic
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from g4hub_connectors import get_descriptor
from g4hub_core import Conflict, Hub, InvalidInput, StoreConnectionFailed, Unit, VaultError
from g4hub_core.stores.schemas import StoreRead, StoreUpdate
from hub_api.web.credentials import CredentialInput, advice_for, validation_message
from hub_api.web.errors import PageError
from hub_api.web.forms import read_form, read_schedule
from hub_api.web.rendering import PAGE_HEADERS, page
from hub_api.web.stores import parse_store_id

__all__ = ["StoreEditController"]


def _edit_page(
    store: StoreRead,
    *,
    name: str,
    store_url: str,
    schedule: int | None,
    status: int = 200,
    error: str | None = None,
    advice: str | None = None,
    request_id: str | None = None,
    field_errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    api: str | None = None,
) -> Template:
    return page(
        "store_edit.html",
        status_code=status,
        store=store,
        api=api,
        name=name,
        store_url=store_url,
        schedule=schedule,
        descriptor=get_descriptor(store.platform),
        values=values or {},
        error=error,
        advice=advice,
        request_id=request_id,
        field_errors=field_errors or {},
    )


async def _current_api(unit: Unit, store: StoreRead) -> str | None:
    """The API the store uses, or `None` when its credentials no longer open (the page still
    lets the merchant give new ones) or its platform has one API."""
    try:
        return await unit.stores.api_of(store.id)
    except VaultError:
        return None


class StoreEditController(Controller):
    path = "/stores/{store_id:str}"
    include_in_schema = False

    @get("/edit")
    async def edit_form(self, unit: NamedDependency[Unit], store_id: FromPath[str]) -> Template:
        store = await unit.stores.get(parse_store_id(store_id))
        return _edit_page(
            store,
            name=store.name,
            store_url=store.store_url,
            schedule=store.sync_interval_minutes,
            api=await _current_api(unit, store),
        )

    @post("/edit")
    async def edit(
        self, request: Request[Any, Any, Any], unit: NamedDependency[Unit], store_id: FromPath[str]
    ) -> Redirect:
        store = await unit.stores.get(parse_store_id(store_id))
        form = await read_form(request)
        name = form.text("name", max_length=500)
        descriptor = get_descriptor(store.platform)
        given = CredentialInput(descriptor, form, require_all=False)
        api = await _current_api(unit, store)
        errors = {}
        try:
            # A form without the field (a script's) keeps the schedule as it is.
            schedule = read_schedule(form) if "schedule" in form else store.sync_interval_minutes
        except ValueError:
            schedule = store.sync_interval_minutes
            errors["schedule"] = "Pick one of the choices."

        def again(message: str, **kwargs: Any) -> PageError:
            return PageError(
                _edit_page(
                    store,
                    name=name,
                    store_url=given.store_url,
                    schedule=schedule,
                    error=message,
                    values=given.shown(),
                    api=api,
                    **kwargs,
                )
            )

        if not name:
            errors["name"] = "Enter a name."
        elif len(name) > 200:
            errors["name"] = "Use at most 200 characters."
        if not given.store_url:
            errors["store_url"] = "Enter the store's address."
        errors.update({k: v for k, v in given.errors.items() if k != "store_url"})
        if errors:
            raise again("Some fields need your attention.", status=422, field_errors=errors)
        changes = {k: v for k, v in given.settings().items() if k != "platform"}
        if "api" in changes and changes["api"] == api:
            # The API the store already uses: not a change, so nothing to test again.
            del changes["api"]
        try:
            await unit.stores.update(
                store.id, StoreUpdate(name=name, sync_interval_minutes=schedule, **changes)
            )
        except pydantic.ValidationError as exc:
            raise again(validation_message(exc), status=422) from None
        except StoreConnectionFailed as exc:
            raise again(
                exc.message,
                status=422,
                advice=advice_for(descriptor, exc.code, exc.remedy),
                request_id=exc.request_id,
            ) from None
        except InvalidInput as exc:
            fields = {"store_url": exc.message} if "store_url" in exc.details else {}
            raise again(exc.message, status=422, field_errors=fields) from None
        except Conflict as exc:
            raise again(exc.message, status=409) from None
        return Redirect(
            f"/stores/{store.id}?notice=store_saved",
            status_code=HTTP_303_SEE_OTHER,
            headers=PAGE_HEADERS,
        )

    @get("/delete")
    async def confirm_delete(
        self, unit: NamedDependency[Unit], store_id: FromPath[str]
    ) -> Template:
        store = await unit.stores.get(parse_store_id(store_id))
        return page("store_delete.html", store=store)

    @post("/delete")
    async def delete(
        self, unit: NamedDependency[Unit], hub: NamedDependency[Hub], store_id: FromPath[str]
    ) -> Redirect:
        sid = parse_store_id(store_id)
        await unit.stores.get(sid)
        # Its webhook subscriptions at the store go first (best effort), as the API does.
        await hub.webhooks.unsubscribe(unit.tenant_id, sid)
        await unit.stores.delete(sid)
        return Redirect(
            "/stores?notice=deleted", status_code=HTTP_303_SEE_OTHER, headers=PAGE_HEADERS
        )
