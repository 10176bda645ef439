"""`/schema`: the API reference as one plain HTML page drawn on the server from the OpenAPI
document. It needs no script, font or stylesheet from a CDN (Litestar's bundled UIs all fetch
theirs), so it works offline and on networks that block third parties. The machine-readable
document stays at `/schema/openapi.json` (and `.yaml`).
"""

from __future__ import annotations

from html import escape
from typing import Any

from litestar import Request
from litestar.openapi.plugins import OpenAPIRenderPlugin

__all__ = ["ReferenceRenderPlugin"]

_METHODS = ("get", "post", "put", "patch", "delete")
_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;
color:#1b2433;background:#f5f7fb;line-height:1.5}
main{max-width:980px;margin:0 auto;padding:1.5rem}
h1{margin:0 0 .25rem}h2{margin:2rem 0 .5rem;font-size:1.2rem}
.op{background:#fff;border:1px solid #dde3ec;border-radius:10px;padding:1rem;margin:.75rem 0}
.op h3{margin:0;font-size:1rem;display:flex;gap:.6rem;align-items:center;flex-wrap:wrap}
.m{font:700 .8rem ui-monospace,monospace;padding:.15rem .5rem;border-radius:6px;color:#fff}
.get{background:#2952cc}.post{background:#1d7a46}.put{background:#8a5a00}
.patch{background:#7a3db8}.delete{background:#b42318}
code{font-family:ui-monospace,Menlo,Consolas,monospace;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.5rem 0}
th,td{border-bottom:1px solid #dde3ec;text-align:left;padding:.3rem .4rem;vertical-align:top}
.muted{color:#526070}
"""


def _e(value: Any) -> str:
    return escape(str(value))


def _type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "oneOf" in schema or "anyOf" in schema:
        return " | ".join(_type(s) for s in schema.get("oneOf") or schema.get("anyOf") or [])
    if schema.get("type") == "array":
        return f"list of {_type(schema.get('items') or {})}"
    if "enum" in schema:
        return " | ".join(repr(v) for v in schema["enum"])
    return str(schema.get("type") or schema.get("format") or "any")


def _body_type(operation: dict[str, Any]) -> str | None:
    content = (operation.get("requestBody") or {}).get("content") or {}
    for media in content.values():
        return _type(media.get("schema") or {})
    return None


def _operation(path: str, method: str, op: dict[str, Any]) -> str:
    parts = [
        f'<section class="op" id="{_e(op.get("operationId") or method + path)}">',
        f'<h3><span class="m {method}">{method.upper()}</span><code>{_e(path)}</code>'
        f'<span class="muted">{_e(op.get("summary") or "")}</span></h3>',
    ]
    if op.get("description"):
        parts.append(f"<p>{_e(op['description'])}</p>")
    params = op.get("parameters") or []
    if params:
        parts.append(
            "<table><caption class=muted>Parameters</caption><tr><th>Name</th><th>In</th>"
            "<th>Type</th><th>Required</th><th>Description</th></tr>"
        )
        parts.extend(
            f"<tr><td><code>{_e(p.get('name'))}</code></td><td>{_e(p.get('in'))}</td>"
            f"<td>{_e(_type(p.get('schema') or {}))}</td>"
            f"<td>{'yes' if p.get('required') else 'no'}</td>"
            f"<td>{_e(p.get('description') or '')}</td></tr>"
            for p in params
        )
        parts.append("</table>")
    body = _body_type(op)
    if body:
        parts.append(f"<p>Body: <code>{_e(body)}</code></p>")
    responses = op.get("responses") or {}
    if responses:
        parts.append("<table><caption class=muted>Responses</caption>")
        for status, answer in responses.items():
            content = (answer or {}).get("content") or {}
            shape = next((_type(m.get("schema") or {}) for m in content.values()), "")
            parts.append(
                f"<tr><td><code>{_e(status)}</code></td><td>{_e(answer.get('description', ''))}"
                f"</td><td><code>{_e(shape)}</code></td></tr>"
            )
        parts.append("</table>")
    parts.append("</section>")
    return "".join(parts)


class ReferenceRenderPlugin(OpenAPIRenderPlugin):
    """The reference page at `/schema` (and `/schema/reference`)."""

    def __init__(self, *, path: str | list[str] | None = None) -> None:
        super().__init__(path=path or ["/", "/reference"])

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        info = openapi_schema.get("info") or {}
        by_tag: dict[str, list[str]] = {}
        for path, item in (openapi_schema.get("paths") or {}).items():
            for method in _METHODS:
                op = (item or {}).get(method)
                if op:
                    tag = (op.get("tags") or ["other"])[0]
                    by_tag.setdefault(tag, []).append(_operation(path, method, op))
        json_url = self.get_openapi_json_route(request)
        sections = "".join(
            f"<h2 id='{_e(tag)}'>{_e(tag.title())}</h2>{''.join(ops)}"
            for tag, ops in by_tag.items()
        )
        page = (
            "<!doctype html><html lang=en><head><meta charset=utf-8>"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_e(info.get('title', 'API'))} reference</title><style>{_STYLE}</style>"
            f"</head><body><main><h1>{_e(info.get('title', 'API'))}</h1>"
            f"<p class=muted>Version {_e(info.get('version', ''))} · the OpenAPI document: "
            f'<a href="{_e(json_url)}">JSON</a>. Every route under <code>/api</code> takes '
            "<code>Authorization: Bearer &lt;token&gt;</code> or the session cookie.</p>"
            f"{sections}</main></body></html>"
        )
        return page.encode()
