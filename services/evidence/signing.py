"""The key that signs evidence packs; identity publishes its public half in its JWKS.

The private key is the evidence service's own (RBM_EVIDENCE_SIGNING_KEY, PEM; embedded mode
generates one in the data dir). Its public half goes to identity as RBM_EVIDENCE_SIGNING_PUBLIC_KEY
(embedded mode writes it beside the private key, where identity reads it): identity never
holds the private key, and tokens and packs are signed by different keys.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization

from common.auth import new_private_key_pem
from common.config import Settings
from common.jwk import ALGORITHM, public_jwk
from common.secrets import local_secret

KEY_FILE = "evidence-signing-key.pem"
PUBLIC_KEY_FILE = "evidence-signing-key.pub.pem"


class PackSigner:
    """Signs a manifest's SHA-256 as a compact JWS whose header names the key id."""

    def __init__(self, private_key_pem: str):
        self._key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
        self.jwk = public_jwk(self._key.public_key())

    @classmethod
    def from_settings(cls, settings: Settings) -> PackSigner:
        signer = cls(
            local_secret(settings, "RBM_EVIDENCE_SIGNING_KEY", KEY_FILE, new_private_key_pem)
        )
        if not settings.environment.get("RBM_EVIDENCE_SIGNING_KEY"):
            # Embedded mode: leave the public half where identity looks for it.
            (Path(settings.data_dir) / PUBLIC_KEY_FILE).write_text(signer.public_pem())
        return signer

    def public_pem(self) -> str:
        return (
            self._key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )

    def sign(self, manifest: bytes, claims: dict[str, Any]) -> str:
        payload = {**claims, "manifest_sha256": hashlib.sha256(manifest).hexdigest()}
        return jwt.api_jws.encode(
            json.dumps(payload, sort_keys=True).encode(),
            self._key,
            algorithm=ALGORITHM,
            headers={"kid": self.jwk["kid"], "typ": "rbm-pack+jws"},
        )
