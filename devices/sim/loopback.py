"""Where simulated devices live: a constant of its own, so discovery can look there without loading simulators."""

from __future__ import annotations

import ipaddress

LOOPBACK_ROOM = ipaddress.IPv4Network("127.0.80.0/26")  # one loopback address per simulated device
