"""What the workflow's use cases are given besides its database, built by its composition root."""

from __future__ import annotations

from dataclasses import dataclass

from common.clients import ServiceClient
from services.workflow.anchors import AnchorStore


@dataclass(frozen=True)
class Dependencies:
    """The services the workflow asks, and the bucket its audit anchors go to (if any)."""

    catalogue: ServiceClient
    evidence: ServiceClient
    identity: ServiceClient
    anchors: AnchorStore | None = None
