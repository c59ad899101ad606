"""Bearer tokens: identity signs them (RS256), every service verifies them from identity's JWKS."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jwt
import requests
import structlog
from flask import current_app, g, request

from common import grants
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
# Held only by machine accounts for scheduled imports: their tokens carry the import scope,
# which opens the import endpoint and nothing else.
IMPORTER = "importer"
IMPORT_SCOPE = "import"
ROLES = (REPORTER, UNIT_HEAD, REVIEWER, AUDITOR, ADMIN, IMPORTER)
# Held only by the `svc-<service>` accounts that services use when no user is calling.
SERVICE = "service"
# Roles whose holders read every unit's data (the management group, audit, administration).
ALL_UNITS_ROLES = frozenset({REVIEWER, AUDITOR, ADMIN, SERVICE})
# Set by the gateway's public listener on everything it passes on (whatever the client sent), and
# by the portal on a person's sign-in it forwards: the request came from outside rbm's network,
# where service accounts have no business (deploy/gateway/nginx.conf).
OUTSIDE_HEADER = "X-RBM-Outside"


def from_outside() -> bool:
    """Whether this request came in from outside (see OUTSIDE_HEADER)."""
    return bool(request.headers.get(OUTSIDE_HEADER))


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
    # The token's own id and expiry (epoch seconds): what logging out revokes.
    token_id: str = ""
    expires_at: int = 0
    # A token limited to one use (a machine account's "import"); None: the roles decide.
    scope: str | None = None

    @property
    def scopes(self) -> frozenset[str]:
        """The scopes the token is limited to (`scope` lists them, space separated)."""
        return frozenset((self.scope or "").split())

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
            token_id=str(claims.get("jti", "")),
            expires_at=int(claims.get("exp", 0)),
            scope=claims.get("scope"),
        )


class TokenSigner:
    """Signs tokens with identity's private key; publishes the public half as a JWKS."""

    def __init__(self, private_key_pem: str, ttl_seconds: int):
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey), "identity signs with an RSA key"
        self._key = key
        jwk = public_jwk(self._key.public_key())
        self.kid = jwk["kid"]
        self.jwks = {"keys": [jwk]}
        self.ttl = ttl_seconds

    def sign(self, claims: dict[str, Any]) -> str:
        # `iat` keeps its fraction (RFC 7519 allows it): a revocation's not-before is exact, and
        # a token signed in the same second after it, truncated, would look older and be refused.
        now = time.time()
        payload = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "iat": now,
            "exp": int(now) + self.ttl,
            "jti": uuid.uuid4().hex,
            **claims,
        }
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


# Fetches identity's current revocations: `{"entries": [{user_id, token_id, not_before}]}`.
RevocationSource = Callable[[], dict[str, Any]]
# How stale a service's copy of the revocations may be: a disabled user's tokens stop
# working everywhere within this many seconds (plus one request to identity).
REVOCATION_REFRESH_SECONDS = 2.0
log = structlog.get_logger("rbm.auth")


class Revocations:
    """Tokens refused before their expiry, as identity lists them.

    Identity writes a not-before for a user it disables or whose roles or password change,
    and a token id for a logout; each service keeps a copy, refreshed from identity at most
    every REVOCATION_REFRESH_SECONDS when tokens are checked. Short-lived tokens alone would
    leave a window of their whole lifetime; this closes it in seconds at the cost of one
    small request every few seconds per process. When identity does not answer, the last
    copy stands (services keep working; nothing is forgotten).
    """

    def __init__(self, source: RevocationSource, every: float = REVOCATION_REFRESH_SECONDS):
        self.source = source
        self.every = every
        self._users: dict[str, float] = {}
        self._tokens: set[str] = set()
        self._here: dict[str, int] = {}
        self._checked = float("-inf")
        self._lock = threading.Lock()

    def refuses(self, claims: dict[str, Any]) -> bool:
        self._refresh_if_due()
        not_before = self._users.get(str(claims.get("sub")))
        if not_before is not None and claims.get("iat", 0) < not_before:
            return True
        return claims.get("jti") in self._tokens or claims.get("jti") in self._here

    def revoke_token(self, token_id: str, expires_at: int) -> None:
        """Refuse this token here at once (the process that logged it out), until it expires."""
        now = time.time()
        self._here = {jti: exp for jti, exp in self._here.items() if exp > now}
        if token_id:
            self._here[token_id] = expires_at

    def _refresh_if_due(self) -> None:
        if time.monotonic() - self._checked < self.every or not self._lock.acquire(False):
            return  # fresh enough, or another thread is fetching right now
        try:
            users: dict[str, float] = {}
            tokens = set()
            for entry in self.source()["entries"]:
                if entry.get("token_id"):
                    tokens.add(entry["token_id"])
                elif entry.get("user_id") and entry.get("not_before") is not None:
                    known = users.get(entry["user_id"], float("-inf"))
                    users[entry["user_id"]] = max(known, float(entry["not_before"]))
            self._users, self._tokens = users, tokens
            self._checked = time.monotonic()
        except Exception as exc:  # noqa: BLE001 - identity away: keep the copy, try again later
            log.warning("revocations_unavailable", error=type(exc).__name__)
            self._checked = time.monotonic()
        finally:
            self._lock.release()


# An unknown key id refetches identity's key set at most this often, whatever the traffic:
# tokens with made-up key ids cost one request to identity every few seconds, not one each.
# A key identity starts signing with is fetched within this long of its first token.
KEY_REFETCH_SECONDS = 5.0


class TokenVerifier:
    """Verifies tokens against identity's JWKS, fetched over HTTP and cached."""

    def __init__(
        self,
        jwks_url: str,
        timeout: float = 5.0,
        cache_seconds: int = 300,
        revocations: Revocations | None = None,
        refetch_seconds: float = KEY_REFETCH_SECONDS,
    ):
        self.jwks_url = jwks_url
        self.timeout = timeout
        self.cache_seconds = cache_seconds
        self.refetch_seconds = refetch_seconds
        self.revocations = revocations
        self._keys: dict[str, Any] = {}
        self._fetched = float("-inf")
        self._attempted = float("-inf")
        self._lock = threading.Lock()

    def _key(self, kid: str):
        keys = self._keys  # replaced whole on a refresh, never changed in place
        if kid in keys and time.monotonic() - self._fetched <= self.cache_seconds:
            return keys[kid]
        with self._lock:
            now = time.monotonic()
            # Within the pause after any fetch (or try) nothing is fetched: a known key stays
            # in use, an unknown one is refused.
            if now - self._attempted >= self.refetch_seconds:
                self._attempted = now
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
        if self.revocations is not None and self.revocations.refuses(claims):
            raise Unauthorized("The token was revoked: sign in again.")
        return Principal.from_claims(claims)


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def current_principal(scope: str | None = None) -> Principal:
    """The caller of this request; 401 when there is no valid token, 403 when the token is
    limited to a scope this endpoint (which names the `scope` it serves) is not."""
    if "principal" not in g:
        token = bearer_token()
        if not token:
            raise Unauthorized("Send a bearer token from POST /api/identity/token.")
        principal = current_app.extensions["rbm"].verifier.verify(token)
        if principal.has_role(SERVICE) and from_outside():
            raise Unauthorized("Service accounts are served only inside rbm's network.")
        g.principal = principal
    if g.principal.has_role(SERVICE):
        _require_grant(g.principal)
    elif g.principal.scope is not None and g.principal.scope != scope:
        raise Forbidden(f"This token may only be used for: {g.principal.scope}.")
    return g.principal


def _require_grant(principal: Principal) -> None:
    """A service account reaches only the operations its scopes open (common/grants.py)."""
    service = current_app.extensions["rbm"].settings.service
    rule = request.url_rule.rule if request.url_rule else ""
    if not grants.opens(principal.scopes, service, request.method, rule):
        raise Forbidden(
            f"The account {principal.username} may not {request.method} {rule} of {service}."
        )


def require_roles(*roles: str) -> Principal:
    principal = current_principal()
    principal.require_role(*roles)
    return principal
