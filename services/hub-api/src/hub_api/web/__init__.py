"""The web dashboard: server-rendered pages beside the JSON API, calling the same core services.

    app = Litestar(route_handlers=[..., web_router(), static_files_router()],
                   template_config=template_config())

Its routes are excluded from the API's token middleware (`opt["exclude_from_auth"]`) and sign in
with the session cookie instead (`session.py`); their errors are HTML pages (`errors.py`), while
the JSON API keeps its JSON errors. Pages, URLs and accessible names follow the web contract
(`notes/web-contract.md` in the project's notes): the browser tests rely on them.
"""

from __future__ import annotations

from pathlib import Path

from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router

from hub_api.web.audit import AuditController, ChangesController
from hub_api.web.auth import WebAuthController
from hub_api.web.automation import AutomationController
from hub_api.web.bulk import BulkController
from hub_api.web.edits import EditController
from hub_api.web.errors import web_exception_handlers
from hub_api.web.overview import OverviewController
from hub_api.web.rendering import template_config
from hub_api.web.session import web_dependencies
from hub_api.web.settings import SettingsController
from hub_api.web.skus import SkuPageController
from hub_api.web.store_edit import StoreEditController
from hub_api.web.stores import StoresController
from hub_api.web.wizard import WizardController

__all__ = ["STATIC", "static_files_router", "template_config", "web_router"]

STATIC = Path(__file__).parent / "static"

# The token middleware skips routes whose options carry this key (Litestar's default name).
_NOT_API_AUTH = {"exclude_from_auth": True}


def web_router() -> Router:
    """Every page of the dashboard, under `/`."""
    return Router(
        path="/",
        route_handlers=[
            WebAuthController,
            OverviewController,
            AutomationController,
            StoresController,
            WizardController,
            StoreEditController,
            SettingsController,
            SkuPageController,
            EditController,
            BulkController,
            AuditController,
            ChangesController,
        ],
        dependencies=web_dependencies,
        exception_handlers=web_exception_handlers,
        opt=_NOT_API_AUTH,
        include_in_schema=False,
    )


def static_files_router() -> Router:
    """Our CSS and JavaScript at `/static/...`; revalidated on each use, so a new release's
    files are picked up at once."""
    return create_static_files_router(
        path="/static",
        directories=[STATIC],
        opt=_NOT_API_AUTH,
        cache_control=CacheControlHeader(no_cache=True),
        include_in_schema=False,
    )
