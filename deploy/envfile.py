"""Fresh secrets for a deployment, printed once and never committed.

    python -m deploy.envfile > .env                        # docker compose
    python -m deploy.envfile --k8s | kubectl apply -f -    # Secret `rbm-secrets` (namespace rbm)

For Kubernetes only the secrets of rbm itself are made; the URLs and keys of the organisation's
PostgreSQL, RabbitMQ and S3 go into the Secret `rbm-backends` (deploy/README.md).
"""

from __future__ import annotations

import json
import secrets
import sys

from common.auth import new_private_key_pem
from common.secrets import derive_password
from deploy.migrate import with_database
from services.evidence.signing import PackSigner
from services.system import SERVICES

# Every service but identity signs in on an account of its own: it is given that password only.
WITH_ACCOUNT = tuple(s for s in SERVICES if s != "identity")


def password_variable(service: str) -> str:
    """The .env / Secret key of a service's own password (its RBM_SERVICE_PASSWORD)."""
    return f"RBM_SVC_{service.upper()}_PASSWORD"


def database_password_variable(service: str) -> str:
    """The .env variable of the password of a service's database role (compose puts it into
    that service's RBM_DATABASE_URL and into migrate's RBM_<SERVICE>_ROLE_URL)."""
    return f"RBM_{service.upper()}_DATABASE_PASSWORD"


def fresh() -> dict[str, str]:
    pack_key = new_private_key_pem()
    service_secret = secrets.token_hex(32)
    return {
        "POSTGRES_PASSWORD": secrets.token_hex(16),
        "RABBITMQ_PASSWORD": secrets.token_hex(16),
        "RBM_S3_ACCESS_KEY": "rbm" + secrets.token_hex(8),
        "RBM_S3_SECRET_KEY": secrets.token_hex(24),
        "RBM_SERVICE_SECRET": service_secret,
        **{password_variable(s): derive_password(service_secret, s) for s in WITH_ACCOUNT},
        # Each service's database role's (deploy.migrate makes the roles as the owner).
        **{database_password_variable(s): secrets.token_hex(16) for s in with_database()},
        "RBM_JWT_PRIVATE_KEY": new_private_key_pem(),
        "RBM_PORTAL_SECRET": secrets.token_hex(32),
        # Evidence signs its packs with a key of its own; identity publishes the public half.
        "RBM_EVIDENCE_SIGNING_KEY": pack_key,
        "RBM_EVIDENCE_SIGNING_PUBLIC_KEY": PackSigner(pack_key).public_pem(),
    }


def dotenv(values: dict[str, str]) -> str:
    """KEY=value lines; a multi-line value (the PEM key) double-quoted with `\\n` escapes."""
    lines = []
    for key, value in values.items():
        if "\n" in value:
            value = '"' + value.replace("\n", "\\n") + '"'
        lines.append(f"{key}={value}")
    return "\n".join(lines) + "\n"


def k8s_secret(values: dict[str, str], namespace: str = "rbm") -> str:
    """A Secret manifest (JSON, which kubectl reads) with rbm's own secrets."""
    own = (
        "RBM_SERVICE_SECRET",
        *(password_variable(s) for s in WITH_ACCOUNT),
        "RBM_JWT_PRIVATE_KEY",
        "RBM_PORTAL_SECRET",
        "RBM_EVIDENCE_SIGNING_KEY",
        "RBM_EVIDENCE_SIGNING_PUBLIC_KEY",
    )
    manifest = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "rbm-secrets", "namespace": namespace},
        "type": "Opaque",
        "stringData": {key: values[key] for key in own},
    }
    return json.dumps(manifest, indent=2) + "\n"


def main(argv: list[str]) -> int:
    values = fresh()
    sys.stdout.write(k8s_secret(values) if "--k8s" in argv else dotenv(values))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
