"""What identity's routes are given besides its database, built by its composition root."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Protocol

from common.auth import TokenSigner
from common.clients import ServiceClient


class KeySet(Protocol):
    def jwks(self) -> dict: ...


@dataclass(frozen=True)
class Dependencies:
    """Token signing, the keys published at /jwks.json, the catalogue (units), and the sign-in
    limits: which proxies' X-Forwarded-For is believed, how many failures a client may make."""

    signer: TokenSigner
    published_keys: KeySet
    catalogue: ServiceClient
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
    client_login_limit: int
