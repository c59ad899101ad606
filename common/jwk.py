"""Public keys as JWKs (RFC 7517) with their RFC 7638 thumbprint as key id."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import jwt

ALGORITHM = "RS256"


def public_jwk(public_key: Any) -> dict[str, str]:
    """The JWK of an RSA public key; the same key always gets the same `kid`, in every process."""
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(public_key))
    canonical = json.dumps({k: jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"))
    kid = jwt.utils.base64url_encode(hashlib.sha256(canonical.encode()).digest()).decode()
    return {**jwk, "kid": kid, "use": "sig", "alg": ALGORITHM}


def public_jwk_of_pem(pem: str) -> dict[str, str]:
    """The JWK of a PEM public key (or of the public half of a PEM private key)."""
    from cryptography.hazmat.primitives import serialization

    data = pem.encode()
    if b"PRIVATE KEY" in data:
        return public_jwk(serialization.load_pem_private_key(data, password=None).public_key())
    return public_jwk(serialization.load_pem_public_key(data))
