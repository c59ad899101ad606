"""Bearer tokens: identity signs them (RS256), every service verifies them from identity's JWKS."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
import requests
from flask import current_app, g, request

from common.errors import Forbidden, Unauthorized, Unavailable
from common.jwk import public_jwk

ISSUER = "rbm-identity"
AUDIENCE = "rbm"
ALGORITHM = "RS256"

REPORTER, UNIT_HEAD, REVIEWER, AUDITOR, ADMIN = (
    "reporter",
    "unit_head",
    "reviewer",
    "auditor",
    "admin",
)
ROLES = (REPORTER, UNIT_HEAD, REVIEWER, AUDITOR, ADMIN)
# Held only by the `svc-<service>` accounts that services use when no user is calling.
SERVICE = "service"
# Roles whose holders read every unit's data (the management group, audit, administration).
ALL_UNITS_ROLES = frozenset({REVIEWER, AUDITOR, ADMIN, SERVICE})


@dataclass(frozen=True)
class Principal:
    """Who is calling: the verified claims of a token."""

    user_id: str
    username: str
    display_name: str = ""
    roles: frozenset[str] = frozenset()
    units: frozenset[str] = frozenset()
    memberships: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    on_behalf_of: str | None = None

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def has_role_in(self, role: str, unit: str) -> bool:
        return (unit, role) in self.memberships

    @property
    def sees_all_units(self) -> bool:
        return bool(self.roles & ALL_UNITS_ROLES)

    def may_see_unit(self, unit: str) -> bool:
        return self.sees_all_units or unit in self.units

    def require_role(self, *roles: str) -> None:
        if not self.has_role(*roles):
            raise Forbidden(f"This needs one of the roles: {', '.join(roles)}.")

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> Principal:
        memberships = frozenset((m["unit"], m["role"]) for m in claims.get("memberships", []))
        return cls(
            user_id=str(claims["sub"]),
            username=claims.get("username", ""),
            display_name=claims.get("name", ""),
            roles=frozenset(claims.get("roles", [])),
            units=frozenset(claims.get("units", [])),
            memberships=memberships,
        )


class TokenSigner:
    """Signs tokens with identity's private key; publishes the public half as a JWKS."""

    def __init__(self, private_key_pem: str, ttl_seconds: int):
        from cryptography.hazmat.primitives import serialization

        self._key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
        jwk = public_jwk(self._key.public_key())
        self.kid = jwk["kid"]
        self.jwks = {"keys": [jwk]}
        self.ttl = ttl_seconds

    def sign(self, claims: dict[str, Any]) -> str:
        now = int(time.time())
        payload = {"iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + self.ttl, **claims}
        return jwt.encode(payload, self._key, algorithm=ALGORITHM, headers={"kid": self.kid})


def new_private_key_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


class TokenVerifier:
    """Verifies tokens against identity's JWKS, fetched over HTTP and cached."""

    def __init__(self, jwks_url: str, timeout: float = 5.0, cache_seconds: int = 300):
        self.jwks_url = jwks_url
        self.timeout = timeout
        self.cache_seconds = cache_seconds
        self._keys: dict[str, Any] = {}
        self._fetched = 0.0
        self._lock = threading.Lock()

    def _key(self, kid: str):
        with self._lock:
            stale = time.monotonic() - self._fetched > self.cache_seconds
            if kid not in self._keys or stale:
                self._refresh()
            if kid not in self._keys:
                raise Unauthorized("The token was signed by an unknown key.")
            return self._keys[kid]

    def _refresh(self) -> None:
        try:
            resp = requests.get(self.jwks_url, timeout=self.timeout)
            resp.raise_for_status()
            keys = resp.json()["keys"]
        except (requests.RequestException, ValueError, KeyError) as exc:
            raise Unavailable("The identity service did not answer for its signing keys.") from exc
        self._keys = {k["kid"]: jwt.PyJWK(k).key for k in keys}
        self._fetched = time.monotonic()

    def verify(self, token: str) -> Principal:
        try:
            kid = jwt.get_unverified_header(token).get("kid", "")
            claims = jwt.decode(
                token,
                self._key(kid),
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": ["exp", "sub", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            raise Unauthorized("The token is not valid or has expired.") from exc
        return Principal.from_claims(claims)


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def current_principal() -> Principal:
    """The caller of this request; 401 when there is no valid token."""
    if "principal" not in g:
        token = bearer_token()
        if not token:
            raise Unauthorized("Send a bearer token from POST /api/identity/token.")
        g.principal = current_app.extensions["rbm"].verifier.verify(token)
    return g.principal


def require_roles(*roles: str) -> Principal:
    principal = current_principal()
    principal.require_role(*roles)
    return principal
