"""The add-store wizard, `/stores/new`, one server-rendered form per step:

1. `GET /stores/new`: the platform (every registered platform, from its descriptor);
2. `GET /stores/new/credentials?platform=…`: the store's address and credentials;
3. `POST /stores/new/test`: a real connection test (`unit.stores.check`). Success shows the
   store's name and product count and seals the settings into a draft; failure shows the
   connector's message, what to do (from the platform's descriptor, by the error's code and
   remedy), and the credentials form again, with what the merchant typed kept in a sealed
   retry draft (secrets never in the page);
4. `POST /stores/new/configure` (with the draft): the store's name, sync now or later;
   `POST /stores/new/save` creates the store (testing it once more), queues the initial sync
   when asked, and sends the merchant to the store's page.

Between steps the only state is the sealed draft (`draft.py`): the page never holds the
credentials in plain text after step 2's form is posted.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import pydantic
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from g4hub_connectors import PlatformDescriptor, descriptors, find_descriptor
from g4hub_core import Conflict, Hub, InvalidInput, StoreConnectionFailed, Unit
from g4hub_core.stores.schemas import StoreCreate, StoreCredentials
from hub_api.web.credentials import CredentialInput, advice_for, validation_message
from hub_api.web.draft import Draft, DraftRejected, new_draft, open_draft, seal_draft
from hub_api.web.errors import PageError, error_page
from hub_api.web.forms import FormValues, platform_descriptor, read_form, read_schedule
from hub_api.web.rendering import PAGE_HEADERS, page
from hub_api.web.session import Viewer

__all__ = ["WizardController"]

_REJECTED = {
    "expired": (
        "This add-store form is more than 30 minutes old, so its connection test no longer "
        "counts. Start again and test the connection once more."
    ),
    "invalid": (
        "This add-store form was changed or belongs to another session, so it cannot be used. "
        "Start again from the first step."
    ),
}


def _choose_platform() -> str:
    labels = [d.label for d in descriptors()]
    named = " or ".join([", ".join(labels[:-1]), labels[-1]] if len(labels) > 1 else labels)
    return f"Choose {named} to continue."


def _platform_page(error: str | None = None, *, status: int = 200) -> Template:
    return page(
        "wizard_platform.html", status_code=status, error=error, step=1, platforms=descriptors()
    )


def _credentials_page(
    descriptor: PlatformDescriptor,
    *,
    step: int = 2,
    status: int = 200,
    given: CredentialInput | None = None,
    retry: str | None = None,
    error: str | None = None,
    advice: str | None = None,
    request_id: str | None = None,
    field_errors: dict[str, str] | None = None,
) -> Template:
    return page(
        "wizard_credentials.html",
        status_code=status,
        step=step,
        descriptor=descriptor,
        values=given.shown() if given is not None else {},
        kept=given.kept_hints() if given is not None and retry else {},
        retry=retry,
        error=error,
        advice=advice,
        request_id=request_id,
        field_errors=field_errors or {},
    )


def _configure_page(
    draft: Draft,
    token: str,
    *,
    name: str,
    sync: str = "now",
    schedule: int | None = None,
    status: int = 200,
    error: str | None = None,
    advice: str | None = None,
    field_errors: dict[str, str] | None = None,
) -> Template:
    return page(
        "wizard_configure.html",
        status_code=status,
        step=4,
        draft=draft,
        token=token,
        name=name,
        sync=sync,
        schedule=schedule,
        error=error,
        advice=advice,
        field_errors=field_errors or {},
    )


def _open(
    request: Request[Any, Any, Any], viewer: NamedDependency[Viewer], form: FormValues
) -> Draft:
    hub: Hub = request.app.state.hub
    try:
        return open_draft(hub.vault, viewer.tenant_id, form.text("draft", max_length=20_000))
    except DraftRejected as rejected:
        raise PageError(
            error_page(
                400,
                _REJECTED[rejected.reason],
                title="Start adding the store again",
                action=("/stores/new", "Start again"),
            )
        ) from None


def _kept(
    hub: Hub, viewer: Viewer, form: FormValues, descriptor: PlatformDescriptor
) -> dict[str, str]:
    """What an earlier failed try of this platform was given (its sealed retry draft), or
    nothing when there is none, or it expired or was altered: the merchant then types again."""
    token = form.text("retry", max_length=20_000)
    if not token:
        return {}
    try:
        draft = open_draft(hub.vault, viewer.tenant_id, token, kind="retry")
    except DraftRejected:
        return {}
    return draft.settings if draft.platform == descriptor.platform else {}


class WizardController(Controller):
    path = "/stores/new"
    include_in_schema = False

    @get("/")
    async def platform(self, viewer: NamedDependency[Viewer]) -> Template:
        return _platform_page()

    @get("/credentials")
    async def credentials(
        self, viewer: NamedDependency[Viewer], platform: FromQuery[str] = ""
    ) -> Template:
        descriptor = platform_descriptor(platform)
        if descriptor is None:
            return _platform_page(_choose_platform(), status=422)
        return _credentials_page(descriptor)

    @post("/test")
    async def test(
        self,
        request: Request[Any, Any, Any],
        viewer: NamedDependency[Viewer],
        unit: NamedDependency[Unit],
    ) -> Template:
        form = await read_form(request)
        descriptor = platform_descriptor(form.text("platform"))
        if descriptor is None:
            raise PageError(_platform_page(_choose_platform(), status=422))
        hub: Hub = request.app.state.hub
        given = CredentialInput(descriptor, form, kept=_kept(hub, viewer, form, descriptor))

        def again(message: str, **kwargs: Any) -> PageError:
            # What was typed is sealed into a retry draft: the page shows only what is not
            # secret, and the next try keeps the rest.
            retry = new_draft(given.settings(), None, None, kind="retry")
            return PageError(
                _credentials_page(
                    descriptor,
                    given=given,
                    retry=seal_draft(hub.vault, viewer.tenant_id, retry),
                    error=message,
                    **kwargs,
                )
            )

        if given.errors:
            raise again("Some fields need your attention.", status=422, field_errors=given.errors)
        try:
            check = await unit.stores.check(StoreCredentials(**given.settings()))
        except pydantic.ValidationError as exc:
            raise again(validation_message(exc), status=422) from None
        except InvalidInput as exc:
            fields = {"store_url": exc.message} if "store_url" in exc.details else {}
            raise again(
                exc.message,
                status=422,
                field_errors=fields,
                advice=advice_for(descriptor, exc.code, "fix_settings"),
            ) from None
        if not check.success:
            raise again(
                check.error_message or "The store refused the connection.",
                step=3,
                status=422,
                advice=advice_for(descriptor, check.error_code, check.remedy),
                request_id=check.request_id,
            )
        draft = new_draft(given.settings(), check.store_name, check.products_count)
        return page(
            "wizard_connected.html",
            step=3,
            check=check,
            draft=draft,
            token=seal_draft(hub.vault, viewer.tenant_id, draft),
        )

    @post("/configure")
    async def configure(
        self, request: Request[Any, Any, Any], viewer: NamedDependency[Viewer]
    ) -> Template:
        form = await read_form(request)
        draft = _open(request, viewer, form)
        return _configure_page(
            draft, form.text("draft", max_length=20_000), name=draft.store_name or ""
        )

    @post("/save")
    async def save(
        self,
        request: Request[Any, Any, Any],
        viewer: NamedDependency[Viewer],
        unit: NamedDependency[Unit],
    ) -> Redirect:
        form = await read_form(request)
        draft = _open(request, viewer, form)
        token = form.text("draft", max_length=20_000)
        name = form.text("name", max_length=500)
        sync = "later" if form.text("sync") == "later" else "now"
        try:
            schedule = read_schedule(form)
        except ValueError:
            schedule = None
            raise PageError(
                _configure_page(
                    draft,
                    token,
                    name=name,
                    sync=sync,
                    status=422,
                    error="Choose how often the hub syncs the store.",
                    field_errors={"schedule": "Pick one of the choices."},
                )
            ) from None

        def again(message: str, **kwargs: Any) -> PageError:
            return PageError(
                _configure_page(
                    draft, token, name=name, sync=sync, schedule=schedule, error=message, **kwargs
                )
            )

        if not name:
            raise again(
                "Give the store a name.", status=422, field_errors={"name": "Enter a name."}
            )
        if len(name) > 200:
            raise again(
                "The name is too long.",
                status=422,
                field_errors={"name": "Use at most 200 characters."},
            )
        try:
            store = await unit.stores.create(
                StoreCreate(**draft.settings, name=name, sync_interval_minutes=schedule)
            )
        except pydantic.ValidationError as exc:
            raise again(validation_message(exc), status=422) from None
        except StoreConnectionFailed as exc:
            advice = advice_for(find_descriptor(draft.platform), exc.code, exc.remedy)
            raise again(exc.message, status=422, advice=advice) from None
        except (Conflict, InvalidInput) as exc:
            raise again(exc.message, status=409 if isinstance(exc, Conflict) else 422) from None
        if sync == "now":
            await unit.sync.request(store.id, trigger="initial")
        # Real-time updates (webhooks) at once, as the API does, once the store's row is committed.
        hub: Hub = request.app.state.hub
        unit.after_commit(partial(hub.webhooks.adopt, viewer.tenant_id, store.id))
        return Redirect(
            f"/stores/{store.id}?notice=store_added",
            status_code=HTTP_303_SEE_OTHER,
            headers=PAGE_HEADERS,
        )
