"""The services the portal's pages ask on the user's behalf, built by its composition root."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal

from common.clients import ServiceClient
from common.config import Settings

# The services a page may name (core.api, core.fetch): each is a field of Dependencies.
Service = Literal["identity", "catalogue", "evidence", "workflow", "notifications", "scorecard"]


@dataclass(frozen=True)
class Dependencies:
    """One client of each service the portal asks: the portal keeps no data of its own."""

    identity: ServiceClient
    catalogue: ServiceClient
    evidence: ServiceClient
    workflow: ServiceClient
    notifications: ServiceClient
    scorecard: ServiceClient

    @classmethod
    def from_settings(cls, settings: Settings) -> Dependencies:
        return cls(**{f.name: ServiceClient(settings, f.name) for f in fields(cls)})

    def client(self, service: Service) -> ServiceClient:
        return getattr(self, service)
