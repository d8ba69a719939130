"""Which IP addresses propscope may connect to: the rule behind every fetch.

Why a rule this careful: propscope may run inside a server that fetches URLs its
users give it (a page, a feed whose entries link anywhere, a sitemap, a redirect), and
must not become a way into that server's own network — above all to a cloud metadata
service, which hands out credentials to whoever asks from inside.

* **Refused by default**: every address ``ipaddress`` does not call global (loopback,
  RFC 1918, CGNAT, reserved, …), multicast, IPv6 site-local ``fec0::/10``, and IPv6
  forms that carry an IPv4 address inside — ``::ffff:127.0.0.1`` (mapped),
  ``::127.0.0.1`` (compatible), ``64:ff9b::7f00:1`` (NAT64), ``2002:7f00:1::`` (6to4),
  Teredo — judged by the IPv4 address they carry, which ``ipaddress`` calls global.
* **allow_private=True** lets private addresses through (an intranet news site), but
  not link-local ones (``169.254.0.0/16``, ``fe80::/10``) nor the cloud metadata
  addresses: a "fetch anything on my network" switch must not fetch credentials.
* **Named networks** (``allow_networks``, or ``allow_private`` given as a list) are
  let through whatever they are, metadata included: naming one is a deliberate act.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from propscope.errors import AddressRefused, FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

METADATA_NETWORKS: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(n)
    for n in (
        "169.254.0.0/16",  # IPv4 link-local: AWS, GCP, Azure, OCI metadata at .169.254
        "fe80::/10",  # IPv6 link-local
        "fd00:ec2::254/128",  # AWS metadata over IPv6
        "100.100.100.200/32",  # Alibaba Cloud metadata
        "168.63.129.16/32",  # Azure WireServer (a public address, reachable only inside)
    )
)
"""Refused even with ``allow_private=True``, unless a named network covers them."""

_METADATA_FIX = (
    "link-local and cloud metadata addresses are refused even with --allow-private;"
    " name the network with --allow-network CIDR if it is really wanted"
)
_COMPATIBLE = ipaddress.ip_network("::/96")
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_SITE_LOCAL = ipaddress.ip_network("fec0::/10")


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """``allow_private`` and the named networks, parsed once."""

    allow_private: bool = False
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def of(
        cls, allow_private: bool | Sequence[str], allow_networks: Sequence[str] = ()
    ) -> AddressPolicy:
        """From the options: ``allow_private`` True/False or a list of networks (the
        older spelling of ``allow_networks``), plus ``allow_networks``."""
        named = list(allow_networks)
        if not isinstance(allow_private, bool):
            named += list(allow_private)
        try:
            networks = tuple(ipaddress.ip_network(str(n).strip(), strict=False) for n in named)
        except ValueError as exc:
            raise FetchError(
                f"not a network: {exc}", fix="name a network such as 10.1.0.0/16 or fd00::/8"
            ) from exc
        return cls(allow_private is True, networks)

    def refusal(self, address: IPAddress) -> str | None:
        """Why ``address`` may not be connected to, or None if it may."""
        forms = [address, *embedded_ipv4(address)] if address.version == 6 else [address]
        if any(form in network for form in forms for network in self.networks):
            return None
        for form in forms:
            shown = str(form) if form is address else f"{form} (inside {address})"
            if any(form in network for network in METADATA_NETWORKS):
                return f"{shown}, a link-local or cloud metadata address"
            if self.allow_private:
                continue
            if not form.is_global or form.is_multicast or form in _SITE_LOCAL:
                return f"{shown}, a private or reserved address"
        return None


def embedded_ipv4(address: IPAddress) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries: mapped, compatible, NAT64, 6to4,
    Teredo (its server and client)."""
    if not isinstance(address, ipaddress.IPv6Address):
        return []
    found: list[ipaddress.IPv4Address] = []
    low = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address in _COMPATIBLE and int(address) > 1:  # not :: nor ::1
        found.append(low)
    if any(address in network for network in _NAT64):
        found.append(low)
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)
    return found


def check(address_text: str, policy: AddressPolicy, what: str) -> None:
    """Raise :class:`AddressRefused` unless ``policy`` allows the address."""
    address = ipaddress.ip_address(address_text.split("%")[0])
    reason = policy.refusal(address)
    if reason is not None and "metadata" in reason:
        raise AddressRefused(f"{what} resolves to {reason}", fix=_METADATA_FIX)
    if reason is not None:
        raise AddressRefused(f"{what} resolves to {reason}")
