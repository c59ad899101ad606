"""`python -m services.identity.bootstrap USERNAME`: the first administrator of a deployment.

A deployment starts with no users (demo users only with RBM_DEMO=1). This makes one
administrator of the department (PRD); the password comes from RBM_ADMIN_PASSWORD or a prompt.
"""

from __future__ import annotations

import getpass
import os
import sys

from common.auth import ADMIN, Principal
from common.errors import DomainError
from common.web import runtime_of
from services.identity import rules, service
from services.identity.app import create_app
from services.identity.units import KnownUnits

DEPARTMENT = "PRD"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    password = os.environ.get("RBM_ADMIN_PASSWORD") or getpass.getpass("Password: ")
    new = service.NewUser(argv[0], "ผู้ดูแลระบบ", password, "", ((DEPARTMENT, ADMIN),))
    actor = Principal(user_id="bootstrap", username="bootstrap")
    app = create_app()
    try:
        # The catalogue may not run yet; the department is in every catalogue.
        units = KnownUnits(frozenset({DEPARTMENT}))
        service.create_user(runtime_of(app).session_factory, actor, new, units)
    except DomainError as exc:
        print(f"{exc.detail} {exc.errors or ''}", file=sys.stderr)
        return 1
    print(f"administrator '{rules.normalise_username(argv[0])}' created")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
