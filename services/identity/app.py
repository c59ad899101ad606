"""Composition root of the identity service."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jwt
import structlog
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from common.auth import Revocations, TokenSigner, TokenVerifier, new_private_key_pem
from common.clients import ServiceClient
from common.config import Settings, from_env, setting, typed
from common.db import unit_of_work
from common.jwk import public_jwk_of_pem
from common.secrets import local_secret
from common.web import create_service_app, runtime_of
from services.identity import revocation, rules
from services.identity.api import blp
from services.identity.demo import load_demo_users
from services.identity.dependencies import Dependencies
from services.identity.models import Outbox

log = structlog.get_logger("rbm.identity")
# Where embedded mode's evidence service leaves the public half of its pack-signing key.
EVIDENCE_PUBLIC_KEY_FILE = "evidence-signing-key.pub.pem"


@dataclass(frozen=True)
class IdentitySettings:
    # Only these peers' X-Forwarded-For is believed (the gateway; the portal signing in).
    trusted_proxies: str = setting("RBM_TRUSTED_PROXIES", "")
    client_login_limit: int = setting("RBM_LOGIN_CLIENT_LIMIT", rules.CLIENT_FAILURES_PER_MINUTE)
    # The public half of the evidence service's pack-signing key (deployed mode).
    evidence_signing_public_key: str = setting("RBM_EVIDENCE_SIGNING_PUBLIC_KEY", "")


def signing_key(settings: Settings) -> str:
    """The private key from RBM_JWT_PRIVATE_KEY; embedded mode keeps one in the data dir."""
    return local_secret(
        settings, "RBM_JWT_PRIVATE_KEY", "identity-signing-key.pem", new_private_key_pem
    )


class PublishedKeys:
    """What /jwks.json serves: the token key, and the key other services sign documents with.

    The evidence service signs its packs with a key of its own; its public half comes from
    RBM_EVIDENCE_SIGNING_PUBLIC_KEY or, in embedded mode, the file the evidence service
    writes into the shared data dir (read when asked: it may appear after identity starts).
    """

    def __init__(self, signer: TokenSigner, settings: Settings, public_pem: str):
        self.signer, self.settings, self.public_pem = signer, settings, public_pem

    def jwks(self) -> dict:
        keys = list(self.signer.jwks["keys"])
        pem = self.public_pem
        path = Path(self.settings.data_dir) / EVIDENCE_PUBLIC_KEY_FILE
        if not pem and path.exists():
            pem = path.read_text()
        if pem:
            keys.append(public_jwk_of_pem(pem))
        return {"keys": keys}


class OwnKeysVerifier(TokenVerifier):
    """Identity checks tokens against the keys and revocations it keeps: no HTTP call to itself."""

    def __init__(self, signer: TokenSigner, session_factory):
        def own_revocations() -> dict:
            return revocation.current(session_factory)

        super().__init__(jwks_url="", revocations=Revocations(own_revocations))
        self._keys = {k["kid"]: jwt.PyJWK(k).key for k in signer.jwks["keys"]}
        self._fetched = float("inf")  # its own keys never go stale

    def _refresh(self) -> None:
        """Nothing to fetch: an unknown key id is simply not one of ours."""


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or from_env("identity")
    app = create_service_app(
        settings,
        title="identity",
        migrations_dir=Path(__file__).parent / "migrations",
        blueprints=[blp],
        outbox_model=Outbox,
    )
    runtime = runtime_of(app)
    signer = TokenSigner(signing_key(settings), settings.token_ttl_seconds)
    if settings.token_ttl_seconds > revocation.KEEP.total_seconds():
        raise ValueError(
            f"RBM_TOKEN_TTL_SECONDS must be below {revocation.KEEP}: revocations last that long."
        )
    runtime.verifier = OwnKeysVerifier(signer, runtime.session_factory)
    own = typed(IdentitySettings, settings.environment)
    runtime.deps = Dependencies(
        signer=signer,
        published_keys=PublishedKeys(signer, settings, own.evidence_signing_public_key),
        catalogue=ServiceClient(settings, "catalogue"),
        trusted_proxies=rules.parse_networks(own.trusted_proxies),
        client_login_limit=own.client_login_limit,
    )
    return app


def seed(settings: Settings, sessions: sessionmaker[Session]) -> None:
    """The demo's accounts with RBM_DEMO=1 (a deployment starts with none: see bootstrap)."""
    if settings.demo:
        with unit_of_work(sessions) as session:
            created = load_demo_users(session)
        log.warning("demo_users_loaded", created=created, note="RBM_DEMO=1: demo accounts exist")
