"""Every error propscope raises, in one place, each with a code, a cause and a fix.

Why one module: the CLI, the web layer and the batch runner all turn these into a
one-line message (or a JSON error shape) without knowing where they came from, and a
user can search the code (``PS102``) in the docs.  Errors from libraries underneath
(httpx, sqlite3, onnxruntime …) are caught at the boundary and re-raised as one of
these, with the original kept as ``__cause__``.

Hierarchy::

    PropscopeError
    ├── UsageError            PS001  (the command line: an unknown option, a bad value)
    ├── InputError            the input cannot be read as a document
    │   ├── InputNotFound     PS101
    │   ├── EmptyInput        PS102
    │   ├── BinaryInput       PS103
    │   ├── InputTooLarge     PS104
    │   ├── DecodeError       PS105
    │   ├── FormatError       PS106  (a file in a known format that does not parse)
    │   └── InputUnreadable   PS107  (permission denied, a device error)
    ├── OffsetError           PS201  (a span outside its text: a bug, never user input)
    ├── DetectorError         PS301  (unknown detector, missing or broken model file)
    │   └── TrainingError     PS302  (an unknown engine option or a value of the wrong type)
    ├── DataError             PS401  (a corpus folder missing or malformed)
    ├── FetchError            PS501  (network: not http(s), does not resolve, failed)
    │   ├── AddressRefused    PS502  (a private, loopback or link-local host)
    │   ├── FetchTimeout      PS503
    │   ├── ResponseTooLarge  PS504
    │   ├── RobotsDisallowed  PS505
    │   ├── TooManyRedirects  PS506
    │   ├── HttpStatusError   PS507
    │   └── TruncatedResponse PS508
    ├── StoreError            PS601  (database)
    │   └── SearchQueryError  PS602  (a search query refused: blank, too long, too many terms)
    ├── OutputError           PS701  (a result that cannot be written)
    └── ClusterError          PS801  (Dask: not installed, no scheduler, scheduler lost)
"""

from __future__ import annotations


class PropscopeError(Exception):
    """Base of every propscope error: ``code``, a message saying the cause, and a fix."""

    code = "PS000"
    fix = ""

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if fix is not None:
            self.fix = fix

    def one_line(self) -> str:
        """The message a terminal user sees: code, cause and (when known) the fix."""
        text = f"error {self.code}: {self.message}"
        if self.fix:
            text += f" ({self.fix})"
        return text


class InputError(PropscopeError):
    code = "PS100"


class InputNotFound(InputError):
    code = "PS101"
    fix = "check the path"


class EmptyInput(InputError):
    code = "PS102"
    fix = "give a document with some text in it"


class BinaryInput(InputError):
    code = "PS103"
    fix = "propscope reads text, HTML, JSON, CSV, feeds and WARC files"


class InputTooLarge(InputError):
    code = "PS104"
    fix = "split the file, or raise the limit with --max-bytes"


class DecodeError(InputError):
    code = "PS105"
    fix = "convert the file to UTF-8, or name its encoding with --encoding"


class FormatError(InputError):
    code = "PS106"


class InputUnreadable(InputError):
    code = "PS107"
    fix = "check the file's permissions"


class OffsetError(PropscopeError):
    code = "PS201"
    fix = "this is a bug in propscope: please report it with the input"


class DetectorError(PropscopeError):
    code = "PS301"


class TrainingError(DetectorError):
    """Training cannot start: an unknown engine option or a value of the wrong type."""

    code = "PS302"
    fix = "see propscope train --help for the engine's options"


class DataError(PropscopeError):
    code = "PS401"


class FetchError(PropscopeError):
    code = "PS501"


class StoreError(PropscopeError):
    code = "PS601"


# Fetching (propscope.ingest.fetch): one class per way a URL can fail, so a run report
# can count them apart and a caller can retry only what is worth retrying.
class AddressRefused(FetchError):
    code = "PS502"
    fix = "propscope refuses private, loopback and link-local hosts; pass --allow-private"


class FetchTimeout(FetchError):
    code = "PS503"
    fix = "the server stalled; retry later or raise --timeout"


class ResponseTooLarge(FetchError):
    code = "PS504"
    fix = "raise the limit with --max-bytes if the page is wanted"


class RobotsDisallowed(FetchError):
    code = "PS505"
    fix = "the site's robots.txt forbids this URL to crawlers; leave it out"


class TooManyRedirects(FetchError):
    code = "PS506"
    fix = "the server redirects in a loop or too often; check the URL"


class HttpStatusError(FetchError):
    code = "PS507"
    fix = "the server answered with an error status; check the URL or retry later"


class TruncatedResponse(FetchError):
    code = "PS508"
    fix = "the server closed the connection mid-body; retry later"


class OutputError(PropscopeError):
    code = "PS701"
    fix = "check that the folder exists and can be written to"

    @classmethod
    def writing(cls, path: object, exc: OSError) -> OutputError:
        """The error for an output that could not be written, worded once for every face."""
        return cls(f"cannot write {path}: {exc.strerror or exc}")


class ClusterError(PropscopeError):
    """A run on a Dask cluster that cannot start or cannot finish: dask missing, no
    scheduler at the address, the scheduler lost mid-run, or a store the workers cannot
    share.  Work already committed stays committed; the same command run again resumes."""

    code = "PS801"
    fix = "see docs/scale.md"


class UsageError(PropscopeError):
    """The command line itself is wrong: an unknown option, a missing argument, a value
    of the wrong kind, or options that do not go together.  Exit code 2, as for every
    propscope error, and one line naming the command's ``--help``."""

    code = "PS001"
    fix = "see propscope --help"


class SearchQueryError(StoreError):
    """A search query the store refuses: blank, only punctuation or exclusions, too long,
    too many terms, or an unknown mode.  A user's input, never a database fault, so the
    web layer can answer 400 where a plain :class:`StoreError` is a 500."""

    code = "PS602"
    fix = "give one or more words to find; \"quoted phrases\" work"
