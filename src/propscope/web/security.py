"""HTTP concerns of safety: headers on every response, a cap on request bodies, CSRF.

* **Content-Security-Policy**: scripts only from this server's ``/static`` (no inline
  script, no ``eval``), nothing from any other origin, no plugins, no framing, forms
  post only here.  Inline *style attributes* stay allowed: highlight colours are
  written by :mod:`propscope.present.html` from the technique table, never from input,
  and a style cannot run code.  So even markup that slipped past escaping could not
  execute.
* **Body cap**: a request larger than ``max_body`` bytes is refused with 413 before
  it is read whole, whether it declares its length or streams it.
* **CSRF** (double submit): a random token in a ``SameSite=Strict`` cookie, the same
  token in a hidden form field; a form that changes the store must carry both, equal.
"""

from __future__ import annotations

import hmac
import json
import secrets
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from propscope.web.errors import Forbidden, TooLarge

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'; object-src 'none'"
)
HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
# The OpenAPI page (/api/docs) is FastAPI's and loads Swagger UI from a CDN; it is
# served without a script policy loosened for it: the JSON at /api/v1/openapi.json
# is the offline description, and /api/docs says so (see docs/web.md).

CSRF_COOKIE = "propscope_csrf"
CSRF_FIELD = "csrf"


class Hardening:
    """ASGI middleware: the security headers on every response, and the body cap."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_body:
            await _refuse(send, self.max_body)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise _BodyTooLarge
            return message

        async def with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in HEADERS if k not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            await self.app(scope, counted, with_headers)
        except _BodyTooLarge:
            if not started:
                await _refuse(send, self.max_body)


class _BodyTooLarge(Exception):
    """Raised inside the app when a streamed body passes the cap."""


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Send, cap: int) -> None:
    err = TooLarge(f"the request is larger than this server's cap of {cap} bytes")
    body = json.dumps({"code": err.code, "message": err.message, "fix": err.fix}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close"), *HEADERS]})
    await send({"type": "http.response.body", "body": body})


def csrf_token(request: Request) -> str:
    """The request's CSRF token: the cookie's, or a new one (set by :func:`set_csrf`)."""
    token = request.cookies.get(CSRF_COOKIE, "")
    if len(token) != 43:  # token_urlsafe(32); anything else is not one of ours
        token = getattr(request.state, "new_csrf", None) or secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


def set_csrf(request: Request, response: Any) -> None:
    """Set the cookie when :func:`csrf_token` made a new token for this request."""
    token = getattr(request.state, "new_csrf", None)
    if token:
        response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict",
                            path="/")


def check_csrf(request: Request, submitted: str | None) -> None:
    """Refuse a form whose token is missing or differs from its cookie's."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not submitted or not hmac.compare_digest(cookie, submitted):
        raise Forbidden("the form's CSRF token is missing or stale",
                        fix="reload the page and submit the form again")
