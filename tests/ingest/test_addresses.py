"""The address rule: what stays refused with allow_private, and IPv6 forms of IPv4."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator

import pytest

from propscope.errors import AddressRefused, FetchError
from propscope.ingest import Fetcher, ItemError, check_address, load
from propscope.ingest.addresses import AddressPolicy, embedded_ipv4

# IPv6 spellings of loopback and of the metadata address that ipaddress calls global.
EMBEDDED = [
    "::7f00:1",
    "::127.0.0.1",
    "64:ff9b::7f00:1",
    "2002:7f00:1::",
    "64:ff9b::a9fe:a9fe",
    "2002:a9fe:a9fe::",
    "fec0::1",
]
METADATA = [
    "169.254.169.254",
    "169.254.170.2",
    "[fe80::1]",
    "[::ffff:169.254.169.254]",
    "[64:ff9b::a9fe:a9fe]",
    "[2002:a9fe:a9fe::]",
    "[fd00:ec2::254]",
    "100.100.100.200",
]


@pytest.mark.parametrize("address", EMBEDDED)
def test_ipv6_forms_carrying_a_private_ipv4_are_refused(address: str) -> None:
    with pytest.raises(AddressRefused):
        check_address(f"http://[{address}]/", allow_private=False)


@pytest.mark.parametrize("host", METADATA)
def test_metadata_and_link_local_stay_refused_with_allow_private(host: str) -> None:
    with pytest.raises(AddressRefused, match="metadata"):
        check_address(f"http://{host}/latest/meta-data/", allow_private=True)


def test_allow_private_still_lets_private_networks_through() -> None:
    for host in ("10.1.2.3", "192.168.0.1", "127.0.0.1", "[::1]", "[::127.0.0.1]"):
        check_address(f"http://{host}/", allow_private=True)


def test_a_named_network_lets_even_metadata_through() -> None:
    check_address("http://169.254.169.254/", allow_private=True,
                  allow_networks=["169.254.169.254/32"])
    check_address("http://169.254.169.254/", allow_networks=["169.254.0.0/16"])
    check_address("http://[::ffff:10.0.0.7]/", allow_networks=["10.0.0.0/8"])
    with pytest.raises(AddressRefused):
        check_address("http://169.254.169.253/", allow_networks=["169.254.169.254/32"])


def test_the_older_list_spelling_of_allow_private_names_networks() -> None:
    check_address("http://10.1.2.3/", allow_private=["10.0.0.0/8"])
    with pytest.raises(AddressRefused):
        check_address("http://192.168.1.1/", allow_private=["10.0.0.0/8"])


def test_public_addresses_and_their_ipv6_forms_pass() -> None:
    for host in ("93.184.216.34", "[2606:2800:220:1::]", "[2002:5db8:d822::]"):
        check_address(f"http://{host}/", allow_private=False)


def test_a_bad_network_name_is_a_typed_error() -> None:
    with pytest.raises(FetchError, match="not a network"):
        AddressPolicy.of(False, ["10.0.0.0/33"])


def test_embedded_ipv4_reads_every_form() -> None:
    def v4(text: str) -> list[str]:
        return [str(a) for a in embedded_ipv4(ipaddress.ip_address(text))]

    assert v4("::ffff:127.0.0.1") == ["127.0.0.1"]
    assert v4("::7f00:1") == ["127.0.0.1"]
    assert v4("64:ff9b::a9fe:a9fe") == ["169.254.169.254"]
    assert v4("2002:a9fe:a9fe::1") == ["169.254.169.254"]
    assert v4("::1") == [] and v4("2606:2800:220:1::") == []


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Block, and record, any connection that would leave loopback: a redirect test
    must never reach the real metadata address, even when the rule under test fails."""
    tried: list[str] = []
    real = socket.create_connection

    def guarded(address, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not ipaddress.ip_address(address[0].split("%")[0]).is_loopback:
            tried.append(address[0])
            raise ConnectionRefusedError(f"test: {address[0]} is off loopback")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded)
    yield tried


def test_a_redirect_to_metadata_is_refused_with_allow_private(
    server, local, loopback_only: list[str]
) -> None:
    assert local.allow_private is True
    with Fetcher(local) as fetcher, pytest.raises(AddressRefused, match="169.254.169.254"):
        fetcher.get(server("/to-elsewhere"))
    assert loopback_only == []


def test_feed_and_sitemap_links_to_metadata_are_refused(
    tmp_path, local, loopback_only: list[str]
) -> None:
    feed = tmp_path / "feed.rss"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>'
        "<item><title>A</title><link>http://169.254.169.254/latest/</link><guid>1</guid>"
        "</item></channel></rss>"
    )
    sitemap = tmp_path / "map.xml"
    sitemap.write_text(
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>http://[64:ff9b::a9fe:a9fe]/x</loc></url></urlset>"
    )
    items = list(load([str(feed), str(sitemap)], local.copy()))
    assert len(items) == 2 and all(isinstance(i, ItemError) for i in items)
    assert all(isinstance(i.error, AddressRefused) for i in items if isinstance(i, ItemError))
    assert loopback_only == []
