"""Request-scoped values the routes share: the store, the settings, the filters."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Query, Request

from propscope.store import Store
from propscope.web.corpus import Filters
from propscope.web.errors import BadRequest, Forbidden


def refuse_nul(request: Request) -> None:
    """No query parameter may hold NUL: PostgreSQL refuses it in any text value (a
    500 from the driver), and no name, word or date has one."""
    for name, value in request.query_params.multi_items():
        if "\x00" in value or "\x00" in name:
            raise BadRequest(f"the parameter {name.replace(chr(0), '')!r} holds a NUL character")


def ensure_writable(request: Request, refused: str = "",
                    fix: str = "start it without --read-only") -> None:
    """Raise :class:`Forbidden` on a ``--read-only`` server: every write (a saved
    analysis, feedback, a job, an analytics refresh) asks here first.  ``refused``
    says what cannot be done, after the reason."""
    if request.app.state.settings.read_only:
        raise Forbidden("this server is read-only" + (f": {refused}" if refused else ""),
                        fix=fix)


def get_store(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


def get_filters(
    outlet: Annotated[str | None, Query(max_length=300, description="An outlet's name.")] = None,
    technique: Annotated[str | None, Query(
        max_length=100, description="A technique's PTC name or slug.")] = None,
    detector: Annotated[str | None, Query(
        max_length=200, description="A detector: a name, name.vN or a full id.")] = None,
    since: Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD")] = None,
    until: Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD")] = None,
    month: Annotated[str | None, Query(max_length=7, description="YYYY-MM")] = None,
    section: Annotated[str | None, Query(
        max_length=300, description="A section a URL of the text was filed under.")] = None,
    day: Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD")] = None,
    week: Annotated[str | None, Query(max_length=8, description="ISO week, YYYY-Www")] = None,
) -> Filters:
    return Filters.parse(outlet=outlet, technique_name=technique, detector=detector,
                         since=since, until=until, month=month, section=section,
                         day=day, week=week)


StoreDep = Annotated[Store, Depends(get_store)]
FiltersDep = Annotated[Filters, Depends(get_filters)]
Period = Annotated[Literal["day", "week", "month"], Query(
    description="How the date facet groups texts: day, ISO week or month.")]
