"""How the web pages answer errors: HTML, never JSON and never a traceback.

These handlers sit on the web router only, so the JSON API keeps its own (`hub_api/errors.py`):

- `PageError`: the handler's page to show instead (a form again, with its role="alert" message);
  raising it, rather than returning the page, rolls back the request's unit of work.
- `SignInRequired`: 303 to `/login?next=<path>`.
- `CsrfRefused` and the cross-site refusal of sign-in: 403, "reload the page and try again".
- core errors: the status the API would give (`core_status`), with the core's message; a store
  of another tenant is the same 404 as an unknown one.
- Litestar's HTTP errors: their status, with a sentence for people.
- anything else: 500 with the request id; the traceback goes to the log.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER, HTTP_403_FORBIDDEN

from g4hub_core import CoreError, NotFound
from hub_api.errors import ApiError, core_status, log_unexpected
from hub_api.errors import exception_handlers as api_exception_handlers
from hub_api.web.rendering import PAGE_HEADERS, page
from hub_api.web.session import CsrfRefused, SignInRequired, login_url, read_session

__all__ = ["PageError", "page_or_json", "web_exception_handlers"]

_TITLES = {
    400: "The form could not be read",
    401: "Sign in again",
    403: "This action was refused",
    404: "Page not found",
    405: "This page does not accept that",
    409: "That conflicts with what exists",
    413: "That is too large",
    422: "Something needs fixing",
    429: "Too many attempts",
    500: "Something went wrong",
    502: "The store did not answer properly",
    504: "The store did not answer in time",
}

_NOT_FOUND = (
    "There is nothing here, or it is not yours to see. Check the address, or go back to your "
    "stores."
)


class PageError(Exception):
    """Show `response` (a page) instead of the handler's answer, rolling back its changes."""

    def __init__(self, response: Template) -> None:
        super().__init__("page error")
        self.response = response


def error_page(status: int, message: str, *, title: str | None = None, **extra: Any) -> Template:
    return page(
        "error.html",
        status_code=status,
        title=title or _TITLES.get(status, HTTPStatus(status).phrase),
        message=message,
        status=status,
        **extra,
    )


def _page_error(request: Request[Any, Any, Any], exc: PageError) -> Response[Any]:
    return exc.response


def _sign_in(request: Request[Any, Any, Any], exc: SignInRequired) -> Response[Any]:
    return Redirect(login_url(exc.next_path), status_code=HTTP_303_SEE_OTHER, headers=PAGE_HEADERS)


def _csrf(request: Request[Any, Any, Any], exc: CsrfRefused) -> Response[Any]:
    # Sign-out checks the token without the `viewer` dependency: a refused one leaves the
    # person signed in, and the page's header should say so.
    if request.state.get("viewer") is None:
        request.state.viewer = read_session(request)
    return error_page(
        HTTP_403_FORBIDDEN,
        "This form has expired or did not come from this site, so nothing was changed. Go back, "
        "reload the page and try again.",
        title="This form has expired",
    )


def _core(request: Request[Any, Any, Any], exc: CoreError) -> Response[Any]:
    if isinstance(exc, NotFound):
        return error_page(404, _NOT_FOUND)
    status = core_status(exc)
    if status >= 500:
        request_id = log_unexpected(request, exc)
        return error_page(status, exc.message, request_id=request_id)
    return error_page(status, exc.message)


def _api(request: Request[Any, Any, Any], exc: ApiError) -> Response[Any]:
    return error_page(exc.status_code, exc.message, headers=exc.headers)


def _validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    return error_page(400, "The form or address had values this page cannot read.")


def _http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if exc.status_code >= 500:
        return _internal(request, exc)
    if exc.status_code == 404:
        return error_page(404, _NOT_FOUND)
    headers = {k: v for k, v in (exc.headers or {}).items() if k.lower() == "allow"}
    return error_page(
        exc.status_code,
        "This page cannot answer that request. Go back and try again.",
        headers=headers,
    )


def _internal(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    request_id = log_unexpected(request, exc)
    return error_page(
        500,
        "The hub failed to show this page. Try again; if it keeps happening, tell the hub's "
        "operator the request id below.",
        request_id=request_id,
    )


def page_or_json(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """For the app's routing errors (an unknown path, a wrong method): a page to a browser (it
    asks for HTML) outside `/api` and `/schema`, the API's JSON error to everyone else."""
    path = request.url.path
    wants_page = "text/html" in request.headers.get("accept", "")
    if wants_page and not path.startswith(("/api/", "/schema")) and path != "/api":
        return _http(request, exc)
    return api_exception_handlers[HTTPException](request, exc)  # type: ignore[no-any-return]


web_exception_handlers: dict[type[Exception] | int, Any] = {
    PageError: _page_error,
    SignInRequired: _sign_in,
    CsrfRefused: _csrf,
    CoreError: _core,
    ApiError: _api,
    ValidationException: _validation,
    HTTPException: _http,
    Exception: _internal,
}
