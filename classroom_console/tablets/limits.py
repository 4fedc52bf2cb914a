"""What one tablet (or one address) may cost the console: message size, message rate, wrong codes, connects.

Every limit is a token bucket, checked in O(1) on the loop, so a flood is refused as cheaply as it arrives.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class Limits:
    max_message_bytes: int = 4096  # a bigger frame closes the socket (1009) before it is read whole
    messages_per_s: float = 10.0  # sustained, per tablet
    message_burst: int = 30
    drops_before_close: int = 50  # messages over the rate that close the tablet's socket (1008)
    # Per source address. A classroom's Wi-Fi may put every tablet behind one NAT address, so these let a
    # class of 60 join at once from one address, while one hostile address is held to a trickle.
    wrong_codes_burst: int = 10  # wrong codes an address may try at once …
    wrong_code_every_s: float = 3.0  # … then one more each this often (20 a minute: years to guess a code)
    connects_burst: int = 60  # WebSocket opens an address may make at once …
    connects_per_s: float = 10.0  # … then this many a second (a reconnect storm is refused with 429)
    sockets_per_address: int = 64
    # Any connection, before it is a socket (http_guard): a page load and a socket each for every tablet behind one
    # NAT address; a request head must be whole this soon (a slowloris held every student out).
    connections_per_client: int = 2 * 64
    header_timeout_s: float = 10.0
    max_seats: int = 1000
    # New seats one address may take in a class: its sockets and half again (a class behind one NAT address joins,
    # drops, and a tablet that lost its seat's secret joins as new); one address joining, leaving and joining anew
    # filled all 1,000 in 90 s (E3). At their participation budgets these seats stay under half the session's.
    seats_per_address: int = 96
    send_buffer_bytes: int = 256 * 1024  # unread bytes a tablet may leave; beyond them it is cut off (it rejoins)
    kernel_buffer_bytes: int = 64 * 1024  # each tablet's socket send buffer (autotuned, 500 could pin 2 GB)
    heartbeat_s: float = 20.0  # a tablet that vanished from the Wi-Fi is noticed within about this


class Bucket:
    """``rate`` tokens a second up to ``burst``; ``take`` says whether one was there."""

    __slots__ = ("burst", "clock", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: float, clock: Clock = time.monotonic) -> None:
        self.rate, self.burst, self.clock = rate, float(burst), clock
        self.tokens = float(burst)
        self.stamp = clock()

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def take(self) -> bool:
        self._refill()
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False

    def empty(self) -> bool:
        self._refill()
        return self.tokens < 1.0

    def wait_s(self) -> float:
        """How long until one token is there again."""
        self._refill()
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate


class AddressGuard:
    """Per source address: connects, open sockets and wrong codes. Bounded: the oldest addresses are forgotten
    first, so spoofed or many addresses cannot grow it without end."""

    MAX_ADDRESSES = 4096

    def __init__(self, limits: Limits, clock: Clock = time.monotonic) -> None:
        self.limits, self.clock = limits, clock
        self._connects: OrderedDict[str, Bucket] = OrderedDict()
        self._wrong: OrderedDict[str, Bucket] = OrderedDict()
        self.sockets: dict[str, int] = {}

    def _bucket(self, table: OrderedDict[str, Bucket], address: str, rate: float, burst: int) -> Bucket:
        bucket = table.get(address)
        if bucket is None:
            bucket = table[address] = Bucket(rate, burst, self.clock)
            while len(table) > self.MAX_ADDRESSES:
                table.popitem(last=False)
        else:
            table.move_to_end(address)
        return bucket

    def may_connect(self, address: str) -> bool:
        if self.sockets.get(address, 0) >= self.limits.sockets_per_address:
            return False
        return self._bucket(self._connects, address, self.limits.connects_per_s, self.limits.connects_burst).take()

    def opened(self, address: str) -> None:
        self.sockets[address] = self.sockets.get(address, 0) + 1

    def closed(self, address: str) -> None:
        left = self.sockets.get(address, 0) - 1
        if left > 0:
            self.sockets[address] = left
        else:
            self.sockets.pop(address, None)

    def locked_out_s(self, address: str) -> float:
        """Seconds this address must wait before trying a code again (0: it may try now)."""
        bucket = self._wrong.get(address)
        return 0.0 if bucket is None else bucket.wait_s()

    def wrong_code(self, address: str) -> None:
        self._bucket(self._wrong, address, 1.0 / self.limits.wrong_code_every_s, self.limits.wrong_codes_burst).take()
