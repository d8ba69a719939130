"""The error boundary of one item: its failure becomes an :class:`ItemError`, never the run's.

Why a list of named exceptions rather than ``except Exception``: a batch must go on
past bad *input* (a library tripping on a hostile byte), but a bug in propscope
(``TypeError``, ``AttributeError``, ``KeyError``) must keep its traceback, or it
hides as one more "bad file" in a run report nobody reads.  So only the exceptions
that libraries raise on bad data are mapped, each to a typed
:class:`~propscope.errors.FormatError` with the original kept as ``__cause__``.
"""

from __future__ import annotations

import csv
import zlib
from collections.abc import Callable, Iterator
from typing import TypeAlias

import lxml.etree

from propscope.errors import FormatError, PropscopeError
from propscope.ingest.types import ItemError
from propscope.model import Document

Item: TypeAlias = Document | ItemError


def _library_errors() -> tuple[type[BaseException], ...]:
    """What libraries raise on bad data (warcio's own errors included)."""
    errors: list[type[BaseException]] = [
        lxml.etree.LxmlError,
        MemoryError,
        RecursionError,
        ValueError,  # json.JSONDecodeError, UnicodeError and most parsers' complaints
        OSError,
        EOFError,
        zlib.error,
        csv.Error,
    ]
    try:
        from warcio.exceptions import ArchiveLoadFailed
        from warcio.statusandheaders import StatusAndHeadersParserException
    except ImportError:  # pragma: no cover - warcio is a dependency
        pass
    else:
        errors += [ArchiveLoadFailed, StatusAndHeadersParserException]
    return tuple(errors)


DATA_ERRORS = _library_errors()
"""Exceptions that mean "this input is bad", as opposed to "propscope has a bug"."""


def data_error(item: str, exc: BaseException, what: str = "could not be read") -> FormatError:
    """A :class:`FormatError` for a library's complaint about ``item``, cause kept."""
    error = FormatError(f"{item} {what}: {type(exc).__name__}: {exc}")
    error.__cause__ = exc
    return error


def guarded(source: str, item: str, make: Callable[[], Document]) -> Item:
    """Run one item's reader; bad input becomes an :class:`ItemError`, a bug raises."""
    try:
        return make()
    except PropscopeError as err:
        return ItemError(source, item, err)
    except DATA_ERRORS as exc:
        return ItemError(source, item, data_error(item, exc))


def bounded(source: str, item: str, items: Iterator[Item]) -> Iterator[Item]:
    """Yield ``items``; if the stream itself breaks on bad input, end it with one
    :class:`ItemError` for ``item`` — everything yielded before is kept."""
    try:
        yield from items
    except PropscopeError as err:
        yield ItemError(source, item, err)
    except DATA_ERRORS as exc:
        yield ItemError(source, item, data_error(item, exc, "could not be read past this point"))
