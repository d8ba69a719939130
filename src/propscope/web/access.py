"""Who may write: on loopback, anyone at this machine; beyond it, holders of a token.

Why: ``propscope serve`` listens on 127.0.0.1 by default, where only this machine's
users reach it.  Told to listen on another address, it serves a network: there,
reading stays open but every request that changes the store (saving an analysis,
feedback, jobs, anything posted but a plain analysis) needs an access token made by
``propscope token create``.

A token is ``ps_<id>_<secret>``; the store keeps only a random salt and the secret's
scrypt hash (so a copy of the database gives no token away), and a presented token is
checked by hashing it with its row's salt and comparing with
:func:`hmac.compare_digest`.  A program sends ``Authorization: Bearer <token>``; a
browser signs in once at ``/access``, which keeps the token in an ``HttpOnly``,
``SameSite=Strict`` cookie (forms still carry their CSRF token).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
import threading
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from propscope.store import Store
from propscope.store.base import TokenRecord
from propscope.web.errors import BadRequest, Forbidden
from propscope.web.render import page
from propscope.web.security import check_csrf

TOKEN_COOKIE = "propscope_token"
READS = frozenset({"GET", "HEAD", "OPTIONS"})
ANALYSE_ONLY = frozenset({"/analyze", "/api/v1/analyze", "/access"})
"""Posts that store nothing: an analysis shown and forgotten, and signing in."""
NAME_MAX = 100

# scrypt's cost: 16 MiB and some tens of milliseconds a check, paid once per write.
_N, _R, _P, _LEN = 2**14, 8, 1, 32
_TOKEN = re.compile(r"ps_([1-9][0-9]{0,17})_([A-Za-z0-9_-]{43})")

_HASHING = threading.BoundedSemaphore(2)

pages = APIRouter(include_in_schema=False)


class TokenRequired(Forbidden):
    """A write to a server listening beyond loopback without a valid access token."""

    fix = ("send 'Authorization: Bearer <token>' (make one with propscope token create), "
           "or sign in at /access")


def is_loopback(host: str) -> bool:
    """Whether ``host`` is an address only this machine reaches (``localhost`` too)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False  # a name other than localhost may resolve anywhere


def _digest(secret: str, salt: bytes) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=_LEN,
                          maxmem=64 * 1024 * 1024)


def create_token(store: Store, name: str) -> tuple[int, str]:
    """Make a token named ``name``; store its salt and hash; return its id and the
    token itself, which nothing keeps: show it once."""
    name = " ".join(name.split())[:NAME_MAX]
    if not name:
        raise BadRequest("a token needs a name", fix="say whose or what it is for")
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_bytes(16)
    token_id = store.add_token(name, salt, _digest(secret, salt))
    return token_id, f"ps_{token_id}_{secret}"


def verify(store: Store, token: str) -> TokenRecord | None:
    """The live token ``token`` is, or ``None``: malformed, unknown, revoked or wrong."""
    match = _TOKEN.fullmatch(token.strip())
    if match is None:
        return None
    token_id = int(match[1])
    found = next((t for t in store.tokens() if t.id == token_id), None)
    if found is None or found.revoked is not None:
        return None
    with _HASHING:  # bounds the CPU and memory a flood of wrong tokens can take
        digest = _digest(match[2], found.salt)
    if not hmac.compare_digest(digest, found.hash):
        return None
    return found


def presented(request: Request) -> str | None:
    """The token a request carries: its bearer header, else the sign-in cookie."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(TOKEN_COOKIE) or None


def needs_token(request: Request) -> bool:
    settings = request.app.state.settings
    if is_loopback(getattr(settings, "host", "127.0.0.1")):
        return False
    return request.method not in READS and request.url.path not in ANALYSE_ONLY


async def require_token(request: Request) -> None:
    """App-wide dependency: refuse a write without a valid token when the server
    listens beyond loopback (reads and plain analyses pass at no cost; the hash is
    computed off the event loop)."""
    if not needs_token(request):
        return
    token = presented(request)
    if token is None:
        raise TokenRequired("this server listens beyond this machine: writing needs an "
                            "access token")
    if await run_in_threadpool(verify, request.app.state.store, token) is None:
        raise TokenRequired("the access token is unknown, revoked or mistyped")


# -- signing in from a browser ------------------------------------------------------------
@pages.get("/access")
def access_page(request: Request) -> Response:
    settings = request.app.state.settings
    return page(request, "access.html", {
        "open": is_loopback(getattr(settings, "host", "127.0.0.1")),
        "signed_in": TOKEN_COOKIE in request.cookies})


@pages.post("/access")
def sign_in(request: Request, csrf: Annotated[str, Form()] = "",
            token: Annotated[str, Form(max_length=200)] = "",
            sign_out: Annotated[str, Form(max_length=10)] = "") -> Response:
    """Keep a valid token in a cookie (or drop it, to sign out)."""
    check_csrf(request, csrf)
    response = RedirectResponse("/access", status_code=303)
    if sign_out:
        response.delete_cookie(TOKEN_COOKIE, path="/")
        return response
    if verify(request.app.state.store, token) is None:
        raise TokenRequired("the access token is unknown, revoked or mistyped")
    response.set_cookie(TOKEN_COOKIE, token.strip(), httponly=True, samesite="strict",
                        path="/")
    return response


__all__ = ["TokenRequired", "create_token", "is_loopback", "pages", "require_token", "verify"]
