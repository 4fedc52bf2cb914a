"""The test-wide guards themselves: they must catch what they promise to catch."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from blockbuster import BlockingError

from classroom_console.discovery_scope import Scope, finder_config
from classroom_console.store import open_store
from tests.discovery_helpers import with_a_lan_adapter


def test_traffic_off_this_machine_is_refused() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        with pytest.raises(AssertionError, match="only use loopback"):
            sock.sendto(b"x", ("192.0.2.1", 9))
        with pytest.raises(AssertionError, match="only use loopback"):
            sock.sendto(b"x", ("224.0.0.251", 5353))  # multicast not pinned to loopback
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1"))
        sock.sendto(b"x", ("224.0.0.251", 5353))
        sock.sendto(b"x", ("127.0.0.1", 9))


async def test_blocking_call_in_the_loop_is_caught(tmp_path: Path) -> None:
    with pytest.raises(BlockingError):
        open_store(tmp_path)


def test_discovery_is_limited_to_loopback_in_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    with_a_lan_adapter(monkeypatch)
    config = finder_config(Scope.ALL)
    assert config.dnssd_interfaces == ["127.0.0.1"]
    assert config.search_targets and all(host.startswith("127.") for host, _ in config.search_targets)
