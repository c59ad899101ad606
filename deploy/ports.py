"""Ports for the servers started here, chosen where the kernel never hands out a port itself.

A port asked of the kernel (bind to 0) and released comes from its ephemeral range, the same
range every outgoing connection takes its local port from: between the choice and the server's
own bind, a connection to PostgreSQL or RabbitMQ may take it ("address already in use"). Ports
outside that range only collide with another server choosing at random, which a start retries.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

EPHEMERAL = Path("/proc/sys/net/ipv4/ip_local_port_range")
LOWEST = 10000  # below: ports people run things on by hand (8000, 8100-8900, 5432, 5672...)


def ephemeral_range() -> tuple[int, int]:
    try:
        low, high = (int(p) for p in EPHEMERAL.read_text().split())
    except (OSError, ValueError):
        return 32768, 60999  # Linux's default
    return low, high


def candidates() -> list[range]:
    low, high = ephemeral_range()
    spans = [range(LOWEST, low), range(high + 1, 65536)]
    return [span for span in spans if len(span)] or [range(LOWEST, 65536)]


def is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A loopback port nobody listens on now, outside the kernel's ephemeral range."""
    spans = candidates()
    weights = [len(span) for span in spans]
    for _ in range(200):
        port = random.choice(random.choices(spans, weights)[0])
        if is_free(port):
            return port
    raise RuntimeError("no free port outside the ephemeral range")


def in_use(exc: BaseException) -> bool:
    """Whether a failed start lost the race for its port (worth another try on new ports)."""
    return isinstance(exc, OSError) and exc.errno == 98  # EADDRINUSE
