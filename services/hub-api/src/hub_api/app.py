"""`create_app()`: the Litestar application, built from settings: the JSON API under `/api`
and the web dashboard's pages (`hub_api.web`) beside it.

    app = create_app()                                 # G4HUB_* from the environment
    app = create_app(HubSettings(...), ApiSettings(...))   # tests, embedding

The app owns its `Hub`: the runner starts with the app and stops with it. Migrations are not
run here; `g4hub serve` runs them before it starts the app (`g4hub db upgrade` alone does too).
Logging is not configured here either: the process does that once (`configure_logging`).

`app.state` holds `hub`, `tokens` (TokenCodec), `csrf` (CsrfTokens), `login_throttle`
(LoginThrottle) and `registration_throttle` (tests replace them to drive their clocks),
`trusted_proxies` (whose `X-Forwarded-For` is believed) and `api_settings`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.datastructures import State
from litestar.exceptions import MethodNotAllowedException, NotFoundException
from litestar.middleware.base import DefineMiddleware
from litestar.openapi import OpenAPIConfig

from g4hub_core import Hub, HubSettings
from hub_api import __version__
from hub_api.api_reference import ReferenceRenderPlugin
from hub_api.auth.addresses import TrustedProxies
from hub_api.auth.controller import AuthController
from hub_api.auth.csrf import CsrfTokens
from hub_api.auth.middleware import TokenAuthenticationMiddleware
from hub_api.auth.openapi import COMPONENTS, SECURITY, OpenApiErrorsPlugin
from hub_api.auth.throttle import LoginThrottle, RegistrationThrottle
from hub_api.auth.tokens import TokenCodec, load_jwt_secret
from hub_api.deps import dependencies
from hub_api.errors import exception_handlers
from hub_api.health import health
from hub_api.logging import RequestContextMiddleware
from hub_api.model_schemas import ModelRulesSchemaPlugin
from hub_api.options import answer_options_with_every_method
from hub_api.request import HubRequest
from hub_api.settings import ApiSettings

__all__ = ["PUBLIC_PATHS", "create_app"]

# Paths that need no sign-in; everything else under the app does. The web pages (`hub_api.web`)
# are excluded from this middleware by their routes' options and sign in with the session cookie
# on their own, redirecting to /login rather than answering 401.
PUBLIC_PATHS = ["^/health$", "^/schema", "^/api/auth/register$", "^/api/auth/login$"]


def create_app(
    settings: HubSettings | None = None,
    api_settings: ApiSettings | None = None,
    *,
    hub: Hub | None = None,
) -> Litestar:
    core_settings = hub.settings if hub is not None else settings or HubSettings()
    api = api_settings or ApiSettings()
    the_hub = hub or Hub(core_settings)
    secret = load_jwt_secret(
        api.jwt_secret.get_secret_value() if api.jwt_secret else None, core_settings.data_dir
    )

    @asynccontextmanager
    async def run_hub(app: Litestar) -> AsyncIterator[None]:
        async with the_hub:
            yield

    from hub_api.changes import ChangeController
    from hub_api.dashboard.controller import DashboardController
    from hub_api.rules import RuleController
    from hub_api.skus import SkuController
    from hub_api.sync.controller import SyncController
    from hub_api.web import static_files_router, template_config, web_router
    from hub_api.web.errors import page_or_json
    from hub_api.webhooks import StoreWebhookController, WebhookInboxController
    from hub_api.writes import AuditController, WriteController, WriteJobController

    app = Litestar(
        route_handlers=[
            health,
            AuthController,
            WriteController,  # the store routes, and writing products back
            DashboardController,
            SyncController,
            WebhookInboxController,
            StoreWebhookController,
            ChangeController,
            WriteJobController,
            AuditController,
            SkuController,
            RuleController,
            web_router(),
            static_files_router(),
        ],
        dependencies=dependencies,
        request_class=HubRequest,
        # Routing errors (an unknown path, a wrong method) are a page to a browser and JSON to a
        # program; the web routes' own errors are handled on their router.
        exception_handlers={
            **exception_handlers,
            NotFoundException: page_or_json,
            MethodNotAllowedException: page_or_json,
        },
        middleware=[DefineMiddleware(TokenAuthenticationMiddleware, exclude=PUBLIC_PATHS)],
        template_config=template_config(),
        lifespan=[run_hub],
        # Logging belongs to the process (`configure_logging`), not to each app built in it.
        logging_config=None,
        security=SECURITY,
        plugins=[OpenApiErrorsPlugin(), ModelRulesSchemaPlugin()],
        state=State(
            {
                "hub": the_hub,
                "tokens": TokenCodec(secret, api.token_ttl_seconds),
                "csrf": CsrfTokens(secret),
                "login_throttle": LoginThrottle(
                    api.login_attempts_per_minute,
                    api.login_attempts_per_address_per_minute,
                    delay_max=api.login_delay_max_seconds,
                ),
                "registration_throttle": RegistrationThrottle(
                    api.registrations_per_address_per_hour
                ),
                "trusted_proxies": TrustedProxies(api.trusted_proxies),
                "api_settings": api,
            }
        ),
        openapi_config=OpenAPIConfig(
            title="G4 Hub API",
            version=__version__,
            path="/schema",
            components=COMPONENTS,
            render_plugins=[ReferenceRenderPlugin()],
        ),
    )
    answer_options_with_every_method(app)
    # Outermost, around Litestar's routing and error handling (which app middleware is not), so
    # unknown routes and unhandled errors also get a request id and an access line.
    app.asgi_handler = RequestContextMiddleware(app.asgi_handler)
    return app
