"""What the scorecard's routes are given besides its database, built by its composition root."""

from __future__ import annotations

from dataclasses import dataclass

from common.clients import ServiceClient


@dataclass(frozen=True)
class Dependencies:
    """The catalogue, whose years the scorecard copies when it first reads one."""

    catalogue: ServiceClient
