"""One mapping from propscope's error hierarchy to HTTP, and one JSON error shape.

Why one place (datasette's ``handle_exception``): every endpoint raises the library's
typed errors and nothing else; here each becomes a status and ``{"code", "message",
"fix"}``.  A user's mistake (a bad query, an empty text, a refused address) is a 4xx
with the error's own words; anything else is a bug or a fault of the machine, logged
with its traceback and answered 500 with a fixed message, so no stack trace, SQL or
path ever reaches a client.
"""

from __future__ import annotations

import logging
from typing import Any

from propscope.errors import (
    AddressRefused,
    DetectorError,
    FetchError,
    FetchTimeout,
    InputError,
    InputNotFound,
    InputTooLarge,
    OffsetError,
    PropscopeError,
    ResponseTooLarge,
    RobotsDisallowed,
    SearchQueryError,
    StoreError,
    UsageError,
)

log = logging.getLogger("propscope.web")

# Most specific first: the first class an error is an instance of decides.
_STATUS: tuple[tuple[type[PropscopeError], int], ...] = (
    (SearchQueryError, 400),
    (InputTooLarge, 413),
    (ResponseTooLarge, 413),
    (InputNotFound, 404),
    (InputError, 400),
    (UsageError, 400),
    (AddressRefused, 400),
    (RobotsDisallowed, 403),
    (FetchTimeout, 504),
    (FetchError, 502),  # the page we were asked to fetch failed, not this server
    (OffsetError, 500),
    (DetectorError, 500),
    (StoreError, 500),
)

INTERNAL = {"code": "PS000", "message": "internal error: the server log has the details",
            "fix": "this is a bug or a fault of the server; please report it"}


class NotFound(PropscopeError):
    """A page or record that does not exist (an unknown document id or technique)."""

    code = "PS404"


class Forbidden(PropscopeError):
    """A request the server refuses by its settings: a write on a read-only server, a
    form without its CSRF token."""

    code = "PS403"


class TooLarge(PropscopeError):
    """A request body over the server's cap."""

    code = "PS413"
    fix = "send a smaller text or file"


class BadRequest(PropscopeError):
    """A parameter the API refuses (wrong type, out of range, unknown format)."""

    code = "PS400"


class Busy(PropscopeError):
    """Every analysis slot and queue place is taken: come back shortly."""

    code = "PS429"
    fix = "retry after the number of seconds in the Retry-After header"
    retry_after = 2


_OWN = {NotFound: 404, Forbidden: 403, TooLarge: 413, BadRequest: 400, Busy: 429}


def status_of(err: PropscopeError) -> int:
    """The HTTP status for ``err``: 4xx for what the user can fix, 5xx otherwise."""
    for cls, status in _OWN.items():
        if isinstance(err, cls):
            return status
    for cls, status in _STATUS:
        if isinstance(err, cls):
            return status
    return 400  # a PropscopeError not listed is about the input: the caller's to fix


def error_body(err: PropscopeError) -> tuple[int, dict[str, Any]]:
    """The status and JSON body for ``err``; a 500 hides the message (it may hold a
    driver's text or a path) behind :data:`INTERNAL`, with the code kept."""
    status = status_of(err)
    if status == 500:
        log.error("server error %s", err.code, exc_info=err)
        return status, {**INTERNAL, "code": err.code}
    return status, {"code": err.code, "message": err.message, "fix": err.fix}
