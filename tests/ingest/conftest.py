"""A real HTTP server on loopback, serving the pages, feeds and faults ingestion meets.

Why a real server and not a mocked transport: the things under test — timeouts on a
stalled socket, a body cut short, redirects, streaming past a size cap — live in the
network stack, and a mock would only test the mock.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from propscope.ingest import IngestOptions, ItemError
from propscope.model import Document

ARTICLE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | Example Daily</title>
<meta property="og:site_name" content="Example Daily">
<meta property="article:published_time" content="2024-05-0{day}T08:00:00Z">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="#main">Skip to content</a></nav>
<article id="main"><h1>{title}</h1>
<figure><img src="/p.jpg" alt=""><figcaption>{caption}</figcaption></figure>
<p>The respected Comrade<b>Kim Jong Un</b>inspected the new greenhouse farm on {weekday},
where workers had finished the main buildings ahead of schedule this spring.</p>
<p>He said that the farm would supply fresh vegetables to the people all year round, and
praised the builders for their devotion and their skill in the difficult work.</p>
<p>Officials of the province accompanied him on the visit, the agency reported.</p>
</article>
<div class="share">Share on Facebook Twitter</div>
<div id="cookies">This website uses cookies to improve your experience.</div>
</body></html>"""


def article(title: str, day: int = 1, caption: str = "A view of the farm") -> bytes:
    weekday = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"][day % 5]
    return ARTICLE.format(title=title, day=day, caption=caption, weekday=weekday).encode()


def split(items: Iterable[Document | ItemError]) -> tuple[list[Document], list[ItemError]]:
    """What ``load`` yielded, as (documents, item errors), each in order."""
    docs: list[Document] = []
    errors: list[ItemError] = []
    for item in items:
        if isinstance(item, ItemError):
            errors.append(item)
        else:
            docs.append(item)
    return docs, errors


@dataclass
class Server:
    """The running server: its base URL and how often each path was asked for."""

    url: str
    hits: Counter[str]
    headers: dict[str, dict[str, str]]

    def __call__(self, path: str) -> str:
        return self.url + path


Route = Callable[[BaseHTTPRequestHandler], None]


def _send(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    ctype: str = "text/html",
    extra: dict[str, str] | None = None,
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", ctype)
    handler.send_header("Content-Length", str(len(body)))
    for key, value in (extra or {}).items():
        handler.send_header(key, value)
    handler.end_headers()
    handler.wfile.write(body)


def _routes(base: list[str], hits: Counter[str]) -> dict[str, Route]:
    def page(title: str, day: int) -> Route:
        return lambda h: _send(h, 200, article(title, day), "text/html; charset=utf-8")

    def feed(h: BaseHTTPRequestHandler) -> None:
        if h.headers.get("If-None-Match") == '"feed-v1"':
            h.send_response(304)
            h.end_headers()
            return
        items = "".join(
            f"<item><title>{t}</title><link>{base[0]}{p}</link><guid>{p}</guid>"
            f"<pubDate>Wed, 0{d} May 2024 08:00:00 GMT</pubDate></item>"
            for t, p, d in [
                ("Farm Visit", "/news/1.html", 1),
                ("Second Visit", "/news/2.html", 2),
                ("Gone Story", "/news/gone.html", 3),
                ("Itself", "/feed.xml", 4),
            ]
        )
        broken = "<item><title>No link, no content</title><guid>broken-1</guid></item>"
        body = (
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>Example Daily</title>'
            f"<link>{base[0]}/</link><description>news</description>{items}{broken}"
            "</channel></rss>"
        ).encode()
        _send(h, 200, body, "application/rss+xml", extra={"ETag": '"feed-v1"'})

    def sitemap(h: BaseHTTPRequestHandler) -> None:
        body = (
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{base[0]}/news/1.html</loc></url>"
            f"<url><loc>{base[0]}/news/2.html</loc></url></urlset>"
        ).encode()
        _send(h, 200, body, "application/xml")

    def flaky(h: BaseHTTPRequestHandler) -> None:
        if hits["/flaky"] < 2:
            _send(h, 503, b"busy")
        else:
            page("Flaky But Fine", 4)(h)

    def stall(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", "100000")
        h.end_headers()
        h.wfile.write(b"<html><body><p>")
        h.wfile.flush()
        time.sleep(3)

    def drip(h: BaseHTTPRequestHandler, head: bytes, body: bytes) -> None:
        """Send ``head`` at once, then ``body`` one byte every 50 ms: each read is
        quick, the whole answer takes 160 × 50 ms = 8 s; stop once the client goes."""
        h.close_connection = True
        try:
            h.wfile.write(head)
            for byte in body[:160]:
                h.wfile.write(bytes([byte]))
                h.wfile.flush()
                time.sleep(0.05)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def drip_headers(h: BaseHTTPRequestHandler) -> None:
        drip(h, b"HTTP/1.1 200 OK\r\n", b"X-Slow: " + b"a" * 200)

    def drip_body(h: BaseHTTPRequestHandler) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 160\r\n\r\n"
        drip(h, head, b"<p>" + b"a" * 157)

    def truncated(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", "5000")
        h.end_headers()
        h.wfile.write(article("Cut Short")[:400])
        h.wfile.flush()
        h.close_connection = True

    def huge(h: BaseHTTPRequestHandler) -> None:
        # No Content-Length: the cap must be enforced while streaming.
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.end_headers()
        h.close_connection = True
        chunk = b"<p>" + b"word " * 2000 + b"</p>\n"
        try:
            for _ in range(60 * 1024 * 1024 // len(chunk)):  # about 60 MB if read whole
                h.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def big_declared(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(50 * 1024 * 1024))
        h.end_headers()
        h.close_connection = True

    def etag(h: BaseHTTPRequestHandler) -> None:
        if h.headers.get("If-None-Match") == '"v1"':
            h.send_response(304)
            h.send_header("ETag", '"v1"')
            h.end_headers()
            return
        _send(
            h,
            200,
            article("Tagged", 5),
            extra={"ETag": '"v1"', "Last-Modified": "Wed, 01 May 2024 08:00:00 GMT"},
        )

    wrong_charset = (
        "<html><head><title>Новости</title></head><body><article><p>"
        + "Делегация прибыла в столицу в понедельник и была встречена в аэропорту. " * 5
        + "</p></article></body></html>"
    ).encode("cp1251")
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
    redirect = lambda to: lambda h: _send(h, 302, b"", extra={"Location": to})
    return {
        "/robots.txt": lambda h: _send(
            h,
            200,
            b"User-agent: *\nDisallow: /private/\n\nUser-agent: slowbot\nCrawl-delay: 1\n",
            "text/plain",
        ),
        "/news/1.html": page("Farm Visit", 1),
        "/news/2.html": page("Second Visit", 2),
        "/private/secret.html": page("Secret", 3),
        "/feed.xml": feed,
        "/not-a-feed.xml": lambda h: _send(
            h, 200, b"<html><p>hello</p></html>", "application/rss+xml"
        ),
        "/sitemap.xml": sitemap,
        "/always-500": lambda h: _send(h, 500, b"oops"),
        "/flaky": flaky,
        "/stall": stall,
        "/truncated": truncated,
        "/drip-headers": drip_headers,
        "/drip-body": drip_body,
        "/huge": huge,
        "/big-declared": big_declared,
        "/binary": lambda h: _send(h, 200, png, "text/html"),
        "/wrong-charset": lambda h: _send(h, 200, wrong_charset, "text/html; charset=utf-8"),
        "/malformed": lambda h: _send(h, 200, b"<html><body><p>Unclosed <b>tags <div><p>" * 3),
        "/etag": etag,
        "/loop-a": redirect("/loop-b"),
        "/loop-b": redirect("/loop-a"),
        "/moved": redirect("/news/1.html"),
        "/to-elsewhere": redirect("http://169.254.169.254/latest/meta-data/"),
        "/plain.txt": lambda h: _send(
            h,
            200,
            b"Skip links\n" + b"A plain text page that says enough words to count as prose.",
            "text/plain; charset=utf-8",
        ),
    }


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    hits: Counter[str] = Counter()
    headers: dict[str, dict[str, str]] = {}
    base: list[str] = []
    routes = _routes(base, hits)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            headers[path] = {k.lower(): v for k, v in self.headers.items()}
            route = routes.get(path)
            if route is None:
                _send(self, 404, b"not found")
            else:
                route(self)
            hits[path] += 1

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    base.append(f"http://127.0.0.1:{httpd.server_address[1]}")
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield Server(base[0], hits, headers)
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def local() -> IngestOptions:
    """Options for the loopback server: private addresses allowed, fast limits."""
    return IngestOptions(
        allow_private=True,
        timeout=0.5,
        retries=2,
        backoff=0.01,
        rate_limit=0,
        max_bytes=2 * 1024 * 1024,
    )
