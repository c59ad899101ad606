"""`python -m services.workflow.verify_audit`: check the audit trail's hash chain.

Prints `{"intact": ..., "entries": ..., "first_bad"?: ..., "problem"?: ...}` as GET
/api/workflow/audit/verify does, and exits 0 when the chain is intact, 1 when it is not.
The database is the workflow's own (`RBM_WORKFLOW_DATABASE_URL` or `RBM_DATABASE_URL`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from common.config import from_env
from common.db import make_session_factory, open_store, unit_of_work
from services.workflow.audit import verify


def main() -> int:
    engine = open_store(from_env("workflow"), Path(__file__).parent / "migrations")
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            result = verify(session).as_dict()
    finally:
        engine.dispose()
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["intact"] else 1


if __name__ == "__main__":
    sys.exit(main())
