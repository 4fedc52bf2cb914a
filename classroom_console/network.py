"""What the status bar says about the network: which addresses this PC has, if any."""

from __future__ import annotations

import ipaddress

import ifaddr


def local_ipv4_addresses() -> list[str]:
    """Non-loopback IPv4 addresses of this machine, for the status bar and discovery targets."""
    found: list[str] = []
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            if isinstance(ip.ip, str) and not ipaddress.IPv4Address(ip.ip).is_loopback:
                found.append(ip.ip)
    return sorted(set(found))
